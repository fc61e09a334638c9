// Portable LSTM / GRU step kernels (libm expf/tanhf): the oracle for the SIMD versions.
#include <math.h>

#include "kernels/rnn/rnn.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_scalar.inl"

float v_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
float v_tanh(float x) { return tanhf(x); }

#include "kernels/rnn/rnn_rows.inl"

}  // namespace

void fill_rnn_scalar(RnnKernels* k) { fill_rnn_rows(k); }

}  // namespace myelin
