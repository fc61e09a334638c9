// The limits loops at AVX512 width (-mavx512f): the FMA peak of _mm512_fmadd_ps chains.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/limits/limits.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"

constexpr int kChains = 16;  // 16 zmm chains: latency 4 x 2 pipes (x 1 on Zen 4's 256-bit units)
V::reg madd(V::reg a, V::reg b, V::reg c) { return V::fmadd(a, b, c); }

#include "kernels/limits/limits_rows.inl"

}  // namespace

void fill_limits_avx512(LimitsKernels* k) { fill_limits_rows(k); }

}  // namespace myelin
