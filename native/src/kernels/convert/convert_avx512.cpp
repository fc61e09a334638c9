// AVX-512 quantize kernel (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>
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

#include "kernels/convert/quantize_rows.inl"

}  // namespace

void fill_convert_avx512(ConvertKernels* k) { fill_convert_rows(k); }

}  // namespace myelin
