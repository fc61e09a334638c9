// Elementwise ops over strided float32 views.
#include "binding/args.h"
#include "binding/bindings.h"
#include "kernels/elementwise/elementwise.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

// binary(op, shape, out, outOffset, outStrides, a, aOffset, aStrides, b, bOffset, bStrides)
// op: 0 add, 1 sub, 2 mul, 3 div, 4 maximum, 5 minimum (BinaryOp order).
Napi::Value binary(const Napi::CallbackInfo& info) {
  Args args(info, "binary", 11);
  const auto op = static_cast<BinaryOp>(args.integer(0, "op", 0, kNumBinaryOps - 1));
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const StridedF32 out = args.strided_f32(2, "out", shape);
  const StridedF32 a = args.strided_f32(5, "a", shape);
  const StridedF32 b = args.strided_f32(8, "b", shape);
  check_no_self_overlap(args, "out", out, shape);
  check_no_partial_overlap(args, "out", out, "a", a, shape);
  check_no_partial_overlap(args, "out", out, "b", b, shape);
  binary_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), out.ptr(), out.strides.data(),
                 a.ptr(), a.strides.data(), b.ptr(), b.strides.data());
  return info.Env().Undefined();
}

// unary(op, shape, out, outOffset, outStrides, x, xOffset, xStrides)
// op: the UnaryOp order (0 neg ... 10 relu, 11 log1p, 12 expm1, 13 sign, 14 erf).
Napi::Value unary(const Napi::CallbackInfo& info) {
  Args args(info, "unary", 8);
  const auto op = static_cast<UnaryOp>(args.integer(0, "op", 0, kNumUnaryOps - 1));
  const std::vector<int64_t> shape = args.shape(1, "shape");
  const StridedF32 out = args.strided_f32(2, "out", shape);
  const StridedF32 x = args.strided_f32(5, "x", shape);
  check_no_self_overlap(args, "out", out, shape);
  check_no_partial_overlap(args, "out", out, "x", x, shape);
  unary_strided(active_kernels(), op, static_cast<int>(shape.size()), shape.data(), out.ptr(), out.strides.data(),
                x.ptr(), x.strides.data());
  return info.Env().Undefined();
}

}  // namespace myelin::binding
