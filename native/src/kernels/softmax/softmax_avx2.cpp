// AVX2+FMA softmax row kernels. Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"
#include "kernels/softmax/softmax_vmath_exp.inl"

namespace simd_f64 {
#include "kernels/vmath/simd_avx2_f64.inl"
}  // namespace simd_f64
using VD = simd_f64::VD;

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_avx2(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
