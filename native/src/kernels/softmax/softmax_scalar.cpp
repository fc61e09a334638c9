// Portable softmax row kernels (libm exp/log): the oracle for the SIMD versions.
#include <math.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_scalar.inl"
#include "kernels/vmath/simd_scalar_f64.inl"

// The softmax kernels' view of V: libm exp/log (V's plain max is enough: the rows' NaNs are
// caught by their exp sums).
struct S : V {
  static reg exp(reg x) { return expf(x); }
  static void exp_pair(reg& a, reg& b) {
    a = exp(a);
    b = exp(b);
  }
  static void exp_pair_for_sum(reg& a, reg& b) { exp_pair(a, b); }
  static float log1(float x) { return logf(x); }
};

// The oracle stores plainly (softmax_rows.inl).
struct NT {
  static constexpr bool kOn = false;
  template <class P, class R>
  static void store(P* p, R v) {}  // never called: kOn is false
  static void fence() {}
};

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_scalar(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
