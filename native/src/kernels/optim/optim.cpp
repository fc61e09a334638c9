// Drivers of the fused optimizer steps: derive the float32 constants from the hyper-parameters
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

float sign_of(bool maximize) { return maximize ? -1.0f : 1.0f; }

}  // namespace

void sgd_step(const KernelTable& k, int64_t n, float* param, const float* grad, float* momentum_buf,
              const SgdHyper& h) {
  SgdRow r{};
  r.param = param;
  r.grad = grad;
  r.momentum_buf = momentum_buf;
  r.sign = sign_of(h.maximize);
  r.weight_decay = static_cast<float>(h.weight_decay);
  r.momentum = static_cast<float>(h.momentum);
  r.one_minus_dampening = static_cast<float>(1.0 - h.dampening);
  r.neg_lr = static_cast<float>(-h.lr);
  r.has_weight_decay = h.weight_decay != 0;
  r.has_momentum = h.momentum != 0;
  r.nesterov = h.nesterov;
  r.first_step = h.first_step;
  run_rows(n, k.optim.sgd, r);
}

void adam_step(const KernelTable& k, int64_t n, float* param, const float* grad, float* exp_avg, float* exp_avg_sq,
               float* max_exp_avg_sq, const AdamHyper& h) {
  // PyTorch: step = step_t.item(); bias_correction = 1 - beta ** step (Python floats).
  const double step = static_cast<double>(h.step);
  const double bias_correction1 = 1.0 - std::pow(h.beta1, step);
  const double bias_correction2 = 1.0 - std::pow(h.beta2, step);
  AdamRow r{};
  r.param = param;
  r.grad = grad;
  r.exp_avg = exp_avg;
  r.exp_avg_sq = exp_avg_sq;
  r.max_exp_avg_sq = max_exp_avg_sq;
  r.sign = sign_of(h.maximize);
  r.has_weight_decay = !h.decoupled && h.weight_decay != 0;
  r.weight_decay = static_cast<float>(h.weight_decay);
  r.decay = h.decoupled ? static_cast<float>(1.0 - h.lr * h.weight_decay) : 1.0f;
  r.beta1 = static_cast<float>(h.beta1);
  r.one_minus_beta1 = static_cast<float>(1.0 - h.beta1);
  r.beta2 = static_cast<float>(h.beta2);
  r.one_minus_beta2 = static_cast<float>(1.0 - h.beta2);
  r.bias_correction2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  r.eps = static_cast<float>(h.eps);
  r.neg_step_size = static_cast<float>(-(h.lr / bias_correction1));
  r.amsgrad = h.amsgrad;
  run_rows(n, k.optim.adam, r);
}

void rmsprop_step(const KernelTable& k, int64_t n, float* param, const float* grad, float* square_avg,
                  float* momentum_buf, float* grad_avg, const RmspropHyper& h) {
  RmspropRow r{};
  r.param = param;
  r.grad = grad;
  r.square_avg = square_avg;
  r.momentum_buf = momentum_buf;
  r.grad_avg = grad_avg;
  r.sign = sign_of(h.maximize);
  r.weight_decay = static_cast<float>(h.weight_decay);
  r.alpha = static_cast<float>(h.alpha);
  r.one_minus_alpha = static_cast<float>(1.0 - h.alpha);
  r.eps = static_cast<float>(h.eps);
  r.momentum = static_cast<float>(h.momentum);
  r.neg_lr = static_cast<float>(-h.lr);
  r.has_weight_decay = h.weight_decay != 0;
  r.has_momentum = h.momentum > 0;
  r.centered = h.centered;
  run_rows(n, k.optim.rmsprop, r);
}

void adagrad_step(const KernelTable& k, int64_t n, float* param, const float* grad, float* state_sum,
                  const AdagradHyper& h) {
  const double clr = h.lr / (1.0 + static_cast<double>(h.step - 1) * h.lr_decay);
  AdagradRow r{};
  r.param = param;
  r.grad = grad;
  r.state_sum = state_sum;
  r.sign = sign_of(h.maximize);
  r.weight_decay = static_cast<float>(h.weight_decay);
  r.eps = static_cast<float>(h.eps);
  r.neg_clr = static_cast<float>(-clr);
  r.has_weight_decay = h.weight_decay != 0;
  run_rows(n, k.optim.adagrad, r);
}

}  // namespace myelin
