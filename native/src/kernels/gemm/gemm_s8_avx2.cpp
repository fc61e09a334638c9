// u8 x s8 GEMM on AVX2 without VNNI: the packing and microkernel of gemm_s8_tile.inl with the
// k-quad dot product built from vpmaddubsw (u8 x s8 byte pairs summed into int16, saturating)
// and vpmaddwd against ones (the two pair sums of a quad into int32), as fbgemm's AVX2 path.
// Compiled with the avx2 level's flags only.
//
// Exactness: a pair sum a0 b0 + a1 b1 lies in [-65280, 64770] and saturates int16 unless both
// a bytes are below 128 (then it lies in [-32512, 32258]). So there are two dot products:
//   Dp7 (ukernel_7bit): one vpmaddubsw, one vpmaddwd, one vpaddd a quad; exact on 7-bit A, which
//     is what quantizeDynamic's activations are (reduce_range, as PyTorch's x86 qconfig); the
//     driver runs it on a packed A block whose pack_a found no byte >= 128.
//   V::dp (ukernel, every other block): a = (a & 0x7f) + 128 (a >> 7), each part through
//     vpmaddubsw exactly (pair sums of the high bits lie in [-256, 254]), widened by vpmaddwd
//     against ones and against 128.
// Tile: 4 rows x 2 ymm (16 columns) = 8 int32 accumulators, 2 for the B quad, 1 for the broadcast
// A quad, the ones and the products in flight: at 6 rows (the VNNI tile) GCC spilled
// accumulators in the k loop, since each dot product needs a register for its int16 sums.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "kernels/gemm/gemm_lowp.h"

namespace myelin {
namespace {

#include "kernels/gemm/gemm_s8_ymm.inl"

struct V : Ymm {
  static reg dp(reg acc, reg a, reg b) {
    const reg lo = _mm256_and_si256(a, _mm256_set1_epi8(0x7f));
    const reg hi = _mm256_and_si256(_mm256_srli_epi16(a, 7), _mm256_set1_epi8(1));
    const reg sum_lo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, b), _mm256_set1_epi16(1));
    const reg sum_hi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, b), _mm256_set1_epi16(128));
    return _mm256_add_epi32(acc, _mm256_add_epi32(sum_lo, sum_hi));
  }
};

struct Dp7 {
  static V::reg dp(V::reg acc, V::reg a, V::reg b) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), _mm256_set1_epi16(1)));
  }
};

constexpr int MR = 4;
constexpr int NV = 2;

#include "kernels/gemm/gemm_s8_tile.inl"

}  // namespace

void fill_gemm_s8_avx2(GemmLowpKernels* k) {
  fill_kernels(k, "u8s8gemm_ukernel_4x16__avx2", 2052, 384);
  k->ukernel_7bit = ukernel<Dp7>;
}

}  // namespace myelin
