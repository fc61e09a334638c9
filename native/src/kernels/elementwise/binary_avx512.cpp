// AVX-512 binary row kernels (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

struct V {
  using reg = __m512;
  static constexpr int width = 16;
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static reg set1(float x) { return _mm512_set1_ps(x); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  static reg div(reg a, reg b) { return _mm512_div_ps(a, b); }
  // max_ps(a, b) yields b when either is NaN; put a back where a is NaN.
  static reg max_nan(reg a, reg b) {
    return _mm512_mask_mov_ps(_mm512_max_ps(a, b), _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), a);
  }
  static reg min_nan(reg a, reg b) {
    return _mm512_mask_mov_ps(_mm512_min_ps(a, b), _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), a);
  }
};

#include "kernels/elementwise/binary_rows.inl"

}  // namespace

void fill_binary_avx512(BinaryKernels* k) { fill_binary_rows(k); }

}  // namespace myelin
