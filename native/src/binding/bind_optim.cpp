// Fused optimizer steps over one parameter: checks, then the core's drivers.
// Every call takes the parameter, its gradient and its state buffers as contiguous
// Float32Arrays (or, for a float64 parameter, Float64Arrays) of one length, no two sharing memory, and the
// hyper-parameters as an options object (read first: a getter may run JS, which must not run after the pointers are
// taken).
#include <cmath>
#include <cstdio>
#include <string>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/optim/optim.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

constexpr double kInf = HUGE_VAL;
constexpr int64_t kMaxStep = 9007199254740991;  // 2^53 - 1

// The parameter (the first buffer read) and the buffers that go with it, all of element type T
// (float: Float32Arrays; double: Float64Arrays).
template <class T>
class Buffers {
 public:
  static constexpr const char* kArray = sizeof(T) == 4 ? "Float32Array" : "Float64Array";

  // Reads the parameter (argument 0, written by the step) and its gradient (argument 1).
  explicit Buffers(const Args& args) : args_(args) {
    param = required(0, "param");
    grad = required(1, "grad", false);
  }

  T* param;
  const T* grad;

  // An array of the parameter's type and length; `written` says whether the step writes it.
  T* required(size_t i, const char* name, bool written = true) {
    TypedArray<T> a = take(i, name);
    if (count_ > 0 && a.length != list_[0].array.length)
      args_.range_error(std::string(args_.fn()) + ": argument '" + name + "' has length " + std::to_string(a.length) +
                        " but '" + list_[0].name + "' has length " + std::to_string(list_[0].array.length) +
                        "; every buffer must have the parameter's length");
    list_[count_++] = {name, a, written};
    return a.data;
  }

  // null, or as `required`. When the step needs it (`needed`, explained by `when`), null is
  // refused; when it does not, the buffer is still checked but left untouched (nullptr).
  T* optional(size_t i, const char* name, bool needed, const char* when) {
    if (args_.is_null(i)) {
      if (needed)
        args_.type_error(std::string(args_.fn()) + ": argument '" + name + "' must be a " + kArray + " when " + when +
                         ", got null");
      return nullptr;
    }
    T* p = required(i, name);
    return needed ? p : nullptr;
  }

  int64_t length() const { return list_[0].array.length; }

  // Throws unless no two buffers share memory (one pass writes them all element by element).
  void check_disjoint() const {
    const std::vector<int64_t> shape = {length()};
    for (int a = 0; a < count_; ++a)
      for (int b = a + 1; b < count_; ++b) {
        const Entry& out = list_[a].written ? list_[a] : list_[b];
        const Entry& in = list_[a].written ? list_[b] : list_[a];
        binding::check_disjoint(args_, out.name, whole_view(out.array), shape, in.name, whole_view(in.array), shape);
      }
  }

 private:
  TypedArray<T> take(size_t i, const char* name) const { return args_.template floats<T>(i, name); }

  struct Entry {
    const char* name;
    TypedArray<T> array;
    bool written;
  };
  const Args& args_;
  Entry list_[5];
  int count_ = 0;
};

// The hyper-parameters of every step: lr, weightDecay (both >= 0) and maximize.
template <class Hyper>
void read_common(const Options& o, Hyper* h) {
  h->lr = o.number("lr", 0, kInf);
  h->weight_decay = o.number("weightDecay", 0, kInf);
  h->maximize = o.boolean("maximize");
}

template <class T>
void run_sgd(const Args& args, const SgdHyper& h) {
  Buffers<T> b(args);
  T* momentum_buf = b.optional(2, "momentumBuf", h.momentum != 0, "momentum is not 0");
  b.check_disjoint();
  ::myelin::sgd_step<T>(active_kernels(), b.length(), b.param, b.grad, momentum_buf, h);
}

// sgdStep(param, grad, momentumBuf | null,
//         {lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep})
Napi::Value sgd_step(const Napi::CallbackInfo& info) {
  Args args(info);
  const Options o = args.options(3, "options");
  SgdHyper h;
  read_common(o, &h);
  h.momentum = o.number("momentum", 0, kInf);
  h.dampening = o.number("dampening", -kInf, kInf);
  h.nesterov = o.boolean("nesterov");
  h.first_step = o.boolean("firstStep");
  if (h.nesterov && (h.momentum == 0 || h.dampening != 0)) {
    char got[96];
    snprintf(got, sizeof got, "got momentum %g and dampening %g", h.momentum, h.dampening);
    args.range_error(std::string("sgdStep: nesterov needs momentum > 0 and dampening 0, ") + got);
  }
  dispatch_float(args, 0, [&](auto t) { run_sgd<decltype(t)>(args, h); });
  return info.Env().Undefined();
}

template <class T>
void run_adam(const Args& args, const AdamHyper& h) {
  Buffers<T> b(args);
  T* exp_avg = b.required(2, "expAvg");
  T* exp_avg_sq = b.required(3, "expAvgSq");
  T* max_exp_avg_sq = b.optional(4, "maxExpAvgSq", h.amsgrad, "amsgrad is true");
  b.check_disjoint();
  ::myelin::adam_step<T>(active_kernels(), b.length(), b.param, b.grad, exp_avg, exp_avg_sq, max_exp_avg_sq, h);
}

// adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq | null,
//          {lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, maximize, step})
Napi::Value adam_step(const Napi::CallbackInfo& info) {
  Args args(info);
  const Options o = args.options(5, "options");
  AdamHyper h;
  read_common(o, &h);
  h.beta1 = o.number("beta1", 0, 1, true);
  h.beta2 = o.number("beta2", 0, 1, true);
  h.eps = o.number("eps", 0, kInf);
  h.decoupled = o.boolean("decoupled");
  h.amsgrad = o.boolean("amsgrad");
  h.step = o.integer("step", 1, kMaxStep);
  dispatch_float(args, 0, [&](auto t) { run_adam<decltype(t)>(args, h); });
  return info.Env().Undefined();
}

template <class T>
void run_rmsprop(const Args& args, const RmspropHyper& h) {
  Buffers<T> b(args);
  T* square_avg = b.required(2, "squareAvg");
  T* momentum_buf = b.optional(3, "momentumBuf", h.momentum > 0, "momentum > 0");
  T* grad_avg = b.optional(4, "gradAvg", h.centered, "centered is true");
  b.check_disjoint();
  ::myelin::rmsprop_step<T>(active_kernels(), b.length(), b.param, b.grad, square_avg, momentum_buf, grad_avg, h);
}

// rmspropStep(param, grad, squareAvg, momentumBuf | null, gradAvg | null,
//             {lr, alpha, eps, weightDecay, momentum, centered, maximize})
Napi::Value rmsprop_step(const Napi::CallbackInfo& info) {
  Args args(info);
  const Options o = args.options(5, "options");
  RmspropHyper h;
  read_common(o, &h);
  h.alpha = o.number("alpha", 0, kInf);
  h.eps = o.number("eps", 0, kInf);
  h.momentum = o.number("momentum", 0, kInf);
  h.centered = o.boolean("centered");
  dispatch_float(args, 0, [&](auto t) { run_rmsprop<decltype(t)>(args, h); });
  return info.Env().Undefined();
}

template <class T>
void run_adagrad(const Args& args, const AdagradHyper& h) {
  Buffers<T> b(args);
  T* state_sum = b.required(2, "stateSum");
  b.check_disjoint();
  ::myelin::adagrad_step<T>(active_kernels(), b.length(), b.param, b.grad, state_sum, h);
}

// adagradStep(param, grad, stateSum, {lr, lrDecay, weightDecay, eps, maximize, step})
Napi::Value adagrad_step(const Napi::CallbackInfo& info) {
  Args args(info);
  const Options o = args.options(3, "options");
  AdagradHyper h;
  read_common(o, &h);
  h.lr_decay = o.number("lrDecay", 0, kInf);
  h.eps = o.number("eps", 0, kInf);
  h.step = o.integer("step", 1, kMaxStep);
  dispatch_float(args, 0, [&](auto t) { run_adagrad<decltype(t)>(args, h); });
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"sgdStep", sgd_step, 4},
    {"adamStep", adam_step, 6},
    {"rmspropStep", rmsprop_step, 6},
    {"adagradStep", adagrad_step, 4},
};

}  // namespace

ExportList optim_exports() { return export_list(kExports); }

}  // namespace myelin::binding
