// NEON direct convolution kernel (arm64).
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>

#include "kernels/conv/conv_direct.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"

// The kernel's view of V: a fused multiply-add; 12 output channels a block (24 accumulators
// of 32 registers).
struct D : V {
  static reg fma(reg a, reg b, reg c) { return V::fmadd(a, b, c); }
};
constexpr int kOcBlock = 12;

#include "kernels/conv/conv_direct_rows.inl"

}  // namespace

void fill_conv_direct_neon(ConvDirectKernels* k) { fill_conv_direct_rows(k); }

}  // namespace myelin
