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
// one scalef, which also rounds correctly into the denormals. For x <= 88.7 (every argument
// here is x - max(row) <= 0, or NaN): +inf would give NaN. No upper clamp is needed below
// that, since scalef overflows to inf by itself; the lower clamp keeps -inf out of the
// reduction. Written for two registers at once, step by step: Zen 4 does not overlap two
// such chains written one after the other (15.5 vs 12.6 cycles a vector, measured).
// The first steps of both exps below, for two registers: x clamped below at -104 (keeping -inf
// out of the reduction; NaN stays), and n = round(x / ln 2).
inline void exp_clamp_round2(__m512& a, __m512& b, __m512& na, __m512& nb) {
  const __m512 lo = _mm512_set1_ps(-104.f);
  a = _mm512_max_ps(lo, a);
  b = _mm512_max_ps(lo, b);
  const __m512 log2e = _mm512_set1_ps(kLog2e);
  constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  na = _mm512_roundscale_ps(_mm512_mul_ps(a, log2e), kNearest);
  nb = _mm512_roundscale_ps(_mm512_mul_ps(b, log2e), kNearest);
}

inline void softmax_exp_pair(__m512& a, __m512& b) {
  __m512 na, nb;
  exp_clamp_round2(a, b, na, nb);
  const __m512 ln2hi = _mm512_set1_ps(kLn2Hi), ln2lo = _mm512_set1_ps(kLn2Lo);
  __m512 ra = _mm512_fnmadd_ps(na, ln2hi, a);
  __m512 rb = _mm512_fnmadd_ps(nb, ln2hi, b);
  ra = _mm512_fnmadd_ps(na, ln2lo, ra);
  rb = _mm512_fnmadd_ps(nb, ln2lo, rb);
  const __m512 c6 = _mm512_set1_ps(0x1.687c24p-10f);
  __m512 pa = _mm512_fmadd_ps(c6, ra, _mm512_set1_ps(0x1.123b94p-7f));
  __m512 pb = _mm512_fmadd_ps(c6, rb, _mm512_set1_ps(0x1.123b94p-7f));
  const float rest[] = {0x1.555b58p-5f, 0x1.55548ep-3f, 0x1.fffff8p-2f, 1.f, 1.f};
  for (const float c : rest) {
    pa = _mm512_fmadd_ps(pa, ra, _mm512_set1_ps(c));
    pb = _mm512_fmadd_ps(pb, rb, _mm512_set1_ps(c));
  }
  a = _mm512_scalef_ps(pa, na);
  b = _mm512_scalef_ps(pb, nb);
}

// exp for terms that are only summed (logsumexp, log_softmax, cross-entropy's forward), never
// stored: one reduction step and a degree-5 polynomial; relative error under 2^-22 for
// arguments down to -20 (where a term is 2e-9 of the row's largest and its error is lost in the
// sum's rounding) and under 2^-21 down to -87 (denormal results below). Two fewer FMAs than
// softmax_exp_pair: the FMA unit is what bounds it.
inline void softmax_exp_pair_for_sum(__m512& a, __m512& b) {
  __m512 na, nb;
  exp_clamp_round2(a, b, na, nb);
  const __m512 ln2 = _mm512_set1_ps(kLn2Hi);
  const __m512 ra = _mm512_fnmadd_ps(na, ln2, a);
  const __m512 rb = _mm512_fnmadd_ps(nb, ln2, b);
  const __m512 c5 = _mm512_set1_ps(0x1.10629p-7f);
  __m512 pa = _mm512_fmadd_ps(c5, ra, _mm512_set1_ps(0x1.5729f4p-5f));
  __m512 pb = _mm512_fmadd_ps(c5, rb, _mm512_set1_ps(0x1.5729f4p-5f));
  const float rest[] = {0x1.5557aep-3f, 0x1.fffdfcp-2f, 1.f, 1.f};
  for (const float c : rest) {
    pa = _mm512_fmadd_ps(pa, ra, _mm512_set1_ps(c));
    pb = _mm512_fmadd_ps(pb, rb, _mm512_set1_ps(c));
  }
  a = _mm512_scalef_ps(pa, na);
  b = _mm512_scalef_ps(pb, nb);
}

inline __m512 softmax_exp(__m512 x) {
  __m512 unused = x;
  softmax_exp_pair(x, unused);
  return x;
}

// The softmax kernels' view of V: the exp above, and a plain max (the rows' NaNs are caught by
// their exp sums).
struct S : V {
  static reg max(reg a, reg b) { return V::max(a, b); }
  static reg exp(reg x) { return softmax_exp(x); }
  static void exp_pair(reg& a, reg& b) { softmax_exp_pair(a, b); }
  static void exp_pair_for_sum(reg& a, reg& b) { softmax_exp_pair_for_sum(a, b); }
  static float log1(float x) { return logf(x); }
};

namespace simd_f64 {
#include "kernels/vmath/simd_avx512_f64.inl"
}  // namespace simd_f64
using VD = simd_f64::VD;

// Non-temporal stores of one register to a 64-byte aligned address (softmax_rows.inl).
struct NT {
  static constexpr bool kOn = true;
  static void store(float* p, __m512 v) { _mm512_stream_ps(p, v); }
  static void store(double* p, __m512d v) { _mm512_stream_pd(p, v); }
  static void fence() { _mm_sfence(); }
};

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_avx512(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
