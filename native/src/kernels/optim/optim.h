// Fused optimizer steps: each updates one parameter and its state buffers in one pass over
// memory. The update formulas are PyTorch 1.13's single-tensor (non-foreach, non-fused) ones,
// op for op in float32: every tensor op PyTorch runs rounds once, and where its CPU kernels
// fuse a multiply-add (add with alpha, addcmul) the kernels here use an FMA too. Every ISA
// computes the same bits (no other contraction; sqrt and division are correctly rounded), and
// every element is computed alone, so results do not depend on the thread count either.
// float64 parameters run the same formulas in double (PyTorch's double kernels fuse the same
// multiply-adds).
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

// ---- Hyper-parameters, as the caller holds them (doubles, like PyTorch's Python floats).
// Scalars that PyTorch derives in double (1 - beta, lr / bias_correction ...) are derived in
// double here too, and rounded to float32 once, where PyTorch hands them to a float32 op (kept
// as they are for a float64 parameter).

// SGD. momentum_buf is used when momentum != 0; on the first step it is set to the gradient
// (after maximize and weight decay), afterwards buf = momentum*buf + (1-dampening)*grad.
struct SgdHyper {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first_step;
};

// Adam (decoupled = false: L2 weight decay added to the gradient) and AdamW (decoupled = true:
// param *= 1 - lr*weight_decay). step is the step count including this update (>= 1); the
// bias corrections 1 - beta^step are computed from it. max_exp_avg_sq is used when amsgrad.
struct AdamHyper {
  double lr, beta1, beta2, eps, weight_decay;
  int64_t step;
  bool decoupled, amsgrad, maximize;
};

// RMSprop. momentum_buf is used when momentum > 0, grad_avg when centered (both start at 0).
struct RmspropHyper {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};

// Adagrad. step (>= 1, including this update) gives clr = lr / (1 + (step-1)*lr_decay). The
// initial accumulator value is the caller's: state_sum starts filled with it.
struct AdagradHyper {
  double lr, lr_decay, weight_decay, eps;
  int64_t step;
  bool maximize;
};

// ---- What a row kernel gets: the buffers (of the parameter's element type T, float or double)
// and the constants in T. A row kernel updates elements [begin, end) of every buffer.

template <class T>
struct SgdRow {
  T* param;
  const T* grad;
  T* momentum_buf;
  T sign;                 // -1 when maximizing, else 1 (negation is exact)
  T weight_decay;         // T(weight_decay)
  T momentum;             // T(momentum)
  T one_minus_dampening;  // T(1 - dampening)
  T neg_lr;               // T(-lr)
  bool has_weight_decay, has_momentum, nesterov, first_step;
};

template <class T>
struct AdamRow {
  T* param;
  const T* grad;
  T* exp_avg;
  T* exp_avg_sq;
  T* max_exp_avg_sq;
  T sign;
  T weight_decay;            // L2 (Adam) only
  T decay;                   // T(1 - lr*weight_decay) for AdamW, else 1
  T beta1, one_minus_beta1;  // T(beta1), T(1 - beta1)
  T beta2, one_minus_beta2;
  T bias_correction2_sqrt;  // T(sqrt(1 - beta2^step))
  T eps;
  T neg_step_size;  // T(-(lr / (1 - beta1^step)))
  bool has_weight_decay, amsgrad;
};

template <class T>
struct RmspropRow {
  T* param;
  const T* grad;
  T* square_avg;
  T* momentum_buf;
  T* grad_avg;
  T sign;
  T weight_decay;
  T alpha, one_minus_alpha;
  T eps;
  T momentum;
  T neg_lr;
  bool has_weight_decay, has_momentum, centered;
};

template <class T>
struct AdagradRow {
  T* param;
  const T* grad;
  T* state_sum;
  T sign;
  T weight_decay;
  T eps;
  T neg_clr;  // T(-(lr / (1 + (step-1)*lr_decay)))
  bool has_weight_decay;
};

// The row kernels of one element type.
template <class T>
struct OptimRows {
  void (*sgd)(const SgdRow<T>& r, int64_t begin, int64_t end);
  void (*adam)(const AdamRow<T>& r, int64_t begin, int64_t end);
  void (*rmsprop)(const RmspropRow<T>& r, int64_t begin, int64_t end);
  void (*adagrad)(const AdagradRow<T>& r, int64_t begin, int64_t end);
};

// float32 and float64 parameters: the same formulas (optim_rows.inl), compiled for each.
struct OptimKernels {
  OptimRows<float> f32;
  OptimRows<double> f64;
};

void fill_optim_scalar(OptimKernels* k);
void fill_optim_avx2(OptimKernels* k);
void fill_optim_avx512(OptimKernels* k);
void fill_optim_neon(OptimKernels* k);

// ---- Drivers: one step over a parameter of n contiguous elements of T (float or double),
// threaded above a size threshold. Buffers must not overlap; unused state buffers may be null.
// The caller has checked the hyper-parameters (finite, in range).
template <class T>
void sgd_step(const KernelTable& k, int64_t n, T* param, const T* grad, T* momentum_buf, const SgdHyper& h);
template <class T>
void adam_step(const KernelTable& k, int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T* max_exp_avg_sq,
               const AdamHyper& h);
template <class T>
void rmsprop_step(const KernelTable& k, int64_t n, T* param, const T* grad, T* square_avg, T* momentum_buf, T* grad_avg,
                  const RmspropHyper& h);
template <class T>
void adagrad_step(const KernelTable& k, int64_t n, T* param, const T* grad, T* state_sum, const AdagradHyper& h);

}  // namespace myelin
