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

__mmask16 first_lanes(int64_t n) { return static_cast<__mmask16>(n >= 16 ? 0xffffu : (1u << n) - 1u); }

// The scalar kernel's rounding on the bits, 16 lanes at a time (not vcvtneps2bf16: its NaNs keep
// their payload, where ours are 0xffff).
__m256i to_bf16(__m512 f) {
  const __m512i u = _mm512_castps_si512(f);
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  __m512i r = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), odd), 16);
  r = _mm512_mask_mov_epi32(r, _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q), _mm512_set1_epi32(0xffff));
  return _mm512_cvtepi32_epi16(r);  // vpmovdw: every lane fits 16 bits
}

void f32_to_bf16_span(const float* x, int64_t n, uint16_t* y) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), to_bf16(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = first_lanes(n - i);
    _mm256_mask_storeu_epi16(y + i, m, to_bf16(_mm512_maskz_loadu_ps(m, x + i)));
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
