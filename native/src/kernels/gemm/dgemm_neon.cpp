// arm64 NEON double-precision GEMM: packing and the 8x6 microkernel (2 doubles a register),
// over the same tile code as the fp32 one (gemm_tile.inl). NEON is baseline on aarch64.
//
// Tile: 32 q registers: 8 rows x 3 q = 24 accumulators, 3 for the B row, and the A elements
// come in by load-and-replicate (ld1r) into 1-2 more (28-29 of 32, no spills): the fp32
// table's register shape at half the lanes. Each k-step issues 24 FMAs (12 cycles on two
// 128-bit FMA pipes) against 3 vector loads and 8 replicating loads.
//
// Loops: BLIS's own order (GemmLoops::BInL1). Blocks, sized for 64 KiB L1d and >= 1 MiB L2:
//   kc = 256: the B micro-panel (256 x 6 x 8 B = 12 KiB) and the A micro-panel (16 KiB) stay
//     in L1 together.
//   mc = 128: the packed A block (128 x 256 x 8 B = 256 KiB) stays in L2.
//   nc = 1536: the packed B block (256 x 1536 x 8 B = 3 MiB) stays in L3.
// Not measured on hardware yet (the tests run it under qemu): the blocks are a starting point.
#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#include "kernels/gemm/gemm.h"

namespace myelin {
namespace {

struct V {
  using scalar = double;
  using reg = float64x2_t;
  using mask = int;  // a prefix: the number of leading lanes read or written, in [0, 2]
  static constexpr int width = 2;
  static reg zero() { return vdupq_n_f64(0.0); }
  static reg load(const double* p) { return vld1q_f64(p); }
  // NEON has no masked loads or stores: a partial vector is its first lane alone.
  static reg loadm(const double* p, mask m) {
    if (m == width) return load(p);
    return m == 1 ? vsetq_lane_f64(*p, zero(), 0) : zero();
  }
  static void store(double* p, reg v) { vst1q_f64(p, v); }
  static void storem(double* p, mask m, reg v) {
    if (m == width) return store(p, v);
    if (m == 1) vst1q_lane_f64(p, v, 0);
  }
  static reg set1(double x) { return vdupq_n_f64(x); }
  static reg mul(reg a, reg b) { return vmulq_f64(a, b); }
  static reg fmadd(reg a, reg b, reg c) { return vfmaq_f64(c, a, b); }
  static mask mask_for(int n) { return n < 0 ? 0 : (n > width ? width : n); }
  // Lines [0, rows) of 2 doubles at src, ls apart (lines past rows read as zero), written as 2
  // rows of `lanes` doubles at dst, ds apart: a 2x2 transpose in registers.
  static void transpose(const double* src, int64_t ls, int rows, double* dst, int64_t ds, int lanes) {
    const reg r0 = rows > 0 ? load(src) : zero(), r1 = rows > 1 ? load(src + ls) : zero();
    storem(dst, lanes, vtrn1q_f64(r0, r1));
    storem(dst + ds, lanes, vtrn2q_f64(r0, r1));
  }
};

constexpr int MR = 8;
constexpr int NV = 3;
constexpr int64_t kPrefetchC = 48;  // 48 k-steps x 12 cycles ~ 600 cycles

#include "kernels/gemm/gemm_tile.inl"

}  // namespace

void fill_dgemm_neon(DgemmKernels* k) {
  k->name = "dgemm_ukernel_8x6__neon";
  k->mr = MR;
  k->nr = NR;
  k->kc = 256;
  k->mc = 128;
  k->nc = 1536;
  k->loops = GemmLoops::BInL1;
  k->direct_b_max_rows = 0;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = gemm_ukernel;
}

}  // namespace myelin
