// Portable binary row kernels: the oracle for the SIMD versions, and the path on any CPU.
#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

struct V {
  using reg = float;
  static constexpr int width = 1;
  static reg load(const float* p) { return *p; }
  static void store(float* p, reg v) { *p = v; }
  static reg set1(float x) { return x; }
  static reg add(reg a, reg b) { return a + b; }
  static reg sub(reg a, reg b) { return a - b; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg div(reg a, reg b) { return a / b; }
  static reg max_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
  static reg min_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
};

#include "kernels/elementwise/binary_rows.inl"

}  // namespace

void fill_binary_scalar(BinaryKernels* k) { fill_binary_rows(k); }

}  // namespace myelin
