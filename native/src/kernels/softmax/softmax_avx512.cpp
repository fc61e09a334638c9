// AVX-512 softmax row kernels. Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <math.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/exp_avx512.inl"

struct V {
  using reg = __m512;
  static constexpr int width = 16;
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static reg set1(float x) { return _mm512_set1_ps(x); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  // NaN-propagating: max_ps(a, b) yields b when either is NaN.
  static reg max(reg a, reg b) {
    return _mm512_mask_mov_ps(_mm512_max_ps(a, b), _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), a);
  }
  static reg exp(reg x) { return exp512(x); }
  static float hsum(reg v) { return _mm512_reduce_add_ps(v); }
  static float hmax(reg v) { return _mm512_reduce_max_ps(v); }
  static float exp1(float x) { return _mm512_cvtss_f32(exp512(_mm512_set1_ps(x))); }
  static float log1(float x) { return logf(x); }
};

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_avx512(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
