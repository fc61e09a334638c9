// 2-D pooling over whole contiguous Float32Arrays or Float64Arrays (planes of h x w): checks, then the core. The
// window geometry comes as one named struct (PoolShape in lib/native.ts).
#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/pool/pool.h"

namespace myelin::binding {

namespace {

// op, then {planes, h, w, oh, ow, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW,
// countIncludePad} (the kernel entries are unused by the adaptive ops).
PoolShape pool_shape(const Args& args, PoolOp op) {
  const Options o = args.options(1, "shape");
  PoolShape s;
  s.planes = o.integer("planes", 0, kMaxDimSize);
  s.h = o.integer("h", 1, kMaxDimSize);
  s.w = o.integer("w", 1, kMaxDimSize);
  s.oh = o.integer("oh", 0, kMaxDimSize);
  s.ow = o.integer("ow", 0, kMaxDimSize);
  static_cast<Window2d&>(s) = read_window(o);
  s.count_include_pad = o.boolean("countIncludePad");
  const std::string fn = args.fn();
  if (s.h * s.w > kMaxDimSize)
    args.range_error(fn + ": plane " + std::to_string(s.h) + "x" + std::to_string(s.w) +
                     " has too many elements for Int32 indices");
  if (op == PoolOp::Max || op == PoolOp::Avg) {
    if (2 * s.ph > s.kh || 2 * s.pw > s.kw)
      args.range_error(fn + ": padding " + std::to_string(s.ph) + "x" + std::to_string(s.pw) +
                       " must be at most half the kernel " + std::to_string(s.kh) + "x" + std::to_string(s.kw));
    if (op == PoolOp::Avg && (s.dh != 1 || s.dw != 1))
      args.range_error(fn + ": average pooling has no dilation (must be 1)");
    // Every window must start inside the input or its left padding.
    if ((s.oh > 0 && (s.oh - 1) * s.sh >= s.h + s.ph) || (s.ow > 0 && (s.ow - 1) * s.sw >= s.w + s.pw))
      args.range_error(fn + ": output " + std::to_string(s.oh) + "x" + std::to_string(s.ow) +
                       " has windows starting past input " + std::to_string(s.h) + "x" + std::to_string(s.w) +
                       " and its padding");
  }
  return s;
}

bool uses_indices(PoolOp op) { return op == PoolOp::Max || op == PoolOp::AdaptiveMax; }

template <class T>
void pool2d_of(const Args& args, PoolOp op, const PoolShape& s) {
  const std::vector<int64_t> in_shape{s.planes, s.h, s.w}, out_shape{s.planes, s.oh, s.ow};
  const TypedArray<T> x = args.floats_exact<T>(2, "x", in_shape);
  const TypedArray<T> y = args.floats_exact<T>(3, "y", out_shape);
  check_disjoint(args, "y", y, "x", x);
  I32Array idx;
  if (uses_indices(op)) {
    idx = args.i32(4, "indices");
    if (idx.length != y.length)
      args.range_error("pool2d: argument 'indices' must hold " + format_shape(out_shape) + " = " +
                       std::to_string(y.length) + " indices, got " + std::to_string(idx.length));
    check_disjoint(args, "indices", idx, "x", x);
    check_disjoint(args, "indices", idx, "y", y);
  }
  pool2d_forward(op, s, x.data, y.data, uses_indices(op) ? idx.data : nullptr);
}

// pool2d(op, shape, x, y, indices | null): op 0 max, 1 avg, 2 adaptive avg, 3 adaptive max;
// x and y Float32Arrays, or Float64Arrays (chosen by y's type); indices (Int32Array [planes, oh,
// ow]) required by the max ops, written with each maximum's flat position in its plane.
Napi::Value pool2d(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<PoolOp>(0, "op");
  const PoolShape s = pool_shape(args, op);
  dispatch_float(args, 3, [&](auto t) { pool2d_of<decltype(t)>(args, op, s); });
  return info.Env().Undefined();
}

template <class T>
void pool2d_backward_of(const Args& args, PoolOp op, const PoolShape& s) {
  const std::vector<int64_t> in_shape{s.planes, s.h, s.w}, out_shape{s.planes, s.oh, s.ow};
  const TypedArray<T> dy = args.floats_exact<T>(2, "dy", out_shape);
  const TypedArray<T> dx = args.floats_exact<T>(4, "dx", in_shape);
  check_disjoint(args, "dx", dx, "dy", dy);
  Scratch<int32_t> copy;
  const int32_t* indices = nullptr;
  if (uses_indices(op)) {
    I32Array idx;
    indices = args.indices(args.value(3), "indices", dy.length, 0, s.h * s.w, &copy, &idx);
    check_disjoint(args, "dx", dx, "indices", idx);
  }
  ::myelin::pool2d_backward(op, s, dy.data, indices, dx.data);
}

// pool2dBackward(op, shape, dy, indices | null, dx): Float32Arrays, or Float64Arrays (chosen by
// dx's type); the max ops scatter dy through indices, each of which must be a position inside
// its plane.
Napi::Value pool2d_backward(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<PoolOp>(0, "op");
  const PoolShape s = pool_shape(args, op);
  dispatch_float(args, 4, [&](auto t) { pool2d_backward_of<decltype(t)>(args, op, s); });
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"pool2d", pool2d, 5},
    {"pool2dBackward", pool2d_backward, 5},
};

}  // namespace

ExportList pool_exports() { return export_list(kExports); }

}  // namespace myelin::binding
