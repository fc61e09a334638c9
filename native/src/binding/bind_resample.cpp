// Resampling (interpolate's nearest and linear modes) over whole contiguous Float32Arrays, or
// Float64Arrays (data and weights, chosen by the output's type):
// checks of the shape, the per-axis tables and overlaps, then the core.
#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/resample/resample.h"

namespace myelin::binding {

namespace {

std::string num(int64_t v) { return std::to_string(v); }

// One axis's source table: the indices (checked, and copied when another thread could rewrite
// them) and the weights (null for nearest).
template <class T>
struct Axis {
  Scratch<int32_t> copy;
  I32Array index_array;
  const int32_t* index = nullptr;
  TypedArray<T> weight;
  ResampleAxisOf<T> table() const { return {index, weight.present() && weight.length > 0 ? weight.data : nullptr}; }
};

// The table of an axis with `out` output positions over `in` source positions: index at i,
// weight (a Float32Array or Float64Array as the data, or null) at i + 1. Nearest: out indices; linear: 2 * out indices
// and weights. Every index must lie in [0, in).
template <class T>
void axis_table(const Args& args, size_t i, const char* index_name, const char* weight_name, bool linear, int64_t in,
                int64_t out, Axis<T>* a) {
  const int64_t want = linear ? 2 * out : out;
  a->index = args.indices(args.value(i), index_name, want, 0, in, &a->copy, &a->index_array);
  if (linear) {
    a->weight = args.floats<T>(i + 1, weight_name);
    if (a->weight.length != want)
      args.range_error(args.where(weight_name) + " must hold " + num(want) + " weights (2 per output position), got " +
                       num(a->weight.length));
  }
}

// Shared by both directions: (dims, rowIndex, rowWeight, colIndex, colWeight, src, dst).
template <class T>
void resample_of(const Args& args, bool forward) {
  // dims = [planes, h, w, oh, ow]: planes >= 0, the sizes >= 1.
  const std::vector<int64_t> d = args.named_sizes(0, "dims", {"planes", "h", "w", "oh", "ow"}, {0, 1, 1, 1, 1});
  const ResampleShape s{d[0], d[1], d[2], d[3], d[4]};
  const bool row_null = args.is_null(2), col_null = args.is_null(4);
  if (row_null != col_null)
    args.type_error(std::string(args.fn()) +
                    ": arguments 'rowWeight' and 'colWeight' must both be Float32Arrays or Float64Arrays (linear) or "
                    "both null (nearest), got " +
                    describe(args.value(2)) + " and " + describe(args.value(4)));
  const bool linear = !row_null;
  const std::vector<int64_t> in_shape{s.planes, s.h, s.w}, out_shape{s.planes, s.oh, s.ow};
  const char* src_name = forward ? "x" : "dy";
  const char* dst_name = forward ? "y" : "dx";
  const TypedArray<T> src = args.floats_exact<T>(5, src_name, forward ? in_shape : out_shape);
  const TypedArray<T> dst = args.floats_exact<T>(6, dst_name, forward ? out_shape : in_shape);
  Axis<T> rows, cols;
  axis_table(args, 1, "rowIndex", "rowWeight", linear, s.h, s.oh, &rows);
  axis_table(args, 3, "colIndex", "colWeight", linear, s.w, s.ow, &cols);
  check_disjoint(args, dst_name, dst, src_name, src);
  check_disjoint(args, dst_name, dst, "rowIndex", rows.index_array);
  check_disjoint(args, dst_name, dst, "colIndex", cols.index_array);
  check_disjoint(args, dst_name, dst, "rowWeight", rows.weight);
  check_disjoint(args, dst_name, dst, "colWeight", cols.weight);
  if (s.planes == 0) return;
  if (forward)
    ::myelin::resample2d_forward(s, rows.table(), cols.table(), src.data, dst.data);
  else
    ::myelin::resample2d_backward(s, rows.table(), cols.table(), src.data, dst.data);
}

void resample(const Napi::CallbackInfo& info, bool forward) {
  Args args(info);
  dispatch_float(args, 6, [&](auto t) { resample_of<decltype(t)>(args, forward); });
}

// resample2d(dims, rowIndex, rowWeight | null, colIndex, colWeight | null, x, y)
Napi::Value resample2d(const Napi::CallbackInfo& info) {
  resample(info, true);
  return info.Env().Undefined();
}

// resample2dBackward(dims, rowIndex, rowWeight | null, colIndex, colWeight | null, dy, dx)
Napi::Value resample2d_backward(const Napi::CallbackInfo& info) {
  resample(info, false);
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"resample2d", resample2d, 7},
    {"resample2dBackward", resample2d_backward, 7},
};

}  // namespace

ExportList resample_exports() { return export_list(kExports); }

}  // namespace myelin::binding
