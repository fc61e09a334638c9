// Portable binary row kernels: the oracle for the SIMD versions, and the path on any CPU.
#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_scalar.inl"
#include "kernels/vmath/simd_scalar_f64.inl"

#include "kernels/elementwise/binary_rows.inl"

}  // namespace

void fill_binary_scalar(BinaryKernels* k) { fill_binary_rows(k); }

}  // namespace myelin
