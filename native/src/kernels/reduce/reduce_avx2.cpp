// AVX2 reduction kernels (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>

#include "kernels/reduce/reduce.h"

namespace myelin {
namespace {

struct V {
  using reg = __m256;
  using cmask = __m256;  // all-ones lanes where true
  using ireg = __m256i;
  static constexpr int width = 8;
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, reg v) { _mm256_storeu_ps(p, v); }
  static reg set1(float x) { return _mm256_set1_ps(x); }
  static reg load_tail(const float* p, int64_t n, float fill) {
    const __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, lanes), _mm256_castsi256_ps(lanes));
  }
  static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  // max_ps(a, b) yields b when either is NaN; put a back where a is NaN.
  static reg max_nan(reg a, reg b) {
    return _mm256_blendv_ps(_mm256_max_ps(a, b), a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
  }
  static reg min_nan(reg a, reg b) {
    return _mm256_blendv_ps(_mm256_min_ps(a, b), a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
  }
  static cmask gt(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static cmask lt(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static cmask is_nan(reg a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static cmask mask_or(cmask a, cmask b) { return _mm256_or_ps(a, b); }
  static cmask mask_andnot(cmask a, cmask b) { return _mm256_andnot_ps(a, b); }
  static reg select(cmask m, reg f, reg t) { return _mm256_blendv_ps(f, t, m); }
  static ireg set1_i(int32_t x) { return _mm256_set1_epi32(x); }
  static void store_i(int32_t* p, ireg v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static ireg select_i(cmask m, ireg f, ireg t) {
    return _mm256_castps_si256(
        _mm256_blendv_ps(_mm256_castsi256_ps(f), _mm256_castsi256_ps(t), m));
  }
  static unsigned eq_bits(reg a, reg b) {
    return static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ)));
  }
  static unsigned nan_bits(reg a) { return static_cast<unsigned>(_mm256_movemask_ps(is_nan(a))); }
};

#include "kernels/reduce/reduce_rows.inl"
#include "kernels/reduce/arg_rows.inl"

}  // namespace

void fill_reduce_avx2(ReduceKernels* k) {
  fill_reduce_rows(k);
  fill_arg_rows(k);
}

}  // namespace myelin
