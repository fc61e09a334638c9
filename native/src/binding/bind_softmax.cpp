// The softmax family and cross-entropy over contiguous rows.
#include <cmath>
#include <string>

#include "binding/args.h"
#include "binding/bindings.h"
#include "kernels/softmax/softmax.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

constexpr int64_t kMaxCount = (int64_t{1} << 53) - 1;

// A contiguous block of rows*n floats starting at `offset` in the array argument at i.
float* rows_f32(const Args& args, size_t i, const char* param, int64_t offset, int64_t rows, int64_t n) {
  const F32Array a = args.f32_array(i, param);
  const double need = static_cast<double>(offset) + static_cast<double>(rows) * static_cast<double>(n);
  if (need > static_cast<double>(a.length))
    args.range_error(std::string(args.fn()) + ": argument '" + param + "' needs " +
                     std::to_string(static_cast<int64_t>(need)) + " elements (offset " + std::to_string(offset) +
                     " + " + std::to_string(rows) + " x " + std::to_string(n) + "), the Float32Array has " +
                     std::to_string(a.length));
  return a.data + offset;
}

}  // namespace

// softmax(op, rows, n, x, xOffset, dy | null, out): op 0 softmax, 1 logSoftmax, 2 softmax
// backward (x = saved output y), 3 logSoftmax backward (x = saved output).
Napi::Value softmax(const Napi::CallbackInfo& info) {
  Args args(info, "softmax", 7);
  const auto op = static_cast<SoftmaxOp>(args.integer(0, "op", 0, 3));
  const int64_t rows = args.integer(1, "rows", 0, kMaxCount);
  const int64_t n = args.integer(2, "n", 0, kMaxCount);
  const int64_t x_offset = args.integer(4, "xOffset", 0, kMaxCount);
  const float* x = rows_f32(args, 3, "x", x_offset, rows, n);
  const bool backward = op == SoftmaxOp::SoftmaxBackward || op == SoftmaxOp::LogSoftmaxBackward;
  const float* dy = nullptr;
  if (backward)
    dy = rows_f32(args, 5, "dy", 0, rows, n);
  else if (!args.is_null(5))
    args.type_error("softmax: argument 'dy' must be null for a forward op");
  float* out = rows_f32(args, 6, "out", 0, rows, n);
  softmax_rows(active_kernels(), op, rows, n, x, dy, out);
  return info.Env().Undefined();
}

// logsumexp(rows, n, x, xOffset, out[rows])
Napi::Value logsumexp(const Napi::CallbackInfo& info) {
  Args args(info, "logsumexp", 5);
  const int64_t rows = args.integer(0, "rows", 0, kMaxCount);
  const int64_t n = args.integer(1, "n", 0, kMaxCount);
  const int64_t x_offset = args.integer(3, "xOffset", 0, kMaxCount);
  const float* x = rows_f32(args, 2, "x", x_offset, rows, n);
  float* out = rows_f32(args, 4, "out", 0, rows, 1);
  logsumexp_rows(active_kernels(), rows, n, x, out);
  return info.Env().Undefined();
}

namespace {

// Arguments 0..8 shared by crossEntropy and crossEntropyBackward:
// rows, classes, logits, logitsOffset, targets (Int32Array indices | Float32Array probs),
// weight | null, ignoreIndex, labelSmoothing.
CrossEntropyArgs cross_entropy_args(const Args& args, const Napi::CallbackInfo& info) {
  CrossEntropyArgs a{};
  a.rows = args.integer(0, "rows", 0, kMaxCount);
  a.classes = args.integer(1, "classes", 1, kMaxCount);
  const int64_t offset = args.integer(3, "logitsOffset", 0, kMaxCount);
  a.logits = rows_f32(args, 2, "logits", offset, a.rows, a.classes);
  a.ignore_index = args.integer(6, "ignoreIndex", -kMaxCount, kMaxCount);
  const double s = args.number(7, "labelSmoothing");
  if (!(s >= 0.0 && s <= 1.0))
    args.range_error(std::string(args.fn()) + ": labelSmoothing must be in [0, 1], got " + std::to_string(s));
  a.label_smoothing = static_cast<float>(s);
  if (info[4].IsTypedArray() && info[4].As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    const I32Array t = args.i32_array(4, "targets");
    if (t.length < a.rows)
      args.range_error(std::string(args.fn()) + ": 'targets' has " + std::to_string(t.length) + " class indices for " +
                       std::to_string(a.rows) + " rows");
    for (int64_t r = 0; r < a.rows; ++r) {
      const int64_t v = t.data[r];
      if (v != a.ignore_index && (v < 0 || v >= a.classes))
        args.range_error(std::string(args.fn()) + ": target " + std::to_string(v) + " is out of bounds for " +
                         std::to_string(a.classes) + " classes (row " + std::to_string(r) + ")");
    }
    a.targets = t.data;
  } else if (info[4].IsTypedArray() && info[4].As<Napi::TypedArray>().TypedArrayType() == napi_float32_array) {
    a.probs = rows_f32(args, 4, "targets", 0, a.rows, a.classes);
  } else {
    args.type_error(std::string(args.fn()) +
                    ": argument 'targets' must be an Int32Array of class indices or a "
                    "Float32Array of class probabilities, got " +
                    describe(info[4]));
  }
  if (!args.is_null(5)) a.weight = rows_f32(args, 5, "weight", 0, 1, a.classes);
  return a;
}

}  // namespace

// crossEntropy(rows, classes, logits, logitsOffset, targets, weight|null, ignoreIndex,
//              labelSmoothing, losses[rows], lse[rows], targetWeight[rows])
Napi::Value cross_entropy(const Napi::CallbackInfo& info) {
  Args args(info, "crossEntropy", 11);
  const CrossEntropyArgs a = cross_entropy_args(args, info);
  float* losses = rows_f32(args, 8, "losses", 0, a.rows, 1);
  float* lse = rows_f32(args, 9, "lse", 0, a.rows, 1);
  float* target_weight = rows_f32(args, 10, "targetWeight", 0, a.rows, 1);
  cross_entropy_forward(active_kernels(), a, losses, lse, target_weight);
  return info.Env().Undefined();
}

// crossEntropyBackward(rows, classes, logits, logitsOffset, targets, weight|null, ignoreIndex,
//                      labelSmoothing, gradRows[rows], dx[rows*classes])
Napi::Value cross_entropy_backward(const Napi::CallbackInfo& info) {
  Args args(info, "crossEntropyBackward", 10);
  const CrossEntropyArgs a = cross_entropy_args(args, info);
  const float* grad_rows = rows_f32(args, 8, "gradRows", 0, a.rows, 1);
  float* dx = rows_f32(args, 9, "dx", 0, a.rows, a.classes);
  ::myelin::cross_entropy_backward(active_kernels(), a, grad_rows, dx);
  return info.Env().Undefined();
}

}  // namespace myelin::binding
