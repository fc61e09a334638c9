// AVX2 reduction kernels (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/reduce/reduce.h"

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_avx2.inl"
}  // namespace simd

// The shared vector type plus what the reduction rows need (see reduce_rows.inl, arg_rows.inl).
struct V : simd::V {
  static mask mask_or(mask a, mask b) { return _mm256_or_ps(a, b); }
  static mask mask_andnot(mask a, mask b) { return _mm256_andnot_ps(a, b); }
  static ireg set1_i(int32_t x) { return _mm256_set1_epi32(x); }
  static void store_i(int32_t* p, ireg v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static ireg select_i(mask m, ireg a, ireg b) {
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), m));
  }
  static unsigned eq_bits(reg a, reg b) { return static_cast<unsigned>(_mm256_movemask_ps(eq(a, b))); }
  static unsigned nan_bits(reg a) { return static_cast<unsigned>(_mm256_movemask_ps(isnan(a))); }
};

#include "kernels/reduce/reduce_rows.inl"
#include "kernels/reduce/arg_rows.inl"

// The float64 sum, mean, max, min and prod kernels: the same rows over the float64 type.
#include "kernels/vmath/simd_avx2_f64.inl"
namespace f64 {
using V = VD;
#include "kernels/reduce/reduce_rows.inl"
}  // namespace f64

}  // namespace

void fill_reduce_avx2(ReduceKernels* k) {
  fill_reduce_table(k->row, k->cols);
  f64::fill_reduce_table(k->row_f64, k->cols_f64);
  fill_arg_rows(k);
}

}  // namespace myelin
