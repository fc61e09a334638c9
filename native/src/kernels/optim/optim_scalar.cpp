// Portable optimizer row kernels: the oracle for the SIMD versions, and the path on any CPU.
// fmaf is the C library's correctly rounded fused multiply-add, so this computes the same bits
// as the FMA instructions of the vector versions.
#include <math.h>

#include "kernels/common/no_fp_contract.h"  // the only FMAs: optim_rows.inl's fmadd calls
#include "kernels/optim/optim.h"

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_scalar.inl"
#include "kernels/vmath/simd_scalar_f64.inl"
}  // namespace simd

// The shared width-1 type plus what optim_rows.inl needs beyond it.
struct V : simd::V {
  static reg sqrt(reg a) { return sqrtf(a); }
  static reg fmadd(reg a, reg b, reg c) { return fmaf(a, b, c); }
};
struct VD : simd::VD {
  static reg sqrt(reg a) { return ::sqrt(a); }
  static reg fmadd(reg a, reg b, reg c) { return ::fma(a, b, c); }
  static void store_first(double* p, int64_t n, reg v) {
    if (n > 0) *p = v;
  }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_scalar(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
