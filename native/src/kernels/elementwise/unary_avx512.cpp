// AVX-512 unary row kernels (16 floats a register; float64: 8 doubles). Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include <cmath>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"
#include "kernels/vmath/simd_avx512_f64.inl"

#include "kernels/elementwise/unary_rows.inl"
#include "kernels/elementwise/unary_f64_libm.inl"
#include "kernels/elementwise/unary_rows_f64.inl"

}  // namespace

void fill_unary_avx512(UnaryKernels* k) {
  fill_unary_rows(k);
  fill_unary_rows_f64(k);
}

}  // namespace myelin
