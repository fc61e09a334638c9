// AVX2+FMA double-precision GEMM: packing and the 6x8 microkernel (4 doubles a register), over
// the same tile code as the fp32 one (gemm_tile.inl). Compiled with -mavx2 -mfma only.
//
// Tile: the fp32 table's register shape: 16 ymm registers, 6 rows x 2 ymm = 12 accumulators,
// 2 for the B row, 1 for the broadcast A element; 12 FMAs a k-step (6 cycles on two FMA pipes)
// against 2 vector loads and 6 broadcasts, 12 accumulators covering latency 4 x 2 pipes = 8.
//
// Loops: BLIS's own order (GemmLoops::BInL1), as the fp32 table's. Blocks:
//   kc = 256: the B micro-panel (256 x 8 x 8 B = 16 KiB) stays in L1 while 6-row A
//     micro-panels stream from L2.
//   mc = 192: the packed A block (192 x 256 x 8 B = 384 KiB) stays in L2.
//   nc = 2048: the packed B block (256 x 2048 x 8 B = 4 MiB) stays in L3.
// B is always packed (an 8-column micro-panel read in place touches a new cache line of B at
// every k-step).
#include <immintrin.h>
#include <stdint.h>

#include "kernels/gemm/gemm.h"

namespace myelin {
namespace {

struct V {
  using scalar = double;
  using reg = __m256d;
  using mask = __m256i;
  static constexpr int width = 4;
  static reg zero() { return _mm256_setzero_pd(); }
  static reg load(const double* p) { return _mm256_loadu_pd(p); }
  static reg loadm(const double* p, mask m) { return _mm256_maskload_pd(p, m); }
  static void store(double* p, reg v) { _mm256_storeu_pd(p, v); }
  // Masks here are always a prefix (mask_for). vmaskmovpd stores are slow on AMD cores, so
  // the prefix is written with plain 16- and 8-byte stores instead.
  static void storem(double* p, mask m, reg v) {
    int n = __builtin_ctz(~_mm256_movemask_pd(_mm256_castsi256_pd(m)));  // prefix length
    if (n == 4) {
      _mm256_storeu_pd(p, v);
      return;
    }
    __m128d x = _mm256_castpd256_pd128(v);
    if (n >= 2) {
      _mm_storeu_pd(p, x);
      p += 2;
      n -= 2;
      x = _mm256_extractf128_pd(v, 1);
    }
    if (n >= 1) _mm_store_sd(p, x);
  }
  static reg set1(double x) { return _mm256_set1_pd(x); }
  static reg mul(reg a, reg b) { return _mm256_mul_pd(a, b); }
  static reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
  static mask mask_for(int n) { return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3)); }
  // Lines [0, rows) of 4 doubles at src, ls apart (lines past rows read as zero), written as 4
  // rows of `lanes` doubles at dst, ds apart: a 4x4 transpose in registers.
  static void transpose(const double* src, int64_t ls, int rows, double* dst, int64_t ds, int lanes) {
    reg r[4];
    for (int i = 0; i < 4; ++i) r[i] = i < rows ? load(src + i * ls) : zero();
    // t0 = columns 0 and 2 of lines 0, 1; t1 columns 1 and 3; t2, t3 the same of lines 2, 3.
    const reg t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    const reg t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    const reg col[4] = {_mm256_permute2f128_pd(t0, t2, 0x20), _mm256_permute2f128_pd(t1, t3, 0x20),
                        _mm256_permute2f128_pd(t0, t2, 0x31), _mm256_permute2f128_pd(t1, t3, 0x31)};
    const mask m = mask_for(lanes);
    for (int c = 0; c < 4; ++c) {
      if (lanes == 4)
        store(dst + c * ds, col[c]);
      else
        storem(dst + c * ds, m, col[c]);
    }
  }
};

constexpr int MR = 6;
constexpr int NV = 2;
constexpr int64_t kPrefetchC = 96;  // 96 k-steps x 6 cycles ~ 600 cycles

#include "kernels/gemm/gemm_tile.inl"

}  // namespace

void fill_dgemm_avx2(DgemmKernels* k) {
  k->name = "dgemm_ukernel_6x8__avx2";
  k->mr = MR;
  k->nr = NR;
  k->kc = 256;
  k->mc = 192;
  k->nc = 2048;
  k->loops = GemmLoops::BInL1;
  k->direct_b_max_rows = 0;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = gemm_ukernel;
}

}  // namespace myelin
