// AVX2+FMA optimizer row kernels (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>

#include "kernels/optim/optim.h"

// No contraction of a*b + c into an FMA beyond the explicit fmadd calls (see optim_rows.inl).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace myelin {
namespace {

struct V {
  using reg = __m256;
  using mask = __m256i;  // all-ones lanes are loaded and stored
  static constexpr int width = 8;
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, reg v) { _mm256_storeu_ps(p, v); }
  static reg load_part(const float* p, mask m) { return _mm256_maskload_ps(p, m); }
  static void store_part(float* p, mask m, reg v) { _mm256_maskstore_ps(p, m, v); }
  static mask part_mask(int64_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static reg set1(float x) { return _mm256_set1_ps(x); }
  static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  static reg div(reg a, reg b) { return _mm256_div_ps(a, b); }
  static reg sqrt(reg a) { return _mm256_sqrt_ps(a); }
  static reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  // max_ps(a, b) yields b when either is NaN; put a back where a is NaN.
  static reg max_nan(reg a, reg b) {
    return _mm256_blendv_ps(_mm256_max_ps(a, b), a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
  }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_avx2(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
