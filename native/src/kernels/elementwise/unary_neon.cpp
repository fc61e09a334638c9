// arm64 NEON unary row kernels (4 floats a register). NEON is baseline on aarch64: no extra flags.
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"

#include "kernels/elementwise/unary_rows.inl"

}  // namespace

void fill_unary_neon(UnaryKernels* k) { fill_unary_rows(k); }

}  // namespace myelin
