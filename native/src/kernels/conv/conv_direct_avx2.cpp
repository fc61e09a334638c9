// AVX2+FMA direct convolution kernel. Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/conv/conv_direct.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"

// The kernel's view of V: a fused multiply-add; 6 output channels a block (12 accumulators
// of 16 registers).
struct D : V {
  static reg fma(reg a, reg b, reg c) { return V::fmadd(a, b, c); }
};
constexpr int kOcBlock = 6;

#include "kernels/conv/conv_direct_rows.inl"

}  // namespace

void fill_conv_direct_avx2(ConvDirectKernels* k) { fill_conv_direct_rows(k); }

}  // namespace myelin
