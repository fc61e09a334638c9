// AVX2+FMA unary row kernels (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"

#include "kernels/elementwise/unary_rows.inl"

}  // namespace

void fill_unary_avx2(UnaryKernels* k) { fill_unary_rows(k); }

}  // namespace myelin
