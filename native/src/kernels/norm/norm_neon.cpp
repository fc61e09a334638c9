// arm64 NEON normalisation row kernels (4 floats a register). NEON is baseline on aarch64: no
// extra flags.
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>

#include "kernels/norm/norm.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"
namespace simd_f64 {
#include "kernels/vmath/simd_neon_f64.inl"
}  // namespace simd_f64

// The norm kernels' view of V and VD: a fused multiply-add.
struct N : V {
  static reg fma(reg a, reg b, reg c) { return V::fmadd(a, b, c); }
};

struct ND : simd_f64::VD {
  static reg fma(reg a, reg b, reg c) { return vfmaq_f64(c, a, b); }
};

#include "kernels/norm/norm_rows.inl"

}  // namespace

void fill_norm_neon(NormKernels* k) { fill_norm_rows(k); }

}  // namespace myelin
