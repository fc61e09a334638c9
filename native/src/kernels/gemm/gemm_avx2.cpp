// AVX2+FMA GEMM: packing and the 6x16 microkernel (8 floats a register). Compiled with
// -mavx2 -mfma only.
//
// Tile: 16 ymm registers: 6 rows x 2 ymm = 12 accumulators, 2 for the B row, 1 for the
// broadcast A element. Each k-step issues 12 FMAs (6 cycles on Zen 4's two FMA pipes) against
// 2 vector loads and 6 broadcasts; 12 accumulators cover latency 4 x 2 pipes = 8. (4x24 was
// measured too: ~5% slower.)
//
// Loops: BLIS's own order (GemmLoops::BInL1): the 16-column B micro-panel (kc x 64 B) is the
// one held in L1 while 6-row A micro-panels stream from L2; measured 2-5% faster than the
// AVX-512 order at N >= 1024. Blocks (caches as in gemm_avx512.cpp):
//   kc = 512: the B micro-panel is 32 KiB, and the C tile is loaded and stored once per 512
//     k-steps (a 6x16 call is short: 512 k-steps are ~3000 cycles, so its fixed cost matters).
//   mc = 192: the packed A block (192 x 512 x 4 B = 384 KiB) stays in L2.
//   nc = 2048: the packed B block (512 x 2048 x 4 B = 4 MiB) stays in L3.
// B is always packed: a 16-column micro-panel read in place touches a new cache line of B at
// every k-step, which measured ~10% slower than packing even at 64 rows.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/gemm/gemm.h"

namespace myelin {
namespace {

struct V {
  using scalar = float;
  using reg = __m256;
  using mask = __m256i;
  static constexpr int width = 8;
  static reg zero() { return _mm256_setzero_ps(); }
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static reg loadm(const float* p, mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, reg v) { _mm256_storeu_ps(p, v); }
  // Masks here are always a prefix (mask_for). vmaskmovps stores are slow on AMD cores, so
  // the prefix is written with plain 16-, 8- and 4-byte stores instead.
  static void storem(float* p, mask m, reg v) {
    int n = __builtin_ctz(~_mm256_movemask_ps(_mm256_castsi256_ps(m)));  // prefix length
    if (n == 8) {
      _mm256_storeu_ps(p, v);
      return;
    }
    __m128 x = _mm256_castps256_ps128(v);
    if (n >= 4) {
      _mm_storeu_ps(p, x);
      p += 4;
      n -= 4;
      x = _mm256_extractf128_ps(v, 1);
    }
    if (n >= 2) {
      _mm_storel_pi(reinterpret_cast<__m64*>(p), x);
      p += 2;
      n -= 2;
      x = _mm_movehl_ps(x, x);
    }
    if (n >= 1) _mm_store_ss(p, x);
  }
  static reg set1(float x) { return _mm256_set1_ps(x); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  static reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static mask mask_for(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  // Lines [0, rows) of 8 floats at src, ls apart (lines past rows read as zero), written as 8
  // rows of `lanes` floats at dst, ds apart: an 8x8 transpose in registers.
  static void transpose(const float* src, int64_t ls, int rows, float* dst, int64_t ds, int lanes) {
    reg r[8];
    for (int i = 0; i < 8; ++i) r[i] = i < rows ? load(src + i * ls) : zero();
    reg t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
      t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
      t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
      u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
      u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
      u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
      u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    const mask m = mask_for(lanes);
    for (int c = 0; c < 4; ++c) {
      const reg lo = _mm256_permute2f128_ps(u[c], u[c + 4], 0x20);
      const reg hi = _mm256_permute2f128_ps(u[c], u[c + 4], 0x31);
      if (lanes == 8) {
        store(dst + c * ds, lo);
        store(dst + (c + 4) * ds, hi);
      } else {
        storem(dst + c * ds, m, lo);
        storem(dst + (c + 4) * ds, m, hi);
      }
    }
  }
};

constexpr int MR = 6;
constexpr int NV = 2;
constexpr int64_t kPrefetchC = 96;  // 96 k-steps x 6 cycles ~ 600 cycles

#include "kernels/gemm/gemm_tile.inl"

}  // namespace

void fill_gemm_avx2(GemmKernels* k) {
  k->name = "sgemm_ukernel_6x16__avx2";
  k->mr = MR;
  k->nr = NR;
  k->kc = 512;
  k->mc = 192;
  k->nc = 2048;
  k->loops = GemmLoops::BInL1;
  k->direct_b_max_rows = 0;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = gemm_ukernel;
}

}  // namespace myelin
