// AVX2+FMA optimizer row kernels (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/common/no_fp_contract.h"  // the only FMAs: optim_rows.inl's fmadd calls
#include "kernels/optim/optim.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"
namespace simd_f64 {
#include "kernels/vmath/simd_avx2_f64.inl"
}  // namespace simd_f64

// The float64 vector type with the two operations the optimizer rows add to it.
struct VD : simd_f64::VD {
  static reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
  static void store_first(double* p, int64_t n, reg v) {
    const __m256i lanes = _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
    _mm256_maskstore_pd(p, lanes, v);
  }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_avx2(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
