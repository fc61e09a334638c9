// AVX-512 optimizer row kernels (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/common/no_fp_contract.h"  // the only FMAs: optim_rows.inl's fmadd calls
#include "kernels/optim/optim.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"
namespace simd_f64 {
#include "kernels/vmath/simd_avx512_f64.inl"
}  // namespace simd_f64

// The float64 vector type with the two operations the optimizer rows add to it.
struct VD : simd_f64::VD {
  static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
  static void store_first(double* p, int64_t n, reg v) {
    _mm512_mask_storeu_pd(p, static_cast<__mmask8>(n >= 8 ? 0xFFu : (1u << n) - 1u), v);
  }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_avx512(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
