// AVX-512 normalisation row kernels. Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/norm/norm.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"
namespace simd_f64 {
#include "kernels/vmath/simd_avx512_f64.inl"
}  // namespace simd_f64

// The norm kernels' view of V and VD: a fused multiply-add.
struct N : V {
  static reg fma(reg a, reg b, reg c) { return V::fmadd(a, b, c); }
};

struct ND : simd_f64::VD {
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
};

#include "kernels/norm/norm_rows.inl"

}  // namespace

void fill_norm_avx512(NormKernels* k) { fill_norm_rows(k); }

}  // namespace myelin
