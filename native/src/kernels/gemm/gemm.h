// Single- and double-precision GEMM, BLIS style: the per-ISA pieces (packing, register-blocked
// microkernel, block sizes) and the driver that runs the five loops around them, written once
// over the element type T (float: sgemm, double: dgemm).
//
// Everything is row-major. op(A) is m x k, op(B) is k x n; a stored operand is addressed as
// element (row, col) at p[row * rs + col * cs], so a transposed operand is just swapped
// strides, and transposition happens while packing (never by copying a transposed matrix).
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

// Which micro-panel the two innermost loops keep in L1 (the other streams from L2):
//   AInL1: loop 2 walks MR-row A micro-panels, loop 1 the NR-column B micro-panels of a packed
//     B block (kc x nc) held in L2; the packed A block (mc x kc) lives in L3. (BLIS's order for
//     C^T = B^T A^T.) Suits wide tiles, whose B micro-panel is too big for L1.
//   BInL1: BLIS's own order: loop 2 walks B micro-panels (kc x NR, in L1), loop 1 the A
//     micro-panels of a packed A block (mc x kc) held in L2; the packed B block lives in L3.
enum class GemmLoops : int { AInL1, BInL1 };

template <class T>
struct GemmKernelsOf {
  const char* name;  // dtype, tile and ISA: "sgemm_ukernel_6x64__avx512"
  int mr, nr;        // register tile
  int kc, mc, nc;    // cache blocks (see the fill_gemm_* files for the reasoning)
  GemmLoops loops;
  // Small-matrix path: a thread's block of at most this many rows of C reads op(B) in place
  // (when its rows are contiguous) instead of packing it; 0 = always pack.
  int direct_b_max_rows;
  // Packs the mc x kc block of op(A) (element (i, p) at a[i * rs + p * cs]) into
  // ceil(mc / MR) micro-panels of kc * MR elements: panel r holds rows [r*MR, r*MR + MR)
  // k-major (out[r*MR*kc + p*MR + i]), rows past mc zero-filled.
  void (*pack_a)(int64_t mc, int64_t kc, const T* a, int64_t rs, int64_t cs, T* out);
  // Packs the kc x nc block of op(B) (element (p, j) at b[p * rs + j * cs]) into
  // ceil(nc / NR) micro-panels of kc * NR elements, k-major, columns past nc zero-filled.
  void (*pack_b)(int64_t kc, int64_t nc, const T* b, int64_t rs, int64_t cs, T* out);
  // The microkernel contract: C := beta*C + alpha*A*B on one mr x nr tile (mr <= MR, nr <= NR),
  // A a packed micro-panel (kc x MR, k-major), B kc rows of NR elements ldb apart (a packed
  // micro-panel: ldb = NR; or op(B) itself when its rows are contiguous: only nr columns are
  // read). beta = 0 overwrites C without reading it (NaN in C does not propagate).
  void (*ukernel)(int64_t kc, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta, int mr, int nr);
};

using GemmKernels = GemmKernelsOf<float>;
using DgemmKernels = GemmKernelsOf<double>;

void fill_gemm_scalar(GemmKernels* k);
void fill_gemm_avx2(GemmKernels* k);
void fill_gemm_avx512(GemmKernels* k);
void fill_gemm_neon(GemmKernels* k);
void fill_dgemm_scalar(DgemmKernels* k);
void fill_dgemm_avx2(DgemmKernels* k);
void fill_dgemm_avx512(DgemmKernels* k);
void fill_dgemm_neon(DgemmKernels* k);

// C := alpha * op(A) * op(B) + beta * C, with C m x n (row stride ldc), op(A) m x k (A stored
// m x k with row stride lda, or k x m when trans_a), op(B) k x n (B stored k x n, or n x k when
// trans_b). beta = 0 overwrites C. C must not overlap A or B. Threaded over the process pool;
// deterministic for a fixed thread count.
void sgemm(const KernelTable& kt, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// `batch` GEMMs: operand i at a + i*stride_a, b + i*stride_b, c + i*stride_c (a stride 0
// broadcasts A or B). The C matrices must not overlap one another.
void sgemm_batched(const KernelTable& kt, bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                   float alpha, const float* a, int64_t lda, int64_t stride_a, const float* b, int64_t ldb,
                   int64_t stride_b, float beta, float* c, int64_t ldc, int64_t stride_c);

// sgemm_batched in double (the table's dgemm kernels): every product and sum in double.
void dgemm_batched(const KernelTable& kt, bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                   double alpha, const double* a, int64_t lda, int64_t stride_a, const double* b, int64_t ldb,
                   int64_t stride_b, double beta, double* c, int64_t ldc, int64_t stride_c);

}  // namespace myelin
