// Elementwise kernels: the row-kernel contract shared by every ISA, and the strided drivers.
//
// A row kernel handles one run of n elements with element strides (0 = broadcast);
// contiguous runs (stride 1) and broadcast scalars (stride 0) take the vector paths.
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

// ReluGrad: a where b > 0 or b is NaN, else 0 (ReLU's backward from its output b and gradient a;
// torch's threshold_backward: b <= 0 ? 0 : a).
enum class BinaryOp : int { Add, Sub, Mul, Div, Maximum, Minimum, ReluGrad };
constexpr int kNumBinaryOps = 7;

// out[i*so] = a[i*sa] op b[i*sb] for i in [0, n), in float32 and in float64 (every operand of
// one dtype; each element rounded once, so every ISA gives the scalar path's bits).
using BinaryRowFn = void (*)(int64_t n, const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t so);
using BinaryRowF64Fn = void (*)(int64_t n, const double* a, int64_t sa, const double* b, int64_t sb, double* out,
                                int64_t so);

struct BinaryKernels {
  BinaryRowFn row[kNumBinaryOps];
  BinaryRowF64Fn row_f64[kNumBinaryOps];
};

void fill_binary_scalar(BinaryKernels* k);
void fill_binary_avx2(BinaryKernels* k);
void fill_binary_avx512(BinaryKernels* k);
void fill_binary_neon(BinaryKernels* k);

// Semantics of PyTorch float32: relu(NaN) = NaN, relu(-0) = -0, sign(NaN) = NaN,
// sign(+-0) = +0, rsqrt(x) = 1 / sqrt(x) (two roundings, like torch), log(0) = -inf.
enum class UnaryOp : int { Neg, Abs, Exp, Log, Sqrt, Rsqrt, Sin, Cos, Tanh, Sigmoid, Relu, Log1p, Expm1, Sign, Erf };
constexpr int kNumUnaryOps = 15;

// out[i*so] = op(x[i*sx]) for i in [0, n). Every element's value depends only on x[i*sx]
// (not on its position or the strides), so every layout gives the same bits.
// float64: the same semantics on doubles; every ISA gives the scalar path's bits (the exactly
// rounded ops vectorised, the transcendentals from libm's double functions element by element).
using UnaryRowFn = void (*)(int64_t n, const float* x, int64_t sx, float* out, int64_t so);
using UnaryRowF64Fn = void (*)(int64_t n, const double* x, int64_t sx, double* out, int64_t so);

struct UnaryKernels {
  UnaryRowFn row[kNumUnaryOps];
  UnaryRowF64Fn row_f64[kNumUnaryOps];
};

void fill_unary_scalar(UnaryKernels* k);
void fill_unary_avx2(UnaryKernels* k);
void fill_unary_avx512(UnaryKernels* k);
void fill_unary_neon(UnaryKernels* k);

// out = a op b over an n-d shape, every operand with its own strides (broadcast = stride 0).
// Threaded above a size threshold; each thread takes one contiguous range of elements.
void binary_strided(const KernelTable& k, BinaryOp op, int ndim, const int64_t* shape, float* out,
                    const int64_t* out_strides, const float* a, const int64_t* a_strides, const float* b,
                    const int64_t* b_strides);
void binary_strided(const KernelTable& k, BinaryOp op, int ndim, const int64_t* shape, double* out,
                    const int64_t* out_strides, const double* a, const int64_t* a_strides, const double* b,
                    const int64_t* b_strides);

// out = op(x) over an n-d shape (x may broadcast: stride 0). out may be exactly x (in place).
void unary_strided(const KernelTable& k, UnaryOp op, int ndim, const int64_t* shape, float* out,
                   const int64_t* out_strides, const float* x, const int64_t* x_strides);
void unary_strided(const KernelTable& k, UnaryOp op, int ndim, const int64_t* shape, double* out,
                   const int64_t* out_strides, const double* x, const int64_t* x_strides);

}  // namespace myelin
