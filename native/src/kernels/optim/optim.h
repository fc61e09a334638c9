// Fused optimizer steps: each updates one parameter and its state buffers in one pass over
// memory. The update formulas are PyTorch 1.13's single-tensor (non-foreach, non-fused) ones,
// op for op in float32: every tensor op PyTorch runs rounds once, and where its CPU kernels
// fuse a multiply-add (add with alpha, addcmul) the kernels here use an FMA too. Every ISA
// computes the same bits (no other contraction; sqrt and division are correctly rounded), and
// every element is computed alone, so results do not depend on the thread count either.
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

// ---- Hyper-parameters, as the caller holds them (doubles, like PyTorch's Python floats).
// Scalars that PyTorch derives in double (1 - beta, lr / bias_correction ...) are derived in
// double here too, and rounded to float32 once, where PyTorch hands them to a float32 op.

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

// ---- What a row kernel gets: the buffers and the float32 constants. A row kernel updates
// elements [begin, end) of every buffer.

struct SgdRow {
  float* param;
  const float* grad;
  float* momentum_buf;
  float sign;                 // -1 when maximizing, else 1 (negation is exact)
  float weight_decay;         // float(weight_decay)
  float momentum;             // float(momentum)
  float one_minus_dampening;  // float(1 - dampening)
  float neg_lr;               // float(-lr)
  bool has_weight_decay, has_momentum, nesterov, first_step;
};

struct AdamRow {
  float* param;
  const float* grad;
  float* exp_avg;
  float* exp_avg_sq;
  float* max_exp_avg_sq;
  float sign;
  float weight_decay;            // L2 (Adam) only
  float decay;                   // float(1 - lr*weight_decay) for AdamW, else 1
  float beta1, one_minus_beta1;  // float(beta1), float(1 - beta1)
  float beta2, one_minus_beta2;
  float bias_correction2_sqrt;  // float(sqrt(1 - beta2^step))
  float eps;
  float neg_step_size;  // float(-(lr / (1 - beta1^step)))
  bool has_weight_decay, amsgrad;
};

struct RmspropRow {
  float* param;
  const float* grad;
  float* square_avg;
  float* momentum_buf;
  float* grad_avg;
  float sign;
  float weight_decay;
  float alpha, one_minus_alpha;
  float eps;
  float momentum;
  float neg_lr;
  bool has_weight_decay, has_momentum, centered;
};

struct AdagradRow {
  float* param;
  const float* grad;
  float* state_sum;
  float sign;
  float weight_decay;
  float eps;
  float neg_clr;  // float(-(lr / (1 + (step-1)*lr_decay)))
  bool has_weight_decay;
};

using SgdRowFn = void (*)(const SgdRow& r, int64_t begin, int64_t end);
using AdamRowFn = void (*)(const AdamRow& r, int64_t begin, int64_t end);
using RmspropRowFn = void (*)(const RmspropRow& r, int64_t begin, int64_t end);
using AdagradRowFn = void (*)(const AdagradRow& r, int64_t begin, int64_t end);

struct OptimKernels {
  SgdRowFn sgd;
  AdamRowFn adam;
  RmspropRowFn rmsprop;
  AdagradRowFn adagrad;
};

void fill_optim_scalar(OptimKernels* k);
void fill_optim_avx2(OptimKernels* k);
void fill_optim_avx512(OptimKernels* k);
void fill_optim_neon(OptimKernels* k);

// ---- Drivers: one step over a parameter of n contiguous elements, threaded above a size
// threshold. Buffers must not overlap; unused state buffers may be null. The caller has
// checked the hyper-parameters (finite, in range).
void sgd_step(const KernelTable& k, int64_t n, float* param, const float* grad, float* momentum_buf, const SgdHyper& h);
void adam_step(const KernelTable& k, int64_t n, float* param, const float* grad, float* exp_avg, float* exp_avg_sq,
               float* max_exp_avg_sq, const AdamHyper& h);
void rmsprop_step(const KernelTable& k, int64_t n, float* param, const float* grad, float* square_avg,
                  float* momentum_buf, float* grad_avg, const RmspropHyper& h);
void adagrad_step(const KernelTable& k, int64_t n, float* param, const float* grad, float* state_sum,
                  const AdagradHyper& h);

}  // namespace myelin
