// AVX-512 double-precision GEMM: packing and the 8x24 microkernel (8 doubles a register), over
// the same tile code as the fp32 one (gemm_tile.inl). Compiled with the AVX-512 flags only.
//
// Tile: 32 zmm registers: 8 rows x 3 zmm = 24 accumulators, 3 for the B row, 1 for the
// broadcast A element (28 of 32). Each k-step issues 24 FMAs against 3 vector loads and 8
// broadcasts; 24 independent accumulators cover FMA latency 4 x 2 pipes = 8 three times over
// (Zen 5 runs two 512-bit FMAs a cycle; Zen 4 one, as two halves). Beside 6 x 4 zmm (the fp32
// shape) it reads the same bytes a flop, and its 24-column B row is 3 whole cache lines.
//
// Loops as the fp32 table's (GemmLoops::AInL1), blocks in the same bytes (Zen 4/5: 32-48 KiB
// L1d, 1 MiB L2 a core, 32 MiB L3 shared):
//   kc = 256: the A micro-panel (8 x 256 x 8 B = 16 KiB) stays in L1 while B micro-panels
//     stream past it.
//   nc = 384: the packed B block (256 x 384 x 8 B = 768 KiB) stays in L2.
//   mc = 2048: the packed A block (2048 x 256 x 8 B = 4 MiB) stays in L3.
// Small-matrix path: up to 256 rows a block reads B in place.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/gemm/gemm.h"

namespace myelin {
namespace {

struct V {
  using scalar = double;
  using reg = __m512d;
  using mask = __mmask8;
  static constexpr int width = 8;
  static reg zero() { return _mm512_setzero_pd(); }
  static reg load(const double* p) { return _mm512_loadu_pd(p); }
  static reg loadm(const double* p, mask m) { return _mm512_maskz_loadu_pd(m, p); }
  static void store(double* p, reg v) { _mm512_storeu_pd(p, v); }
  static void storem(double* p, mask m, reg v) { _mm512_mask_storeu_pd(p, m, v); }
  static reg set1(double x) { return _mm512_set1_pd(x); }
  static reg mul(reg a, reg b) { return _mm512_mul_pd(a, b); }
  static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
  static mask mask_for(int n) {
    return n >= 8 ? static_cast<mask>(0xFF) : n <= 0 ? static_cast<mask>(0) : static_cast<mask>((1u << n) - 1);
  }
  // Lines [0, rows) of 8 doubles at src, ls apart (lines past rows read as zero), written as 8
  // rows of `lanes` doubles at dst, ds apart: an 8x8 transpose in registers.
  static void transpose(const double* src, int64_t ls, int rows, double* dst, int64_t ds, int lanes) {
    reg r[8], t[8];
    for (int i = 0; i < 8; ++i) r[i] = i < rows ? load(src + i * ls) : zero();
    // t[2g] holds (line 2g, line 2g+1) at the even columns, t[2g+1] at the odd ones: 128-bit
    // lane L of t[2g + c] is column 2L + c of lines 2g and 2g + 1.
    for (int i = 0; i < 8; i += 2) {
      t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);
      t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
    }
    const mask m = mask_for(lanes);
    for (int c = 0; c < 2; ++c) {
      const reg u0 = _mm512_shuffle_f64x2(t[c], t[c + 2], 0x88), u1 = _mm512_shuffle_f64x2(t[c], t[c + 2], 0xdd);
      const reg v0 = _mm512_shuffle_f64x2(t[c + 4], t[c + 6], 0x88),
                v1 = _mm512_shuffle_f64x2(t[c + 4], t[c + 6], 0xdd);
      storem(dst + c * ds, m, _mm512_shuffle_f64x2(u0, v0, 0x88));
      storem(dst + (c + 4) * ds, m, _mm512_shuffle_f64x2(u0, v0, 0xdd));
      storem(dst + (c + 2) * ds, m, _mm512_shuffle_f64x2(u1, v1, 0x88));
      storem(dst + (c + 6) * ds, m, _mm512_shuffle_f64x2(u1, v1, 0xdd));
    }
  }
};

constexpr int MR = 8;
constexpr int NV = 3;
constexpr int64_t kPrefetchC = 48;  // 48 k-steps x 12 cycles ~ 600 cycles

#include "kernels/gemm/gemm_tile.inl"

}  // namespace

void fill_dgemm_avx512(DgemmKernels* k) {
  k->name = "dgemm_ukernel_8x24__avx512";
  k->mr = MR;
  k->nr = NR;
  k->kc = 256;
  k->mc = 2048;
  k->nc = 384;
  k->loops = GemmLoops::AInL1;
  k->direct_b_max_rows = 256;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = gemm_ukernel;
}

}  // namespace myelin
