// Conversions between fp32 and the reduced-precision element types, with PyTorch 1.13's numerics
// (x86-64 build without FBGEMM, as Debian's), bit for bit:
//   fp32 -> bf16: round to nearest even; NaN -> 0xffff (its vectorised conversion, which every
//     contiguous x.to(torch.bfloat16) takes). bf16 -> fp32: exact.
//   quantize (quantize_per_tensor, quantize_per_channel): inv = 1.0f / float(scale), then
//     q = clamp(int64(float(zero_point) + nearbyint(x * inv)), qmin, qmax) in fp32 arithmetic,
//     where a NaN or a sum outside int64 (infinities included) becomes qmin (x86's conversion
//     of an unrepresentable value is INT64_MIN).
//   dequantize: per tensor (float(q) - float(zero_point)) * float(scale) in fp32; per channel
//     the same in double, rounded to fp32 once.
// quantize, min_max and the bf16 conversions run per-ISA kernels (ConvertKernels) that give the
// scalar kernel's bits on every ISA; the drivers here split them across threads by elements above
// a size (a per-tensor activation is one row; min_max stays on the calling thread). dequantize is
// baseline code.
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

// One element: fp32 -> bf16, round to nearest even; NaN -> 0xffff (PyTorch's vectorised conversion). Static:
// each file that uses them has its own copy, so no ISA file can lend the linker a wide one.
static inline uint16_t f32_to_bf16(float x) {
  uint32_t u;
  __builtin_memcpy(&u, &x, 4);
  if (x != x) return 0xffff;
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
static inline float bf16_to_f32(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float x;
  __builtin_memcpy(&x, &u, 4);
  return x;
}

// Through k's kernels.
void convert_f32_to_bf16(const KernelTable& k, int64_t n, const float* x, uint16_t* y);
void convert_bf16_to_f32(const KernelTable& k, int64_t n, const uint16_t* x, float* y);
// y = x rounded to bf16 values, as fp32: convert_f32_to_bf16 then convert_bf16_to_f32 (the same
// bits) in one pass over memory. y may be x (in place), or must not overlap it.
void round_f32_to_bf16(const KernelTable& k, int64_t n, const float* x, float* y);

// Quantized element types: qint8 (int8, [-128, 127]) and quint8 (uint8, [0, 255]).
enum class QType : int { QInt8 = 0, QUInt8 = 1 };

// The per-ISA kernel: y[i] = the low byte of clamp(int64(zero + nearbyint(x[i] * inv)), qmin, qmax)
// (qmin for NaN and sums outside int64), for i < n, where [qmin, qmax] is [-128, 127] (qint8) or
// [0, 255] (quint8): the same bits on every ISA.
using QuantizeSpan = void (*)(const float* x, int64_t n, float inv, float zero, float qmin, float qmax, uint8_t* y);

// The per-ISA span kernels of the conversions, for i < n: y[i] = x[i] rounded to bf16 (nearest
// even, NaN -> 0xffff); y[i] = x[i] widened (exact).
using F32ToBf16Span = void (*)(const float* x, int64_t n, uint16_t* y);
using Bf16ToF32Span = void (*)(const uint16_t* x, int64_t n, float* y);

// The per-ISA min_max_f32 (below). Every ISA gives the scalar kernel's bits, signed zeros too:
// 16 running minima and maxima, element i of each whole block of 16 into lane i % 16 (lo = v < lo
// ? v : lo, hi = v > hi ? v : hi, all lanes starting at x[0]), the last n % 16 elements into lane
// 0 in order, then the lanes folded from lane 0 up; NaN anywhere makes both NaN.
using MinMaxSpan = void (*)(const float* x, int64_t n, float* min_out, float* max_out);

struct ConvertKernels {
  QuantizeSpan quantize;
  F32ToBf16Span f32_to_bf16;
  Bf16ToF32Span bf16_to_f32;
  MinMaxSpan min_max;
};

void fill_convert_scalar(ConvertKernels* k);
void fill_convert_avx2(ConvertKernels* k);
void fill_convert_avx512(ConvertKernels* k);
void fill_convert_neon(ConvertKernels* k);

// x viewed as [outer, channels, inner]: channel c uses scales[c] and zero_points[c] (per tensor:
// channels = 1). y is int8 or uint8 storage by `type`. Runs k's quantize kernel.
void quantize_f32(const KernelTable& k, const float* x, int64_t outer, int64_t channels, int64_t inner,
                  const double* scales, const int64_t* zero_points, QType type, void* y);
// per_channel: the per-channel (double) numerics, else the per-tensor (fp32) ones.
void dequantize_f32(const void* q, int64_t outer, int64_t channels, int64_t inner, const double* scales,
                    const int64_t* zero_points, QType type, bool per_channel, float* y);

// The minimum and maximum of n floats (both NaN when any is, as torch.aminmax; n = 0: 0 and 0),
// for the dynamic quantization of activations. Through k's kernel, on the calling thread.
void min_max_f32(const KernelTable& k, int64_t n, const float* x, float* min_out, float* max_out);

}  // namespace myelin
