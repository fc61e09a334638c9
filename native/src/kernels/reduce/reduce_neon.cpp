// arm64 NEON reduction kernels (4 floats a register). NEON is baseline on aarch64: no extra flags.
#include <arm_neon.h>
#include <stdint.h>

#include "kernels/reduce/reduce.h"

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_neon.inl"
}  // namespace simd

// The shared vector type plus what the reduction rows need (see reduce_rows.inl, arg_rows.inl).
struct V : simd::V {
  static mask mask_or(mask a, mask b) { return vorrq_u32(a, b); }
  static mask mask_andnot(mask a, mask b) { return vbicq_u32(b, a); }
  static ireg set1_i(int32_t x) { return vdupq_n_s32(x); }
  static void store_i(int32_t* p, ireg v) { vst1q_s32(p, v); }
  static ireg select_i(mask m, ireg a, ireg b) { return vbslq_s32(m, a, b); }
  static unsigned eq_bits(reg a, reg b) { return lane_bits(eq(a, b)); }
  static unsigned nan_bits(reg a) { return lane_bits(isnan(a)); }

 private:
  // Lane i of an all-ones/all-zeros mask as bit i (x86's movemask).
  static unsigned lane_bits(mask m) {
    const uint32x4_t weights = {1u, 2u, 4u, 8u};
    return vaddvq_u32(vandq_u32(m, weights));
  }
};

#include "kernels/reduce/reduce_rows.inl"
#include "kernels/reduce/arg_rows.inl"

// The float64 sum, mean, max, min and prod kernels: the same rows over the float64 type.
#include "kernels/vmath/simd_neon_f64.inl"
namespace f64 {
using V = VD;
#include "kernels/reduce/reduce_rows.inl"
}  // namespace f64

}  // namespace

void fill_reduce_neon(ReduceKernels* k) {
  fill_reduce_table(k->row, k->cols);
  f64::fill_reduce_table(k->row_f64, k->cols_f64);
  fill_arg_rows(k);
}

}  // namespace myelin
