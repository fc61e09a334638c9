// AVX-512 reduction kernels (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>

#include "kernels/reduce/reduce.h"

namespace myelin {
namespace {

struct V {
  using reg = __m512;
  using cmask = __mmask16;
  using ireg = __m512i;
  static constexpr int width = 16;
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static reg set1(float x) { return _mm512_set1_ps(x); }
  static reg load_tail(const float* p, int64_t n, float fill) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), static_cast<__mmask16>((1u << n) - 1), p);
  }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  // max_ps(a, b) yields b when either is NaN; put a back where a is NaN.
  static reg max_nan(reg a, reg b) {
    return _mm512_mask_mov_ps(_mm512_max_ps(a, b), _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), a);
  }
  static reg min_nan(reg a, reg b) {
    return _mm512_mask_mov_ps(_mm512_min_ps(a, b), _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), a);
  }
  static cmask gt(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static cmask lt(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static cmask is_nan(reg a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static cmask mask_or(cmask a, cmask b) { return static_cast<cmask>(a | b); }
  static cmask mask_andnot(cmask a, cmask b) { return static_cast<cmask>(~a & b); }
  static reg select(cmask m, reg f, reg t) { return _mm512_mask_mov_ps(f, m, t); }
  static ireg set1_i(int32_t x) { return _mm512_set1_epi32(x); }
  static void store_i(int32_t* p, ireg v) { _mm512_storeu_si512(p, v); }
  static ireg select_i(cmask m, ireg f, ireg t) { return _mm512_mask_mov_epi32(f, m, t); }
  static unsigned eq_bits(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static unsigned nan_bits(reg a) { return is_nan(a); }
};

#include "kernels/reduce/reduce_rows.inl"
#include "kernels/reduce/arg_rows.inl"

}  // namespace

void fill_reduce_avx512(ReduceKernels* k) {
  fill_reduce_rows(k);
  fill_arg_rows(k);
}

}  // namespace myelin
