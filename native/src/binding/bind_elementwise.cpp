// Elementwise ops over strided float32 views.
#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/elementwise/elementwise.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

// binary(op, shape, out, outOffset, outStrides, a, aOffset, aStrides, b, bOffset, bStrides)
Napi::Value binary(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<BinaryOp>(0, "op");
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const Layout out_layout = args.layout(3, "out", shape.size());
  const Layout a_layout = args.layout(6, "a", shape.size());
  const Layout b_layout = args.layout(9, "b", shape.size());
  const StridedF32 out = args.strided(2, "out", out_layout, shape);
  const StridedF32 a = args.strided(5, "a", a_layout, shape);
  const StridedF32 b = args.strided(8, "b", b_layout, shape);
  check_no_self_overlap(args, "out", out, shape);
  check_no_partial_overlap(args, "out", out, "a", a, shape);
  check_no_partial_overlap(args, "out", out, "b", b, shape);
  binary_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), out.ptr(), out.strides.data(),
                 a.ptr(), a.strides.data(), b.ptr(), b.strides.data());
  return info.Env().Undefined();
}

// unary(op, shape, out, outOffset, outStrides, x, xOffset, xStrides)
Napi::Value unary(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<UnaryOp>(0, "op");
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const Layout out_layout = args.layout(3, "out", shape.size());
  const Layout x_layout = args.layout(6, "x", shape.size());
  const StridedF32 out = args.strided(2, "out", out_layout, shape);
  const StridedF32 x = args.strided(5, "x", x_layout, shape);
  check_no_self_overlap(args, "out", out, shape);
  check_no_partial_overlap(args, "out", out, "x", x, shape);
  unary_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), out.ptr(), out.strides.data(),
                x.ptr(), x.strides.data());
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"binary", binary, 11},
    {"unary", unary, 8},
};

}  // namespace

ExportList elementwise_exports() { return export_list(kExports); }

}  // namespace myelin::binding
