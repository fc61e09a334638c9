// Portable reduction kernels: the oracle for the SIMD versions, and the path on any CPU.
#include "kernels/reduce/reduce.h"

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_scalar.inl"
}  // namespace simd

// The shared width-1 type plus what the reduction rows need (see reduce_rows.inl, arg_rows.inl).
struct V : simd::V {
  using ireg = int32_t;
  static mask gt(reg a, reg b) { return a > b; }
  static mask isnan(reg a) { return a != a; }
  static mask mask_or(mask a, mask b) { return a || b; }
  static mask mask_andnot(mask a, mask b) { return !a && b; }
  static ireg set1_i(int32_t x) { return x; }
  static void store_i(int32_t* p, ireg v) { *p = v; }
  static ireg select_i(mask m, ireg a, ireg b) { return m ? a : b; }
  static unsigned eq_bits(reg a, reg b) { return a == b ? 1u : 0u; }
  static unsigned nan_bits(reg a) { return a != a ? 1u : 0u; }
};

#include "kernels/reduce/reduce_rows.inl"
#include "kernels/reduce/arg_rows.inl"

// The float64 sum, mean, max, min and prod kernels: the same rows over the float64 type.
#include "kernels/vmath/simd_scalar_f64.inl"
namespace f64 {
using V = VD;
#include "kernels/reduce/reduce_rows.inl"
}  // namespace f64

}  // namespace

void fill_reduce_scalar(ReduceKernels* k) {
  fill_reduce_table(k->row, k->cols);
  f64::fill_reduce_table(k->row_f64, k->cols_f64);
  fill_arg_rows(k);
}

}  // namespace myelin
