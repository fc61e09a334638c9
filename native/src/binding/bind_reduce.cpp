// Reductions over strided float32 views.
#include <string>

#include "binding/args.h"
#include "binding/bindings.h"
#include "kernels/common/nd_loop.h"
#include "kernels/reduce/reduce.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

const char* const kReduceNames[] = {"sum", "mean", "max", "min", "prod"};
const char* const kArgReduceNames[] = {"argmax", "argmin"};

// The product of the sizes of the dims not flagged in `reduced`.
int64_t kept_numel(const std::vector<int64_t>& shape, const bool* reduced) {
  int64_t n = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!reduced[d]) n *= shape[d];
  return n;
}

void check_length(const Args& args, const char* param, int64_t length, int64_t want, const std::vector<int64_t>& shape,
                  const std::string& kept) {
  if (length != want)
    args.range_error(std::string(args.fn()) + ": argument '" + param + "' must have length " + std::to_string(want) +
                     " (the product of the kept dims " + kept + " of shape " + format_shape(shape) + "), got " +
                     std::to_string(length));
}

std::string kept_dims(const std::vector<int64_t>& shape, const bool* reduced) {
  std::vector<int64_t> kept;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!reduced[d]) kept.push_back(shape[d]);
  return format_shape(kept);
}

}  // namespace

// reduce(op, shape, x, xOffset, xStrides, axes, out)
// op: 0 sum, 1 mean, 2 max, 3 min, 4 prod (ReduceOp order).
Napi::Value reduce(const Napi::CallbackInfo& info) {
  Args args(info, "reduce", 7);
  const auto op = static_cast<ReduceOp>(args.integer(0, "op", 0, kNumReduceOps - 1));
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const StridedF32 x = args.strided_f32(2, "x", shape);
  const std::vector<int> axes = args.axes(5, "axes", shape.size());
  const F32Array out = args.f32_array(6, "out");
  bool reduced[kMaxDims] = {};
  for (int a : axes) reduced[a] = true;
  if (op == ReduceOp::Max || op == ReduceOp::Min) {
    // Like PyTorch: max and min have no identity, so an empty reduction has no answer.
    for (int a : axes)
      if (shape[a] == 0)
        args.range_error(std::string("reduce: ") + kReduceNames[static_cast<int>(op)] + " of an empty set: axis " +
                         std::to_string(a) + " of shape " + format_shape(shape) + " has size 0, and " +
                         kReduceNames[static_cast<int>(op)] + " has no identity");
  }
  const int64_t n_out = kept_numel(shape, reduced);
  check_length(args, "out", out.length, n_out, shape, kept_dims(shape, reduced));
  check_disjoint(args, "out", whole_view(out), {out.length}, "x", x, shape);
  reduce_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), x.ptr(), x.strides.data(), reduced,
                 out.data);
  return info.Env().Undefined();
}

// argReduce(op, shape, x, xOffset, xStrides, axis, values | null, indices)
// op: 0 argmax, 1 argmin (ArgReduceOp order).
Napi::Value arg_reduce(const Napi::CallbackInfo& info) {
  Args args(info, "argReduce", 8);
  const auto op = static_cast<ArgReduceOp>(args.integer(0, "op", 0, kNumArgReduceOps - 1));
  const char* name = kArgReduceNames[static_cast<int>(op)];
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const StridedF32 x = args.strided_f32(2, "x", shape);
  if (shape.empty())
    args.range_error(std::string("argReduce: ") + name + " needs an axis, but x is 0-d (shape []); reshape it to [1]");
  const int axis = static_cast<int>(args.integer(5, "axis", 0, static_cast<int64_t>(shape.size()) - 1));
  if (shape[axis] == 0)
    args.range_error(std::string("argReduce: ") + name + " of an empty set: axis " + std::to_string(axis) +
                     " of shape " + format_shape(shape) + " has size 0");
  if (shape[axis] > INT32_MAX)
    args.range_error(std::string("argReduce: axis ") + std::to_string(axis) + " of shape " + format_shape(shape) +
                     " is too long for Int32Array indices");
  bool reduced[kMaxDims] = {};
  reduced[axis] = true;
  const int64_t n_out = kept_numel(shape, reduced);
  const std::string kept = kept_dims(shape, reduced);
  const bool has_values = !args.is_null(6);
  F32Array values{nullptr, 0, info.Env().Null(), 0};
  if (has_values) {
    values = args.f32_array(6, "values");
    check_length(args, "values", values.length, n_out, shape, kept);
  }
  const I32Array indices = args.i32_array(7, "indices");
  check_length(args, "indices", indices.length, n_out, shape, kept);
  check_disjoint(args, "indices", whole_view(indices), {indices.length}, "x", x, shape);
  if (has_values) {
    check_disjoint(args, "values", whole_view(values), {values.length}, "x", x, shape);
    check_disjoint(args, "values", whole_view(values), {values.length}, "indices", whole_view(indices),
                   {indices.length});
  }
  arg_reduce_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), x.ptr(), x.strides.data(),
                     axis, has_values ? values.data : nullptr, indices.data);
  return info.Env().Undefined();
}

}  // namespace myelin::binding
