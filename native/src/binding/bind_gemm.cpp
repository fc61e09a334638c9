// GEMM over row-major float32 (the core's sgemm), float64 (dgemm) or int32 (gemm_i32) matrices
// in typed arrays: checks, then the kernel. The arguments come as one named struct (GemmArgs /
// GemmBatchedArgs / GemmFloat64Args / GemmInt32Args in lib/native.ts).
#include <string>
#include <type_traits>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_i32.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

// The struct of a GEMM over elements of type T (float, double, or int32_t: no alpha and beta).
template <class T>
struct Gemm : GemmLayoutArgs {
  double alpha = 1, beta = 0;
  T *pa, *pb, *pc;  // each operand's first element
};

// The overlap checks' view of an operand (Strided<T>): 4-byte elements for float and int32, 8 for
// double.
template <class T>
using OperandView = Strided<T>;

// The operand's matrices, checked to stay inside its array: their first element, and their
// view (for the overlap checks) in *view.
template <class T>
T* take_operand(const Args& args, const char* name, int64_t batch, const MatrixOperand& op, OperandView<T>* view) {
  const Label label = args.option_label(name);
  TypedArray<T> arr;
  const char* kind;
  if constexpr (std::is_same_v<T, float>) {
    arr = args.f32_labeled(op.value, label);
    kind = "a Float32Array";
  } else if constexpr (std::is_same_v<T, double>) {
    arr = args.f64_labeled(op.value, label);
    kind = "a Float64Array";
  } else {
    arr = args.i32_labeled(op.value, label);
    kind = "an Int32Array";
  }
  const int64_t last = matrix_operand_last(args, name, batch, op, arr.length, kind);
  const int64_t offset = last < 0 ? 0 : op.offset;
  *view = OperandView<T>{whole_view(arr).array, offset, {op.stride, op.ld, 1}};
  return arr.data + offset;
}

// Reads the whole struct (JS values first, then the arrays) and checks it.
template <class T>
Gemm<T> read_gemm(const Args& args, bool batched) {
  const Options o = args.options(0, "args");
  Gemm<T> g;
  static_cast<GemmLayoutArgs&>(g) = read_gemm_layout(args, o, batched);
  if constexpr (!std::is_same_v<T, int32_t>) {
    g.alpha = o.any_number("alpha");
    g.beta = o.any_number("beta");
  }
  // No JS runs from here on.
  OperandView<T> va, vb, vc;
  g.pa = take_operand<T>(args, "a", g.batch, g.a, &va);
  g.pb = take_operand<T>(args, "b", g.batch, g.b, &vb);
  g.pc = take_operand<T>(args, "c", g.batch, g.c, &vc);
  const std::vector<int64_t> c_shape = {g.batch, g.m, g.n};
  const std::vector<int64_t> a_shape = {g.batch, g.a.rows, g.a.cols};
  const std::vector<int64_t> b_shape = {g.batch, g.b.rows, g.b.cols};
  if (batched) check_no_self_overlap(args, "c", vc, c_shape);
  check_disjoint(args, "c", vc, c_shape, "a", va, a_shape);
  check_disjoint(args, "c", vc, c_shape, "b", vb, b_shape);
  return g;
}

// gemm({transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc})
Napi::Value gemm(const Napi::CallbackInfo& info) {
  Args args(info);
  const Gemm<float> g = read_gemm<float>(args, false);
  sgemm(active_kernels(), g.trans_a, g.trans_b, g.m, g.n, g.k, static_cast<float>(g.alpha), g.pa, g.a.ld, g.pb, g.b.ld,
        static_cast<float>(g.beta), g.pc, g.c.ld);
  return info.Env().Undefined();
}

// gemmBatched({...gemm's fields, batch, strideA, strideB, strideC})
Napi::Value gemm_batched(const Napi::CallbackInfo& info) {
  Args args(info);
  const Gemm<float> g = read_gemm<float>(args, true);
  sgemm_batched(active_kernels(), g.trans_a, g.trans_b, g.batch, g.m, g.n, g.k, static_cast<float>(g.alpha), g.pa,
                g.a.ld, g.a.stride, g.pb, g.b.ld, g.b.stride, static_cast<float>(g.beta), g.pc, g.c.ld, g.c.stride);
  return info.Env().Undefined();
}

// gemmFloat64({gemmBatched's fields over Float64Arrays}): the same product in double.
Napi::Value gemm_float64(const Napi::CallbackInfo& info) {
  Args args(info);
  const Gemm<double> g = read_gemm<double>(args, true);
  dgemm_batched(active_kernels(), g.trans_a, g.trans_b, g.batch, g.m, g.n, g.k, g.alpha, g.pa, g.a.ld, g.a.stride, g.pb,
                g.b.ld, g.b.stride, g.beta, g.pc, g.c.ld, g.c.stride);
  return info.Env().Undefined();
}

// gemmInt32({gemmBatched's fields but alpha and beta}): C = op(A) op(B) over Int32Arrays,
// wrapping modulo 2^32.
Napi::Value gemm_int32(const Napi::CallbackInfo& info) {
  Args args(info);
  const Gemm<int32_t> g = read_gemm<int32_t>(args, true);
  gemm_i32(active_kernels(), g.trans_a, g.trans_b, g.batch, g.m, g.n, g.k, g.pa, g.a.ld, g.a.stride, g.pb, g.b.ld,
           g.b.stride, g.pc, g.c.ld, g.c.stride);
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"gemm", gemm, 1},
    {"gemmBatched", gemm_batched, 1},
    {"gemmInt32", gemm_int32, 1},
    {"gemmFloat64", gemm_float64, 1},
};

}  // namespace

ExportList gemm_exports() { return export_list(kExports); }

}  // namespace myelin::binding
