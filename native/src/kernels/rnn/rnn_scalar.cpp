// Portable LSTM / GRU step kernels (libm expf/tanhf): the oracle for the SIMD versions.
#include <math.h>

#include "kernels/rnn/rnn.h"

namespace myelin {
namespace {

struct V {
  using reg = float;
  static constexpr int width = 1;
  static reg load(const float* p) { return *p; }
  static void store(float* p, reg v) { *p = v; }
  static reg set1(float x) { return x; }
  static float first(reg v) { return v; }
  static reg add(reg a, reg b) { return a + b; }
  static reg sub(reg a, reg b) { return a - b; }
  static reg mul(reg a, reg b) { return a * b; }
};

float v_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
float v_tanh(float x) { return tanhf(x); }

#include "kernels/rnn/rnn_rows.inl"

}  // namespace

void fill_rnn_scalar(RnnKernels* k) { fill_rnn_rows(k); }

}  // namespace myelin
