// The softmax kernels' view of V for the ISAs that use vmath's vector exp (AVX2, NEON): that
// exp, and a plain max (the rows' NaNs are caught by their exp sums). Included by
// softmax_<isa>.cpp inside its anonymous namespace, after simd_<isa>.inl.
#include "kernels/vmath/vmath.inl"

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
