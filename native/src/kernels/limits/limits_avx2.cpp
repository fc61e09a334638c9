// The limits loops at AVX2 width (-mavx2 -mfma): the FMA peak of _mm256_fmadd_ps chains.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/limits/limits.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"

constexpr int kChains = 12;  // 12 ymm chains + 2 constants fit the 16 ymm registers: >= latency 4 x 2 pipes
V::reg madd(V::reg a, V::reg b, V::reg c) { return V::fmadd(a, b, c); }

#include "kernels/limits/limits_rows.inl"

}  // namespace

void fill_limits_avx2(LimitsKernels* k) { fill_limits_rows(k); }

}  // namespace myelin
