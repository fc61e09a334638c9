// The limits loops on one float at a time (any CPU): the baseline x86-64 and arm64 builds have
// no guaranteed FMA instruction here, so the peak is of a multiply and an add (2 flops).
#include <stdint.h>

#include "kernels/common/no_fp_contract.h"  // a multiply and an add, as the scalar ISA runs them
#include "kernels/limits/limits.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_scalar.inl"

constexpr int kChains = 12;  // latency (multiply then add) x 2 pipes, in the 16 xmm registers
V::reg madd(V::reg a, V::reg b, V::reg c) { return V::add(V::mul(a, b), c); }

#include "kernels/limits/limits_rows.inl"

}  // namespace

void fill_limits_scalar(LimitsKernels* k) { fill_limits_rows(k); }

}  // namespace myelin
