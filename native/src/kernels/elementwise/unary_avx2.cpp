// AVX2+FMA unary row kernels (8 floats a register; float64: 4 doubles). Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include <cmath>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"
#include "kernels/vmath/simd_avx2_f64.inl"

#include "kernels/elementwise/unary_rows.inl"
#include "kernels/elementwise/unary_f64_libm.inl"
#include "kernels/elementwise/unary_rows_f64.inl"

}  // namespace

void fill_unary_avx2(UnaryKernels* k) {
  fill_unary_rows(k);
  fill_unary_rows_f64(k);
}

}  // namespace myelin
