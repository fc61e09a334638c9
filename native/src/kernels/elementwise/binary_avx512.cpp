// AVX-512 binary row kernels (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"
#include "kernels/vmath/simd_avx512_f64.inl"

#include "kernels/elementwise/binary_rows.inl"

}  // namespace

void fill_binary_avx512(BinaryKernels* k) { fill_binary_rows(k); }

}  // namespace myelin
