// AVX-512 GEMM: packing and the 6x64 microkernel (16 floats a register). Compiled with the
// AVX-512 flags only.
//
// Tile, for Zen 4 (32 zmm registers; two 256-bit FMA pipes that run a 512-bit FMA as two
// halves: one zmm FMA a cycle, latency 4, so >= 4 independent accumulators keep it busy):
// 6 rows x 4 zmm = 24 accumulators, 4 registers for the B row, 1 for the broadcast A element
// (29 of 32). Each k-step issues 24 FMAs (24 cycles at peak) against 4 vector loads and 6
// broadcasts (10 loads: well under the 2 a cycle the core sustains). Measured beside 14x32,
// 12x32 and 8x48 (all ~99% of peak with data in L1): 6x64 reads the fewest bytes a flop, and
// its packed A micro-panel (6 x kc) is the smallest, so it stays in L1 with kc = 512; a
// 64-column tile divides the usual layer widths (256, 512, 1024) and 6 rows waste < 1% at
// 256 or more rows.
//
// Blocks (Zen 4: 32 KiB L1d and 1 MiB L2 per core, 32 MiB L3 shared):
//   kc = 512: the A micro-panel (6 x 512 x 4 B = 12 KiB) stays in L1 while B micro-panels
//     stream past it; the C tile is loaded and stored once per 512 k-steps.
//   nc = 384: the packed B block (512 x 384 x 4 B = 768 KiB) stays in the 1 MiB L2.
//   mc = 2052: the packed A block (2052 x 512 x 4 B = 4 MiB) stays in L3 (half of a core's
//     share), and up to ~2k rows B is packed only once.
// Small-matrix path: up to 512 rows a block reads B in place (each k-step of a 64-column
// micro-panel is 4 whole cache lines of a B row): measured ~2-7% faster than packing B there.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/gemm/gemm.h"

namespace myelin {
namespace {

struct V {
  using scalar = float;
  using reg = __m512;
  using mask = __mmask16;
  static constexpr int width = 16;
  static reg zero() { return _mm512_setzero_ps(); }
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static reg loadm(const float* p, mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static void storem(float* p, mask m, reg v) { _mm512_mask_storeu_ps(p, m, v); }
  static reg set1(float x) { return _mm512_set1_ps(x); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static mask mask_for(int n) {
    return n >= 16 ? static_cast<mask>(0xFFFF) : n <= 0 ? static_cast<mask>(0) : static_cast<mask>((1u << n) - 1);
  }
  // Lines [0, rows) of 16 floats at src, ls apart (lines past rows read as zero), written as
  // 16 rows of `lanes` floats at dst, ds apart: a 16x16 transpose in registers.
  static void transpose(const float* src, int64_t ls, int rows, float* dst, int64_t ds, int lanes) {
    reg r[16], t[16], u[16];
    for (int i = 0; i < 16; ++i) r[i] = i < rows ? load(src + i * ls) : zero();
    for (int i = 0; i < 16; i += 2) {
      t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
      t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    // u[4g + c], 128-bit lane L: column 4L + c of lines 4g .. 4g + 3.
    for (int g = 0; g < 16; g += 4) {
      const __m512d t0 = _mm512_castps_pd(t[g]), t1 = _mm512_castps_pd(t[g + 1]);
      const __m512d t2 = _mm512_castps_pd(t[g + 2]), t3 = _mm512_castps_pd(t[g + 3]);
      u[g] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
      u[g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
      u[g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
      u[g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
    }
    const mask m = mask_for(lanes);
    for (int c = 0; c < 4; ++c) {
      const reg v0 = _mm512_shuffle_f32x4(u[c], u[c + 4], 0x88);
      const reg v1 = _mm512_shuffle_f32x4(u[c], u[c + 4], 0xdd);
      const reg w0 = _mm512_shuffle_f32x4(u[c + 8], u[c + 12], 0x88);
      const reg w1 = _mm512_shuffle_f32x4(u[c + 8], u[c + 12], 0xdd);
      storem(dst + c * ds, m, _mm512_shuffle_f32x4(v0, w0, 0x88));
      storem(dst + (c + 8) * ds, m, _mm512_shuffle_f32x4(v0, w0, 0xdd));
      storem(dst + (c + 4) * ds, m, _mm512_shuffle_f32x4(v1, w1, 0x88));
      storem(dst + (c + 12) * ds, m, _mm512_shuffle_f32x4(v1, w1, 0xdd));
    }
  }
};

constexpr int MR = 6;
constexpr int NV = 4;
constexpr int64_t kPrefetchC = 24;  // 24 k-steps x 24 cycles ~ 600 cycles

#include "kernels/gemm/gemm_tile.inl"

}  // namespace

void fill_gemm_avx512(GemmKernels* k) {
  k->name = "sgemm_ukernel_6x64__avx512";
  k->mr = MR;
  k->nr = NR;
  k->kc = 512;
  k->mc = 2052;
  k->nc = 384;
  k->loops = GemmLoops::AInL1;
  k->direct_b_max_rows = 512;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = gemm_ukernel;
}

}  // namespace myelin
