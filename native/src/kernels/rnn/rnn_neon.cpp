// arm64 NEON LSTM / GRU step kernels (4 floats a register). NEON is baseline on aarch64: no extra flags.
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>

#include "kernels/rnn/rnn.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"
#include "kernels/vmath/vmath.inl"
#include "kernels/rnn/rnn_rows.inl"

}  // namespace

void fill_rnn_neon(RnnKernels* k) { fill_rnn_rows(k); }

}  // namespace myelin
