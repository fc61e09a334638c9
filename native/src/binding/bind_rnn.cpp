// The LSTM / GRU step kernels: rnnCell(op, rows, hidden, a0, o0, a1, o1, ...) with op's arrays
// (see kernels/rnn/rnn.h) each as (Float32Array, element offset) of a [rows, k * hidden] block.
#include <string>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/rnn/rnn.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {
// Parameter names per op, in the row function's order; the outputs are the trailing ones.
const char* const kLstmForwardNames[] = {"pre", "cPrev", "act", "cNew", "tanhC", "h"};
const char* const kLstmBackwardNames[] = {"act", "tanhC", "cPrev", "dh", "dc", "dpre"};
const char* const kGruForwardNames[] = {"x", "hg", "hPrev", "act", "h"};
const char* const kGruBackwardNames[] = {"act", "hgN", "hPrev", "dh", "dx", "dhg", "dhPrev"};
const char* const* const kNames[] = {kLstmForwardNames, kLstmBackwardNames, kGruForwardNames, kGruBackwardNames};
// Index of the first written array per op (dc of the LSTM backward is read and written).
constexpr int kFirstOut[] = {2, 4, 3, 4};
constexpr int kMaxArrays = 7;

Napi::Value rnn_cell(const Napi::CallbackInfo& info) {
  Args args(info);
  const auto op = args.op<RnnOp>(0, "op");
  const int op_index = static_cast<int>(op);
  const int64_t rows = args.integer(1, "rows", 0, kMaxCount);
  const int64_t hidden = args.integer(2, "hidden", 0, kMaxCount);
  const int* widths = nullptr;
  const int count = rnn_op_arrays(op, &widths);
  if (args.count() != static_cast<size_t>(3 + 2 * count))
    args.type_error(std::string("rnnCell: op ") + std::to_string(op_index) + " (" + op_name(op) + ") takes " +
                    std::to_string(count) + " (array, offset) pairs, got " + std::to_string((args.count() - 3) / 2) +
                    (args.count() % 2 == 0 ? " and a stray argument" : ""));
  const char* const* names = kNames[op_index];
  int64_t offsets[kMaxArrays];
  for (int a = 0; a < count; a++) offsets[a] = args.integer(4 + 2 * a, names[a], 0, kMaxCount);
  StridedF32 views[kMaxArrays];
  std::vector<int64_t> lens[kMaxArrays];
  float* ptrs[kMaxArrays];
  for (int a = 0; a < count; a++) {
    int64_t width;
    if (!checks::mul(widths[a], hidden, &width))
      args.range_error("rnnCell: hidden " + std::to_string(hidden) + " is too large");
    ptrs[a] = args.f32_rows(3 + 2 * a, names[a], offsets[a], rows, width);
    views[a] = StridedF32{args.f32(3 + 2 * a, names[a]), offsets[a], {1}};
    lens[a] = {rows * width};
  }
  // Written arrays may share no memory with any other array.
  for (int out = kFirstOut[op_index]; out < count; out++)
    for (int other = 0; other < count; other++)
      if (other != out)
        check_disjoint(args, names[out], views[out], lens[out], names[other], views[other], lens[other]);
  rnn_cell_rows(active_kernels(), op, rows, hidden, ptrs);
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"rnnCell", rnn_cell, 3},
};

}  // namespace

ExportList rnn_exports() { return export_list(kExports); }

}  // namespace myelin::binding
