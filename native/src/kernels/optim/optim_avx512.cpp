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

using V = simd::V;

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_avx512(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
