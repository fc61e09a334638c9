// Reductions: the row/column kernel contract shared by every ISA, and the strided drivers.
//
// Two kernel shapes cover every layout the driver meets:
//   row:  one run of n elements -> one value       (the reduced axis is the innermost in x)
//   cols: a rows x cols block -> cols values       (a kept axis is the innermost in x: whole
//                                                   rows are accumulated into the output)
// Sums are pairwise over blocks, so their error grows with log(n), not n.
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

enum class ReduceOp : int { Sum, Mean, Max, Min, Prod };
constexpr int kNumReduceOps = 5;

enum class ArgReduceOp : int { Argmax, Argmin };
constexpr int kNumArgReduceOps = 2;

// op over x[i*stride], i in [0, n), n >= 1. Mean's slot holds the sum kernel.
// max/min return NaN when any element is NaN.
using ReduceRowFn = float (*)(int64_t n, const float* x, int64_t stride);

// acc[j] = op over r in [0, rows) of x[r*row_stride + j*col_stride], for j in [0, cols);
// rows >= 1. With accumulate, acc[j] = op(acc[j], that) instead.
using ReduceColsFn = void (*)(int64_t rows, int64_t cols, const float* x, int64_t row_stride, int64_t col_stride,
                              float* acc, bool accumulate);
// The same two kernels on doubles (float64 tensors), summed pairwise in the same blocks.
using ReduceRowF64Fn = double (*)(int64_t n, const double* x, int64_t stride);
using ReduceColsF64Fn = void (*)(int64_t rows, int64_t cols, const double* x, int64_t row_stride, int64_t col_stride,
                                 double* acc, bool accumulate);

// Index of the first extreme of x[i*stride], i in [0, n), n >= 1 (the first NaN, if any).
using ArgRowFn = int64_t (*)(int64_t n, const float* x, int64_t stride);

// For each column j in [0, cols): best[j], index[j] = the first extreme over the rows (the
// first NaN, if any), index counted from 0; rows >= 1, rows < 2^31.
using ArgColsFn = void (*)(int64_t rows, int64_t cols, const float* x, int64_t row_stride, int64_t col_stride,
                           float* best, int32_t* index);

struct ReduceKernels {
  ReduceRowFn row[kNumReduceOps];
  ReduceColsFn cols[kNumReduceOps];
  ReduceRowF64Fn row_f64[kNumReduceOps];
  ReduceColsF64Fn cols_f64[kNumReduceOps];
  ArgRowFn arg_row[kNumArgReduceOps];
  ArgColsFn arg_cols[kNumArgReduceOps];
};

void fill_reduce_scalar(ReduceKernels* k);
void fill_reduce_avx2(ReduceKernels* k);
void fill_reduce_avx512(ReduceKernels* k);
void fill_reduce_neon(ReduceKernels* k);

// out = op of x over the axes flagged in `reduced` (ndim flags). out receives the kept dims in
// row-major order, contiguous. An empty reduction yields 0 (sum), NaN (mean), 1 (prod); the
// caller must reject one for max/min (this fills NaN). Threaded above a size threshold;
// deterministic for a fixed thread count.
void reduce_strided(const KernelTable& k, ReduceOp op, int ndim, const int64_t* shape, const float* x,
                    const int64_t* x_strides, const bool* reduced, float* out);
void reduce_strided(const KernelTable& k, ReduceOp op, int ndim, const int64_t* shape, const double* x,
                    const int64_t* x_strides, const bool* reduced, double* out);

// argmax/argmin of x along `axis` (shape[axis] >= 1, < 2^31): indices (and values, unless
// null) receive the kept dims in row-major order, contiguous.
void arg_reduce_strided(const KernelTable& k, ArgReduceOp op, int ndim, const int64_t* shape, const float* x,
                        const int64_t* x_strides, int axis, float* values, int32_t* indices);

}  // namespace myelin
