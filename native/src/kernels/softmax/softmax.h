// Softmax family over contiguous rows: softmax, log-softmax, log-sum-exp, their backwards, and
// cross-entropy from logits. The op layer moves the softmax dim last (rows are contiguous).
//
// Each row is short enough to stay in L1 (a 1000-class row is 4 KB), so the kernels read a row
// from memory once (a max pass), then work on it from cache: exp-sum(-store), then scale. This
// keeps one exp per element where an online (running-max) single pass would pay two.
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

// The row kernels of one element type T (float or double).
template <class T>
struct SoftmaxRows {
  // y = softmax(x) / log_softmax(x) over one row of n.
  void (*softmax)(int64_t n, const T* x, T* y);
  void (*log_softmax)(int64_t n, const T* x, T* y);
  // log(sum(exp(x))) of one row (max-shifted, so no overflow); -inf for n == 0.
  T (*logsumexp)(int64_t n, const T* x);
  // softmax backward from the output: dx = y * (dy - sum(dy * y)).
  void (*softmax_backward)(int64_t n, const T* y, const T* dy, T* dx);
  // log-softmax backward from the output: dx = dy - exp(y) * sum(dy).
  void (*log_softmax_backward)(int64_t n, const T* y, const T* dy, T* dx);
  // softmax and log_softmax of `rows` contiguous rows for an output too large to stay in cache
  // (the driver decides): the same bits, written with non-temporal stores. Null where the ISA has
  // none (scalar, NEON): the driver calls the plain ones.
  void (*softmax_stream)(int64_t rows, int64_t n, const T* x, T* y);
  void (*log_softmax_stream)(int64_t rows, int64_t n, const T* x, T* y);
};

struct SoftmaxKernels {
  SoftmaxRows<float> f32;
  SoftmaxRows<double> f64;
};

void fill_softmax_scalar(SoftmaxKernels* k);
void fill_softmax_avx2(SoftmaxKernels* k);
void fill_softmax_avx512(SoftmaxKernels* k);
void fill_softmax_neon(SoftmaxKernels* k);

enum class SoftmaxOp : int { Softmax, LogSoftmax, SoftmaxBackward, LogSoftmaxBackward };

// Row-parallel drivers over `rows` contiguous rows of n; T is float or double.
template <class T>
void softmax_rows(const KernelTable& k, SoftmaxOp op, int64_t rows, int64_t n, const T* x, const T* dy, T* out);
template <class T>
void logsumexp_rows(const KernelTable& k, int64_t rows, int64_t n, const T* x, T* out);

// Cross-entropy of logits [rows, classes] against class indices (targets != nullptr) or class
// probabilities (probs != nullptr, [rows, classes]). weight: per-class weights or nullptr.
// Per row: loss_i = (1-s) * w[t] * (lse - x[t]) + s/C * sum_c w[c] * (lse - x[c]) for indices
// (0 where t == ignore_index), sum_c w[c] * q[c] * (lse - x[c]) with q = (1-s) p + s/C for
// probabilities. Writes losses[i], lse[i] and weight_of_target[i] (w[t], 0 when ignored; 1
// for probabilities) for the op layer's reduction.
struct CrossEntropyArgs {
  int64_t rows;
  int64_t classes;
  const float* logits;
  const int32_t* targets;
  const float* probs;
  const float* weight;
  int64_t ignore_index;
  float label_smoothing;
};
void cross_entropy_forward(const KernelTable& k, const CrossEntropyArgs& a, float* losses, float* lse,
                           float* target_weight);
// dx = d(sum_i grad_rows[i] * loss_i)/d logits.
void cross_entropy_backward(const KernelTable& k, const CrossEntropyArgs& a, const float* grad_rows, float* dx);

}  // namespace myelin
