// Portable softmax row kernels (libm exp/log): the oracle for the SIMD versions.
#include <math.h>

#include "kernels/softmax/softmax.h"

namespace myelin {
namespace {

struct S {
  using reg = float;
  static constexpr int width = 1;
  static reg load(const float* p) { return *p; }
  static void store(float* p, reg v) { *p = v; }
  static reg set1(float x) { return x; }
  static reg add(reg a, reg b) { return a + b; }
  static reg sub(reg a, reg b) { return a - b; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg max(reg a, reg b) { return b > a || b != b ? b : a; }
  static reg exp(reg x) { return expf(x); }
  static float hsum(reg v) { return v; }
  static float hmax(reg v) { return v; }
  static float exp1(float x) { return expf(x); }
  static float log1(float x) { return logf(x); }
};

#include "kernels/softmax/softmax_rows.inl"

}  // namespace

void fill_softmax_scalar(SoftmaxKernels* k) { fill_softmax_rows(k); }

}  // namespace myelin
