// Portable conversion kernels: the oracles for the SIMD versions, and the path on any CPU.
#include <math.h>
#include <stdint.h>
#include <string.h>

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

#include "kernels/convert/min_max_rows.inl"
#include "kernels/convert/quantize_rows.inl"

// Round to nearest even on the bits (adding 0x7fff plus the kept part's lowest bit carries into it
// exactly when the dropped half is above a tie, or a tie with an odd kept part); NaN -> 0xffff.
void f32_to_bf16_span(const float* x, int64_t n, uint16_t* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = f32_to_bf16(x[i]);
}

void bf16_to_f32_span(const uint16_t* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = bf16_to_f32(x[i]);
}

}  // namespace

void fill_convert_scalar(ConvertKernels* k) {
  fill_convert_rows(k);
  k->f32_to_bf16 = f32_to_bf16_span;
  k->bf16_to_f32 = bf16_to_f32_span;
  k->min_max = min_max_span;
}

}  // namespace myelin
