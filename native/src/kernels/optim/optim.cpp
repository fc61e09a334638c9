// Drivers of the fused optimizer steps: derive the float32 (or float64) constants from the hyper-parameters
// the way PyTorch does (in double, rounded once), then split the elements across threads.
#include "kernels/optim/optim.h"

#include <cmath>

#include "kernels/common/no_fp_contract.h"  // the derived scalars round as PyTorch's Python arithmetic
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin {

namespace {

// Below this many elements per thread, waking a worker costs more than it saves (an Adam step
// moves 28 bytes an element).
constexpr int64_t kOptimGrain = 1 << 14;

template <class Row, class Fn>
void run_rows(int64_t n, Fn fn, const Row& row) {
  parallel_for(n, kOptimGrain, [&](int64_t begin, int64_t end) { fn(row, begin, end); });
}

template <class T>
T sign_of(bool maximize) {
  return maximize ? T(-1) : T(1);
}

// The row kernels of T's width.
const OptimRows<float>& rows_of(const OptimKernels& k, float*) { return k.f32; }
const OptimRows<double>& rows_of(const OptimKernels& k, double*) { return k.f64; }

}  // namespace

template <class T>
void sgd_step(const KernelTable& k, int64_t n, T* param, const T* grad, T* momentum_buf, const SgdHyper& h) {
  SgdRow<T> r{};
  r.param = param;
  r.grad = grad;
  r.momentum_buf = momentum_buf;
  r.sign = sign_of<T>(h.maximize);
  r.weight_decay = static_cast<T>(h.weight_decay);
  r.momentum = static_cast<T>(h.momentum);
  r.one_minus_dampening = static_cast<T>(1.0 - h.dampening);
  r.neg_lr = static_cast<T>(-h.lr);
  r.has_weight_decay = h.weight_decay != 0;
  r.has_momentum = h.momentum != 0;
  r.nesterov = h.nesterov;
  r.first_step = h.first_step;
  run_rows(n, rows_of(k.optim, param).sgd, r);
}

template <class T>
void adam_step(const KernelTable& k, int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T* max_exp_avg_sq,
               const AdamHyper& h) {
  // PyTorch: step = step_t.item(); bias_correction = 1 - beta ** step (Python floats).
  const double step = static_cast<double>(h.step);
  const double bias_correction1 = 1.0 - std::pow(h.beta1, step);
  const double bias_correction2 = 1.0 - std::pow(h.beta2, step);
  AdamRow<T> r{};
  r.param = param;
  r.grad = grad;
  r.exp_avg = exp_avg;
  r.exp_avg_sq = exp_avg_sq;
  r.max_exp_avg_sq = max_exp_avg_sq;
  r.sign = sign_of<T>(h.maximize);
  r.has_weight_decay = !h.decoupled && h.weight_decay != 0;
  r.weight_decay = static_cast<T>(h.weight_decay);
  r.decay = h.decoupled ? static_cast<T>(1.0 - h.lr * h.weight_decay) : T(1);
  r.beta1 = static_cast<T>(h.beta1);
  r.one_minus_beta1 = static_cast<T>(1.0 - h.beta1);
  r.beta2 = static_cast<T>(h.beta2);
  r.one_minus_beta2 = static_cast<T>(1.0 - h.beta2);
  r.bias_correction2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  r.eps = static_cast<T>(h.eps);
  r.neg_step_size = static_cast<T>(-(h.lr / bias_correction1));
  r.amsgrad = h.amsgrad;
  run_rows(n, rows_of(k.optim, param).adam, r);
}

template <class T>
void rmsprop_step(const KernelTable& k, int64_t n, T* param, const T* grad, T* square_avg, T* momentum_buf, T* grad_avg,
                  const RmspropHyper& h) {
  RmspropRow<T> r{};
  r.param = param;
  r.grad = grad;
  r.square_avg = square_avg;
  r.momentum_buf = momentum_buf;
  r.grad_avg = grad_avg;
  r.sign = sign_of<T>(h.maximize);
  r.weight_decay = static_cast<T>(h.weight_decay);
  r.alpha = static_cast<T>(h.alpha);
  r.one_minus_alpha = static_cast<T>(1.0 - h.alpha);
  r.eps = static_cast<T>(h.eps);
  r.momentum = static_cast<T>(h.momentum);
  r.neg_lr = static_cast<T>(-h.lr);
  r.has_weight_decay = h.weight_decay != 0;
  r.has_momentum = h.momentum > 0;
  r.centered = h.centered;
  run_rows(n, rows_of(k.optim, param).rmsprop, r);
}

template <class T>
void adagrad_step(const KernelTable& k, int64_t n, T* param, const T* grad, T* state_sum, const AdagradHyper& h) {
  const double clr = h.lr / (1.0 + static_cast<double>(h.step - 1) * h.lr_decay);
  AdagradRow<T> r{};
  r.param = param;
  r.grad = grad;
  r.state_sum = state_sum;
  r.sign = sign_of<T>(h.maximize);
  r.weight_decay = static_cast<T>(h.weight_decay);
  r.eps = static_cast<T>(h.eps);
  r.neg_clr = static_cast<T>(-clr);
  r.has_weight_decay = h.weight_decay != 0;
  run_rows(n, rows_of(k.optim, param).adagrad, r);
}

#define MYELIN_OPTIM_STEPS(T)                                                                                \
  template void sgd_step<T>(const KernelTable&, int64_t, T*, const T*, T*, const SgdHyper&);                 \
  template void adam_step<T>(const KernelTable&, int64_t, T*, const T*, T*, T*, T*, const AdamHyper&);       \
  template void rmsprop_step<T>(const KernelTable&, int64_t, T*, const T*, T*, T*, T*, const RmspropHyper&); \
  template void adagrad_step<T>(const KernelTable&, int64_t, T*, const T*, T*, const AdagradHyper&);
MYELIN_OPTIM_STEPS(float)
MYELIN_OPTIM_STEPS(double)
#undef MYELIN_OPTIM_STEPS

}  // namespace myelin
