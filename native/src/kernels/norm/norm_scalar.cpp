// Portable normalisation row kernels: the oracle for the SIMD versions.
#include <math.h>
#include <stdint.h>

#include "kernels/norm/norm.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_scalar.inl"
#include "kernels/vmath/simd_scalar_f64.inl"

// The norm kernels' view of V and VD: a multiply-add (unfused on the baseline ISA).
struct N : V {
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
};

struct ND : VD {
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
};

#include "kernels/norm/norm_rows.inl"

}  // namespace

void fill_norm_scalar(NormKernels* k) { fill_norm_rows(k); }

}  // namespace myelin
