// arm64 NEON optimizer row kernels (4 floats a register). NEON is baseline on aarch64: no extra
// flags.
#include <arm_neon.h>
#include <stdint.h>

#include "kernels/common/no_fp_contract.h"  // the only FMAs: optim_rows.inl's fmadd calls
#include "kernels/optim/optim.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"
namespace simd_f64 {
#include "kernels/vmath/simd_neon_f64.inl"
}  // namespace simd_f64

// The float64 vector type with the two operations the optimizer rows add to it.
struct VD : simd_f64::VD {
  static reg fmadd(reg a, reg b, reg c) { return vfmaq_f64(c, a, b); }
  static void store_first(double* p, int64_t n, reg v) {
    if (n > 0) p[0] = vgetq_lane_f64(v, 0);
    if (n > 1) p[1] = vgetq_lane_f64(v, 1);
  }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_neon(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
