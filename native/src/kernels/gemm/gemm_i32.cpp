// The int32 GEMM driver (gemm_i32.h): packing, the loops around the ISA's register tile, and
// the split over threads (gemm_blocking's, as the fp32 GEMM's); BLIS's loop order: B block in
// L3, A block in L2, B micro-panel in L1.
#include "kernels/gemm/gemm_i32.h"

#include <cstring>

#include "kernels/gemm/gemm_blocking.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace {

using gemm_blocking::even_block;
using gemm_blocking::min64;

// Cache blocks: a packed A block of MC x KC int32 (96 KiB) in L2, a packed B block of KC x NC
// (512 KiB) in L3, a B micro-panel of KC x NR (32 KiB at NR = 32) in L1.
constexpr int64_t kKC = 256, kMC = 96, kNC = 512;
// Below this many multiply-adds (x2) per thread, waking a worker costs more than it saves.
constexpr int64_t kMinOpsPerThread = int64_t{1} << 19;

thread_local gemm_blocking::PackBuffer t_i32_a;
thread_local gemm_blocking::PackBuffer t_i32_b;

// One product with its operands folded to (row stride, column stride) form.
struct Problem {
  const GemmI32Kernels* g;
  int64_t m, n, k;
  const uint32_t* a;
  int64_t a_rs, a_cs;
  const uint32_t* b;
  int64_t b_rs, b_cs;
  int32_t* c;
  int64_t ldc;
};

// Rows [0, mn) of x (element (r, p) at x[r * rs + p * cs], p < kc) as ceil(mn / R) micro-panels
// of kc * R values, k-major, rows past mn zero: A's rows (R = MR), or B's columns (R = NR).
void pack(int64_t mn, int64_t kc, const uint32_t* x, int64_t rs, int64_t cs, int64_t R, uint32_t* out) {
  for (int64_t r0 = 0; r0 < mn; r0 += R, out += kc * R) {
    const int64_t rows = min64(R, mn - r0);
    for (int64_t p = 0; p < kc; ++p) {
      uint32_t* dst = out + p * R;
      for (int64_t r = 0; r < rows; ++r) dst[r] = x[(r0 + r) * rs + p * cs];
      for (int64_t r = rows; r < R; ++r) dst[r] = 0;
    }
  }
}

// The block C[m0:m1, n0:n1] on the calling thread.
void i32_block(const Problem& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  if (m0 >= m1 || n0 >= n1) return;
  if (p.k == 0) {
    for (int64_t i = m0; i < m1; ++i)
      std::memset(p.c + i * p.ldc + n0, 0, static_cast<size_t>(n1 - n0) * sizeof(int32_t));
    return;
  }
  const GemmI32Kernels& g = *p.g;
  const int64_t MR = g.mr, NR = g.nr;
  const int64_t KC = even_block(p.k, kKC, 1);
  const int64_t MC = even_block(m1 - m0, kMC, MR);
  const int64_t NC = even_block(n1 - n0, kNC, NR);
  uint32_t* a_pack = static_cast<uint32_t*>(t_i32_a.get(MC * KC * int64_t{sizeof(uint32_t)}));
  uint32_t* b_pack = static_cast<uint32_t*>(t_i32_b.get(NC * KC * int64_t{sizeof(uint32_t)}));
  for (int64_t jc = n0; jc < n1; jc += NC) {
    const int64_t nc = min64(NC, n1 - jc);
    for (int64_t pc = 0; pc < p.k; pc += KC) {
      const int64_t kc = min64(KC, p.k - pc);
      // B's columns are the packed rows: (column j, depth p) at b[p * b_rs + j * b_cs].
      pack(nc, kc, p.b + pc * p.b_rs + jc * p.b_cs, p.b_cs, p.b_rs, NR, b_pack);
      for (int64_t ic = m0; ic < m1; ic += MC) {
        const int64_t mc = min64(MC, m1 - ic);
        pack(mc, kc, p.a + ic * p.a_rs + pc * p.a_cs, p.a_rs, p.a_cs, MR, a_pack);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(min64(NR, nc - jr));
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int mr = static_cast<int>(min64(MR, mc - ir));
            g.ukernel(kc, a_pack + ir * kc, b_pack + jr * kc, p.c + (ic + ir) * p.ldc + jc + jr, p.ldc, pc > 0, mr, nr);
          }
        }
      }
    }
  }
}

// One product split over nt threads on gemm_blocking's grid.
void i32_threaded(const Problem& p, int nt) {
  gemm_blocking::run_on_grid(p.m, p.n, p.k, p.g->mr, p.g->nr, nt, false,
                             [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) { i32_block(p, m0, m1, n0, n1); });
}

int64_t ops(int64_t m, int64_t n, int64_t k) { return 2 * m * n * (k > 0 ? k : 1); }

}  // namespace

void gemm_i32(const KernelTable& kt, bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
              const int32_t* a, int64_t lda, int64_t stride_a, const int32_t* b, int64_t ldb, int64_t stride_b,
              int32_t* c, int64_t ldc, int64_t stride_c) {
  if (batch <= 0 || m == 0 || n == 0) return;
  // int32_t and uint32_t may alias each other: the operands are read as uint32.
  Problem p0;
  p0.g = &kt.gemm_i32;
  p0.m = m;
  p0.n = n;
  p0.k = k;
  p0.a = reinterpret_cast<const uint32_t*>(a);
  p0.a_rs = trans_a ? 1 : lda;
  p0.a_cs = trans_a ? lda : 1;
  p0.b = reinterpret_cast<const uint32_t*>(b);
  p0.b_rs = trans_b ? 1 : ldb;
  p0.b_cs = trans_b ? ldb : 1;
  p0.c = c;
  p0.ldc = ldc;
  auto nth = [&](int64_t i) { return gemm_blocking::batch_item(p0, i, stride_a, stride_b, stride_c); };
  gemm_blocking::run_batch(
      batch, ops(m, n, k), kMinOpsPerThread,
      [&](int64_t i) {
        const Problem p = nth(i);
        i32_block(p, 0, p.m, 0, p.n);
      },
      [&](int64_t i, int nt_one) { i32_threaded(nth(i), nt_one); });
}

}  // namespace myelin
