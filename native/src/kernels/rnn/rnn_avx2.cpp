// AVX2+FMA LSTM / GRU step kernels. Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/rnn/rnn.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"
#include "kernels/vmath/vmath.inl"
#include "kernels/rnn/rnn_rows.inl"

}  // namespace

void fill_rnn_avx2(RnnKernels* k) { fill_rnn_rows(k); }

}  // namespace myelin
