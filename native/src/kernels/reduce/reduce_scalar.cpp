// Portable reduction kernels: the oracle for the SIMD versions, and the path on any CPU.
#include "kernels/reduce/reduce.h"

namespace myelin {
namespace {

struct V {
  using reg = float;
  using cmask = bool;
  using ireg = int32_t;
  static constexpr int width = 1;
  static reg load(const float* p) { return *p; }
  static void store(float* p, reg v) { *p = v; }
  static reg set1(float x) { return x; }
  static reg load_tail(const float* p, int64_t, float) { return *p; }  // width 1: never a tail
  static reg add(reg a, reg b) { return a + b; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg max_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
  static reg min_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
  static cmask gt(reg a, reg b) { return a > b; }
  static cmask lt(reg a, reg b) { return a < b; }
  static cmask is_nan(reg a) { return a != a; }
  static cmask mask_or(cmask a, cmask b) { return a || b; }
  static cmask mask_andnot(cmask a, cmask b) { return !a && b; }
  static reg select(cmask m, reg f, reg t) { return m ? t : f; }
  static ireg set1_i(int32_t x) { return x; }
  static void store_i(int32_t* p, ireg v) { *p = v; }
  static ireg select_i(cmask m, ireg f, ireg t) { return m ? t : f; }
  static unsigned eq_bits(reg a, reg b) { return a == b ? 1u : 0u; }
  static unsigned nan_bits(reg a) { return a != a ? 1u : 0u; }
};

#include "kernels/reduce/reduce_rows.inl"
#include "kernels/reduce/arg_rows.inl"

}  // namespace

void fill_reduce_scalar(ReduceKernels* k) {
  fill_reduce_rows(k);
  fill_arg_rows(k);
}

}  // namespace myelin
