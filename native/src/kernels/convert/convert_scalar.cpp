// Portable quantize kernel: the oracle for the SIMD versions, and the path on any CPU.
#include <stdint.h>

#include "kernels/common/no_fp_contract.h"
#include "kernels/convert/convert.h"

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_scalar.inl"
}  // namespace simd

// The shared width-1 type plus what quantize_rows.inl needs beyond it.
struct Q : simd::V {
  // Adding and removing 1.5 * 2^23 rounds to an integer in the (nearest-even) rounding mode for
  // |x| < 2^22; larger floats are kept (integers or halves past every clamp bound).
  static reg round_even(reg x) {
    const float magic = 12582912.0f;
    const float r = (x + magic) - magic;
    return (x < 4194304.0f && x > -4194304.0f) ? r : x;
  }
  static void store_bytes(uint8_t* p, int64_t n, reg v) {
    if (n > 0) *p = static_cast<uint8_t>(static_cast<int32_t>(v));
  }
};

#include "kernels/convert/quantize_rows.inl"

}  // namespace

void fill_convert_scalar(ConvertKernels* k) { fill_convert_rows(k); }

}  // namespace myelin
