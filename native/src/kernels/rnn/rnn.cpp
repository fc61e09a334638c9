// Row-parallel driver of the LSTM / GRU step kernels.
#include "kernels/rnn/rnn.h"

#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin {

namespace {
constexpr int kLstmForward[] = {4, 1, 4, 1, 1, 1};
constexpr int kLstmBackward[] = {4, 1, 1, 1, 1, 4};
constexpr int kGruForward[] = {3, 3, 1, 3, 1};
constexpr int kGruBackward[] = {3, 1, 1, 1, 3, 3, 1};
// Below this many hidden units of work a step stays on the calling thread.
constexpr int64_t kMinUnitsPerThread = 16384;
}  // namespace

int rnn_op_arrays(RnnOp op, const int** widths) {
  switch (op) {
    case RnnOp::LstmForward:
      *widths = kLstmForward;
      return 6;
    case RnnOp::LstmBackward:
      *widths = kLstmBackward;
      return 6;
    case RnnOp::GruForward:
      *widths = kGruForward;
      return 5;
    case RnnOp::GruBackward:
      *widths = kGruBackward;
      return 7;
  }
  *widths = nullptr;
  return 0;
}

void rnn_cell_rows(const KernelTable& k, RnnOp op, int64_t rows, int64_t hidden, float* const* a) {
  if (rows <= 0 || hidden <= 0) return;
  const int64_t h = hidden;
  const int64_t min_rows = kMinUnitsPerThread / hidden + 1;
  const RnnKernels& r = k.rnn;
  parallel_for(rows, min_rows, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) {
      switch (op) {
        case RnnOp::LstmForward:
          r.lstm_forward(h, a[0] + i * 4 * h, a[1] + i * h, a[2] + i * 4 * h, a[3] + i * h, a[4] + i * h, a[5] + i * h);
          break;
        case RnnOp::LstmBackward:
          r.lstm_backward(h, a[0] + i * 4 * h, a[1] + i * h, a[2] + i * h, a[3] + i * h, a[4] + i * h,
                          a[5] + i * 4 * h);
          break;
        case RnnOp::GruForward:
          r.gru_forward(h, a[0] + i * 3 * h, a[1] + i * 3 * h, a[2] + i * h, a[3] + i * 3 * h, a[4] + i * h);
          break;
        case RnnOp::GruBackward:
          r.gru_backward(h, a[0] + i * 3 * h, a[1] + i * h, a[2] + i * h, a[3] + i * h, a[4] + i * 3 * h,
                         a[5] + i * 3 * h, a[6] + i * h);
          break;
      }
    }
  });
}

}  // namespace myelin
