// The softmax family (float or double) and cross-entropy (float) over contiguous rows.
#include <cmath>
#include <string>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/softmax/softmax.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

template <class T>
void run_softmax(const Args& args, SoftmaxOp op, int64_t rows, int64_t n, int64_t x_offset, bool backward) {
  const T* x = args.floats_rows<T>(3, "x", x_offset, rows, n);
  const T* dy = backward ? args.floats_rows<T>(5, "dy", 0, rows, n) : nullptr;
  T* out = args.floats_rows<T>(6, "out", 0, rows, n);
  softmax_rows(active_kernels(), op, rows, n, x, dy, out);
}

// softmax(op, rows, n, x, xOffset, dy | null, out): op 0 softmax, 1 logSoftmax, 2 softmax
// backward (x = saved output y), 3 logSoftmax backward (x = saved output). Float32Arrays, or
// Float64Arrays throughout (picked by out).
Napi::Value softmax(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<SoftmaxOp>(0, "op");
  const int64_t rows = args.integer(1, "rows", 0, kMaxCount);
  const int64_t n = args.integer(2, "n", 0, kMaxCount);
  const int64_t x_offset = args.integer(4, "xOffset", 0, kMaxCount);
  const bool backward = op == SoftmaxOp::SoftmaxBackward || op == SoftmaxOp::LogSoftmaxBackward;
  if (!backward && !args.is_null(5))
    args.type_error("softmax: argument 'dy' must be null for a forward op, got " + describe(args.value(5)));
  dispatch_float(args, 6, [&](auto t) { run_softmax<decltype(t)>(args, op, rows, n, x_offset, backward); });
  return info.Env().Undefined();
}

template <class T>
void run_logsumexp(const Args& args, int64_t rows, int64_t n, int64_t x_offset) {
  const T* x = args.floats_rows<T>(2, "x", x_offset, rows, n);
  T* out = args.floats_rows<T>(4, "out", 0, rows, 1);
  logsumexp_rows(active_kernels(), rows, n, x, out);
}

// logsumexp(rows, n, x, xOffset, out[rows]): Float32Arrays, or Float64Arrays (picked by out).
Napi::Value logsumexp(const Napi::CallbackInfo& info) {
  Args args(info);
  const int64_t rows = args.integer(0, "rows", 0, kMaxCount);
  const int64_t n = args.integer(1, "n", 0, kMaxCount);
  const int64_t x_offset = args.integer(3, "xOffset", 0, kMaxCount);
  dispatch_float(args, 4, [&](auto t) { run_logsumexp<decltype(t)>(args, rows, n, x_offset); });
  return info.Env().Undefined();
}

// Arguments 0..7 shared by crossEntropy and crossEntropyBackward: rows, classes, logits,
// logitsOffset, targets (Int32Array indices | Float32Array probs), weight | null, ignoreIndex,
// labelSmoothing. Class indices are kept in `copy` when another thread could rewrite them.
CrossEntropyArgs cross_entropy_args(const Args& args, Scratch<int32_t>* copy) {
  CrossEntropyArgs a{};
  a.rows = args.integer(0, "rows", 0, kMaxCount);
  a.classes = args.integer(1, "classes", 1, kMaxCount);
  const int64_t offset = args.integer(3, "logitsOffset", 0, kMaxCount);
  a.ignore_index = args.integer(6, "ignoreIndex", -kMaxCount, kMaxCount);
  const double s = args.number(7, "labelSmoothing");
  if (!(s >= 0.0 && s <= 1.0))
    args.range_error(std::string(args.fn()) + ": labelSmoothing must be in [0, 1], got " + std::to_string(s));
  a.label_smoothing = static_cast<float>(s);
  const Napi::Value targets = args.value(4);
  const bool indices = targets.IsTypedArray() && targets.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array;
  const bool probs = targets.IsTypedArray() && targets.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
  if (!indices && !probs)
    args.type_error(std::string(args.fn()) +
                    ": argument 'targets' must be an Int32Array of class indices or a Float32Array of class "
                    "probabilities, got " +
                    describe(targets));
  a.logits = args.f32_rows(2, "logits", offset, a.rows, a.classes);
  if (indices) {
    a.targets = args.stable_indices(targets, "targets", a.rows, true, copy);
    const int64_t r = checks::first_outside(a.targets, a.rows, 0, a.classes, a.ignore_index);
    if (r >= 0)
      args.range_error(std::string(args.fn()) + ": target " + std::to_string(a.targets[r]) + " is out of bounds for " +
                       std::to_string(a.classes) + " classes (row " + std::to_string(r) + ")");
  } else
    a.probs = args.f32_rows(targets, "targets", 0, a.rows, a.classes);
  if (!args.is_null(5)) a.weight = args.f32_rows(5, "weight", 0, 1, a.classes);
  return a;
}

// crossEntropy(rows, classes, logits, logitsOffset, targets, weight|null, ignoreIndex,
//              labelSmoothing, losses[rows], lse[rows], targetWeight[rows])
Napi::Value cross_entropy(const Napi::CallbackInfo& info) {
  Args args(info);
  Scratch<int32_t> copy;
  const CrossEntropyArgs a = cross_entropy_args(args, &copy);
  float* losses = args.f32_rows(8, "losses", 0, a.rows, 1);
  float* lse = args.f32_rows(9, "lse", 0, a.rows, 1);
  float* target_weight = args.f32_rows(10, "targetWeight", 0, a.rows, 1);
  cross_entropy_forward(active_kernels(), a, losses, lse, target_weight);
  return info.Env().Undefined();
}

// crossEntropyBackward(rows, classes, logits, logitsOffset, targets, weight|null, ignoreIndex,
//                      labelSmoothing, gradRows[rows], dx[rows*classes])
Napi::Value cross_entropy_backward(const Napi::CallbackInfo& info) {
  Args args(info);
  Scratch<int32_t> copy;
  const CrossEntropyArgs a = cross_entropy_args(args, &copy);
  const float* grad_rows = args.f32_rows(8, "gradRows", 0, a.rows, 1);
  float* dx = args.f32_rows(9, "dx", 0, a.rows, a.classes);
  ::myelin::cross_entropy_backward(active_kernels(), a, grad_rows, dx);
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"softmax", softmax, 7},
    {"logsumexp", logsumexp, 5},
    {"crossEntropy", cross_entropy, 11},
    {"crossEntropyBackward", cross_entropy_backward, 10},
};

}  // namespace

ExportList softmax_exports() { return export_list(kExports); }

}  // namespace myelin::binding
