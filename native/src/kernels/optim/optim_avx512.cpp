// AVX-512 optimizer row kernels (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/optim/optim.h"

// No contraction of a*b + c into an FMA beyond the explicit fmadd calls (see optim_rows.inl).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_avx512.inl"
}  // namespace simd

// The shared vector type plus the partial (tail) loads and stores of optim_rows.inl.
struct V : simd::V {
  using mask = __mmask16;  // set bits are loaded and stored
  static reg load_part(const float* p, mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store_part(float* p, mask m, reg v) { _mm512_mask_storeu_ps(p, m, v); }
  static mask part_mask(int64_t count) { return static_cast<mask>((1u << count) - 1u); }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_avx512(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
