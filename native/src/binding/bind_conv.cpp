// Convolution and pooling over whole contiguous Float32Arrays (NCHW): checks, then the core.
#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/bindings.h"
#include "kernels/conv/conv.h"
#include "kernels/pool/pool.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

constexpr int64_t kMaxDim = (int64_t{1} << 31) - 1;
constexpr double kMaxSafe = 9007199254740991.0;

// A whole Float32Array of exactly `shape`'s element count.
F32Array tensor(const Args& args, size_t i, const char* param, const std::vector<int64_t>& shape) {
  double numel = 1;
  for (int64_t s : shape) numel *= static_cast<double>(s);
  if (numel > kMaxSafe)
    args.range_error(std::string(args.fn()) + ": " + param + " " + format_shape(shape) + " has too many elements");
  const F32Array a = args.f32_array(i, param);
  if (static_cast<double>(a.length) != numel)
    args.range_error(std::string(args.fn()) + ": argument '" + param + "' must hold " + format_shape(shape) + " = " +
                     std::to_string(static_cast<int64_t>(numel)) + " floats, got " + std::to_string(a.length));
  return a;
}

void disjoint(const Args& args, const char* out_name, const F32Array& out, const char* in_name, const F32Array& in) {
  const StridedF32 o = whole_view(out), x = whole_view(in);
  check_disjoint(args, out_name, o, {out.length}, in_name, x, {in.length});
}

struct ConvArgs {
  ConvShape s;
  std::vector<int64_t> x, w, y;
};

// dims = [n, c, h, w, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups]
ConvArgs conv_dims(const Args& args, size_t i) {
  const std::vector<int64_t> d = args.named_ints(i, "dims",
                                                 {"n", "c", "h", "w", "oc", "oh", "ow", "kh", "kw", "strideH",
                                                  "strideW", "padH", "padW", "dilationH", "dilationW", "groups"},
                                                 {0, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1});
  ConvArgs a;
  ConvShape& s = a.s;
  s = ConvShape{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]};
  const std::string fn = args.fn();
  if (s.c % s.groups != 0 || s.oc % s.groups != 0)
    args.range_error(fn + ": groups " + std::to_string(s.groups) + " must divide the channels c " +
                     std::to_string(s.c) + " and oc " + std::to_string(s.oc));
  // Any output size is memory-safe (windows are clipped to the input; the rest reads zeros):
  // the TypeScript layer derives it. Only the column matrix's size must stay representable.
  const double col = static_cast<double>(s.c) * s.kh * s.kw * s.oh * s.ow;
  if (col > kMaxSafe)
    args.range_error(fn + ": the column matrix of " + std::to_string(s.c) + "x" + std::to_string(s.kh) + "x" +
                     std::to_string(s.kw) + " by " + std::to_string(s.oh) + "x" + std::to_string(s.ow) +
                     " is too large");
  a.x = {s.n, s.c, s.h, s.w};
  a.w = {s.oc, s.c / s.groups, s.kh, s.kw};
  a.y = {s.n, s.oc, s.oh, s.ow};
  return a;
}

}  // namespace

// conv2d(dims, x, w, bias | null, y)
Napi::Value conv2d(const Napi::CallbackInfo& info) {
  Args args(info, "conv2d", 5);
  const ConvArgs a = conv_dims(args, 0);
  const F32Array x = tensor(args, 1, "x", a.x), w = tensor(args, 2, "w", a.w);
  F32Array bias{};
  const bool has_bias = !args.is_null(3);
  if (has_bias) bias = tensor(args, 3, "bias", {a.s.oc});
  const F32Array y = tensor(args, 4, "y", a.y);
  disjoint(args, "y", y, "x", x);
  disjoint(args, "y", y, "w", w);
  if (has_bias) disjoint(args, "y", y, "bias", bias);
  conv2d_forward(active_kernels(), a.s, x.data, w.data, has_bias ? bias.data : nullptr, y.data);
  return info.Env().Undefined();
}

// conv2dBackwardInput(dims, dy, w, dx)
Napi::Value conv2d_backward_input(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dBackwardInput", 4);
  const ConvArgs a = conv_dims(args, 0);
  const F32Array dy = tensor(args, 1, "dy", a.y), w = tensor(args, 2, "w", a.w);
  const F32Array dx = tensor(args, 3, "dx", a.x);
  disjoint(args, "dx", dx, "dy", dy);
  disjoint(args, "dx", dx, "w", w);
  myelin::conv2d_backward_input(active_kernels(), a.s, dy.data, w.data, dx.data);
  return info.Env().Undefined();
}

// conv2dBackwardWeight(dims, x, dy, dw, dbias | null)
Napi::Value conv2d_backward_weight(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dBackwardWeight", 5);
  const ConvArgs a = conv_dims(args, 0);
  const F32Array x = tensor(args, 1, "x", a.x), dy = tensor(args, 2, "dy", a.y);
  const F32Array dw = tensor(args, 3, "dw", a.w);
  F32Array db{};
  const bool has_db = !args.is_null(4);
  if (has_db) db = tensor(args, 4, "dbias", {a.s.oc});
  disjoint(args, "dw", dw, "x", x);
  disjoint(args, "dw", dw, "dy", dy);
  if (has_db) {
    disjoint(args, "dbias", db, "x", x);
    disjoint(args, "dbias", db, "dy", dy);
    disjoint(args, "dbias", db, "dw", dw);
  }
  myelin::conv2d_backward_weight(active_kernels(), a.s, x.data, dy.data, dw.data, has_db ? db.data : nullptr);
  return info.Env().Undefined();
}

namespace {

struct PoolArgs {
  PoolOp op;
  PoolShape s;
};

// op, dims = [planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw], countIncludePad
PoolArgs pool_args(const Args& args) {
  PoolArgs a;
  const int64_t op = args.integer(0, "op", 0, 3);
  a.op = static_cast<PoolOp>(op);
  const std::vector<int64_t> d = args.named_ints(
      1, "dims",
      {"planes", "h", "w", "oh", "ow", "kh", "kw", "strideH", "strideW", "padH", "padW", "dilationH", "dilationW"},
      {0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1});
  a.s = PoolShape{d[0], d[1], d[2], d[3],  d[4],  d[5],  d[6],
                  d[7], d[8], d[9], d[10], d[11], d[12], args.boolean(2, "countIncludePad")};
  const std::string fn = args.fn();
  const PoolShape& s = a.s;
  if (static_cast<double>(s.h) * static_cast<double>(s.w) > static_cast<double>(kMaxDim))
    args.range_error(fn + ": plane " + std::to_string(s.h) + "x" + std::to_string(s.w) +
                     " has too many elements for Int32 indices");
  if (a.op == PoolOp::Max || a.op == PoolOp::Avg) {
    if (2 * s.ph > s.kh || 2 * s.pw > s.kw)
      args.range_error(fn + ": padding " + std::to_string(s.ph) + "x" + std::to_string(s.pw) +
                       " must be at most half the kernel " + std::to_string(s.kh) + "x" + std::to_string(s.kw));
    if (a.op == PoolOp::Avg && (s.dh != 1 || s.dw != 1))
      args.range_error(fn + ": average pooling has no dilation (must be 1)");
    // Every window must start inside the input or its left padding.
    if ((s.oh > 0 && (s.oh - 1) * s.sh >= s.h + s.ph) || (s.ow > 0 && (s.ow - 1) * s.sw >= s.w + s.pw))
      args.range_error(fn + ": output " + std::to_string(s.oh) + "x" + std::to_string(s.ow) +
                       " has windows starting past input " + std::to_string(s.h) + "x" + std::to_string(s.w) +
                       " and its padding");
  }
  return a;
}

bool uses_indices(PoolOp op) { return op == PoolOp::Max || op == PoolOp::AdaptiveMax; }

}  // namespace

// pool2d(op, dims, countIncludePad, x, y, indices | null): op 0 max, 1 avg, 2 adaptive avg,
// 3 adaptive max; indices (Int32Array [planes, oh, ow]) required by the max ops.
Napi::Value pool2d(const Napi::CallbackInfo& info) {
  Args args(info, "pool2d", 6);
  const PoolArgs a = pool_args(args);
  const PoolShape& s = a.s;
  const F32Array x = tensor(args, 3, "x", {s.planes, s.h, s.w});
  const F32Array y = tensor(args, 4, "y", {s.planes, s.oh, s.ow});
  disjoint(args, "y", y, "x", x);
  I32Array idx{};
  if (uses_indices(a.op)) {
    idx = args.i32_array(5, "indices");
    if (idx.length != s.planes * s.oh * s.ow)
      args.range_error("pool2d: argument 'indices' must hold " + std::to_string(s.planes * s.oh * s.ow) +
                       " indices, got " + std::to_string(idx.length));
    check_disjoint(args, "indices", whole_view(idx), {idx.length}, "x", whole_view(x), {x.length});
    check_disjoint(args, "indices", whole_view(idx), {idx.length}, "y", whole_view(y), {y.length});
  }
  pool2d_forward(a.op, s, x.data, y.data, uses_indices(a.op) ? idx.data : nullptr);
  return info.Env().Undefined();
}

// pool2dBackward(op, dims, countIncludePad, dy, indices | null, dx)
Napi::Value pool2d_backward(const Napi::CallbackInfo& info) {
  Args args(info, "pool2dBackward", 6);
  const PoolArgs a = pool_args(args);
  const PoolShape& s = a.s;
  const F32Array dy = tensor(args, 3, "dy", {s.planes, s.oh, s.ow});
  const F32Array dx = tensor(args, 5, "dx", {s.planes, s.h, s.w});
  disjoint(args, "dx", dx, "dy", dy);
  I32Array idx{};
  if (uses_indices(a.op)) {
    idx = args.i32_array(4, "indices");
    if (idx.length != s.planes * s.oh * s.ow)
      args.range_error("pool2dBackward: argument 'indices' must hold " + std::to_string(s.planes * s.oh * s.ow) +
                       " indices, got " + std::to_string(idx.length));
    const int64_t hw = s.h * s.w;
    for (int64_t i = 0; i < idx.length; ++i)
      if (idx.data[i] < 0 || idx.data[i] >= hw)
        args.range_error("pool2dBackward: indices[" + std::to_string(i) + "] = " + std::to_string(idx.data[i]) +
                         " is outside the " + std::to_string(s.h) + "x" + std::to_string(s.w) + " plane");
    check_disjoint(args, "dx", whole_view(dx), {dx.length}, "indices", whole_view(idx), {idx.length});
  }
  myelin::pool2d_backward(a.op, s, dy.data, uses_indices(a.op) ? idx.data : nullptr, dx.data);
  return info.Env().Undefined();
}

}  // namespace myelin::binding
