// GEMM over row-major float32 matrices in typed arrays: checks, then the core's sgemm.
#include <string>

#include "binding/args.h"
#include "binding/bindings.h"
#include "kernels/gemm/gemm.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

constexpr int64_t kMaxDim = (int64_t{1} << 31) - 1;

struct Operands {
  bool trans_a, trans_b;
  int64_t batch, m, n, k;
  float alpha, beta;
  StridedF32 a, b, c;
};

// Reads everything after the dims (alpha at i): the same layout for gemm and gemmBatched,
// the batched one with a stride after each leading dimension.
void read_operands(const Args& args, size_t i, bool batched, Operands* o) {
  const std::string a_what = o->trans_a ? "A (k x m, transposed)" : "A (m x k)";
  const std::string b_what = o->trans_b ? "B (n x k, transposed)" : "B (k x n)";
  o->alpha = static_cast<float>(args.number(i, "alpha"));
  const size_t step = batched ? 4 : 3;
  size_t at = i + 1;
  o->a = args.matrices_f32(at, "a", "aOffset", "lda", batched ? "strideA" : nullptr, a_what, o->batch,
                           o->trans_a ? o->k : o->m, o->trans_a ? o->m : o->k);
  at += step;
  o->b = args.matrices_f32(at, "b", "bOffset", "ldb", batched ? "strideB" : nullptr, b_what, o->batch,
                           o->trans_b ? o->n : o->k, o->trans_b ? o->k : o->n);
  at += step;
  o->beta = static_cast<float>(args.number(at, "beta"));
  o->c = args.matrices_f32(at + 1, "c", "cOffset", "ldc", batched ? "strideC" : nullptr, "C (m x n)", o->batch, o->m,
                           o->n);
  const std::vector<int64_t> c_shape = {o->batch, o->m, o->n};
  const std::vector<int64_t> a_shape = {o->batch, o->trans_a ? o->k : o->m, o->trans_a ? o->m : o->k};
  const std::vector<int64_t> b_shape = {o->batch, o->trans_b ? o->n : o->k, o->trans_b ? o->k : o->n};
  if (batched) check_no_self_overlap(args, "c", o->c, c_shape);
  check_disjoint(args, "c", o->c, c_shape, "a", o->a, a_shape);
  check_disjoint(args, "c", o->c, c_shape, "b", o->b, b_shape);
}

}  // namespace

// gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc)
Napi::Value gemm(const Napi::CallbackInfo& info) {
  Args args(info, "gemm", 16);
  Operands o;
  o.trans_a = args.boolean(0, "transA");
  o.trans_b = args.boolean(1, "transB");
  o.batch = 1;
  o.m = args.integer(2, "m", 0, kMaxDim);
  o.n = args.integer(3, "n", 0, kMaxDim);
  o.k = args.integer(4, "k", 0, kMaxDim);
  read_operands(args, 5, false, &o);
  sgemm(active_kernels(), o.trans_a, o.trans_b, o.m, o.n, o.k, o.alpha, o.a.ptr(), o.a.strides[1], o.b.ptr(),
        o.b.strides[1], o.beta, o.c.ptr(), o.c.strides[1]);
  return info.Env().Undefined();
}

// gemmBatched(transA, transB, batch, m, n, k, alpha, a, aOffset, lda, strideA,
//             b, bOffset, ldb, strideB, beta, c, cOffset, ldc, strideC)
Napi::Value gemm_batched(const Napi::CallbackInfo& info) {
  Args args(info, "gemmBatched", 20);
  Operands o;
  o.trans_a = args.boolean(0, "transA");
  o.trans_b = args.boolean(1, "transB");
  o.batch = args.integer(2, "batch", 0, kMaxDim);
  o.m = args.integer(3, "m", 0, kMaxDim);
  o.n = args.integer(4, "n", 0, kMaxDim);
  o.k = args.integer(5, "k", 0, kMaxDim);
  read_operands(args, 6, true, &o);
  sgemm_batched(active_kernels(), o.trans_a, o.trans_b, o.batch, o.m, o.n, o.k, o.alpha, o.a.ptr(), o.a.strides[1],
                o.a.strides[0], o.b.ptr(), o.b.strides[1], o.b.strides[0], o.beta, o.c.ptr(), o.c.strides[1],
                o.c.strides[0]);
  return info.Env().Undefined();
}

}  // namespace myelin::binding
