// Normalisation: batch norm, layer norm and group norm, forward and backward.
//
// Per-ISA row kernels work on one contiguous run of floats; the drivers (norm.cpp) walk the
// shapes and split the work across threads. Statistics are two-pass (the mean, then the sum
// of squared deviations from it, as PyTorch's CPU kernels do); each sum is taken in float
// lanes over chunks of at most kNormChunk elements and the chunks are added in double, so
// long rows stay accurate (256: a float lane then adds at most 32 terms before they reach double,
// which keeps cancelling sums such as the weight gradient within 2e-5 of the scalar kernels,
// whose element loops work in double throughout).
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

constexpr int64_t kNormChunk = 256;

// The row kernels of one element type T (T or double); sums are returned in double.
template <class T>
struct NormRows {
  // sum(x)
  double (*sum)(int64_t n, const T* x);
  // sum((x - mean)^2)
  double (*sum_sq_dev)(int64_t n, const T* x, T mean);
  // y = (x - mean) * scale + shift
  void (*scale_shift)(int64_t n, const T* x, T mean, T scale, T shift, T* y);
  // *sum_g = sum(g), *sum_gx = sum(g * (x - mean))
  void (*grad_sums)(int64_t n, const T* g, const T* x, T mean, double* sum_g, double* sum_gx);
  // dx = a * g + b * (x - mean) + c
  void (*grad_combine)(int64_t n, const T* g, const T* x, T mean, T a, T b, T c, T* dx);
  // Layer norm over a row with per-element affine (w, b may be null):
  // y = (x - mean) * invstd * w + b
  void (*affine_row)(int64_t n, const T* x, T mean, T invstd, const T* w, const T* b, T* y);
  // gw = g * w (g when w is null), xhat = (x - mean) * invstd:
  // *sum_gw = sum(gw), *sum_gw_xhat = sum(gw * xhat); and, when dw_acc / db_acc are non-null
  // (both or neither), dw_acc += g * xhat, db_acc += g.
  void (*affine_grad_sums)(int64_t n, const T* g, const T* x, const T* w, T mean, T invstd, double* sum_gw,
                           double* sum_gw_xhat, T* dw_acc, T* db_acc);
  // dx = invstd * (gw - a - xhat * b)
  void (*affine_backward_row)(int64_t n, const T* g, const T* x, const T* w, T mean, T invstd, T a, T b, T* dx);
};

struct NormKernels {
  NormRows<float> f32;
  NormRows<double> f64;
};

void fill_norm_scalar(NormKernels* k);
void fill_norm_avx2(NormKernels* k);
void fill_norm_avx512(NormKernels* k);
void fill_norm_neon(NormKernels* k);

// Batch norm over x [n, c, s] (s = the product of the spatial dims, 1 for [N, C]).
struct BatchNormForwardArgs {
  int64_t n, c, s;
  const float* x;
  const float* weight;  // [c] or null (1)
  const float* bias;    // [c] or null (0)
  // Training: normalise with the batch statistics (biased variance) and, when running_mean /
  // running_var are non-null, update them in place with momentum (the variance unbiased), as
  // torch does. Eval: normalise with running_mean / running_var (required).
  bool training;
  float momentum;
  float eps;
  float* running_mean;
  float* running_var;
  float* save_mean;    // [c] out: the mean used
  float* save_invstd;  // [c] out: 1 / sqrt(var + eps) used
  float* y;            // [n, c, s] out
};
void batch_norm_forward(const KernelTable& k, const BatchNormForwardArgs& a);

struct BatchNormBackwardArgs {
  int64_t n, c, s;
  const float* x;
  const float* dy;
  const float* weight;  // or null
  const float* save_mean;
  const float* save_invstd;
  bool training;   // the forward used batch statistics (their gradient flows into dx)
  float* dx;       // [n, c, s] or null
  float* dweight;  // [c] or null
  float* dbias;    // [c] or null
};
void batch_norm_backward(const KernelTable& k, const BatchNormBackwardArgs& a);

// Layer norm over `rows` contiguous rows of d, per-element weight / bias [d] (or null); T is
// float or double.
template <class T>
void layer_norm_forward(const KernelTable& k, int64_t rows, int64_t d, const T* x, const T* weight, const T* bias,
                        T eps, T* mean, T* invstd, T* y);
template <class T>
void layer_norm_backward(const KernelTable& k, int64_t rows, int64_t d, const T* x, const T* dy, const T* weight,
                         const T* mean, const T* invstd, T* dx, T* dweight, T* dbias);

// Group norm over x [n, c, s] with `groups` groups of c / groups channels; per-channel
// weight / bias [c] (or null); mean / invstd [n, groups].
template <class T>
struct GroupNormArgs {
  int64_t n, c, s, groups;
  const T* x;
  const T* weight;
};
template <class T>
void group_norm_forward(const KernelTable& k, const GroupNormArgs<T>& a, const T* bias, T eps, T* mean, T* invstd,
                        T* y);
template <class T>
void group_norm_backward(const KernelTable& k, const GroupNormArgs<T>& a, const T* dy, const T* mean, const T* invstd,
                         T* dx, T* dweight, T* dbias);

}  // namespace myelin
