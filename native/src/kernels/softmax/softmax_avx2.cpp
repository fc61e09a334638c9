// AVX2+FMA softmax row kernels. Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"
#include "kernels/softmax/softmax_vmath_exp.inl"

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_avx2(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
