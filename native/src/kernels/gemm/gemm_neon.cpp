// arm64 NEON GEMM: packing and the 8x12 microkernel (4 floats a register). NEON is baseline on
// aarch64: no extra flags.
//
// Tile: 32 q registers: 8 rows x 3 q = 24 accumulators, 3 for the B row, and the A elements
// come in by load-and-replicate (ld1r) into 1-2 more (28-29 of 32, no spills). Each k-step
// issues 24 FMAs (12 cycles on a core with two 128-bit FMA pipes, e.g. Neoverse N1/V1 or the
// Cortex-A7x line) against 3 vector loads and 8 replicating loads; 24 independent accumulators
// cover FMA latency 4 x 2 pipes = 8 several times over. 8x12 is the shape OpenBLAS and BLIS
// use on these cores.
//
// Loops: BLIS's own order (GemmLoops::BInL1). Blocks, sized for 64 KiB L1d and >= 1 MiB L2
// (smaller caches only cost some bandwidth):
//   kc = 256: the B micro-panel (256 x 12 x 4 B = 12 KiB) and the A micro-panel (8 KiB) stay
//     in L1 together.
//   mc = 256: the packed A block (256 x 256 x 4 B = 256 KiB) stays in L2.
//   nc = 3072: the packed B block (256 x 3072 x 4 B = 3 MiB) stays in L3 (on parts without
//     one it streams from memory, 16 flops per float loaded: 8 rows of A reuse each B float).
// Not measured on hardware yet (the tests run it under qemu): the blocks are a starting point.
#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#include "kernels/gemm/gemm.h"

namespace myelin {
namespace {

struct V {
  using scalar = float;
  using reg = float32x4_t;
  using mask = int;  // a prefix: the number of leading lanes read or written, in [0, 4]
  static constexpr int width = 4;
  static reg zero() { return vdupq_n_f32(0.0f); }
  static reg load(const float* p) { return vld1q_f32(p); }
  // NEON has no masked loads or stores: a partial vector goes through a stack copy.
  static reg loadm(const float* p, mask m) {
    if (m == width) return load(p);
    float lanes[width] = {0.0f, 0.0f, 0.0f, 0.0f};
    if (m > 0) memcpy(lanes, p, static_cast<size_t>(m) * sizeof(float));
    return load(lanes);
  }
  static void store(float* p, reg v) { vst1q_f32(p, v); }
  static void storem(float* p, mask m, reg v) {
    if (m == width) return store(p, v);
    if (m >= 2) {
      vst1_f32(p, vget_low_f32(v));
      if (m == 3) vst1q_lane_f32(p + 2, v, 2);
    } else if (m == 1) {
      vst1q_lane_f32(p, v, 0);
    }
  }
  static reg set1(float x) { return vdupq_n_f32(x); }
  static reg mul(reg a, reg b) { return vmulq_f32(a, b); }
  static reg fmadd(reg a, reg b, reg c) { return vfmaq_f32(c, a, b); }
  static mask mask_for(int n) { return n < 0 ? 0 : (n > width ? width : n); }
  // Lines [0, rows) of 4 floats at src, ls apart (lines past rows read as zero), written as 4
  // rows of `lanes` floats at dst, ds apart: a 4x4 transpose in registers.
  static void transpose(const float* src, int64_t ls, int rows, float* dst, int64_t ds, int lanes) {
    reg r[4];
    for (int i = 0; i < 4; ++i) r[i] = i < rows ? load(src + i * ls) : zero();
    const reg t0 = vtrn1q_f32(r[0], r[1]), t1 = vtrn2q_f32(r[0], r[1]);
    const reg t2 = vtrn1q_f32(r[2], r[3]), t3 = vtrn2q_f32(r[2], r[3]);
    reg col[4];
    col[0] = pairs_lo(t0, t2);
    col[1] = pairs_lo(t1, t3);
    col[2] = pairs_hi(t0, t2);
    col[3] = pairs_hi(t1, t3);
    for (int c = 0; c < 4; ++c) storem(dst + c * ds, lanes, col[c]);
  }

 private:
  // The low (high) 64-bit halves of a and b, side by side.
  static reg pairs_lo(reg a, reg b) {
    return vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(a), vreinterpretq_f64_f32(b)));
  }
  static reg pairs_hi(reg a, reg b) {
    return vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(a), vreinterpretq_f64_f32(b)));
  }
};

constexpr int MR = 8;
constexpr int NV = 3;
constexpr int64_t kPrefetchC = 48;  // 48 k-steps x 12 cycles ~ 600 cycles

#include "kernels/gemm/gemm_tile.inl"

}  // namespace

void fill_gemm_neon(GemmKernels* k) {
  k->name = "sgemm_ukernel_8x12__neon";
  k->mr = MR;
  k->nr = NR;
  k->kc = 256;
  k->mc = 256;
  k->nc = 3072;
  k->loops = GemmLoops::BInL1;
  k->direct_b_max_rows = 0;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = gemm_ukernel;
}

}  // namespace myelin
