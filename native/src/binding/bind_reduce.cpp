// Reductions over strided float32 views (sum, mean, max, min, prod: float64 views too).
#include <string>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/common/nd_loop.h"
#include "kernels/reduce/reduce.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

// The dims not flagged in `reduced`.
std::vector<int64_t> kept_dims(const std::vector<int64_t>& shape, const bool* reduced) {
  std::vector<int64_t> kept;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!reduced[d]) kept.push_back(shape[d]);
  return kept;
}

// The product of the kept dims (which the shape's own check bounds).
int64_t numel(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

void check_length(const Args& args, const char* param, int64_t length, const std::vector<int64_t>& shape,
                  const std::vector<int64_t>& kept) {
  const int64_t want = numel(kept);
  if (length != want)
    args.range_error(args.where(param) + " must have length " + std::to_string(want) +
                     " (the product of the kept dims " + format_shape(kept) + " of shape " + format_shape(shape) +
                     "), got " + std::to_string(length));
}

// reduce's checks and kernel over views of one element type: x, and out as a 1-d view of its
// whole array.
template <class View>
void reduce_into(const Args& args, ReduceOp op, const std::vector<int64_t>& shape, const bool* reduced,
                 const std::vector<int64_t>& kept, const View& x, const View& out) {
  check_length(args, "out", out.array.length, shape, kept);
  check_disjoint(args, "out", out, {out.array.length}, "x", x, shape);
  reduce_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), x.ptr(), x.strides.data(), reduced,
                 out.array.data);
}

// reduce(op, shape, x, xOffset, xStrides, axes, out): Float32Arrays, or Float64Arrays (both,
// chosen by out's type).
Napi::Value reduce(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<ReduceOp>(0, "op");
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const Layout x_layout = args.layout(3, "x", shape.size());
  const std::vector<int> axes = args.axes(5, "axes", shape.size());
  bool reduced[kMaxDims] = {};
  for (int a : axes) reduced[a] = true;
  if (op == ReduceOp::Max || op == ReduceOp::Min) {
    // Like PyTorch: max and min have no identity, so an empty reduction has no answer.
    for (int a : axes)
      if (shape[a] == 0)
        args.range_error(std::string("reduce: ") + op_name(op) + " of an empty set: axis " + std::to_string(a) +
                         " of shape " + format_shape(shape) + " has size 0, and " + op_name(op) + " has no identity");
  }
  const std::vector<int64_t> kept = kept_dims(shape, reduced);
  if (args.is_f64(6)) {
    const StridedF64 x = args.strided_f64(2, "x", x_layout, shape);
    reduce_into(args, op, shape, reduced, kept, x, StridedF64{args.f64(6, "out"), 0, {1}});
  } else {
    const StridedF32 x = args.strided(2, "x", x_layout, shape);
    reduce_into(args, op, shape, reduced, kept, x, StridedF32{args.f32(6, "out"), 0, {1}});
  }
  return info.Env().Undefined();
}

// argReduce(op, shape, x, xOffset, xStrides, axis, values | null, indices)
Napi::Value arg_reduce(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<ArgReduceOp>(0, "op");
  const char* name = op_name(op);
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const Layout x_layout = args.layout(3, "x", shape.size());
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
  const std::vector<int64_t> kept = kept_dims(shape, reduced);
  const StridedF32 x = args.strided(2, "x", x_layout, shape);
  F32Array values;
  if (!args.is_null(6)) {
    values = args.f32(6, "values");
    check_length(args, "values", values.length, shape, kept);
  }
  const I32Array indices = args.i32(7, "indices");
  check_length(args, "indices", indices.length, shape, kept);
  check_disjoint(args, "indices", whole_view(indices), {indices.length}, "x", x, shape);
  if (values.present()) {
    check_disjoint(args, "values", whole_view(values), {values.length}, "x", x, shape);
    check_disjoint(args, "values", values, "indices", indices);
  }
  arg_reduce_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), x.ptr(), x.strides.data(),
                     axis, values.present() ? values.data : nullptr, indices.data);
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"reduce", reduce, 7},
    {"argReduce", arg_reduce, 8},
};

}  // namespace

ExportList reduce_exports() { return export_list(kExports); }

}  // namespace myelin::binding
