// AVX2 binary row kernels (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"
#include "kernels/vmath/simd_avx2_f64.inl"

#include "kernels/elementwise/binary_rows.inl"

}  // namespace

void fill_binary_avx2(BinaryKernels* k) { fill_binary_rows(k); }

}  // namespace myelin
