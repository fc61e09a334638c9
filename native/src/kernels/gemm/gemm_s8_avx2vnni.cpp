// u8 x s8 GEMM on AVX-VNNI (the VEX-encoded vpdpbusd of CPUs with AVX2 and no AVX-512, and of
// Zen 5): packing and the 6x16 microkernel. Compiled with the avx2vnni level's flags only.
//
// Tile: 6 rows x 2 ymm (16 columns) = 12 int32 accumulators, 2 registers for a k-quad of the B
// micro-panel, 1 for the broadcast A quad (15 of 16 ymm), as the fp32 AVX2 6x16 kernel.
// Blocks: mc = 2052; nc = 384 (lowered by the driver for long k, as the 512-bit kernel).
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "kernels/gemm/gemm_lowp.h"

namespace myelin {
namespace {

#include "kernels/gemm/gemm_s8_ymm.inl"

struct V : Ymm {
  static reg dp(reg acc, reg a, reg b) { return _mm256_dpbusd_avx_epi32(acc, a, b); }
};

constexpr int MR = 6;
constexpr int NV = 2;

#include "kernels/gemm/gemm_s8_tile.inl"

}  // namespace

void fill_gemm_s8_avx2vnni(GemmLowpKernels* k) { fill_kernels(k, "u8s8gemm_ukernel_6x16__avx2vnni", 2052, 384); }

}  // namespace myelin
