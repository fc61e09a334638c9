// The reduced-precision GEMMs (bf16 x bf16 -> fp32 sums, u8 x s8 -> int32 sums) of every ISA
// this CPU runs (the dot-product kernels of avx512bf16 / avx2vnni, and the fallbacks through
// each ISA's fp32 GEMM), against a plain reference, at the tile and block edges, without Node:
// cross-compiled for aarch64 and run under qemu by scripts/test_neon.sh, this is the check of
// the NEON fallbacks. Also the convolutions under autocast (ConvShape::bf16), whose products
// run through the bf16 GEMM.
//   int8: exact (every path sums integers exactly; the output pass is the same float ops).
//   bf16: the reference sums the bf16 products in double; fp32 sums differ from it by at most
//         k * 2^-24 * sum |a b| (any order), and a bf16 output by one rounding more.
// Exit status: 0 when every check passed.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels/conv/conv.h"
#include "kernels/gemm/gemm_lowp.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"
#include "each_isa.h"
#include "native_test.h"

using namespace myelin;
using namespace myelin_test;

namespace {

Xorshift g_rng(0);  // one stream for the whole run
float uniform(float lo, float hi) { return g_rng.uniform(lo, hi); }

uint16_t to_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if (x != x) return 0xffff;
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
float from_bf16(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

// ---- bf16 ----------------------------------------------------------------------------------

struct Bf16Case {
  int64_t m, n, k;
  bool ta, tb;
  LowpType a_type, b_type, out_type;
  float alpha, beta;
  bool row_bias, col_bias;
  int64_t batch;
};

void bf16_case(const KernelTable& kt, const Bf16Case& c) {
  const int64_t lda = (c.ta ? c.m : c.k) + 3, ldb = (c.tb ? c.k : c.n) + 2, ldc = c.n + 1;
  const int64_t a_rows = c.ta ? c.k : c.m, b_rows = c.tb ? c.n : c.k;
  const int64_t sa = a_rows * lda + 5, sb = b_rows * ldb + 7, sc = c.m * ldc + 3;
  std::vector<float> af(sa * c.batch), bf(sb * c.batch);
  for (float& x : af) x = uniform(-2, 2);
  for (float& x : bf) x = uniform(-2, 2);
  std::vector<uint16_t> ah(af.size()), bh(bf.size());
  for (size_t i = 0; i < af.size(); ++i) ah[i] = to_bf16(af[i]);
  for (size_t i = 0; i < bf.size(); ++i) bh[i] = to_bf16(bf[i]);
  std::vector<float> rb(c.m), cb(c.n);
  for (float& x : rb) x = uniform(-1, 1);
  for (float& x : cb) x = uniform(-1, 1);
  std::vector<float> c0(sc * c.batch);
  for (float& x : c0) x = uniform(-1, 1);
  std::vector<float> c32 = c0;
  std::vector<uint16_t> c16(c0.size(), 0x7777);
  LowpOutput o;
  o.type = c.out_type;
  o.c = c.out_type == LowpType::F32 ? static_cast<void*>(c32.data()) : static_cast<void*>(c16.data());
  o.ldc = ldc;
  o.alpha = c.alpha;
  o.beta = c.out_type == LowpType::F32 ? c.beta : 0.0f;
  o.row_bias = c.row_bias ? rb.data() : nullptr;
  o.col_bias = c.col_bias ? cb.data() : nullptr;
  const LowpOperand a{c.a_type == LowpType::F32 ? static_cast<const void*>(af.data()) : ah.data(), c.a_type, lda, c.ta,
                      sa};
  const LowpOperand b{c.b_type == LowpType::F32 ? static_cast<const void*>(bf.data()) : bh.data(), c.b_type, ldb, c.tb,
                      sb};
  gemm_bf16(kt, c.batch, c.m, c.n, c.k, a, b, o, sc);
  for (int64_t t = 0; t < c.batch; ++t)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < ldc; ++j) {
        const int64_t at = t * sc + i * ldc + j;
        if (j >= c.n) {
          const bool kept = c.out_type == LowpType::F32 ? c32[at] == c0[at] : c16[at] == 0x7777;
          CHECK(kept, "bf16 %s: wrote past column n at (%lld, %lld)", kt.gemm_bf16.name, (long long)i, (long long)j);
          continue;
        }
        double sum = 0, mag = 0;
        for (int64_t p = 0; p < c.k; ++p) {
          const int64_t ea = t * sa + (c.ta ? p * lda + i : i * lda + p);
          const int64_t eb = t * sb + (c.tb ? j * ldb + p : p * ldb + j);
          const double prod = static_cast<double>(from_bf16(ah[ea])) * from_bf16(bh[eb]);
          sum += prod;
          mag += std::fabs(prod);
        }
        double want = c.alpha * sum;
        double tol = std::fabs(c.alpha) * (c.k + 2) * 0x1p-23 * mag;
        if (c.out_type == LowpType::F32 && c.beta != 0.0f) {
          want += static_cast<double>(c.beta) * c0[at];
          tol += 0x1p-22 * std::fabs(c.beta * c0[at]);
        }
        if (c.row_bias) want += rb[i];
        if (c.col_bias) want += cb[j];
        tol += 0x1p-21 * (std::fabs(want) + 4);
        const double got = c.out_type == LowpType::F32 ? c32[at] : from_bf16(c16[at]);
        if (c.out_type == LowpType::Bf16) tol += std::fabs(want) * 0x1p-8;  // one bf16 rounding
        CHECK(std::fabs(got - want) <= tol,
              "bf16 %s m=%lld n=%lld k=%lld ta=%d tb=%d a=%d b=%d out=%d batch %lld at (%lld, %lld): %.9g vs %.9g",
              kt.gemm_bf16.name, (long long)c.m, (long long)c.n, (long long)c.k, c.ta, c.tb, (int)c.a_type,
              (int)c.b_type, (int)c.out_type, (long long)t, (long long)i, (long long)j, got, want);
      }
}

// Packing moves bits and converts fp32 to bf16, nothing else: a kernel's products of the same
// values must give the same bits whichever packer read them (A or B transposed or not, bf16 bits
// or fp32 rounded as read, odd leading dimensions). Only for tables with a kernel of their own
// (the fallbacks are the fp32 GEMM's, which packs its own way).
void bf16_layouts_case(const KernelTable& kt, int64_t m, int64_t n, int64_t k) {
  // op(A) and op(B), row-major: fp32 values, rounded by the packers in the fp32 variants and by
  // to_bf16 in the others; among them ties (even: down, odd: up), a denormal, the largest float
  // (rounds to infinity), an infinity and NaNs (their rows and columns of C NaN, bit for bit).
  std::vector<float> af(m * k), bf(k * n);
  for (float& x : af) x = uniform(-2, 2);
  for (float& x : bf) x = uniform(-2, 2);
  auto bits = [](uint32_t u) {
    float x;
    std::memcpy(&x, &u, 4);
    return x;
  };
  const float special[] = {bits(0x3f808000u), bits(0xbf818000u), bits(0x00000001u), bits(0x807fffffu),
                           bits(0x7f7fffffu), bits(0xff800000u), bits(0x7fc00001u), bits(0xffbfffffu)};
  if (m * k > 40)
    for (int s = 0; s < 8; ++s) af[(s * 7919) % (m * k)] = special[s];
  if (k * n > 40)
    for (int s = 0; s < 8; ++s) bf[(s * 104729 + 3) % (k * n)] = special[7 - s];
  std::vector<float> want;
  for (int variant = 0; variant < 8; ++variant) {
    const bool ta = variant & 1, tb = variant & 2, f32 = variant & 4;
    // Stored X: rows x cols (op(X) or its transpose) with an odd leading dimension.
    auto stored = [&](const std::vector<float>& x, int64_t r, int64_t c, bool t, int64_t& ld) {
      ld = (t ? r : c) + 1 + ((t ? r : c) % 2);
      std::vector<float> s((t ? c : r) * ld, std::nanf(""));
      for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < c; ++j) s[t ? j * ld + i : i * ld + j] = x[i * c + j];
      return s;
    };
    int64_t lda, ldb;
    const std::vector<float> as = stored(af, m, k, ta, lda), bs = stored(bf, k, n, tb, ldb);
    std::vector<uint16_t> ah(as.size()), bh(bs.size());
    for (size_t i = 0; i < as.size(); ++i) ah[i] = to_bf16(as[i]);
    for (size_t i = 0; i < bs.size(); ++i) bh[i] = to_bf16(bs[i]);
    std::vector<float> c(m * n, -7.0f);
    LowpOutput o;
    o.c = c.data();
    o.ldc = n;
    const LowpType type = f32 ? LowpType::F32 : LowpType::Bf16;
    const LowpOperand a{f32 ? static_cast<const void*>(as.data()) : ah.data(), type, lda, ta, 0};
    const LowpOperand b{f32 ? static_cast<const void*>(bs.data()) : bh.data(), type, ldb, tb, 0};
    gemm_bf16(kt, 1, m, n, k, a, b, o, 0);
    if (variant == 0) {
      want = c;
      continue;
    }
    const bool same = std::memcmp(c.data(), want.data(), c.size() * sizeof(float)) == 0;
    CHECK(same, "bf16 %s m=%lld n=%lld k=%lld ta=%d tb=%d fp32 operands=%d: other bits than ta=tb=0 bf16",
          kt.gemm_bf16.name, (long long)m, (long long)n, (long long)k, ta, tb, f32);
  }
}

void test_bf16(const KernelTable& kt) {
  const GemmLowpKernels& g = kt.gemm_bf16;
  const int64_t mr = g.mr > 0 ? g.mr : kt.gemm.mr, nr = g.nr > 0 ? g.nr : kt.gemm.nr;
  int round = 0;
  for (int64_t m : {int64_t{1}, mr - 1, mr, mr + 1, 2 * mr + 3})
    for (int64_t n : {int64_t{1}, nr - 1, nr, nr + 1, 2 * nr + 5})
      for (int64_t k : {1, 2, 3, 17}) {
        if (m < 1 || n < 1) continue;
        ++round;
        const LowpType a_type = round % 2 ? LowpType::F32 : LowpType::Bf16;
        const LowpType b_type = round % 3 ? LowpType::Bf16 : LowpType::F32;
        const LowpType out = round % 4 < 2 ? LowpType::F32 : LowpType::Bf16;
        bf16_case(kt, {m, n, k, round % 5 == 1, round % 7 < 3, a_type, b_type, out, 0.75f, round % 4 == 1 ? 0.5f : 0.0f,
                       round % 3 == 0, round % 5 == 2, 1});
      }
  // Block edges: mc and nc, a long k (nc shrinks), threads, a batch, k = 0.
  bf16_case(kt, {2053, 9, 5, false, true, LowpType::F32, LowpType::F32, LowpType::Bf16, 1.0f, 0.0f, true, false, 1});
  bf16_case(kt, {7, 385, 6, true, false, LowpType::Bf16, LowpType::Bf16, LowpType::F32, 1.0f, 1.0f, false, true, 1});
  bf16_case(kt, {13, 70, 2999, false, true, LowpType::F32, LowpType::Bf16, LowpType::F32, 1.0f, 0.0f, false, false, 1});
  bf16_case(kt, {70, 90, 200, false, false, LowpType::Bf16, LowpType::F32, LowpType::Bf16, 1.0f, 0.0f, true, true, 1});
  bf16_case(kt, {9, 33, 40, true, true, LowpType::Bf16, LowpType::Bf16, LowpType::F32, 1.0f, 0.0f, false, true, 5});
  bf16_case(kt, {5, 17, 0, false, false, LowpType::Bf16, LowpType::Bf16, LowpType::F32, 1.0f, 0.5f, true, true, 1});
  if (!g.ukernel) return;
  // The transposing packers work on 16 x 16 blocks of k-pairs: edges of those, of the tiles, and
  // of the A block (mc).
  for (int64_t m : {int64_t{1}, int64_t{7}, int64_t{16}, int64_t{17}, int64_t{40}})
    for (int64_t n : {int64_t{1}, int64_t{17}, int64_t{64}, int64_t{65}, int64_t{130}})
      for (int64_t k : {int64_t{1}, int64_t{3}, int64_t{32}, int64_t{33}, int64_t{65}}) bf16_layouts_case(kt, m, n, k);
  bf16_layouts_case(kt, g.mc + 7, 70, 37);
}

// ---- u8 x s8 -------------------------------------------------------------------------------

// The operands' values. AVX2's kernels sum byte pairs in int16 (vpmaddubsw): its 7-bit kernel
// runs where every byte of a packed A block is below 128, its exact one elsewhere.
enum class Fill {
  Random,       // A any byte, B any
  Random7,      // A below 128 (the 7-bit kernel), B any
  Extreme,      // A 255 / 254, B -128 / 127: pair sums far past int16
  Alternating,  // A 255, 128, 255, ... along k against B = -128 (bit 7 alone, and with the rest)
  Max7,         // A 127 against B = -128: the 7-bit kernel's worst pair, 2 x 127 x -128 = -32512
  OneHigh,      // A below 128 but its last element 255: the last packed block is not 7-bit
};
constexpr Fill kFills[] = {Fill::Random, Fill::Random7, Fill::Extreme, Fill::Alternating, Fill::Max7, Fill::OneHigh};

struct S8Case {
  int64_t m, n, k;
  bool tb;
  int32_t a_zero;
  bool b_zero;
  LowpType out_type;
  bool row_bias, col_bias;
  Fill fill;
};

uint8_t a_value(Fill f, int64_t p) {
  switch (f) {
    case Fill::Random7:
    case Fill::OneHigh:
      return static_cast<uint8_t>(g_rng.next() % 128);
    case Fill::Extreme:
      return g_rng.next() % 4 ? 255 : 254;
    case Fill::Alternating:
      return p % 2 ? 128 : 255;
    case Fill::Max7:
      return 127;
    default:
      return static_cast<uint8_t>(g_rng.next());
  }
}

int8_t b_value(Fill f) {
  switch (f) {
    case Fill::Extreme:
      return g_rng.next() % 4 ? -128 : 127;
    case Fill::Alternating:
    case Fill::Max7:
      return -128;
    default:
      return static_cast<int8_t>(g_rng.next());
  }
}

void s8_case(const KernelTable& kt, const S8Case& c) {
  const int64_t lda = c.k + 3, ldb = (c.tb ? c.k : c.n) + 2, ldc = c.n + 1;
  std::vector<uint8_t> a(c.m * lda + 4);
  std::vector<int8_t> b((c.tb ? c.n : c.k) * ldb + 4);
  for (size_t e = 0; e < a.size(); ++e) a[e] = a_value(c.fill, static_cast<int64_t>(e % lda));
  if (c.fill == Fill::OneHigh && c.k > 0) a[(c.m - 1) * lda + c.k - 1] = 255;
  for (int8_t& x : b) x = b_value(c.fill);
  std::vector<int32_t> bz(c.n);
  for (int32_t& z : bz) z = static_cast<int32_t>(g_rng.next() % 21) - 10;
  std::vector<float> scale(c.n), rb(c.m), cb(c.n);
  for (float& s : scale) s = uniform(0.001f, 0.01f);
  for (float& x : rb) x = uniform(-1, 1);
  for (float& x : cb) x = uniform(-1, 1);
  const size_t cn = static_cast<size_t>(c.m * ldc + 2);
  std::vector<int32_t> c32(cn, 0x55555555);
  std::vector<float> cf(cn, 7.0f);
  std::vector<uint8_t> cu(cn, 77);
  LowpOutput o;
  o.type = c.out_type;
  o.c = c.out_type == LowpType::S32 ? static_cast<void*>(c32.data())
                                    : (c.out_type == LowpType::F32 ? static_cast<void*>(cf.data()) : cu.data());
  o.ldc = ldc;
  o.col_scale = scale.data();
  o.row_bias = c.row_bias ? rb.data() : nullptr;
  o.col_bias = c.col_bias ? cb.data() : nullptr;
  o.out_inv_scale = 1.0f / 0.37f;
  o.out_zero = 100;
  gemm_u8s8(kt, c.m, c.n, c.k, a.data(), lda, c.a_zero, b.data(), ldb, c.tb, c.b_zero ? bz.data() : nullptr, o);
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const size_t at = static_cast<size_t>(i * ldc + j);
      if (j >= c.n) {
        CHECK(c32[at] == 0x55555555 && cf[at] == 7.0f && cu[at] == 77, "s8 %s: wrote past column n", kt.gemm_s8.name);
        continue;
      }
      uint32_t acc = 0;  // the exact sum, wrapped to 32 bits
      for (int64_t p = 0; p < c.k; ++p) {
        const int32_t av = static_cast<int32_t>(a[i * lda + p]) - c.a_zero;
        const int32_t bv = static_cast<int32_t>(c.tb ? b[j * ldb + p] : b[p * ldb + j]) - (c.b_zero ? bz[j] : 0);
        acc += static_cast<uint32_t>(av * bv);
      }
      const int32_t raw = static_cast<int32_t>(acc);
      if (c.out_type == LowpType::S32) {
        CHECK(c32[at] == raw, "s8 %s m=%lld n=%lld k=%lld tb=%d za=%d fill %d at (%lld, %lld): %d vs %d",
              kt.gemm_s8.name, (long long)c.m, (long long)c.n, (long long)c.k, c.tb, c.a_zero, (int)c.fill,
              (long long)i, (long long)j, c32[at], raw);
        continue;
      }
      float v = static_cast<float>(raw) * scale[j];
      if (c.row_bias) v += rb[i];
      if (c.col_bias) v += cb[j];
      if (c.out_type == LowpType::F32) {
        CHECK(std::memcmp(&cf[at], &v, 4) == 0, "s8 %s f32 out k=%lld fill %d at (%lld, %lld): %.9g vs %.9g",
              kt.gemm_s8.name, (long long)c.k, (int)c.fill, (long long)i, (long long)j, cf[at], v);
        continue;
      }
      float x = v * o.out_inv_scale;
      x = x > -65536.0f ? x : -65536.0f;
      x = x < 65536.0f ? x : 65536.0f;
      const int32_t q = static_cast<int32_t>(std::nearbyint(x)) + o.out_zero;
      const uint8_t want = static_cast<uint8_t>(q < 0 ? 0 : (q > 255 ? 255 : q));
      CHECK(cu[at] == want, "s8 %s u8 out k=%lld fill %d at (%lld, %lld): %d vs %d", kt.gemm_s8.name, (long long)c.k,
            (int)c.fill, (long long)i, (long long)j, cu[at], want);
    }
  // op(B) packed once (gemm_u8s8_pack_b): the same sums, so the same bytes in every output.
  std::vector<char> packed(static_cast<size_t>(gemm_u8s8_packed_b_bytes(kt, c.n, c.k)) + 4);
  char* pb = packed.data() + 4;  // 4-byte aligned (the panels' words), not 16 or 64
  gemm_u8s8_pack_b(kt, c.n, c.k, b.data(), ldb, c.tb, pb);
  CHECK(gemm_u8s8_packed_b_fits(kt, c.n, c.k, pb, static_cast<int64_t>(packed.size()) - 4) &&
            !gemm_u8s8_packed_b_fits(kt, c.n + 1, c.k, pb, static_cast<int64_t>(packed.size()) - 4),
        "s8 %s: a packed B does not say what it was packed for", kt.gemm_s8.name);
  const std::vector<int32_t> c32_ref = c32;
  const std::vector<float> cf_ref = cf;
  const std::vector<uint8_t> cu_ref = cu;
  std::fill(c32.begin(), c32.end(), 0x55555555);
  std::fill(cf.begin(), cf.end(), 7.0f);
  std::fill(cu.begin(), cu.end(), 77);
  gemm_u8s8(kt, c.m, c.n, c.k, a.data(), lda, c.a_zero, b.data(), ldb, c.tb, c.b_zero ? bz.data() : nullptr, o, pb);
  CHECK(std::memcmp(c32.data(), c32_ref.data(), 4 * cn) == 0 && std::memcmp(cf.data(), cf_ref.data(), 4 * cn) == 0 &&
            std::memcmp(cu.data(), cu_ref.data(), cn) == 0,
        "s8 %s m=%lld n=%lld k=%lld tb=%d za=%d fill %d: packed B gives other bytes", kt.gemm_s8.name, (long long)c.m,
        (long long)c.n, (long long)c.k, c.tb, c.a_zero, (int)c.fill);
}

void test_s8(const KernelTable& kt) {
  const GemmLowpKernels& g = kt.gemm_s8;
  const int64_t mr = g.mr > 0 ? g.mr : kt.gemm.mr, nr = g.nr > 0 ? g.nr : kt.gemm.nr;
  int round = 0;
  for (int64_t m : {int64_t{1}, mr - 1, mr, mr + 1, 2 * mr + 3})
    for (int64_t n : {int64_t{1}, nr - 1, nr, nr + 1, 2 * nr + 5})
      for (int64_t k : {1, 3, 4, 5, 37}) {
        if (m < 1 || n < 1) continue;
        ++round;
        const LowpType out = round % 3 == 0 ? LowpType::S32 : (round % 3 == 1 ? LowpType::F32 : LowpType::U8);
        s8_case(kt, {m, n, k, round % 2 == 0, round % 4 == 1 ? 0 : 128 - round % 50, round % 5 < 2, out, round % 7 < 3,
                     round % 3 != 0, kFills[round % 6]});
      }
  // k tails (the quad's padding, around 4 quads and a 64-byte row) with every fill, output type
  // and zero-point correction, on a tile plus edges.
  const LowpType outs[] = {LowpType::S32, LowpType::F32, LowpType::U8};
  for (int64_t k : {1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 63, 64, 65})
    for (int f = 0; f < 6; ++f) {
      ++round;
      s8_case(kt, {mr + 1, 2 * nr + 3, k, round % 2 == 0, round % 3 == 0 ? 0 : 33, round % 4 < 2, outs[round % 3],
                   round % 5 == 0, round % 3 == 1, kFills[f]});
    }
  // Saturation: 2 * 255 * -128 per 16-bit pair would clip; sums past 2^24 (the fp32 chunking);
  // sums past 2^31 (wrap); block edges and threads.
  s8_case(kt, {7, 70, 1100, true, 0, false, LowpType::S32, false, false, Fill::Extreme});
  s8_case(kt, {9, 40, 1100, false, 0, false, LowpType::S32, false, false, Fill::Alternating});
  s8_case(kt, {9, 40, 1100, true, 0, false, LowpType::S32, false, false, Fill::Max7});
  s8_case(kt, {3, 5, 70000, true, 0, false, LowpType::S32, false, false, Fill::Extreme});
  s8_case(kt, {2053, 9, 8, false, 3, true, LowpType::F32, true, true, Fill::Random});
  // Two A blocks (mc rows each at most): the first 7-bit, the second with one byte of 255.
  s8_case(kt, {2053, 20, 37, true, 5, true, LowpType::S32, false, false, Fill::OneHigh});
  s8_case(kt, {2053, 20, 37, false, 0, false, LowpType::U8, true, true, Fill::Random7});
  s8_case(kt, {6, 385, 9, true, 0, true, LowpType::U8, false, true, Fill::Random});
  s8_case(kt, {100, 90, 2100, true, 7, true, LowpType::S32, false, false, Fill::Random});
  s8_case(kt, {64, 64, 784, true, 128, false, LowpType::F32, false, true, Fill::Random});
  s8_case(kt, {256, 128, 784, true, 64, true, LowpType::F32, true, true, Fill::Random7});
  s8_case(kt, {4, 6, 0, false, 5, true, LowpType::F32, true, true, Fill::Random});
}

}  // namespace

// ---- convolution with bf16 products ----------------------------------------------------------

// conv2d_forward / _backward_input / _backward_weight with s.bf16 against double sums of the
// products of the bf16-rounded x, w and dy (dy passed already rounded, as autocast does): fp32
// sums of exact products, within the fp32 tolerance of the sums' magnitudes.
void conv_bf16_case(const KernelTable& kt, ConvShape s) {
  s.bf16 = true;
  const int64_t cg = s.c / s.groups, ocg = s.oc / s.groups;
  std::vector<float> x(s.n * s.c * s.h * s.w), w(s.oc * cg * s.kh * s.kw), b(s.oc), dy(s.n * s.oc * s.oh * s.ow);
  for (float& v : x) v = uniform(-2, 2);
  for (float& v : w) v = uniform(-2, 2);
  for (float& v : b) v = uniform(-1, 1);
  for (float& v : dy) v = from_bf16(to_bf16(uniform(-1, 1)));
  std::vector<float> y(dy.size()), dx(x.size()), dw(w.size());
  conv2d_forward(kt, s, x.data(), w.data(), b.data(), y.data());
  conv2d_backward_input(kt, s, dy.data(), w.data(), dx.data());
  conv2d_backward_weight(kt, s, x.data(), dy.data(), dw.data(), nullptr);
  std::vector<double> ry(y.size()), my(y.size()), rdx(x.size()), mdx(x.size()), rdw(w.size()), mdw(w.size());
  for (int64_t i = 0; i < s.n; ++i)
    for (int64_t o = 0; o < s.oc; ++o)
      for (int64_t oy = 0; oy < s.oh; ++oy)
        for (int64_t ox = 0; ox < s.ow; ++ox) {
          const int64_t yi = ((i * s.oc + o) * s.oh + oy) * s.ow + ox;
          ry[yi] = b[o];
          my[yi] = std::fabs(b[o]);
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t a = 0; a < s.kh; ++a)
              for (int64_t e = 0; e < s.kw; ++e) {
                const int64_t iy = oy * s.sh - s.ph + a * s.dh, ix = ox * s.sw - s.pw + e * s.dw;
                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                const int64_t xi = ((i * s.c + (o / ocg) * cg + ci) * s.h + iy) * s.w + ix;
                const int64_t wi = ((o * cg + ci) * s.kh + a) * s.kw + e;
                const double xv = from_bf16(to_bf16(x[xi])), wv = from_bf16(to_bf16(w[wi]));
                ry[yi] += xv * wv;
                my[yi] += std::fabs(xv * wv);
                rdx[xi] += dy[yi] * wv;
                mdx[xi] += std::fabs(dy[yi] * wv);
                rdw[wi] += dy[yi] * xv;
                mdw[wi] += std::fabs(dy[yi] * xv);
              }
        }
  // The sums' lengths: fp32 sums of k exact products are within k * 2^-24 of their magnitude.
  auto check = [&](const std::vector<float>& got, const std::vector<double>& want, const std::vector<double>& mag,
                   int64_t k, const char* what) {
    for (size_t i = 0; i < got.size(); ++i)
      CHECK(std::fabs(got[i] - want[i]) <= (k + 2) * 0x1p-24 * mag[i] + 1e-30,
            "conv bf16 %s (%s) n=%lld c=%lld %lldx%lld oc=%lld k=%lldx%lld groups %lld at %zu: %.9g vs %.9g", what,
            kt.gemm_bf16.name, (long long)s.n, (long long)s.c, (long long)s.h, (long long)s.w, (long long)s.oc,
            (long long)s.kh, (long long)s.kw, (long long)s.groups, i, got[i], want[i]);
  };
  check(y, ry, my, cg * s.kh * s.kw + 1, "forward");
  check(dx, rdx, mdx, ocg * s.kh * s.kw, "grad-input");
  check(dw, rdw, mdw, s.n * s.oh * s.ow, "grad-weight");
}

ConvShape conv_shape(int64_t n, int64_t c, int64_t hw, int64_t oc, int64_t k, int64_t stride, int64_t pad,
                     int64_t groups) {
  ConvShape s;
  s.n = n;
  s.c = c;
  s.h = s.w = hw;
  s.oc = oc;
  s.kh = s.kw = k;
  s.sh = s.sw = stride;
  s.ph = s.pw = pad;
  s.dh = s.dw = 1;
  s.groups = groups;
  s.oh = s.ow = (hw + 2 * pad - k) / stride + 1;
  return s;
}

void test_conv_bf16(const KernelTable& kt) {
  conv_bf16_case(kt, conv_shape(16, 16, 8, 16, 3, 1, 1, 1));  // Winograd's shape in fp32
  conv_bf16_case(kt, conv_shape(2, 3, 16, 32, 3, 1, 1, 1));   // the direct kernel's
  conv_bf16_case(kt, conv_shape(3, 8, 5, 6, 1, 1, 0, 2));     // 1x1: x itself is the column matrix
  conv_bf16_case(kt, conv_shape(5, 6, 9, 9, 3, 2, 1, 3));     // strided, grouped, split by images
  conv_bf16_case(kt, conv_shape(1, 4, 20, 5, 5, 1, 2, 1));    // one image, 5x5
}

int main() {
  const int tested = for_each_isa(false, [](Isa isa, const KernelTable& kt) {
    const std::string what = std::string(isa_name(isa)) + " (" + kt.gemm_bf16.name + "; " + kt.gemm_s8.name + ")";
    at_1_and_2_threads(what, [&] {
      test_bf16(kt);
      test_conv_bf16(kt);
      test_s8(kt);
    });
  });
  return finish(tested, "ISA(s)' reduced-precision GEMMs checked against the reference");
}
