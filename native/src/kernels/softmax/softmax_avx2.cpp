// AVX2+FMA softmax row kernels. Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/exp_avx2.inl"

float hsum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

float hmax256(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

struct V {
  using reg = __m256;
  static constexpr int width = 8;
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, reg v) { _mm256_storeu_ps(p, v); }
  static reg set1(float x) { return _mm256_set1_ps(x); }
  static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm256_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  // NaN-propagating: max_ps(a, b) yields b when either is NaN.
  static reg max(reg a, reg b) {
    return _mm256_blendv_ps(_mm256_max_ps(a, b), a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
  }
  static reg exp(reg x) { return exp256(x); }
  static float hsum(reg v) { return hsum256(v); }
  static float hmax(reg v) { return hmax256(v); }
  static float exp1(float x) { return _mm256_cvtss_f32(exp256(_mm256_set1_ps(x))); }
  static float log1(float x) { return logf(x); }
};

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_avx2(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
