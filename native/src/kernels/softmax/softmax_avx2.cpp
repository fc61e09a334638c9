// AVX2+FMA softmax row kernels. Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"
#include "kernels/softmax/softmax_vmath_exp.inl"

namespace simd_f64 {
#include "kernels/vmath/simd_avx2_f64.inl"
}  // namespace simd_f64
using VD = simd_f64::VD;

// Non-temporal stores of one register to a 32-byte aligned address (softmax_rows.inl).
struct NT {
  static constexpr bool kOn = true;
  static void store(float* p, __m256 v) { _mm256_stream_ps(p, v); }
  static void store(double* p, __m256d v) { _mm256_stream_pd(p, v); }
  static void fence() { _mm_sfence(); }
};

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_avx2(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
