// AVX-512 conversion kernels (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/common/no_fp_contract.h"
#include "kernels/convert/convert.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"

struct Q : V {
  static reg round_even(reg x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static void store_bytes(uint8_t* p, int64_t n, reg v) {
    const __m512i i = _mm512_cvtps_epi32(v);  // exact: v holds integers
    if (n >= 16)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(i));  // vpmovdb: the low bytes
    else
      _mm512_mask_cvtepi32_storeu_epi8(p, static_cast<__mmask16>((1u << n) - 1), i);
  }
};

#include "kernels/convert/min_max_rows.inl"
#include "kernels/convert/quantize_rows.inl"
#include "kernels/convert/bf16_round_avx512.inl"

__mmask16 first_lanes(int64_t n) { return static_cast<__mmask16>(n >= 16 ? 0xffffu : (1u << n) - 1u); }

void f32_to_bf16_span(const float* x, int64_t n, uint16_t* y) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), round_bf16_bits(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = first_lanes(n - i);
    _mm256_mask_storeu_epi16(y + i, m, round_bf16_bits(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

__m512 widen(__m256i h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }

void bf16_to_f32_span(const uint16_t* x, int64_t n, float* y) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(y + i, widen(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i))));
  if (i < n) {
    const __mmask16 m = first_lanes(n - i);
    _mm512_mask_storeu_ps(y + i, m, widen(_mm256_maskz_loadu_epi16(m, x + i)));
  }
}

}  // namespace

void fill_convert_avx512(ConvertKernels* k) {
  fill_convert_rows(k);
  k->f32_to_bf16 = f32_to_bf16_span;
  k->bf16_to_f32 = bf16_to_f32_span;
  k->min_max = min_max_span;
}

}  // namespace myelin
