// AVX2+FMA softmax row kernels. Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"
#include "kernels/vmath/vmath.inl"

// The softmax kernels' view of V: its vector exp, and a plain max (the rows' NaNs are caught by
// their exp sums).
struct S : V {
  static reg max(reg a, reg b) { return V::max(a, b); }
  static reg exp(reg x) { return v_exp(x); }
  static void exp_pair(reg& a, reg& b) {
    a = exp(a);
    b = exp(b);
  }
  static void exp_pair_for_sum(reg& a, reg& b) { exp_pair(a, b); }
  static float log1(float x) { return logf(x); }
};

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_avx2(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
