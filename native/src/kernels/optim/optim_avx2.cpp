// AVX2+FMA optimizer row kernels (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/optim/optim.h"

// No contraction of a*b + c into an FMA beyond the explicit fmadd calls (see optim_rows.inl).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_avx2.inl"
}  // namespace simd

// The shared vector type plus the partial (tail) loads and stores of optim_rows.inl.
struct V : simd::V {
  using mask = __m256i;  // all-ones lanes are loaded and stored
  static reg load_part(const float* p, mask m) { return _mm256_maskload_ps(p, m); }
  static void store_part(float* p, mask m, reg v) { _mm256_maskstore_ps(p, m, v); }
  static mask part_mask(int64_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_avx2(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
