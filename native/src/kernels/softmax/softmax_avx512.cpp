// AVX-512 softmax row kernels. Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"
#include "kernels/vmath/vmath.inl"

// exp for the softmax rows, about half the instructions of v_exp (the exp pass is what bounds
// a row from L1): the same reduction x = n ln2 + r, a degree-6 polynomial fitted on
// |r| <= ln2/2 (relative error 2^-28, under 1 ulp after rounding), and the scaling by 2^n in
// one scalef, which also rounds correctly into the denormals. Whole float range, NaN kept.
inline __m512 softmax_exp(__m512 x) {
  // max/min(c, x) give x back where x is NaN; beyond [-104, 89] the result is 0 or inf anyway.
  x = _mm512_min_ps(_mm512_set1_ps(89.f), _mm512_max_ps(_mm512_set1_ps(-104.f), x));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
  __m512 p = _mm512_set1_ps(0x1.687c24p-10f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.123b94p-7f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.555b58p-5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.55548ep-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.fffff8p-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  return _mm512_scalef_ps(p, n);
}

// The softmax kernels' view of V: the exp above, and a plain max (the rows' NaNs are caught by
// their exp sums).
struct S : V {
  static reg max(reg a, reg b) { return V::max(a, b); }
  static reg exp(reg x) { return softmax_exp(x); }
  static float exp1(float x) { return V::first(softmax_exp(V::set1(x))); }
  static float log1(float x) { return logf(x); }
};

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_avx512(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
