// bf16 GEMM on AVX512_BF16: packing and the 6x64 microkernel over vdpbf16ps, which multiplies
// the two bf16 halves of each 32-bit lane of two registers and adds both products to the fp32
// lane of the accumulator: 32 multiply-adds an instruction, twice an fp32 FMA's 16.
//
// Tile: 6 rows x 4 zmm (64 columns) = 24 fp32 accumulators, 4 registers for a k-pair of the B
// micro-panel, 1 for the broadcast A pair (29 of 32), as the fp32 6x64 kernel: each k-pair step
// issues 24 vdpbf16ps against 4 vector loads and 6 broadcasts. 24 independent chains cover the
// instruction's latency (about 6 cycles) at two a cycle.
//
// Packed layouts (k padded to even, zeros past the end):
//   A micro-panel: its 6 rows one after another, kp bf16 each (row-major): the kernel broadcasts
//     the 32-bit pair (a[i][2q], a[i][2q+1]) from row i; packing is a row copy (or conversion).
//   B micro-panel: per k-pair q, 64 columns x (b[2q][j], b[2q+1][j]): 4 zmm, in load order.
// Blocks: mc = 2052 (as the fp32 kernel: the packed A block in L3); nc = 384 (the driver lowers
// it for long k so the packed B block stays within 512 KiB of L2).
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "kernels/gemm/gemm_lowp.h"

namespace myelin {
namespace {

constexpr int MR = 6;
constexpr int NV = 4;
constexpr int NR = NV * 16;

int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

__mmask16 mask16(int64_t n) {
  return n >= 16  ? static_cast<__mmask16>(0xFFFF)
         : n <= 0 ? static_cast<__mmask16>(0)
                  : static_cast<__mmask16>((1u << n) - 1);
}
__mmask32 mask32(int64_t n) {
  return n >= 32  ? static_cast<__mmask32>(0xFFFFFFFFu)
         : n <= 0 ? static_cast<__mmask32>(0)
                  : static_cast<__mmask32>((1u << n) - 1);
}

#include "kernels/convert/bf16_round_avx512.inl"

// 16 fp32 -> 16 bf16, round to nearest even, NaN -> 0xffff (the scalar f32_to_bf16's bits).
// vcvtneps2bf16 rounds as the scalar does, in one instruction, but flushes denormals to zero and
// keeps NaN payloads: vectors holding either (rare) take the integer rounding.
__m256i round_to_bf16(__m512 x) {
  constexpr int kNanOrDenormal = 0x01 | 0x20 | 0x80;  // quiet NaN, denormal, signalling NaN
  if (_mm512_fpclass_ps_mask(x, kNanOrDenormal) == 0) return (__m256i)_mm512_cvtneps_pbh(x);
  return round_bf16_bits(x);
}

// Element e of a source of `type` (F32 rounded, or Bf16) as bf16 bits.
uint16_t bf16_at(const void* x, LowpType type, int64_t e) {
  return type == LowpType::F32 ? f32_to_bf16(static_cast<const float*>(x)[e]) : static_cast<const uint16_t*>(x)[e];
}

// n contiguous elements of `type` at src as bf16 at dst.
void copy_row(const void* src, LowpType type, int64_t n, uint16_t* dst) {
  int64_t p = 0;
  if (type == LowpType::F32) {
    const float* s = static_cast<const float*>(src);
    for (; p + 16 <= n; p += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + p), round_to_bf16(_mm512_loadu_ps(s + p)));
    if (p < n) {
      const __mmask16 m = mask16(n - p);
      _mm256_mask_storeu_epi16(dst + p, m, round_to_bf16(_mm512_maskz_loadu_ps(m, s + p)));
    }
  } else {
    const uint16_t* s = static_cast<const uint16_t*>(src);
    for (; p + 32 <= n; p += 32) _mm512_storeu_si512(dst + p, _mm512_loadu_si512(s + p));
    if (p < n) {
      const __mmask32 m = mask32(n - p);
      _mm512_mask_storeu_epi16(dst + p, m, _mm512_maskz_loadu_epi16(m, s + p));
    }
  }
}

// 16 elements of `type` at x + e as bf16, the last 16 - n zero (none read where n <= 0).
__m256i load16(const void* x, LowpType type, int64_t e, int64_t n) {
  if (n <= 0) return _mm256_setzero_si256();
  const __mmask16 m = mask16(n);
  if (type == LowpType::F32) return round_to_bf16(_mm512_maskz_loadu_ps(m, static_cast<const float*>(x) + e));
  return _mm256_maskz_loadu_epi16(m, static_cast<const uint16_t*>(x) + e);
}

// 32 elements likewise (the last 32 - n zero).
__m512i load32(const void* x, LowpType type, int64_t e, int64_t n) {
  if (n <= 0) return _mm512_setzero_si512();
  if (type == LowpType::F32) {
    const __m256i lo = load16(x, type, e, n), hi = load16(x, type, e + 16, n - 16);
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
  }
  return _mm512_maskz_loadu_epi16(mask32(n), static_cast<const uint16_t*>(x) + e);
}

// r[i] word j <- r[j] word i: a 16 x 16 transpose of 32-bit words (unpacks within 128-bit lanes,
// then lane shuffles).
void transpose16(__m512i (&r)[16]) {
  __m512i t[16], u[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
  }
  // u[4b + c]'s lane L: rows 4b..4b+3 of column 4L + c.
  for (int b = 0; b < 16; b += 4) {
    u[b] = _mm512_unpacklo_epi64(t[b], t[b + 2]);
    u[b + 1] = _mm512_unpackhi_epi64(t[b], t[b + 2]);
    u[b + 2] = _mm512_unpacklo_epi64(t[b + 1], t[b + 3]);
    u[b + 3] = _mm512_unpackhi_epi64(t[b + 1], t[b + 3]);
  }
  for (int c = 0; c < 4; ++c) {
    const __m512i v0 = _mm512_shuffle_i32x4(u[c], u[4 + c], 0x88), v1 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0x88);
    const __m512i w0 = _mm512_shuffle_i32x4(u[c], u[4 + c], 0xDD), w1 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0xDD);
    r[c] = _mm512_shuffle_i32x4(v0, v1, 0x88);
    r[8 + c] = _mm512_shuffle_i32x4(v0, v1, 0xDD);
    r[4 + c] = _mm512_shuffle_i32x4(w0, w1, 0x88);
    r[12 + c] = _mm512_shuffle_i32x4(w0, w1, 0xDD);
  }
}

// The index of _mm512_permutex2var_epi16 that interleaves the low 16 words of two registers:
// word 2c of the result is word c of the first, word 2c + 1 word c of the second (32 + c).
__m512i interleave_low_words() {
  uint16_t order[32];
  for (int c = 0; c < 16; ++c) {
    order[2 * c] = static_cast<uint16_t>(c);
    order[2 * c + 1] = static_cast<uint16_t>(32 + c);
  }
  return _mm512_loadu_si512(order);
}

// A transposed (op(A)'s columns contiguous: element (i, p) at a[i + p * cs]). The panels of a
// block are one row-major matrix of round_up(mc, MR) rows x kp. Per 16 rows x 16 k-pairs: two
// stored rows (k = 2q, 2q + 1) interleave into the 16 pairs of k-pair q, and a 32-bit transpose
// turns those into 16 packed rows' 16 pairs each (a scalar gather cost more than the products
// when k or n is small).
void pack_a_trans(int64_t mc, int64_t k, const void* a, LowpType type, int64_t cs, uint16_t* out) {
  const int64_t kp = (k + 1) & ~int64_t{1}, pairs = kp / 2;
  const int64_t rows = (mc + MR - 1) / MR * MR;  // the last panel's rows past mc are zeros
  const __m512i lo = interleave_low_words();
  for (int64_t i0 = 0; i0 < rows; i0 += 16) {
    const int64_t ni = mc - i0;
    for (int64_t q0 = 0; q0 < pairs; q0 += 16) {
      __m512i r[16];
      for (int q = 0; q < 16; ++q) {
        const int64_t p = 2 * (q0 + q);
        const __m256i x0 = p < k ? load16(a, type, p * cs + i0, ni) : _mm256_setzero_si256();
        const __m256i x1 = p + 1 < k ? load16(a, type, (p + 1) * cs + i0, ni) : _mm256_setzero_si256();
        r[q] = _mm512_permutex2var_epi16(_mm512_castsi256_si512(x0), lo, _mm512_castsi256_si512(x1));
      }
      transpose16(r);
      const __mmask16 w = mask16(pairs - q0);
      for (int i = 0; i < 16 && i0 + i < rows; ++i) _mm512_mask_storeu_epi32(out + (i0 + i) * kp + 2 * q0, w, r[i]);
    }
  }
}

// A: ceil(mc / MR) panels of MR rows x kp bf16, row-major; rows past mc and k past the end zero.
// Returns false: bf16 has no 7-bit kernel.
bool pack_a(int64_t mc, int64_t k, const void* a, LowpType type, int64_t rs, int64_t cs, void* out) {
  const int64_t kp = (k + 1) & ~int64_t{1};
  uint16_t* o = static_cast<uint16_t*>(out);
  if (rs == 1 && cs != 1) {
    pack_a_trans(mc, k, a, type, cs, o);
    return false;
  }
  for (int64_t i0 = 0; i0 < mc; i0 += MR, o += MR * kp) {
    for (int i = 0; i < MR; ++i) {
      uint16_t* row = o + i * kp;
      if (i0 + i >= mc) {
        memset(row, 0, static_cast<size_t>(kp) * 2);
        continue;
      }
      const int64_t r = (i0 + i) * rs;
      if (cs == 1) {
        copy_row(type == LowpType::F32 ? static_cast<const void*>(static_cast<const float*>(a) + r)
                                       : static_cast<const void*>(static_cast<const uint16_t*>(a) + r),
                 type, k, row);
      } else {
        for (int64_t p = 0; p < k; ++p) row[p] = bf16_at(a, type, r + p * cs);
      }
      if (kp > k) row[k] = 0;
    }
  }
  return false;
}

// B, columns of op(B) contiguous in k (a [n, k] weight read as its transpose): a k-pair of
// column j is one 32-bit word of that column (after conversion to bf16 when it is fp32), so a
// panel is a transpose of 32-bit words: 16 columns x 16 k-pairs at a time (a scalar scatter of
// one word at a time cost more than the products when m or k is small).
void pack_b_cols(int64_t nc, int64_t k, const void* b, LowpType type, int64_t cs, uint32_t* out) {
  const int64_t kp = (k + 1) & ~int64_t{1}, pairs = kp / 2;
  for (int64_t j0 = 0; j0 < nc; j0 += NR, out += NR * pairs) {
    for (int64_t g = 0; g < NR; g += 16) {
      const int64_t jg = j0 + g;
      for (int64_t q0 = 0; q0 < pairs; q0 += 16) {
        // Columns past nc are zeros (masked loads of nothing); so is the pad of an odd k.
        __m512i r[16];
        for (int j = 0; j < 16; ++j)
          r[j] = jg + j < nc ? load32(b, type, (jg + j) * cs + 2 * q0, k - 2 * q0) : _mm512_setzero_si512();
        transpose16(r);
        const int64_t qn = min64(16, pairs - q0);
        for (int64_t q = 0; q < qn; ++q) _mm512_storeu_si512(out + (q0 + q) * NR + g, r[q]);
      }
    }
  }
}

// B, rows of op(B) contiguous in n: a k-pair's two rows interleaved 16 bits at a time.
void pack_b_rows(int64_t nc, int64_t k, const void* b, LowpType type, int64_t rs, uint32_t* out) {
  const int64_t kp = (k + 1) & ~int64_t{1}, pairs = kp / 2;
  const __m512i lo = interleave_low_words();
  const __m512i hi = _mm512_add_epi16(lo, _mm512_set1_epi16(16));
  for (int64_t j0 = 0; j0 < nc; j0 += NR, out += NR * pairs) {
    const int64_t w = min64(NR, nc - j0);  // columns past nc (and the row past an odd k) are zeros
    for (int64_t q = 0; q < pairs; ++q) {
      const int64_t p = 2 * q;
      uint32_t* o = out + q * NR;
      for (int h = 0; h < NR; h += 32) {
        const __m512i x0 = load32(b, type, p * rs + j0 + h, w - h);
        const __m512i x1 = p + 1 < k ? load32(b, type, (p + 1) * rs + j0 + h, w - h) : _mm512_setzero_si512();
        _mm512_storeu_si512(o + h, _mm512_permutex2var_epi16(x0, lo, x1));
        _mm512_storeu_si512(o + h + 16, _mm512_permutex2var_epi16(x0, hi, x1));
      }
    }
  }
}

void pack_b(int64_t nc, int64_t k, const void* b, LowpType type, int64_t rs, int64_t cs, void* out) {
  // The driver passes B's columns as the packing's rows: rs steps columns, cs steps k.
  const int64_t col_step = rs, k_step = cs;
  uint32_t* o = static_cast<uint32_t*>(out);
  if (k_step == 1) return pack_b_cols(nc, k, b, type, col_step, o);
  if (col_step == 1) return pack_b_rows(nc, k, b, type, k_step, o);
  const int64_t kp = (k + 1) & ~int64_t{1}, pairs = kp / 2;
  for (int64_t j0 = 0; j0 < nc; j0 += NR, o += NR * pairs)
    for (int64_t q = 0; q < pairs; ++q)
      for (int j = 0; j < NR; ++j) {
        const int64_t jj = j0 + j, p = 2 * q;
        const uint32_t x0 = jj < nc && p < k ? bf16_at(b, type, jj * col_step + p * k_step) : 0;
        const uint32_t x1 = jj < nc && p + 1 < k ? bf16_at(b, type, jj * col_step + (p + 1) * k_step) : 0;
        o[q * NR + j] = x0 | (x1 << 16);
      }
}

// The output pass on one row's NVX vectors (see LowpOutput).
template <int NVX>
void store_row(const LowpOutput& o, int64_t i, int64_t j0, int nr, __m512 (&acc)[NVX]) {
  const __m512 va = _mm512_set1_ps(o.alpha);
  const bool f32 = o.type == LowpType::F32;
#pragma GCC unroll 4
  for (int v = 0; v < NVX; ++v) {
    const int64_t j = j0 + v * 16;
    const __mmask16 m = mask16(nr - v * 16);
    __m512 x = _mm512_mul_ps(acc[v], va);
    if (f32 && o.beta != 0.0f) {
      const float* c = static_cast<const float*>(o.c) + i * o.ldc + j;
      x = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(o.beta), _mm512_maskz_loadu_ps(m, c)), x);
    }
    if (o.row_bias) x = _mm512_add_ps(x, _mm512_set1_ps(o.row_bias[i]));
    if (o.col_bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, o.col_bias + j));
    if (f32) {
      _mm512_mask_storeu_ps(static_cast<float*>(o.c) + i * o.ldc + j, m, x);
    } else {
      _mm256_mask_storeu_epi16(static_cast<uint16_t*>(o.c) + i * o.ldc + j, m, round_to_bf16(x));
    }
  }
}

template <int NVX>
void tile(int64_t k, const uint16_t* a, const uint32_t* b, const LowpOutput& out, int64_t i0, int64_t j0, int mr,
          int nr) {
  const int64_t kp = (k + 1) & ~int64_t{1}, pairs = kp / 2;
  __m512 acc[MR][NVX];
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NVX; ++v) acc[i][v] = _mm512_setzero_ps();
  const uint32_t* arow[MR];
  for (int i = 0; i < MR; ++i) arow[i] = reinterpret_cast<const uint32_t*>(a + i * kp);
  for (int64_t q = 0; q < pairs; ++q) {
    __m512bh bv[NVX];
#pragma GCC unroll 4
    for (int v = 0; v < NVX; ++v) bv[v] = (__m512bh)_mm512_loadu_si512(b + v * 16);
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      const __m512bh ai = (__m512bh)_mm512_set1_epi32(static_cast<int>(arow[i][q]));
#pragma GCC unroll 4
      for (int v = 0; v < NVX; ++v) acc[i][v] = _mm512_dpbf16_ps(acc[i][v], ai, bv[v]);
    }
    b += NR;
  }
  // A copy of the output's fields: a store to C may alias `out`, so through the reference each
  // field is loaded again after every store (a cost against a short k).
  const LowpOutput o = out;
  if (mr == MR && nr == NVX * 16 && o.type == LowpType::F32 && o.beta == 0.0f && !o.col_bias) {
    // A whole tile of plain fp32 output (most calls), a row bias or none: no masks, no row checks.
    const __m512 va = _mm512_set1_ps(o.alpha);
    float* c = static_cast<float*>(o.c) + i0 * o.ldc + j0;
    if (o.row_bias) {
#pragma GCC unroll 6
      for (int i = 0; i < MR; ++i) {
        const __m512 bi = _mm512_set1_ps(o.row_bias[i0 + i]);
#pragma GCC unroll 4
        for (int v = 0; v < NVX; ++v)
          _mm512_storeu_ps(c + i * o.ldc + v * 16, _mm512_add_ps(_mm512_mul_ps(acc[i][v], va), bi));
      }
      return;
    }
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NVX; ++v) _mm512_storeu_ps(c + i * o.ldc + v * 16, _mm512_mul_ps(acc[i][v], va));
    return;
  }
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i)
    if (i < mr) store_row<NVX>(o, i0 + i, j0, nr, acc[i]);
}

void ukernel(int64_t k, const void* a, const void* b, const LowpOutput& out, int64_t i0, int64_t j0, int mr, int nr) {
  const uint16_t* pa = static_cast<const uint16_t*>(a);
  const uint32_t* pb = static_cast<const uint32_t*>(b);
  // A narrow right edge runs only the vectors it needs (the packed panel is NR wide regardless).
  switch ((nr + 15) / 16) {
    case 1:
      return tile<1>(k, pa, pb, out, i0, j0, mr, nr);
    case 2:
      return tile<2>(k, pa, pb, out, i0, j0, mr, nr);
    case 3:
      return tile<3>(k, pa, pb, out, i0, j0, mr, nr);
    default:
      return tile<4>(k, pa, pb, out, i0, j0, mr, nr);
  }
}

}  // namespace

void fill_gemm_bf16_avx512bf16(GemmLowpKernels* k) {
  k->name = "bf16gemm_ukernel_6x64__avx512bf16";
  k->mr = MR;
  k->nr = NR;
  k->mc = 2052;
  k->nc = 384;
  k->k_unit = 2;
  k->a_bytes = 2;
  k->b_bytes = 2;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = ukernel;
}

}  // namespace myelin
