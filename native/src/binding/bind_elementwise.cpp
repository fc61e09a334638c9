// Elementwise ops over strided float32 or float64 views.
#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/elementwise/elementwise.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

// binary over views of element type T: out, a and b read, checked, then the kernel.
template <class T>
void binary_views(const Args& args, BinaryOp op, const std::vector<int64_t>& shape, const Layout& out_layout,
                  const Layout& a_layout, const Layout& b_layout) {
  const Strided<T> out = args.floats_strided<T>(2, "out", out_layout, shape);
  const Strided<T> a = args.floats_strided<T>(5, "a", a_layout, shape);
  const Strided<T> b = args.floats_strided<T>(8, "b", b_layout, shape);
  check_no_self_overlap(args, "out", out, shape);
  check_no_partial_overlap(args, "out", out, "a", a, shape);
  check_no_partial_overlap(args, "out", out, "b", b, shape);
  binary_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), out.ptr(), out.strides.data(),
                 a.ptr(), a.strides.data(), b.ptr(), b.strides.data());
}

// binary(op, shape, out, outOffset, outStrides, a, aOffset, aStrides, b, bOffset, bStrides):
// Float32Arrays, or Float64Arrays (all three, chosen by out's type).
Napi::Value binary(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<BinaryOp>(0, "op");
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const Layout out_layout = args.layout(3, "out", shape.size());
  const Layout a_layout = args.layout(6, "a", shape.size());
  const Layout b_layout = args.layout(9, "b", shape.size());
  dispatch_float(args, 2, [&](auto t) { binary_views<decltype(t)>(args, op, shape, out_layout, a_layout, b_layout); });
  return info.Env().Undefined();
}

// unary over views of element type T: out and x read, checked, then the kernel.
template <class T>
void unary_views(const Args& args, UnaryOp op, const std::vector<int64_t>& shape, const Layout& out_layout,
                 const Layout& x_layout) {
  const Strided<T> out = args.floats_strided<T>(2, "out", out_layout, shape);
  const Strided<T> x = args.floats_strided<T>(5, "x", x_layout, shape);
  check_no_self_overlap(args, "out", out, shape);
  check_no_partial_overlap(args, "out", out, "x", x, shape);
  unary_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), out.ptr(), out.strides.data(),
                x.ptr(), x.strides.data());
}

// unary(op, shape, out, outOffset, outStrides, x, xOffset, xStrides): Float32Arrays, or
// Float64Arrays (both, chosen by out's type).
Napi::Value unary(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<UnaryOp>(0, "op");
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const Layout out_layout = args.layout(3, "out", shape.size());
  const Layout x_layout = args.layout(6, "x", shape.size());
  dispatch_float(args, 2, [&](auto t) { unary_views<decltype(t)>(args, op, shape, out_layout, x_layout); });
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"binary", binary, 11},
    {"unary", unary, 8},
};

}  // namespace

ExportList elementwise_exports() { return export_list(kExports); }

}  // namespace myelin::binding
