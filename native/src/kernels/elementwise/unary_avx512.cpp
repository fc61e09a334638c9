// AVX-512 unary row kernels (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"

#include "kernels/elementwise/unary_rows.inl"

}  // namespace

void fill_unary_avx512(UnaryKernels* k) { fill_unary_rows(k); }

}  // namespace myelin
