// AVX2 quantize kernel (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "kernels/common/no_fp_contract.h"
#include "kernels/convert/convert.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"

struct Q : V {
  static reg round_even(reg x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static void store_bytes(uint8_t* p, int64_t n, reg v) {
    // The int32 lanes' low bytes: bytes 0, 4, 8, 12 of each 128-bit half, then the halves' first
    // dwords side by side.
    const __m256i i = _mm256_cvtps_epi32(v);  // exact: v holds integers
    const __m256i low =
        _mm256_shuffle_epi8(i, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8,
                                                12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
    const __m128i b =
        _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(low, _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1)));
    if (n >= 8) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(p), b);
    } else {
      uint8_t tmp[16];
      _mm_storeu_si128(reinterpret_cast<__m128i*>(tmp), b);
      memcpy(p, tmp, static_cast<size_t>(n));
    }
  }
};

#include "kernels/convert/quantize_rows.inl"

}  // namespace

void fill_convert_avx2(ConvertKernels* k) { fill_convert_rows(k); }

}  // namespace myelin
