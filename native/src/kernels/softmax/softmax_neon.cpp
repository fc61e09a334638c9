// arm64 NEON softmax row kernels (4 floats a register). NEON is baseline on aarch64: no extra flags.
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"
#include "kernels/softmax/softmax_vmath_exp.inl"

namespace simd_f64 {
#include "kernels/vmath/simd_neon_f64.inl"
}  // namespace simd_f64
using VD = simd_f64::VD;

// No non-temporal stores here: every row takes the plain kernels (softmax_rows.inl).
struct NT {
  static constexpr bool kOn = false;
  template <class P, class R>
  static void store(P* p, R v) {}  // never called: kOn is false
  static void fence() {}
};

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_neon(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
