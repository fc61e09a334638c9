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
  // The first n (< 8) lanes of v to p.
  static void store_first(float* p, reg v, int64_t n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lane), v);
  }
};
constexpr int kOcBlock = 6;

#include "kernels/conv/conv_direct_rows.inl"

}  // namespace

void fill_conv_direct_avx2(ConvDirectKernels* k) { fill_conv_direct_rows(k); }

}  // namespace myelin
