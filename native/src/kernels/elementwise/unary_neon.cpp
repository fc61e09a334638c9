// arm64 NEON unary row kernels (4 floats a register; float64: 2 doubles). NEON is baseline on aarch64: no extra flags.
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>

#include <cmath>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"
#include "kernels/vmath/simd_neon_f64.inl"

#include "kernels/elementwise/unary_rows.inl"
#include "kernels/elementwise/unary_f64_libm.inl"
#include "kernels/elementwise/unary_rows_f64.inl"

}  // namespace

void fill_unary_neon(UnaryKernels* k) {
  fill_unary_rows(k);
  fill_unary_rows_f64(k);
}

}  // namespace myelin
