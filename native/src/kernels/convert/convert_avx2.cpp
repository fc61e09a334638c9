// AVX2 conversion kernels (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>
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

#include "kernels/convert/min_max_rows.inl"
#include "kernels/convert/quantize_rows.inl"

// The scalar kernel's rounding on the bits, 8 lanes at a time, as int32 lanes holding 16 bits.
__m256i to_bf16(__m256 f) {
  const __m256i u = _mm256_castps_si256(f);
  const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
  const __m256i r = _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7fff)), odd), 16);
  // NaN lanes: all ones shifted down to 0xffff, or'ed over r (which is below 2^16).
  const __m256i nan = _mm256_srli_epi32(_mm256_castps_si256(_mm256_cmp_ps(f, f, _CMP_UNORD_Q)), 16);
  return _mm256_or_si256(r, nan);
}

void f32_to_bf16_span(const float* x, int64_t n, uint16_t* y) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    // packus (exact: lanes below 2^16) interleaves the halves' 128-bit lanes; the permute puts
    // them back in order.
    const __m256i p = _mm256_packus_epi32(to_bf16(_mm256_loadu_ps(x + i)), to_bf16(_mm256_loadu_ps(x + i + 8)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), _mm256_permute4x64_epi64(p, 0xd8));
  }
  for (; i < n; ++i) y[i] = f32_to_bf16(x[i]);  // the last n % 16, as the scalar kernel
}

void bf16_to_f32_span(const uint16_t* x, int64_t n, float* y) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), _mm256_slli_epi32(w, 16));
  }
  for (; i < n; ++i) y[i] = bf16_to_f32(x[i]);
}

}  // namespace

void fill_convert_avx2(ConvertKernels* k) {
  fill_convert_rows(k);
  k->f32_to_bf16 = f32_to_bf16_span;
  k->bf16_to_f32 = bf16_to_f32_span;
  k->min_max = min_max_span;
}

}  // namespace myelin
