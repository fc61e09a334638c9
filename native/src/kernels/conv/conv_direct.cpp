// The direct convolution's driver (the kernels are conv_direct_<isa>.cpp): when it applies, the
// zero-padded copy of each image it reads, the weights laid out by tap, and the split of the
// batch (or of one image's rows) over the threads.
#include "kernels/conv/conv_direct.h"

#include <cstring>

#include "runtime/kernel_table.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {

namespace {

// Input taps (C * kh * kw) up to which the direct kernel beats im2col + GEMM (whose K this is):
// measured 1.3-1.8x faster at 9-27 taps (1 or 3 channels, 3x3), even at 36 and 72.
constexpr int64_t kMaxDirectTaps = 32;

// One image zero-padded for the kernel: rows cover every output row's taps, and each row
// leaves room for the kernel's last 2-register chunk (it reads whole registers past ow).
struct DirectLayout {
  int64_t rows, ld, wt_ld;
};

DirectLayout direct_layout(const ConvShape& s, const ConvDirectKernels& d) {
  DirectLayout l;
  l.rows = (s.oh - 1) * s.sh + (s.kh - 1) * s.dh + 1;
  const int64_t chunk = 2 * d.width;
  l.ld = (s.ow + chunk - 1) / chunk * chunk + (s.kw - 1) * s.dw;
  l.wt_ld = (s.oc + d.oc_block - 1) / d.oc_block * d.oc_block;
  return l;
}

// xpad[(ci * rows + r) * ld + col] = x[ci][r - ph][col - pw], zero outside x.
void direct_pad(const ConvShape& s, const DirectLayout& l, const float* x, float* xpad) {
  for (int64_t ci = 0; ci < s.c; ++ci) {
    for (int64_t r = 0; r < l.rows; ++r) {
      float* dst = xpad + (ci * l.rows + r) * l.ld;
      std::memset(dst, 0, sizeof(float) * l.ld);
      const int64_t ih = r - s.ph;
      if (ih < 0 || ih >= s.h) continue;
      const int64_t c0 = s.pw < 0 ? -s.pw : 0;  // first input column inside the row
      const int64_t c1 = l.ld - s.pw < s.w ? l.ld - s.pw : s.w;
      if (c1 > c0) std::memcpy(dst + c0 + s.pw, x + (ci * s.h + ih) * s.w + c0, sizeof(float) * (c1 - c0));
    }
  }
}

}  // namespace

bool conv_direct_applies(const KernelTable& k, const ConvShape& s) {
  return conv_algorithm() != 1 && !s.bf16 && k.conv_direct.width >= 4 && s.sw == 1 && s.groups == 1 &&
         s.c * s.kh * s.kw <= kMaxDirectTaps;
}

void conv_direct_forward(const KernelTable& k, const ConvShape& s, const float* x, const float* w, const float* bias,
                         float* y) {
  const ConvDirectKernels& d = k.conv_direct;
  const DirectLayout l = direct_layout(s, d);
  const int64_t taps = s.c * s.kh * s.kw, per_image = s.c * l.rows * l.ld;
  const Scratch<float> wt(taps * l.wt_ld);
  for (int64_t t = 0; t < taps; ++t)
    for (int64_t o = 0; o < l.wt_ld; ++o) wt[t * l.wt_ld + o] = o < s.oc ? w[o * taps + t] : 0.f;
  ConvDirectArgs a{s.c,  s.oc,    s.kh,   s.kw, s.sh,     s.dh,    s.dw, s.oh,
                   s.ow, nullptr, l.rows, l.ld, wt.get(), l.wt_ld, bias, nullptr};
  const int64_t flops = 2 * s.oc * s.oh * s.ow * taps;  // one image
  const int nth = threads_for(s.n * flops, kConvMinThreadFlops);
  if (s.n >= nth) {  // images split over the threads, each padding its own
    const Scratch<float> buf(nth * per_image);
    auto body = [&](int tid, int nt) {
      ConvDirectArgs mine = a;
      mine.xpad = buf.get() + tid * per_image;
      for (int64_t i = s.n * tid / nt; i < s.n * (tid + 1) / nt; ++i) {
        direct_pad(s, l, x + i * s.c * s.h * s.w, buf.get() + tid * per_image);
        mine.y = y + i * s.oc * s.oh * s.ow;
        d.forward(mine, 0, s.oh);
      }
    };
    parallel_run(nth, body);
    return;
  }
  // Fewer images than threads: each image's rows split over the threads.
  const Scratch<float> buf(per_image);
  a.xpad = buf.get();
  for (int64_t i = 0; i < s.n; ++i) {
    direct_pad(s, l, x + i * s.c * s.h * s.w, buf.get());
    a.y = y + i * s.oc * s.oh * s.ow;
    const int64_t row_flops = 2 * s.oc * s.ow * taps;
    parallel_for(s.oh, (kConvMinThreadFlops + row_flops - 1) / row_flops,
                 [&](int64_t r0, int64_t r1) { d.forward(a, r0, r1); });
  }
}

}  // namespace myelin
