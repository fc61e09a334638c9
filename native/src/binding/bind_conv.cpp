// Convolution over whole contiguous Float32Arrays or Float64Arrays (NCHW): checks, then the core. The geometry
// comes as one named struct (ConvShape in lib/native.ts).
#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/conv/conv.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

struct ConvArgs {
  ConvShape s;
  std::vector<int64_t> x, w, y;  // the tensors' shapes
};

// {n, c, h, w, oc, oh, ow, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, groups, bf16?}
ConvArgs conv_shape(const Args& args, size_t i) {
  const Options o = args.options(i, "shape");
  ConvArgs a;
  ConvShape& s = a.s;
  s.n = o.integer("n", 0, kMaxDimSize);
  s.c = o.integer("c", 1, kMaxDimSize);
  s.h = o.integer("h", 0, kMaxDimSize);
  s.w = o.integer("w", 0, kMaxDimSize);
  s.oc = o.integer("oc", 1, kMaxDimSize);
  s.oh = o.integer("oh", 0, kMaxDimSize);
  s.ow = o.integer("ow", 0, kMaxDimSize);
  static_cast<Window2d&>(s) = read_window(o);
  s.groups = o.integer("groups", 1, kMaxDimSize);
  // Optional: absent is false.
  s.bf16 = !o.value("bf16").IsUndefined() && o.boolean("bf16");
  const std::string fn = args.fn();
  if (s.c % s.groups != 0 || s.oc % s.groups != 0)
    args.range_error(fn + ": groups " + std::to_string(s.groups) + " must divide the channels c " +
                     std::to_string(s.c) + " and oc " + std::to_string(s.oc));
  // Any output size is memory-safe (windows are clipped to the input; the rest reads zeros):
  // the TypeScript layer derives it. Only the column matrix's size must stay representable.
  const int64_t col_dims[] = {s.c, s.kh, s.kw, s.oh, s.ow};
  int64_t col;
  if (!checks::numel(col_dims, 5, &col))
    args.range_error(fn + ": the column matrix of " + std::to_string(s.c) + "x" + std::to_string(s.kh) + "x" +
                     std::to_string(s.kw) + " by " + std::to_string(s.oh) + "x" + std::to_string(s.ow) +
                     " is too large");
  a.x = {s.n, s.c, s.h, s.w};
  a.w = {s.oc, s.c / s.groups, s.kh, s.kw};
  a.y = {s.n, s.oc, s.oh, s.ow};
  return a;
}

template <class T>
void conv2d_of(const Args& args, const ConvArgs& a) {
  const auto x = args.floats_exact<T>(1, "x", a.x), w = args.floats_exact<T>(2, "w", a.w);
  const auto bias = args.floats_optional<T>(3, "bias", {a.s.oc});
  const auto y = args.floats_exact<T>(4, "y", a.y);
  check_disjoint(args, "y", y, "x", x);
  check_disjoint(args, "y", y, "w", w);
  check_disjoint(args, "y", y, "bias", bias);
  conv2d_forward(active_kernels(), a.s, x.data, w.data, bias.present() ? bias.data : nullptr, y.data);
}

// conv2d(shape, x, w, bias | null, y): Float32Arrays, or Float64Arrays (all, chosen by y's type).
Napi::Value conv2d(const Napi::CallbackInfo& info) {
  Args args(info);
  const ConvArgs a = conv_shape(args, 0);
  dispatch_float(args, 4, [&](auto t) { conv2d_of<decltype(t)>(args, a); });
  return info.Env().Undefined();
}

template <class T>
void backward_input_of(const Args& args, const ConvArgs& a) {
  const auto dy = args.floats_exact<T>(1, "dy", a.y), w = args.floats_exact<T>(2, "w", a.w);
  const auto dx = args.floats_exact<T>(3, "dx", a.x);
  check_disjoint(args, "dx", dx, "dy", dy);
  check_disjoint(args, "dx", dx, "w", w);
  ::myelin::conv2d_backward_input(active_kernels(), a.s, dy.data, w.data, dx.data);
}

// conv2dBackwardInput(shape, dy, w, dx): Float32Arrays, or Float64Arrays (chosen by dx's type).
Napi::Value conv2d_backward_input(const Napi::CallbackInfo& info) {
  Args args(info);
  const ConvArgs a = conv_shape(args, 0);
  dispatch_float(args, 3, [&](auto t) { backward_input_of<decltype(t)>(args, a); });
  return info.Env().Undefined();
}

template <class T>
void backward_weight_of(const Args& args, const ConvArgs& a) {
  const auto x = args.floats_exact<T>(1, "x", a.x), dy = args.floats_exact<T>(2, "dy", a.y);
  const auto dw = args.floats_exact<T>(3, "dw", a.w);
  const auto db = args.floats_optional<T>(4, "dbias", {a.s.oc});
  check_disjoint(args, "dw", dw, "x", x);
  check_disjoint(args, "dw", dw, "dy", dy);
  check_disjoint(args, "dbias", db, "x", x);
  check_disjoint(args, "dbias", db, "dy", dy);
  check_disjoint(args, "dbias", db, "dw", dw);
  ::myelin::conv2d_backward_weight(active_kernels(), a.s, x.data, dy.data, dw.data, db.present() ? db.data : nullptr);
}

// conv2dBackwardWeight(shape, x, dy, dw, dbias | null): Float32Arrays, or Float64Arrays (chosen
// by dw's type).
Napi::Value conv2d_backward_weight(const Napi::CallbackInfo& info) {
  Args args(info);
  const ConvArgs a = conv_shape(args, 0);
  dispatch_float(args, 3, [&](auto t) { backward_weight_of<decltype(t)>(args, a); });
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"conv2d", conv2d, 5},
    {"conv2dBackwardInput", conv2d_backward_input, 4},
    {"conv2dBackwardWeight", conv2d_backward_weight, 5},
};

}  // namespace

ExportList conv_exports() { return export_list(kExports); }

}  // namespace myelin::binding
