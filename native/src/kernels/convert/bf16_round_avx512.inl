// fp32 -> bf16 on AVX-512 by integer arithmetic on the bits, 16 lanes at a time: the scalar
// f32_to_bf16's bits (round to nearest even, denormals kept, every NaN -> 0xffff). Not
// vcvtneps2bf16 alone: it flushes denormals and keeps NaN payloads. AVX-512F only. Included
// inside an anonymous namespace by each AVX-512 file that needs it (after <immintrin.h>), so
// each object keeps its own copy, compiled with its own flags: nothing is shared across ISAs.
__m256i round_bf16_bits(__m512 f) {
  const __m512i u = _mm512_castps_si512(f);
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  __m512i r = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), odd), 16);
  r = _mm512_mask_mov_epi32(r, _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q), _mm512_set1_epi32(0xffff));
  return _mm512_cvtepi32_epi16(r);  // vpmovdw: every lane fits 16 bits
}
