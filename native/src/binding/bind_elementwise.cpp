// Elementwise ops over strided float32 or float64 views.
#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/elementwise/elementwise.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

// How Args reads a strided view of one element type: &Args::strided or &Args::strided_f64.
template <class View>
using ViewReader = View (Args::*)(size_t, const char*, const Layout&, const std::vector<int64_t>&) const;

// binary over views of one element type: out, a and b read by `read`, checked, then the kernel.
template <class View>
void binary_views(const Args& args, ViewReader<View> read, BinaryOp op, const std::vector<int64_t>& shape,
                  const Layout& out_layout, const Layout& a_layout, const Layout& b_layout) {
  const View out = (args.*read)(2, "out", out_layout, shape);
  const View a = (args.*read)(5, "a", a_layout, shape);
  const View b = (args.*read)(8, "b", b_layout, shape);
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
  if (args.is_f64(2))
    binary_views<StridedF64>(args, &Args::strided_f64, op, shape, out_layout, a_layout, b_layout);
  else
    binary_views<StridedF32>(args, &Args::strided, op, shape, out_layout, a_layout, b_layout);
  return info.Env().Undefined();
}

// unary over views of one element type: out and x read by `read`, checked, then the kernel.
template <class View>
void unary_views(const Args& args, ViewReader<View> read, UnaryOp op, const std::vector<int64_t>& shape,
                 const Layout& out_layout, const Layout& x_layout) {
  const View out = (args.*read)(2, "out", out_layout, shape);
  const View x = (args.*read)(5, "x", x_layout, shape);
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
  if (args.is_f64(2))
    unary_views<StridedF64>(args, &Args::strided_f64, op, shape, out_layout, x_layout);
  else
    unary_views<StridedF32>(args, &Args::strided, op, shape, out_layout, x_layout);
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"binary", binary, 11},
    {"unary", unary, 8},
};

}  // namespace

ExportList elementwise_exports() { return export_list(kExports); }

}  // namespace myelin::binding
