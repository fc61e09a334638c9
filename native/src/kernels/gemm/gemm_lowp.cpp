// The reduced-precision GEMM drivers (see gemm_lowp.h): the loops around the ISA's packing and
// whole-k microkernel, the split of C over threads, the zero-point corrections of the int8 GEMM,
// and the path through the fp32 GEMM where the ISA has no dot-product kernel.
#include "kernels/gemm/gemm_lowp.h"

#include <cmath>
#include <cstring>

#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_blocking.h"
#include "runtime/kernel_table.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace {

using gemm_blocking::even_block;
using gemm_blocking::min64;
using gemm_blocking::round_up;

// Below this many flops per thread, waking a worker costs more than it saves (as sgemm).
constexpr int64_t kMinFlopsPerThread = int64_t{1} << 19;
// The packed B block (whole k x NC) is kept under this many bytes: half of a 1 MiB L2.
constexpr int64_t kPackedBBytes = int64_t{512} << 10;
// k per fp32 product in the int8 fallback: 512 * 255 * 128 < 2^24, so every partial sum of
// products is an integer fp32 holds exactly.
constexpr int64_t kExactF32Chunk = 512;
// Elements per thread below which conversions stay on the calling thread.
constexpr int64_t kConvertGrain = int64_t{1} << 15;

thread_local gemm_blocking::PackBuffer t_lowp_a;
thread_local gemm_blocking::PackBuffer t_lowp_b;

int64_t type_bytes(LowpType t) {
  switch (t) {
    case LowpType::Bf16:
      return 2;
    case LowpType::U8:
    case LowpType::S8:
      return 1;
    default:
      return 4;
  }
}

const void* at(const void* p, LowpType t, int64_t elems) { return static_cast<const char*>(p) + elems * type_bytes(t); }

// One product: op(A) m x k at a (element (i, p) at a_rs * i + a_cs * p), op(B) k x n likewise.
struct Problem {
  const GemmLowpKernels* g;
  int64_t m, n, k;
  const void* a;
  LowpType a_type;
  int64_t a_rs, a_cs;
  const void* b;
  LowpType b_type;
  int64_t b_rs, b_cs;
  LowpOutput out;
  // The whole op(B)'s micro-panels packed beforehand (gemm_u8s8_pack_b), or null: pack per block.
  const char* b_panels = nullptr;
  // The whole op(A)'s micro-panels packed beforehand (a batch's shared A, see gemm_bf16), or
  // null: pack per block.
  const char* a_panels = nullptr;
};

// The block C[m0:m1, n0:n1] on the calling thread. Loop 5 (ic): A blocks of MC rows, packed
// whole-k (kept in L3); loop 4 (jc): B blocks of NC columns, packed whole-k (kept in L2); loop 3
// (ir): A micro-panels (MR x k, in L1); loop 2 (jr): B micro-panels; one microkernel call each.
void lowp_block(const Problem& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  if (m0 >= m1 || n0 >= n1) return;
  const GemmLowpKernels& g = *p.g;
  const int64_t MR = g.mr, NR = g.nr;
  const int64_t kp = round_up(p.k, g.k_unit);
  const int64_t nc_fit = kp > 0 ? kPackedBBytes / (kp * g.b_bytes) / NR * NR : g.nc;
  const int64_t MC = even_block(m1 - m0, g.mc, MR);
  const int64_t NC = even_block(n1 - n0, nc_fit < NR ? NR : min64(nc_fit, g.nc), NR);
  const int64_t a_panel = kp * MR * g.a_bytes, b_panel = kp * NR * g.b_bytes;
  char* a_pack = p.a_panels ? nullptr : static_cast<char*>(t_lowp_a.get(MC / MR * a_panel + 64));
  char* b_pack = p.b_panels ? nullptr : static_cast<char*>(t_lowp_b.get(NC / NR * b_panel + 64));
  for (int64_t ic = m0; ic < m1; ic += MC) {
    const int64_t mc = min64(MC, m1 - ic);
    // ic is a multiple of MR (the thread grid and MC are), so a prepacked A's block starts at a
    // panel; a prepacked A is bf16 (no 7-bit kernel).
    const char* a_block = p.a_panels ? p.a_panels + ic / MR * a_panel : a_pack;
    const bool seven_bit =
        !p.a_panels && g.pack_a(mc, p.k, at(p.a, p.a_type, ic * p.a_rs), p.a_type, p.a_rs, p.a_cs, a_pack);
    const LowpUkernelFn ukernel = seven_bit && g.ukernel_7bit ? g.ukernel_7bit : g.ukernel;
    for (int64_t jc = n0; jc < n1; jc += NC) {
      const int64_t nc = min64(NC, n1 - jc);
      // B's micro-panels are panels of op(B)'s columns: "rows" of the packing are columns. jc is
      // a multiple of NR (the thread grid and NC are), so a prepacked B's block starts at a panel.
      const char* b_block = p.b_panels ? p.b_panels + jc / NR * b_panel : b_pack;
      if (!p.b_panels) g.pack_b(nc, p.k, at(p.b, p.b_type, jc * p.b_cs), p.b_type, p.b_cs, p.b_rs, b_pack);
      for (int64_t ir = 0; ir < mc; ir += MR) {
        const int mr = static_cast<int>(min64(MR, mc - ir));
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(min64(NR, nc - jr));
          ukernel(p.k, a_block + ir / MR * a_panel, b_block + jr / NR * b_panel, p.out, ic + ir, jc + jr, mr, nr);
        }
      }
    }
  }
}

int64_t flops(int64_t m, int64_t n, int64_t k) { return 2 * m * n * (k > 0 ? k : 1); }

void lowp_threaded(const Problem& p, int nt) {
  gemm_blocking::run_on_grid(p.m, p.n, p.k, p.g->mr, p.g->nr, nt, true,
                             [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) { lowp_block(p, m0, m1, n0, n1); });
}

// The output pass's value before conversion (shared by the two element stores below).
float biased(const LowpOutput& o, float v, int64_t i, int64_t j) {
  if (o.row_bias) v += o.row_bias[i];
  if (o.col_bias) v += o.col_bias[j];
  return v;
}

void store_value(const LowpOutput& o, int64_t i, int64_t j, float v) {
  const int64_t at = i * o.ldc + j;
  switch (o.type) {
    case LowpType::F32:
      static_cast<float*>(o.c)[at] = v;
      return;
    case LowpType::Bf16:
      static_cast<uint16_t*>(o.c)[at] = f32_to_bf16(v);
      return;
    case LowpType::U8: {
      float x = v * o.out_inv_scale;
      x = x > -65536.0f ? x : -65536.0f;  // NaN -> -65536 (max(x, lo) as maxps: x first)
      x = x < 65536.0f ? x : 65536.0f;
      const int32_t q = static_cast<int32_t>(std::nearbyint(x)) + o.out_zero;
      static_cast<uint8_t*>(o.c)[at] = static_cast<uint8_t>(q < 0 ? 0 : (q > 255 ? 255 : q));
      return;
    }
    default:
      return;
  }
}

// ---- the path through sgemm ----------------------------------------------------------------

// One element of a source of type T as the fp32 the GEMM multiplies (an F32 source rounded to
// bf16 first when Round).
template <class T, bool Round>
float value_of(T x) {
  if constexpr (sizeof(T) == 4) {
    return Round ? bf16_to_f32(f32_to_bf16(x)) : x;
  } else if constexpr (sizeof(T) == 2) {
    return bf16_to_f32(x);
  } else {
    return static_cast<float>(x);
  }
}

template <class T, bool Round>
void rows_to_f32(const T* x, int64_t rs, int64_t cs, int64_t r0, int64_t r1, int64_t cols, float* dst) {
  for (int64_t r = r0; r < r1; ++r) {
    float* d = dst + r * cols;
    const T* row = x + r * rs;
    if (cs == 1) {
      for (int64_t c = 0; c < cols; ++c) d[c] = value_of<T, Round>(row[c]);
    } else {
      for (int64_t c = 0; c < cols; ++c) d[c] = value_of<T, Round>(row[c * cs]);
    }
  }
}

// dst (rows x cols, contiguous fp32) = op(X) (element (r, c) at x[r * rs + c * cs]): bf16 values
// (F32 sources rounded to bf16 when round_bf16), u8 or s8 values.
void to_f32(const void* x, LowpType type, int64_t rs, int64_t cs, int64_t rows, int64_t cols, bool round_bf16,
            float* dst) {
  parallel_for(rows, cols > 0 ? (kConvertGrain + cols - 1) / cols : rows, [&](int64_t r0, int64_t r1) {
    switch (type) {
      case LowpType::F32:
        if (round_bf16) return rows_to_f32<float, true>(static_cast<const float*>(x), rs, cs, r0, r1, cols, dst);
        return rows_to_f32<float, false>(static_cast<const float*>(x), rs, cs, r0, r1, cols, dst);
      case LowpType::Bf16:
        return rows_to_f32<uint16_t, false>(static_cast<const uint16_t*>(x), rs, cs, r0, r1, cols, dst);
      case LowpType::U8:
        return rows_to_f32<uint8_t, false>(static_cast<const uint8_t*>(x), rs, cs, r0, r1, cols, dst);
      default:
        return rows_to_f32<int8_t, false>(static_cast<const int8_t*>(x), rs, cs, r0, r1, cols, dst);
    }
  });
}

// An operand of the path through sgemm: op(X) (rows x cols) widened to fp32 in the layout it is
// stored in, so a transposed operand is read along its contiguous rows (a gather down its columns
// missed the cache on every element) and handed to sgemm as transposed.
struct F32Operand {
  Scratch<float> data;
  bool trans = false;
  int64_t ld = 1;
};

F32Operand widen(const void* x, LowpType type, int64_t rs, int64_t cs, int64_t rows, int64_t cols, bool round_bf16) {
  F32Operand o;
  o.data = Scratch<float>(rows * cols);
  if (cs == 1 || rs != 1) {
    to_f32(x, type, rs, cs, rows, cols, round_bf16, o.data.get());
    o.ld = cols > 0 ? cols : 1;
  } else {
    // Columns of op(X) contiguous: the stored matrix is cols x rows, rows cs apart.
    to_f32(x, type, cs, 1, cols, rows, round_bf16, o.data.get());
    o.trans = true;
    o.ld = rows > 0 ? rows : 1;
  }
  return o;
}

void bf16_via_f32(const KernelTable& kt, const Problem& p) {
  const F32Operand af = widen(p.a, p.a_type, p.a_rs, p.a_cs, p.m, p.k, true);
  const F32Operand bf = widen(p.b, p.b_type, p.b_rs, p.b_cs, p.k, p.n, true);
  const LowpOutput& o = p.out;
  const int64_t nl = p.n > 0 ? p.n : 1;
  if (o.type == LowpType::F32) {
    // sgemm applies alpha and beta exactly as the output pass does (acc * alpha, + beta * C).
    sgemm(kt, af.trans, bf.trans, p.m, p.n, p.k, o.alpha, af.data.get(), af.ld, bf.data.get(), bf.ld, o.beta,
          static_cast<float*>(o.c), o.ldc);
    if (!o.row_bias && !o.col_bias) return;
    parallel_for(p.m, (kConvertGrain + nl - 1) / nl, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = 0; j < p.n; ++j) {
          float* c = static_cast<float*>(o.c) + i * o.ldc + j;
          *c = biased(o, *c, i, j);
        }
    });
    return;
  }
  Scratch<float> acc(p.m * p.n);
  sgemm(kt, af.trans, bf.trans, p.m, p.n, p.k, 1.0f, af.data.get(), af.ld, bf.data.get(), bf.ld, 0.0f, acc.get(), nl);
  parallel_for(p.m, (kConvertGrain + nl - 1) / nl, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      for (int64_t j = 0; j < p.n; ++j) lowp_store_f32(o, i, j, acc[i * p.n + j]);
  });
}

void s8_via_f32(const KernelTable& kt, const Problem& p) {
  const F32Operand af = widen(p.a, p.a_type, p.a_rs, p.a_cs, p.m, p.k, false);
  const F32Operand bf = widen(p.b, p.b_type, p.b_rs, p.b_cs, p.k, p.n, false);
  Scratch<float> part(p.m * p.n);
  Scratch<int32_t> acc = Scratch<int32_t>::zeros(p.m * p.n);
  const int64_t nl = p.n > 0 ? p.n : 1;
  const int64_t grain = (kConvertGrain + nl - 1) / nl;
  for (int64_t p0 = 0; p0 < p.k; p0 += kExactF32Chunk) {
    const int64_t kc = min64(kExactF32Chunk, p.k - p0);
    // Element (i, p0) of op(A) and (p0, j) of op(B), in each one's stored layout.
    const float* a0 = af.data.get() + (af.trans ? p0 * af.ld : p0);
    const float* b0 = bf.data.get() + (bf.trans ? p0 : p0 * bf.ld);
    sgemm(kt, af.trans, bf.trans, p.m, p.n, kc, 1.0f, a0, af.ld, b0, bf.ld, 0.0f, part.get(), nl);
    // Each part is an integer below 2^24 in magnitude: exact as int32 (a negative float
    // converted straight to uint32 is undefined, and 0 on arm64).
    parallel_for(p.m, grain, [&](int64_t i0, int64_t i1) {
      for (int64_t e = i0 * p.n; e < i1 * p.n; ++e)
        acc[e] =
            static_cast<int32_t>(static_cast<uint32_t>(acc[e]) + static_cast<uint32_t>(static_cast<int32_t>(part[e])));
    });
  }
  parallel_for(p.m, grain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      for (int64_t j = 0; j < p.n; ++j) lowp_store_s32(p.out, i, j, acc[i * p.n + j]);
  });
}

// ---- op(B) packed once ----------------------------------------------------------------------

// The header in front of a packed B (copied in and out with memcpy: the bytes may sit at any
// alignment).
struct PackedBHeader {
  uint64_t layout;  // layout_id of the table that packed it
  int64_t n, k;
  int64_t bytes;  // the whole packing, header included
};
constexpr int64_t kPackedBHeader = 64;
static_assert(sizeof(PackedBHeader) <= kPackedBHeader, "the header must fit its 64 bytes");

// The packing's layout: FNV-1a over the kernel's name (its ISA and tile), nr and k_unit.
uint64_t layout_id(const GemmLowpKernels& g) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint64_t byte) { h = (h ^ byte) * 1099511628211ull; };
  for (const char* c = g.name; *c; ++c) mix(static_cast<unsigned char>(*c));
  mix(static_cast<uint64_t>(g.nr));
  mix(static_cast<uint64_t>(g.k_unit));
  return h;
}

int64_t packed_sums_bytes(int64_t n) { return round_up(4 * n, 64); }

int64_t packed_panels_bytes(const GemmLowpKernels& g, int64_t n, int64_t k) {
  if (!g.ukernel) return 0;
  return (n + g.nr - 1) / g.nr * g.nr * round_up(k, g.k_unit) * g.b_bytes;
}

// Column j's sum (as uint32, wrapping) of a packed B.
uint32_t packed_col_sum(const char* packed, int64_t j) {
  uint32_t s;
  std::memcpy(&s, packed + kPackedBHeader + 4 * j, 4);
  return s;
}

Problem make_problem(const GemmLowpKernels& g, int64_t m, int64_t n, int64_t k, const LowpOperand& a,
                     const LowpOperand& b, const LowpOutput& out) {
  Problem p;
  p.g = &g;
  p.m = m;
  p.n = n;
  p.k = k;
  p.a = a.data;
  p.a_type = a.type;
  p.a_rs = a.trans ? 1 : a.ld;
  p.a_cs = a.trans ? a.ld : 1;
  p.b = b.data;
  p.b_type = b.type;
  p.b_rs = b.trans ? 1 : b.ld;
  p.b_cs = b.trans ? b.ld : 1;
  p.out = out;
  return p;
}

}  // namespace

float lowp_f32_value(const LowpOutput& o, float v, int64_t i, int64_t j) { return biased(o, v, i, j); }

void lowp_store_f32(const LowpOutput& o, int64_t i, int64_t j, float acc) {
  float v = acc * o.alpha;
  if (o.type == LowpType::F32 && o.beta != 0.0f) v = o.beta * static_cast<const float*>(o.c)[i * o.ldc + j] + v;
  store_value(o, i, j, biased(o, v, i, j));
}

void lowp_store_s32(const LowpOutput& o, int64_t i, int64_t j, int32_t acc) {
  uint32_t raw = static_cast<uint32_t>(acc);
  if (o.col_offset) raw += static_cast<uint32_t>(o.col_offset[j]);
  if (o.row_sum && o.b_zero) raw -= static_cast<uint32_t>(o.row_sum[i]) * static_cast<uint32_t>(o.b_zero[j]);
  if (o.type == LowpType::S32) {
    static_cast<int32_t*>(o.c)[i * o.ldc + j] = static_cast<int32_t>(raw);
    return;
  }
  const float v = static_cast<float>(static_cast<int32_t>(raw)) * o.col_scale[j];
  store_value(o, i, j, biased(o, v, i, j));
}

void gemm_bf16(const KernelTable& kt, int64_t batch, int64_t m, int64_t n, int64_t k, const LowpOperand& a,
               const LowpOperand& b, const LowpOutput& out, int64_t c_batch_stride) {
  if (batch <= 0 || m == 0 || n == 0) return;
  const GemmLowpKernels& g = kt.gemm_bf16;
  auto nth = [&](int64_t i) {
    const LowpOperand ai{at(a.data, a.type, i * a.batch_stride), a.type, a.ld, a.trans, 0};
    const LowpOperand bi{at(b.data, b.type, i * b.batch_stride), b.type, b.ld, b.trans, 0};
    LowpOutput oi = out;
    oi.c = const_cast<void*>(at(out.c, out.type, i * c_batch_stride));
    return make_problem(g, m, n, k, ai, bi, oi);
  };
  if (!g.ukernel) {
    for (int64_t i = 0; i < batch; ++i) bf16_via_f32(kt, nth(i));
    return;
  }
  // One A for the whole batch (a convolution's weights over its images): packed once here rather
  // than once per product (7% of a 64 -> 128 channel 8x8 convolution's forward went to packing
  // it again per image). The same panels as the per-block packing, so the same bits.
  Scratch<char> a_shared;
  if (batch > 1 && a.batch_stride == 0 && k > 0) {
    const Problem p = nth(0);
    a_shared = Scratch<char>((m + g.mr - 1) / g.mr * g.mr * round_up(k, g.k_unit) * g.a_bytes);
    g.pack_a(m, k, p.a, p.a_type, p.a_rs, p.a_cs, a_shared.get());
  }
  auto item = [&](int64_t i) {
    Problem p = nth(i);
    p.a_panels = a_shared.get();
    return p;
  };
  gemm_blocking::run_batch(
      batch, flops(m, n, k), kMinFlopsPerThread,
      [&](int64_t i) {
        const Problem p = item(i);
        lowp_block(p, 0, p.m, 0, p.n);
      },
      [&](int64_t i, int nt_one) { lowp_threaded(item(i), nt_one); });
}

int64_t gemm_u8s8_packed_b_bytes(const KernelTable& kt, int64_t n, int64_t k) {
  return kPackedBHeader + packed_sums_bytes(n) + packed_panels_bytes(kt.gemm_s8, n, k);
}

void gemm_u8s8_pack_b(const KernelTable& kt, int64_t n, int64_t k, const int8_t* b, int64_t ldb, bool trans_b,
                      void* out) {
  const GemmLowpKernels& g = kt.gemm_s8;
  char* o = static_cast<char*>(out);
  const PackedBHeader h{layout_id(g), n, k, gemm_u8s8_packed_b_bytes(kt, n, k)};
  std::memset(o, 0, kPackedBHeader + packed_sums_bytes(n));
  std::memcpy(o, &h, sizeof h);
  const int64_t b_rs = trans_b ? 1 : ldb, b_cs = trans_b ? ldb : 1;
  for (int64_t j = 0; j < n; ++j) {
    uint32_t s = 0;
    for (int64_t q = 0; q < k; ++q) s += static_cast<uint32_t>(static_cast<int32_t>(b[q * b_rs + j * b_cs]));
    std::memcpy(o + kPackedBHeader + 4 * j, &s, 4);
  }
  if (g.ukernel && n > 0) g.pack_b(n, k, b, LowpType::S8, b_cs, b_rs, o + kPackedBHeader + packed_sums_bytes(n));
}

bool gemm_u8s8_packed_b_fits(const KernelTable& kt, int64_t n, int64_t k, const void* packed, int64_t bytes) {
  if (bytes < kPackedBHeader) return false;
  PackedBHeader h;
  std::memcpy(&h, packed, sizeof h);
  return h.layout == layout_id(kt.gemm_s8) && h.n == n && h.k == k && h.bytes == bytes &&
         bytes == gemm_u8s8_packed_b_bytes(kt, n, k);
}

void gemm_u8s8(const KernelTable& kt, int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, int32_t a_zero,
               const int8_t* b, int64_t ldb, bool trans_b, const int32_t* b_zero, const LowpOutput& out,
               const void* b_packed) {
  if (m == 0 || n == 0) return;
  const LowpOperand ao{a, LowpType::U8, lda, false, 0};
  const LowpOperand bo{b, LowpType::S8, ldb, trans_b, 0};
  Problem p = make_problem(kt.gemm_s8, m, n, k, ao, bo, out);
  const char* packed = static_cast<const char*>(b_packed);
  if (packed) p.b_panels = packed + kPackedBHeader + packed_sums_bytes(n);
  // All-zero B zero points (symmetric weights) drop out: no row sums, no products by zero.
  bool b_zero_any = false;
  for (int64_t j = 0; b_zero && j < n && !b_zero_any; ++j) b_zero_any = b_zero[j] != 0;
  if (!b_zero_any) b_zero = nullptr;
  // Zero points: sum (a - za)(b - zb) = sum ab - za * colsum(b) - zb * rowsum(a) + k za zb.
  Scratch<int32_t> col_offset, row_sum;
  const int64_t b_rs = p.b_rs, b_cs = p.b_cs;
  if (a_zero != 0 || b_zero) {
    col_offset = Scratch<int32_t>(n);
    for (int64_t j = 0; j < n; ++j) {
      uint32_t colsum = 0;
      if (a_zero != 0 && packed)
        colsum = packed_col_sum(packed, j);
      else if (a_zero != 0)
        for (int64_t q = 0; q < k; ++q) colsum += static_cast<uint32_t>(static_cast<int32_t>(b[q * b_rs + j * b_cs]));
      const uint32_t zb = b_zero ? static_cast<uint32_t>(b_zero[j]) : 0u;
      const uint32_t za = static_cast<uint32_t>(a_zero);
      col_offset[j] = static_cast<int32_t>(static_cast<uint32_t>(k) * za * zb - za * colsum);
    }
    p.out.col_offset = col_offset.get();
  }
  if (b_zero) {
    row_sum = Scratch<int32_t>(m);
    parallel_for(m, k > 0 ? (kConvertGrain + k - 1) / k : m, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        uint32_t s = 0;
        for (int64_t q = 0; q < k; ++q) s += a[i * lda + q];
        row_sum[i] = static_cast<int32_t>(s);
      }
    });
    p.out.row_sum = row_sum.get();
    p.out.b_zero = b_zero;
  }
  if (!p.g->ukernel) {
    s8_via_f32(kt, p);
    return;
  }
  lowp_threaded(p, threads_for(flops(m, n, k), kMinFlopsPerThread));
}

void fill_gemm_lowp_via_f32(GemmLowpKernels* bf16, GemmLowpKernels* s8) {
  *bf16 = GemmLowpKernels{"bf16gemm via fp32 sgemm", 0, 0, 0, 0, 1, 4, 4, nullptr, nullptr, nullptr, nullptr};
  *s8 = GemmLowpKernels{"u8s8gemm via fp32 sgemm", 0, 0, 0, 0, 1, 4, 4, nullptr, nullptr, nullptr, nullptr};
}

}  // namespace myelin
