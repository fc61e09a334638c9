// Reduced-precision GEMMs: bf16 x bf16 with fp32 accumulation, and u8 x s8 with int32
// accumulation. The same BLIS structure as the fp32 GEMM (packing into micro-panels, a register
// tile, MC/NC blocks, threads on a grid of C blocks), with one difference: a microkernel call
// runs the whole k dimension, so its output pass sees final sums and can convert them (round to
// bf16, dequantize, requantize) while they are still in registers. Packed panels are 2x (bf16)
// or 4x (int8) smaller than fp32 ones, so a whole-k panel costs the caches what a kc = 512 fp32
// panel does up to k = 1024 (bf16) or 2048 (int8); past that NC shrinks to keep the packed B
// block in L2.
//
// AVX2 without VNNI has an int8 kernel of its own (vpmaddubsw + vpmaddwd, see ukernel_7bit).
// Where the CPU lacks the dot-product instructions (the table's kernels have no ukernel), both
// GEMMs run on the fp32 GEMM of the same table: operands are converted to fp32 (bf16 values
// are exact in fp32; so are u8 and s8), multiplied by sgemm, and the output pass applied after.
// The int8 GEMM is exact there too: it multiplies k in chunks of at most 512, whose sums of
// products (|u8 * s8| <= 32640) stay below 2^24, where every fp32 sum of integers is exact.
#pragma once
#include <cstdint>

#include "kernels/convert/convert.h"

namespace myelin {

struct KernelTable;

// Element types the reduced-precision GEMMs read and write.
enum class LowpType : int { F32 = 0, Bf16 = 1, S32 = 2, U8 = 3, S8 = 4 };

// The output pass, applied to each element's accumulator acc (the fp32 sum of bf16 products, or
// the int32 sum of u8 x s8 products) of C[i][j]:
//   bf16 GEMM:  v = alpha * acc, plus beta * C[i][j] when the output is F32 and beta != 0
//               (beta = 0 does not read C).
//   int8 GEMM:  raw = acc + col_offset[j] - row_sum[i] * b_zero[j] (int32, wrapping; the
//               driver fills these from the zero points), then
//               S32 output: raw;  F32 / U8 output: v = float(raw) * col_scale[j].
//   both:       v += row_bias[i], then v += col_bias[j] (where non-null); then
//               F32: v;  Bf16: v rounded to nearest even (NaN -> 0xffff, as PyTorch's
//               vectorised conversion);  U8: clamp(nearbyint(v * out_inv_scale) + out_zero,
//               0, 255) (NaN -> 0).
// Multiplications and additions are separate roundings (no FMA), so every ISA gives the same
// bits for the same sums.
struct LowpOutput {
  LowpType type = LowpType::F32;
  void* c = nullptr;  // C[i][j] at c + i * ldc + j elements of `type`
  int64_t ldc = 0;
  float alpha = 1.0f, beta = 0.0f;
  const float* row_bias = nullptr;
  const float* col_bias = nullptr;
  // int8 GEMM only.
  const float* col_scale = nullptr;
  const int32_t* col_offset = nullptr;
  const int32_t* row_sum = nullptr;
  const int32_t* b_zero = nullptr;
  float out_inv_scale = 1.0f;
  int32_t out_zero = 0;
};

// Packs rows [0, mn) of op(X) (element (r, p) at x[r * rs + p * cs], of `type`) into
// ceil(mn / R) micro-panels of the kernel's layout (R = MR for A, NR for B; rows past mn and k
// past the end zero-filled). For A, r is a row of op(A); for B, a column of op(B).
using LowpPackFn = void (*)(int64_t mn, int64_t k, const void* x, LowpType type, int64_t rs, int64_t cs, void* out);
// The A packing likewise; it returns whether every packed value fits in 7 bits (u8 A: every
// byte below 128), the condition of ukernel_7bit (false where the kernel does not track it).
using LowpPackAFn = bool (*)(int64_t mn, int64_t k, const void* x, LowpType type, int64_t rs, int64_t cs, void* out);
// The output pass on the mr x nr tile at C[i0.., j0..] of the products of one packed A
// micro-panel and one packed B micro-panel over the whole k.
using LowpUkernelFn = void (*)(int64_t k, const void* a, const void* b, const LowpOutput& out, int64_t i0, int64_t j0,
                               int mr, int nr);

struct GemmLowpKernels {
  // dtype, tile and ISA ("bf16gemm_ukernel_6x64__avx512bf16"), or "via fp32 sgemm" where the
  // ISA has no kernel of its own (ukernel null).
  const char* name;
  int mr, nr;   // register tile
  int mc, nc;   // cache blocks (nc shrinks for long k, see above)
  int k_unit;   // packed k is padded to a multiple of this (the dot product's depth)
  int a_bytes;  // bytes of the packed A block per element (mr rows x padded k)
  int b_bytes;  // likewise for B
  LowpPackAFn pack_a;
  LowpPackFn pack_b;
  LowpUkernelFn ukernel;  // exact on every input
  // u8 x s8 only, or null: a faster kernel exact only where pack_a reported 7-bit A (AVX2's
  // vpmaddubsw sums two u8 x s8 products in int16 with saturation: |2 x 127 x -128| < 2^15, but
  // 2 x 255 x -128 clips). The driver picks it per packed A block.
  LowpUkernelFn ukernel_7bit;
};

// Kernels the ISAs without dot-product instructions use: none (the drivers go through sgemm).
void fill_gemm_lowp_via_f32(GemmLowpKernels* bf16, GemmLowpKernels* s8);
void fill_gemm_bf16_avx512bf16(GemmLowpKernels* k);
void fill_gemm_s8_avx512vnni(GemmLowpKernels* k);
void fill_gemm_s8_avx2vnni(GemmLowpKernels* k);
void fill_gemm_s8_avx2(GemmLowpKernels* k);

// An operand of a reduced-precision GEMM: op(X) is rows x cols; X stored row-major with leading
// dimension ld (rows x cols, or cols x rows when trans), `batch_stride` elements between the
// matrices of a batch (0 broadcasts one matrix).
struct LowpOperand {
  const void* data;
  LowpType type;
  int64_t ld;
  bool trans;
  int64_t batch_stride;
};

// C = op(A) * op(B) for `batch` products with bf16 multiplications and fp32 sums: A and B are
// Bf16, or F32 rounded to bf16 (nearest even) as they are read; the output pass as above (C's
// matrices out.c + i * c_batch_stride; F32 or Bf16; beta only with F32). C must not overlap A
// or B. Threaded; deterministic for a fixed thread count.
void gemm_bf16(const KernelTable& kt, int64_t batch, int64_t m, int64_t n, int64_t k, const LowpOperand& a,
               const LowpOperand& b, const LowpOutput& out, int64_t c_batch_stride);

// C = (op(A) - a_zero) * (op(B) - b_zero) with A U8 (m x k) and B S8 (k x n), summed exactly in
// int32 (wrapping past 2^31, as every int32 GEMM), then the output pass (S32, F32 or U8). a_zero
// is one zero point for A; b_zero (n entries, or null for zeros) one per column of op(B). The
// driver fills out's col_offset / row_sum / b_zero itself (leave them null).
// b_packed, when not null (and 4-byte aligned: its panels are read as 32-bit words), is
// gemm_u8s8_pack_b's packing of this op(B) for kt (the caller checks
// it with gemm_u8s8_packed_b_fits): its column sums and micro-panels are used instead of being
// computed again (a layer's weight, packed once for all its products); the same sums, so the
// same bits. b is still read where the table has no kernel (the path through sgemm).
void gemm_u8s8(const KernelTable& kt, int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, int32_t a_zero,
               const int8_t* b, int64_t ldb, bool trans_b, const int32_t* b_zero, const LowpOutput& out,
               const void* b_packed = nullptr);

// op(B) of a u8 x s8 GEMM (k x n, S8) packed once for many products: a 64-byte header naming the
// layout (the table's kernel name, nr, k_unit) and n and k, each column's sum (n int32, 64 bytes
// rounded), then op(B)'s micro-panels as the table's pack_b writes them (none where the table
// has no kernel). The layout is the table's: a packing is refused by another table (an other
// MYELIN_ISA cap or setIsaForTesting), and is packed again there.
int64_t gemm_u8s8_packed_b_bytes(const KernelTable& kt, int64_t n, int64_t k);
// Writes gemm_u8s8_packed_b_bytes(kt, n, k) bytes at out (any alignment).
void gemm_u8s8_pack_b(const KernelTable& kt, int64_t n, int64_t k, const int8_t* b, int64_t ldb, bool trans_b,
                      void* out);
// Whether the `bytes` at packed are a packing by gemm_u8s8_pack_b for kt, n and k.
bool gemm_u8s8_packed_b_fits(const KernelTable& kt, int64_t n, int64_t k, const void* packed, int64_t bytes);

// The output pass on one element (the reference every kernel matches; the fallbacks use it).
float lowp_f32_value(const LowpOutput& o, float v, int64_t i, int64_t j);
void lowp_store_f32(const LowpOutput& o, int64_t i, int64_t j, float acc);
void lowp_store_s32(const LowpOutput& o, int64_t i, int64_t j, int32_t acc);

}  // namespace myelin
