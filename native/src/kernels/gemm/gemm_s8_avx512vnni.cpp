// u8 x s8 GEMM on AVX512_VNNI: packing and the 6x64 microkernel over vpdpbusd (4 u8 x s8 products
// summed into each int32 lane: 64 multiply-adds an instruction, four times an fp32 FMA's 16).
// Compiled with the avx512bf16 level's flags only (every CPU with AVX512_BF16 has AVX512_VNNI).
//
// Tile: 6 rows x 4 zmm (64 columns) = 24 int32 accumulators, 4 registers for a k-quad of the B
// micro-panel, 1 for the broadcast A quad (29 of 32): per k-quad, 24 vpdpbusd against 4 vector
// loads and 6 broadcasts, as the fp32 and bf16 6x64 kernels.
// Blocks: mc = 2052 (the packed A block, whole k, in L3); nc = 384 (lowered by the driver for
// k past 1365, so the packed B block stays within 512 KiB of L2).
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "kernels/gemm/gemm_lowp.h"

namespace myelin {
namespace {

struct V {
  using reg = __m512i;
  using freg = __m512;
  static constexpr int width = 16;
  static __mmask16 mask(int n) {
    return n >= 16  ? static_cast<__mmask16>(0xFFFF)
           : n <= 0 ? static_cast<__mmask16>(0)
                    : static_cast<__mmask16>((1u << n) - 1);
  }
  static reg zero() { return _mm512_setzero_si512(); }
  static reg load(const uint32_t* p) { return _mm512_loadu_si512(p); }
  static reg bcast(uint32_t w) { return _mm512_set1_epi32(static_cast<int>(w)); }
  static reg dp(reg acc, reg a, reg b) { return _mm512_dpbusd_epi32(acc, a, b); }
  static reg add(reg a, reg b) { return _mm512_add_epi32(a, b); }
  static reg sub(reg a, reg b) { return _mm512_sub_epi32(a, b); }
  static reg mullo(reg a, reg b) { return _mm512_mullo_epi32(a, b); }
  static reg set1(int32_t x) { return _mm512_set1_epi32(x); }
  static reg loadi(const int32_t* p, int n) { return _mm512_maskz_loadu_epi32(mask(n), p); }
  static freg loadf(const float* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static freg cvt(reg x) { return _mm512_cvtepi32_ps(x); }
  static freg fmul(freg a, freg b) { return _mm512_mul_ps(a, b); }
  static freg fadd(freg a, freg b) { return _mm512_add_ps(a, b); }
  static freg fset1(float x) { return _mm512_set1_ps(x); }
  static void storei(int32_t* p, reg x, int n) { _mm512_mask_storeu_epi32(p, mask(n), x); }
  static void storef(float* p, freg x, int n) { _mm512_mask_storeu_ps(p, mask(n), x); }
  // clamp(nearbyint(x * inv) + zero, 0, 255); NaN -> 0 (max(NaN, lo) is lo).
  static void store_u8(uint8_t* p, freg x, float inv, int32_t zero, int n) {
    x = _mm512_mul_ps(x, _mm512_set1_ps(inv));
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-65536.0f)), _mm512_set1_ps(65536.0f));
    reg q = _mm512_add_epi32(_mm512_cvtps_epi32(x), _mm512_set1_epi32(zero));
    q = _mm512_min_epi32(_mm512_max_epi32(q, _mm512_setzero_si512()), _mm512_set1_epi32(255));
    _mm_mask_storeu_epi8(p, mask(n), _mm512_cvtepi32_epi8(q));
  }
};

constexpr int MR = 6;
constexpr int NV = 4;

#include "kernels/gemm/gemm_s8_tile.inl"

}  // namespace

void fill_gemm_s8_avx512vnni(GemmLowpKernels* k) { fill_kernels(k, "u8s8gemm_ukernel_6x64__avx512vnni", 2052, 384); }

}  // namespace myelin
