// int32 GEMM, exact modulo 2^32 as torch's CPU integer kernels: every product and every sum
// wraps. The arithmetic is done in uint32, where wrapping is defined (signed overflow is not),
// and gives the same bits as int32's two's-complement wrap.
//
// The fp32 GEMM's structure without its tuning: A and B packed into micro-panels (k-major),
// one register tile written once over a vector type (gemm_i32_tile.inl) and compiled in each
// ISA's file with that ISA's flags, so the multiplies are what the compiler makes of a vector
// of uint32 lanes there (vpmulld on AVX2 and AVX-512, mul on NEON), and threads on a grid of C
// blocks. The scalar file's tile is plain uint32 code (the reference the others must match).
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

// The register tile: C[0:mr, 0:nr] (rows ldc apart) = (C +, when accumulate) the product of a
// packed A micro-panel (kc x MR, element (i, p) at a[p * MR + i]) and a packed B micro-panel
// (kc x NR, element (p, j) at b[p * NR + j]), modulo 2^32. mr <= MR, nr <= NR.
using GemmI32UkernelFn = void (*)(int64_t kc, const uint32_t* a, const uint32_t* b, int32_t* c, int64_t ldc,
                                  bool accumulate, int mr, int nr);

struct GemmI32Kernels {
  const char* name;  // tile and ISA: "i32gemm_ukernel_6x32__avx512"
  int mr, nr;        // register tile
  GemmI32UkernelFn ukernel;
};

void fill_gemm_i32_scalar(GemmI32Kernels* k);
void fill_gemm_i32_avx2(GemmI32Kernels* k);
void fill_gemm_i32_avx512(GemmI32Kernels* k);
void fill_gemm_i32_neon(GemmI32Kernels* k);

// `batch` products C = op(A) * op(B), modulo 2^32: operand i at a + i * stride_a, b + i *
// stride_b, c + i * stride_c (a stride 0 broadcasts A or B). op(A) is m x k (A stored m x k with
// row stride lda, or k x m when trans_a), op(B) k x n likewise, C m x n with row stride ldc,
// overwritten (k = 0 gives zeros). C must not overlap A, B, or another product's C. Threaded
// over the process pool.
void gemm_i32(const KernelTable& kt, bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
              const int32_t* a, int64_t lda, int64_t stride_a, const int32_t* b, int64_t ldb, int64_t stride_b,
              int32_t* c, int64_t ldc, int64_t stride_c);

}  // namespace myelin
