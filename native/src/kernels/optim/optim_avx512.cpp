// AVX-512 optimizer row kernels (16 floats a register). Compiled with the AVX-512 flags only.
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
  using reg = __m512;
  using mask = __mmask16;  // set bits are loaded and stored
  static constexpr int width = 16;
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static reg load_part(const float* p, mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store_part(float* p, mask m, reg v) { _mm512_mask_storeu_ps(p, m, v); }
  static mask part_mask(int64_t count) { return static_cast<mask>((1u << count) - 1u); }
  static reg set1(float x) { return _mm512_set1_ps(x); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  static reg div(reg a, reg b) { return _mm512_div_ps(a, b); }
  static reg sqrt(reg a) { return _mm512_sqrt_ps(a); }
  static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  // max_ps(a, b) yields b when either is NaN; put a back where a is NaN.
  static reg max_nan(reg a, reg b) {
    return _mm512_mask_mov_ps(_mm512_max_ps(a, b), _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), a);
  }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_avx512(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
