// arm64 NEON softmax row kernels (4 floats a register). NEON is baseline on aarch64: no extra flags.
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"
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

void fill_softmax_neon(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
