// AVX-512F LSTM / GRU step kernels. Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels/rnn/rnn.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"
#include "kernels/vmath/vmath.inl"
#include "kernels/rnn/rnn_rows.inl"

}  // namespace

void fill_rnn_avx512(RnnKernels* k) { fill_rnn_rows(k); }

}  // namespace myelin
