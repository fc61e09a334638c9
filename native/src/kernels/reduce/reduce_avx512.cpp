// AVX-512 reduction kernels (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/reduce/reduce.h"

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_avx512.inl"
}  // namespace simd

// The shared vector type plus what the reduction rows need (see reduce_rows.inl, arg_rows.inl).
struct V : simd::V {
  static mask mask_or(mask a, mask b) { return static_cast<mask>(a | b); }
  static mask mask_andnot(mask a, mask b) { return static_cast<mask>(~a & b); }
  static ireg set1_i(int32_t x) { return _mm512_set1_epi32(x); }
  static void store_i(int32_t* p, ireg v) { _mm512_storeu_si512(p, v); }
  static ireg select_i(mask m, ireg a, ireg b) { return _mm512_mask_mov_epi32(b, m, a); }
  static unsigned eq_bits(reg a, reg b) { return eq(a, b); }
  static unsigned nan_bits(reg a) { return isnan(a); }
};

#include "kernels/reduce/reduce_rows.inl"
#include "kernels/reduce/arg_rows.inl"

// The float64 sum, mean, max, min and prod kernels: the same rows over the float64 type.
#include "kernels/vmath/simd_avx512_f64.inl"
namespace f64 {
using V = VD;
#include "kernels/reduce/reduce_rows.inl"
}  // namespace f64

}  // namespace

void fill_reduce_avx512(ReduceKernels* k) {
  fill_reduce_table(k->row, k->cols);
  f64::fill_reduce_table(k->row_f64, k->cols_f64);
  fill_arg_rows(k);
}

}  // namespace myelin
