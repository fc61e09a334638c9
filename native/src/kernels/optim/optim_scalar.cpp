// Portable optimizer row kernels: the oracle for the SIMD versions, and the path on any CPU.
// fmaf is the C library's correctly rounded fused multiply-add, so this computes the same bits
// as the FMA instructions of the vector versions.
#include <math.h>

#include "kernels/optim/optim.h"

// No contraction of a*b + c into an FMA beyond the explicit fmadd calls (see optim_rows.inl).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_scalar.inl"
}  // namespace simd

// The shared width-1 type plus what optim_rows.inl needs beyond it.
struct V : simd::V {
  static reg sqrt(reg a) { return sqrtf(a); }
  static reg fmadd(reg a, reg b, reg c) { return fmaf(a, b, c); }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_scalar(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
