// The GEMM driver: argument folding, the five BLIS loops around the ISA's microkernel,
// packing scratch, and the split of C across threads; written once over the element type T
// (float: sgemm, double: dgemm), each with its own kernels from the table.
#include "kernels/gemm/gemm.h"

#include <cstring>

#include "kernels/gemm/gemm_blocking.h"

#include "runtime/kernel_table.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace {

// Below this many flops per thread, waking a worker costs more than it saves.
constexpr int64_t kMinFlopsPerThread = int64_t{1} << 19;

using gemm_blocking::even_block;
using gemm_blocking::min64;

// Per-thread packing buffers (see PackBuffer), shared by both element types.
thread_local gemm_blocking::PackBuffer t_pack_a;
thread_local gemm_blocking::PackBuffer t_pack_b;

// One GEMM with its operands folded to (row stride, column stride) form.
template <class T>
struct Problem {
  const GemmKernelsOf<T>* g;
  int64_t m, n, k;
  T alpha, beta;
  const T* a;
  int64_t a_rs, a_cs;
  const T* b;
  int64_t b_rs, b_cs;
  T* c;
  int64_t ldc;
};

template <class T>
const GemmKernelsOf<T>& kernels_of(const KernelTable& kt);
template <>
const GemmKernels& kernels_of<float>(const KernelTable& kt) {
  return kt.gemm;
}
template <>
const DgemmKernels& kernels_of<double>(const KernelTable& kt) {
  return kt.dgemm;
}

// Small-matrix path: when a thread's block has few rows of C, each packed B micro-panel would
// be used by only a few A micro-panels, so packing B costs more than it saves: the microkernel
// reads op(B) in place (when its rows are contiguous). Up to the ISA's direct_b_max_rows,
// except that B rows a multiple of 4 KiB apart all land in the same few L2 sets: those read in
// place only for the smallest blocks.
constexpr int64_t kDirectBMaxRowsAliased = 96;

template <class T>
bool read_b_in_place(const Problem<T>& p, int64_t rows) {
  if (p.b_cs != 1) return false;
  constexpr int64_t kPageElements = 4096 / sizeof(T);
  const int64_t limit =
      p.b_rs % kPageElements == 0 ? min64(kDirectBMaxRowsAliased, p.g->direct_b_max_rows) : p.g->direct_b_max_rows;
  return rows <= limit;
}

template <class T>
Problem<T> make_problem(const KernelTable& kt, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha,
                        const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  Problem<T> p;
  p.g = &kernels_of<T>(kt);
  p.m = m;
  p.n = n;
  p.k = k;
  p.alpha = alpha;
  p.beta = beta;
  p.a = a;
  p.a_rs = trans_a ? 1 : lda;
  p.a_cs = trans_a ? lda : 1;
  p.b = b;
  p.b_rs = trans_b ? 1 : ldb;
  p.b_cs = trans_b ? ldb : 1;
  p.c = c;
  p.ldc = ldc;
  return p;
}

// C[m0:m1, n0:n1] := beta * C (k = 0 or alpha = 0: nothing to multiply).
template <class T>
void scale_block(const Problem<T>& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  for (int64_t i = m0; i < m1; ++i) {
    T* row = p.c + i * p.ldc;
    if (p.beta == T{0}) {
      std::memset(row + n0, 0, static_cast<size_t>(n1 - n0) * sizeof(T));
    } else if (p.beta != T{1}) {
      for (int64_t j = n0; j < n1; ++j) row[j] *= p.beta;
    }
  }
}

// The block C[m0:m1, n0:n1] of one GEMM on the calling thread: the five loops.
template <class T>
void gemm_block(const Problem<T>& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  if (m0 >= m1 || n0 >= n1) return;
  if (p.k == 0 || p.alpha == T{0}) {
    scale_block(p, m0, m1, n0, n1);
    return;
  }
  const GemmKernelsOf<T>& g = *p.g;
  const int64_t MR = g.mr, NR = g.nr;
  // Each dimension splits into equal blocks no larger than the ISA's: 1024 rows with MC = 1008
  // become 2 x 512 (not 1008 + 16, which would pack all of B a second time for 16 rows).
  const int64_t KC = even_block(p.k, g.kc, 1);
  const int64_t MC = even_block(m1 - m0, g.mc, MR);
  const int64_t NC = even_block(n1 - n0, g.nc, NR);
  const bool direct_b = read_b_in_place(p, m1 - m0);
  T* a_pack = static_cast<T*>(t_pack_a.get(MC * KC * int64_t{sizeof(T)}));
  T* b_pack = direct_b ? nullptr : static_cast<T*>(t_pack_b.get(NC * KC * int64_t{sizeof(T)}));

  if (g.loops == GemmLoops::BInL1) {
    // BLIS's order. Loop 5 (jc): columns of C in blocks of NC; one packed B block (kc x nc,
    // in L3) at a time.
    for (int64_t jc = n0; jc < n1; jc += NC) {
      const int64_t nc = min64(NC, n1 - jc);
      // Loop 4 (pc): the k dimension in blocks of KC; beta applies to the first block only.
      for (int64_t pc = 0; pc < p.k; pc += KC) {
        const int64_t kc = min64(KC, p.k - pc);
        const T beta = pc == 0 ? p.beta : T{1};
        const T* b_block = p.b + pc * p.b_rs + jc * p.b_cs;
        if (!direct_b) g.pack_b(kc, nc, b_block, p.b_rs, p.b_cs, b_pack);
        const int64_t ldb = direct_b ? p.b_rs : NR;
        // Loop 3 (ic): rows of C in blocks of MC; one packed A block (mc x kc, in L2).
        for (int64_t ic = m0; ic < m1; ic += MC) {
          const int64_t mc = min64(MC, m1 - ic);
          g.pack_a(mc, kc, p.a + ic * p.a_rs + pc * p.a_cs, p.a_rs, p.a_cs, a_pack);
          // Loop 2 (jr): NR-column micro-panels of the B block (kc x NR, in L1).
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int nr = static_cast<int>(min64(NR, nc - jr));
            const T* b_panel = direct_b ? b_block + jr : b_pack + jr * kc;
            T* c_col = p.c + ic * p.ldc + jc + jr;
            // Loop 1 (ir): MR-row micro-panels of the A block, one microkernel call each.
            for (int64_t ir = 0; ir < mc; ir += MR) {
              const int mr = static_cast<int>(min64(MR, mc - ir));
              g.ukernel(kc, a_pack + ir * kc, b_panel, ldb, c_col + ir * p.ldc, p.ldc, p.alpha, beta, mr, nr);
            }
          }
        }
      }
    }
    return;
  }

  // AInL1: BLIS's order for C^T = B^T A^T (the tile's vector dimension is n, so the operand
  // broadcast from L1 is A and the one streamed is B).
  // Loop 5 (ic): rows of C in blocks of MC; one packed A block (mc x kc, in L3) at a time.
  for (int64_t ic = m0; ic < m1; ic += MC) {
    const int64_t mc = min64(MC, m1 - ic);
    // Loop 4 (pc): the k dimension in blocks of KC; beta applies to the first block only.
    for (int64_t pc = 0; pc < p.k; pc += KC) {
      const int64_t kc = min64(KC, p.k - pc);
      const T beta = pc == 0 ? p.beta : T{1};
      g.pack_a(mc, kc, p.a + ic * p.a_rs + pc * p.a_cs, p.a_rs, p.a_cs, a_pack);
      // Loop 3 (jc): columns of C in blocks of NC; one packed B block (kc x nc, in L2).
      for (int64_t jc = n0; jc < n1; jc += NC) {
        const int64_t nc = min64(NC, n1 - jc);
        const T* b_block = p.b + pc * p.b_rs + jc * p.b_cs;
        if (!direct_b) g.pack_b(kc, nc, b_block, p.b_rs, p.b_cs, b_pack);
        const int64_t ldb = direct_b ? p.b_rs : NR;
        // Loop 2 (ir): MR-row micro-panels of the A block (MR x kc, in L1).
        for (int64_t ir = 0; ir < mc; ir += MR) {
          const int mr = static_cast<int>(min64(MR, mc - ir));
          const T* a_panel = a_pack + ir * kc;
          T* c_row = p.c + (ic + ir) * p.ldc + jc;
          // Loop 1 (jr): NR-column micro-panels of the B block, one microkernel call each.
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int nr = static_cast<int>(min64(NR, nc - jr));
            const T* b_panel = direct_b ? b_block + jr : b_pack + jr * kc;
            g.ukernel(kc, a_panel, b_panel, ldb, c_row + jr, p.ldc, p.alpha, beta, mr, nr);
          }
        }
      }
    }
  }
}

// How nthreads threads split C (gemm_blocking::choose_grid). Near-ties (square C) go to the grid
// that splits the operand kept in L3 (A for AInL1 loops, B for BInL1). Measured at G1 N=1024,
// 2 threads, AVX-512: 200-214 GFLOP/s split by rows, 188-206 by columns.
template <class T>
void gemm_threaded(const Problem<T>& p, int nt) {
  gemm_blocking::run_on_grid(p.m, p.n, p.k, p.g->mr, p.g->nr, nt, p.g->loops == GemmLoops::AInL1,
                             [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) { gemm_block(p, m0, m1, n0, n1); });
}

int64_t gemm_flops(int64_t m, int64_t n, int64_t k) { return 2 * m * n * (k > 0 ? k : 1); }

// `batch` products over T (see sgemm_batched).
template <class T>
void gemm_batched(const KernelTable& kt, bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                  T alpha, const T* a, int64_t lda, int64_t stride_a, const T* b, int64_t ldb, int64_t stride_b, T beta,
                  T* c, int64_t ldc, int64_t stride_c) {
  if (batch <= 0 || m == 0 || n == 0) return;
  const Problem<T> p0 = make_problem(kt, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  auto nth = [&](int64_t i) { return gemm_blocking::batch_item(p0, i, stride_a, stride_b, stride_c); };
  gemm_blocking::run_batch(
      batch, gemm_flops(m, n, k), kMinFlopsPerThread,
      [&](int64_t i) {
        const Problem<T> p = nth(i);
        gemm_block(p, 0, p.m, 0, p.n);
      },
      [&](int64_t i, int nt_one) { gemm_threaded(nth(i), nt_one); });
}

}  // namespace

void sgemm(const KernelTable& kt, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const Problem<float> p = make_problem(kt, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  gemm_threaded(p, threads_for(gemm_flops(m, n, k), kMinFlopsPerThread));
}

void sgemm_batched(const KernelTable& kt, bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                   float alpha, const float* a, int64_t lda, int64_t stride_a, const float* b, int64_t ldb,
                   int64_t stride_b, float beta, float* c, int64_t ldc, int64_t stride_c) {
  gemm_batched<float>(kt, trans_a, trans_b, batch, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc,
                      stride_c);
}

void dgemm_batched(const KernelTable& kt, bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                   double alpha, const double* a, int64_t lda, int64_t stride_a, const double* b, int64_t ldb,
                   int64_t stride_b, double beta, double* c, int64_t ldc, int64_t stride_c) {
  gemm_batched<double>(kt, trans_a, trans_b, batch, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc,
                       stride_c);
}

}  // namespace myelin
