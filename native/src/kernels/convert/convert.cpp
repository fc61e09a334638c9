#include "kernels/convert/convert.h"

#include <algorithm>

#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace {

// Elements per thread below which a pass stays on the calling thread.
constexpr int64_t kGrain = int64_t{1} << 16;

template <class T>
void dequantize_impl(const T* q, int64_t outer, int64_t channels, int64_t inner, const double* scales,
                     const int64_t* zero_points, bool per_channel, float* y) {
  const int64_t rows = outer * channels;
  parallel_for(rows, inner > 0 ? (kGrain + inner - 1) / inner : rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t c = r % channels;
      const T* qr = q + r * inner;
      float* yr = y + r * inner;
      if (per_channel) {
        const double s = scales[c];
        const int64_t z = zero_points[c];
        for (int64_t i = 0; i < inner; ++i) yr[i] = static_cast<float>(static_cast<double>(qr[i] - z) * s);
      } else {
        const float s = static_cast<float>(scales[c]), z = static_cast<float>(zero_points[c]);
        for (int64_t i = 0; i < inner; ++i) yr[i] = (static_cast<float>(qr[i]) - z) * s;
      }
    }
  });
}

}  // namespace

void convert_f32_to_bf16(const KernelTable& k, int64_t n, const float* x, uint16_t* y) {
  const F32ToBf16Span span = k.convert.f32_to_bf16;
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { span(x + b, e - b, y + b); });
}

void convert_bf16_to_f32(const KernelTable& k, int64_t n, const uint16_t* x, float* y) {
  const Bf16ToF32Span span = k.convert.bf16_to_f32;
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { span(x + b, e - b, y + b); });
}

void round_f32_to_bf16(const KernelTable& k, int64_t n, const float* x, float* y) {
  const F32ToBf16Span narrow = k.convert.f32_to_bf16;
  const Bf16ToF32Span widen = k.convert.bf16_to_f32;
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    // A block's bits stay in L1 between the two kernels: x is read and y written once (the two
    // whole-array passes through a bits array cost twice the memory traffic).
    constexpr int64_t kBlock = 2048;
    uint16_t bits[kBlock];
    for (int64_t i = b; i < e; i += kBlock) {
      const int64_t m = std::min(kBlock, e - i);
      narrow(x + i, m, bits);
      widen(bits, m, y + i);
    }
  });
}

void quantize_f32(const KernelTable& k, const float* x, int64_t outer, int64_t channels, int64_t inner,
                  const double* scales, const int64_t* zero_points, QType type, void* y) {
  const float qmin = type == QType::QInt8 ? -128.0f : 0.0f;
  const float qmax = type == QType::QInt8 ? 127.0f : 255.0f;
  const QuantizeSpan span = k.convert.quantize;
  uint8_t* out = static_cast<uint8_t*>(y);
  // Split by elements, not rows: a per-tensor activation is one row. Each thread's range is cut
  // where the channel changes.
  parallel_for(outer * channels * inner, kGrain, [&](int64_t begin, int64_t end) {
    while (begin < end) {
      const int64_t row = begin / inner;
      const int64_t stop = std::min(end, (row + 1) * inner);
      const int64_t c = row % channels;
      const float inv = 1.0f / static_cast<float>(scales[c]);
      span(x + begin, stop - begin, inv, static_cast<float>(zero_points[c]), qmin, qmax, out + begin);
      begin = stop;
    }
  });
}

void dequantize_f32(const void* q, int64_t outer, int64_t channels, int64_t inner, const double* scales,
                    const int64_t* zero_points, QType type, bool per_channel, float* y) {
  if (type == QType::QInt8)
    dequantize_impl(static_cast<const int8_t*>(q), outer, channels, inner, scales, zero_points, per_channel, y);
  else
    dequantize_impl(static_cast<const uint8_t*>(q), outer, channels, inner, scales, zero_points, per_channel, y);
}

void min_max_f32(const KernelTable& k, int64_t n, const float* x, float* min_out, float* max_out) {
  k.convert.min_max(x, n, min_out, max_out);
}

}  // namespace myelin
