// The LSTM / GRU step kernels: rnnCell(op, rows, hidden, a0, o0, a1, o1, ...) with op's arrays
// (see kernels/rnn/rnn.h) each as (Float32Array, element offset) of a [rows, k * hidden] block.
#include <string>

#include "binding/args.h"
#include "binding/bindings.h"
#include "kernels/rnn/rnn.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {
constexpr int64_t kMaxCount = (int64_t{1} << 53) - 1;
// Parameter names per op, in the row function's order; the outputs are the trailing ones.
const char* const kLstmForwardNames[] = {"pre", "cPrev", "act", "cNew", "tanhC", "h"};
const char* const kLstmBackwardNames[] = {"act", "tanhC", "cPrev", "dh", "dc", "dpre"};
const char* const kGruForwardNames[] = {"x", "hg", "hPrev", "act", "h"};
const char* const kGruBackwardNames[] = {"act", "hgN", "hPrev", "dh", "dx", "dhg", "dhPrev"};
const char* const* const kNames[] = {kLstmForwardNames, kLstmBackwardNames, kGruForwardNames, kGruBackwardNames};
// Index of the first written array per op (dc of the LSTM backward is read and written).
constexpr int kFirstOut[] = {2, 4, 3, 4};
}  // namespace

Napi::Value rnn_cell(const Napi::CallbackInfo& info) {
  Args args(info, "rnnCell", 3);
  const int op_index = static_cast<int>(args.integer(0, "op", 0, 3));
  const auto op = static_cast<RnnOp>(op_index);
  const int64_t rows = args.integer(1, "rows", 0, kMaxCount);
  const int64_t hidden = args.integer(2, "hidden", 0, kMaxCount);
  const int* widths = nullptr;
  const int count = rnn_op_arrays(op, &widths);
  if (info.Length() < static_cast<size_t>(3 + 2 * count))
    args.type_error("rnnCell: op " + std::to_string(op_index) + " takes " + std::to_string(count) +
                    " (array, offset) pairs, got " + std::to_string((info.Length() - 3) / 2));
  StridedF32 views[7];
  std::vector<int64_t> lens[7];
  float* ptrs[7];
  for (int a = 0; a < count; a++) {
    const char* name = kNames[op_index][a];
    const F32Array arr = args.f32_array(3 + 2 * a, name);
    const int64_t offset = args.integer(4 + 2 * a, name, 0, kMaxCount);
    const double need =
        static_cast<double>(offset) + static_cast<double>(rows) * widths[a] * static_cast<double>(hidden);
    if (need > static_cast<double>(arr.length))
      args.range_error(std::string("rnnCell: argument '") + name + "' needs " +
                       std::to_string(static_cast<int64_t>(need)) + " elements (offset " + std::to_string(offset) +
                       " + " + std::to_string(rows) + " x " + std::to_string(widths[a]) + " x " +
                       std::to_string(hidden) + "), the Float32Array has " + std::to_string(arr.length));
    views[a] = StridedF32{arr, offset, {1}};
    lens[a] = {rows * widths[a] * hidden};
    ptrs[a] = arr.data + offset;
  }
  // Written arrays may share no memory with any other array.
  for (int out = kFirstOut[op_index]; out < count; out++)
    for (int other = 0; other < count; other++)
      if (other != out)
        check_disjoint(args, kNames[op_index][out], views[out], lens[out], kNames[op_index][other], views[other],
                       lens[other]);
  rnn_cell_rows(active_kernels(), op, rows, hidden, ptrs);
  return info.Env().Undefined();
}

}  // namespace myelin::binding
