// GEMM over row-major float32 matrices in typed arrays: checks, then the core's sgemm. The
// arguments come as one named struct (GemmArgs / GemmBatchedArgs in lib/native.ts).
#include <string>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/gemm/gemm.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

constexpr int64_t kMaxDim = (int64_t{1} << 31) - 1;

struct Gemm {
  bool trans_a, trans_b;
  int64_t batch, m, n, k;
  float alpha, beta;
  MatrixOperand a, b, c;
  StridedF32 va, vb, vc;
};

// The operand's matrices, checked to stay inside its array.
StridedF32 take_operand(const Args& args, const char* name, int64_t batch, const MatrixOperand& op) {
  const F32Array arr = args.f32_labeled(op.value, args.option_where(name));
  const int64_t last = matrix_operand_last(args, name, batch, op, arr.length, "a Float32Array");
  return StridedF32{arr, last < 0 ? 0 : op.offset, {op.stride, op.ld, 1}};
}

// Reads the whole struct (JS values first, then the arrays) and checks it.
Gemm read_gemm(const Args& args, bool batched) {
  const Options o = args.options(0, "args");
  Gemm g;
  g.trans_a = o.boolean("transA");
  g.trans_b = o.boolean("transB");
  g.batch = batched ? o.integer("batch", 0, kMaxDim) : 1;
  g.m = o.integer("m", 0, kMaxDim);
  g.n = o.integer("n", 0, kMaxDim);
  g.k = o.integer("k", 0, kMaxDim);
  g.alpha = static_cast<float>(o.any_number("alpha"));
  g.beta = static_cast<float>(o.any_number("beta"));
  g.a = read_matrix_operand(args, o, "a", batched, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k,
                            g.trans_a ? "A (k x m, transposed)" : "A (m x k)");
  g.b = read_matrix_operand(args, o, "b", batched, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n,
                            g.trans_b ? "B (n x k, transposed)" : "B (k x n)");
  g.c = read_matrix_operand(args, o, "c", batched, g.m, g.n, "C (m x n)");
  // No JS runs from here on.
  g.va = take_operand(args, "a", g.batch, g.a);
  g.vb = take_operand(args, "b", g.batch, g.b);
  g.vc = take_operand(args, "c", g.batch, g.c);
  const std::vector<int64_t> c_shape = {g.batch, g.m, g.n};
  const std::vector<int64_t> a_shape = {g.batch, g.a.rows, g.a.cols};
  const std::vector<int64_t> b_shape = {g.batch, g.b.rows, g.b.cols};
  if (batched) check_no_self_overlap(args, "c", g.vc, c_shape);
  check_disjoint(args, "c", g.vc, c_shape, "a", g.va, a_shape);
  check_disjoint(args, "c", g.vc, c_shape, "b", g.vb, b_shape);
  return g;
}

// gemm({transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc})
Napi::Value gemm(const Napi::CallbackInfo& info) {
  Args args(info);
  const Gemm g = read_gemm(args, false);
  sgemm(active_kernels(), g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, g.va.ptr(), g.a.ld, g.vb.ptr(), g.b.ld, g.beta,
        g.vc.ptr(), g.c.ld);
  return info.Env().Undefined();
}

// gemmBatched({...gemm's fields, batch, strideA, strideB, strideC})
Napi::Value gemm_batched(const Napi::CallbackInfo& info) {
  Args args(info);
  const Gemm g = read_gemm(args, true);
  sgemm_batched(active_kernels(), g.trans_a, g.trans_b, g.batch, g.m, g.n, g.k, g.alpha, g.va.ptr(), g.a.ld, g.a.stride,
                g.vb.ptr(), g.b.ld, g.b.stride, g.beta, g.vc.ptr(), g.c.ld, g.c.stride);
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"gemm", gemm, 1},
    {"gemmBatched", gemm_batched, 1},
};

}  // namespace

ExportList gemm_exports() { return export_list(kExports); }

}  // namespace myelin::binding
