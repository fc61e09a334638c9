// arm64 NEON binary row kernels (4 floats a register). NEON is baseline on aarch64: no extra flags.
#include <arm_neon.h>
#include <stdint.h>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"
#include "kernels/vmath/simd_neon_f64.inl"

#include "kernels/elementwise/binary_rows.inl"

}  // namespace

void fill_binary_neon(BinaryKernels* k) { fill_binary_rows(k); }

}  // namespace myelin
