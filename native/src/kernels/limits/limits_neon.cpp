// The limits loops on NEON (4 floats a register): the FMA peak of vfmaq_f32 chains.
#include <arm_neon.h>
#include <stdint.h>

#include "kernels/limits/limits.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"

constexpr int kChains = 16;  // of the 32 q registers: latency 4 x up to 4 pipes
V::reg madd(V::reg a, V::reg b, V::reg c) { return V::fmadd(a, b, c); }

#include "kernels/limits/limits_rows.inl"

}  // namespace

void fill_limits_neon(LimitsKernels* k) { fill_limits_rows(k); }

}  // namespace myelin
