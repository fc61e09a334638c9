// arm64 NEON quantize kernel (4 floats a register). NEON is baseline on aarch64: no extra flags.
#include <arm_neon.h>
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

#include "kernels/convert/quantize_rows.inl"

}  // namespace

void fill_convert_neon(ConvertKernels* k) { fill_convert_rows(k); }

}  // namespace myelin
