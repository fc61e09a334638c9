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

}  // namespace

void fill_reduce_avx512(ReduceKernels* k) {
  fill_reduce_rows(k);
  fill_arg_rows(k);
}

}  // namespace myelin
