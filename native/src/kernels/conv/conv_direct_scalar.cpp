// Portable direct convolution kernel: the oracle for the SIMD versions.
#include <math.h>
#include <stdint.h>

#include "kernels/conv/conv_direct.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_scalar.inl"

// The kernel's view of V: a multiply-add (unfused on the baseline ISA); 4 output channels a block.
struct D : V {
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
};
constexpr int kOcBlock = 4;

#include "kernels/conv/conv_direct_rows.inl"

}  // namespace

void fill_conv_direct_scalar(ConvDirectKernels* k) { fill_conv_direct_rows(k); }

}  // namespace myelin
