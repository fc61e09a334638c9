// AVX-512 direct convolution kernel. Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/conv/conv_direct.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"

// The kernel's view of V: a fused multiply-add; 8 output channels a block (16 accumulators; 8
// divides the usual channel counts, where 12 wasted a third of the last block on 32).
struct D : V {
  static reg fma(reg a, reg b, reg c) { return V::fmadd(a, b, c); }
};
constexpr int kOcBlock = 8;

#include "kernels/conv/conv_direct_rows.inl"

}  // namespace

void fill_conv_direct_avx512(ConvDirectKernels* k) { fill_conv_direct_rows(k); }

}  // namespace myelin
