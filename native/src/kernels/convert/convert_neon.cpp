// arm64 NEON conversion kernels (4 floats a register). NEON is baseline on aarch64: no extra flags.
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels/common/no_fp_contract.h"
#include "kernels/convert/convert.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"

struct Q : V {
  static reg round_even(reg x) { return vrndnq_f32(x); }  // frintn: ties to even
  static void store_bytes(uint8_t* p, int64_t n, reg v) {
    const int16x4_t h = vmovn_s32(vcvtq_s32_f32(v));  // exact: v holds integers in [-128, 255]
    const uint32_t b = vget_lane_u32(vreinterpret_u32_s8(vmovn_s16(vcombine_s16(h, h))), 0);
    uint8_t tmp[4];
    memcpy(tmp, &b, 4);
    memcpy(p, tmp, static_cast<size_t>(n < 4 ? n : 4));
  }
};

#include "kernels/convert/min_max_rows.inl"
#include "kernels/convert/quantize_rows.inl"

// The scalar kernel's rounding on the bits, 4 lanes at a time; NaN lanes are set to all ones
// before the narrowing shift, which leaves 0xffff.
uint16x4_t to_bf16(float32x4_t f) {
  const uint32x4_t u = vreinterpretq_u32_f32(f);
  const uint32x4_t odd = vandq_u32(vshrq_n_u32(u, 16), vdupq_n_u32(1));
  const uint32x4_t r = vaddq_u32(vaddq_u32(u, vdupq_n_u32(0x7fff)), odd);
  return vshrn_n_u32(vorrq_u32(r, vmvnq_u32(vceqq_f32(f, f))), 16);
}

void f32_to_bf16_span(const float* x, int64_t n, uint16_t* y) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1_u16(y + i, to_bf16(vld1q_f32(x + i)));
  for (; i < n; ++i) y[i] = f32_to_bf16(x[i]);
}

void bf16_to_f32_span(const uint16_t* x, int64_t n, float* y) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(x + i), 16)));
  for (; i < n; ++i) y[i] = bf16_to_f32(x[i]);
}

}  // namespace

void fill_convert_neon(ConvertKernels* k) {
  fill_convert_rows(k);
  k->f32_to_bf16 = f32_to_bf16_span;
  k->bf16_to_f32 = bf16_to_f32_span;
  k->min_max = min_max_span;
}

}  // namespace myelin
