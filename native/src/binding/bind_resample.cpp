// Resampling (interpolate's nearest and linear modes) over whole contiguous Float32Arrays:
// checks of the shape, the per-axis tables and overlaps, then the core.
#include <cmath>
#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/bindings.h"
#include "kernels/resample/resample.h"

namespace myelin::binding {

namespace {

constexpr int64_t kMaxDim = (int64_t{1} << 31) - 1;
constexpr double kMaxSafe = 9007199254740991.0;

std::string num(int64_t v) { return std::to_string(v); }

// dims = [planes, h, w, oh, ow]: planes >= 0, the sizes >= 1, each at most 2^31 - 1.
ResampleShape resample_dims(const Args& args) {
  static const char* names[] = {"planes", "h", "w", "oh", "ow"};
  const Napi::Value v = args.value(0);
  const std::string where = std::string(args.fn()) + ": argument 'dims'";
  if (!v.IsArray())
    args.type_error(where + " must be an array of 5 integers [planes, h, w, oh, ow], got " + describe(v));
  const Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() != 5)
    args.range_error(where + " must have 5 entries [planes, h, w, oh, ow], got " + num(arr.Length()));
  int64_t d[5];
  for (uint32_t i = 0; i < 5; ++i) {
    const Napi::Value e = arr.Get(i);
    const double x = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : NAN;
    const int64_t lo = i == 0 ? 0 : 1;
    if (!std::isfinite(x) || std::floor(x) != x || x < static_cast<double>(lo) || x > static_cast<double>(kMaxDim))
      args.range_error(where + ": " + names[i] + " must be an integer in [" + num(lo) + ", " + num(kMaxDim) +
                       "], got " + describe(e));
    d[i] = static_cast<int64_t>(x);
  }
  const ResampleShape s{d[0], d[1], d[2], d[3], d[4]};
  const double planes = static_cast<double>(s.planes);
  if (planes * static_cast<double>(s.h * s.w) > kMaxSafe || planes * static_cast<double>(s.oh * s.ow) > kMaxSafe)
    args.range_error(std::string(args.fn()) + ": dims " + format_shape({s.planes, s.h, s.w, s.oh, s.ow}) +
                     " have too many elements");
  return s;
}

// A whole Float32Array of exactly `count` floats ([planes, rows, cols] in the message).
F32Array plane_array(const Args& args, size_t i, const char* param, const std::vector<int64_t>& shape) {
  const F32Array a = args.f32_array(i, param);
  const int64_t count = shape[0] * shape[1] * shape[2];
  if (a.length != count)
    args.range_error(std::string(args.fn()) + ": argument '" + param + "' must hold " + format_shape(shape) + " = " +
                     num(count) + " floats, got " + num(a.length));
  return a;
}

struct Axis {
  I32Array index;
  F32Array weight;  // data null for nearest
  ResampleAxis table() const { return {index.data, weight.length > 0 ? weight.data : nullptr}; }
};

// The table of an axis with `out` output positions over `in` source positions: index at i,
// weight (Float32Array or null) at i + 1. Nearest: out indices; linear: 2 * out indices and
// weights. Every index must lie in [0, in).
Axis axis_table(const Args& args, size_t i, const char* index_name, const char* weight_name, bool linear, int64_t in,
                int64_t out) {
  Axis a{args.i32_array(i, index_name), F32Array{nullptr, 0, Napi::Value(), 0}};
  const std::string fn = args.fn();
  const int64_t want = linear ? 2 * out : out;
  if (a.index.length != want)
    args.range_error(fn + ": argument '" + index_name + "' must hold " + num(want) +
                     (linear ? " indices (2 per output position), got " : " indices (1 per output position), got ") +
                     num(a.index.length));
  for (int64_t k = 0; k < want; ++k)
    if (a.index.data[k] < 0 || a.index.data[k] >= in)
      args.range_error(fn + ": " + index_name + "[" + num(k) + "] = " + num(a.index.data[k]) + " is outside [0, " +
                       num(in) + ")");
  if (linear) {
    a.weight = args.f32_array(i + 1, weight_name);
    if (a.weight.length != want)
      args.range_error(fn + ": argument '" + weight_name + "' must hold " + num(want) +
                       " weights (2 per output position), got " + num(a.weight.length));
  }
  return a;
}

void disjoint(const Args& args, const char* out_name, const F32Array& out, const char* in_name, const StridedF32& in,
              int64_t in_len) {
  check_disjoint(args, out_name, whole_view(out), {out.length}, in_name, in, {in_len});
}

// Shared by both directions: (dims, rowIndex, rowWeight, colIndex, colWeight, src, dst).
void resample(const Napi::CallbackInfo& info, const char* fn, bool forward) {
  Args args(info, fn, 7);
  const ResampleShape s = resample_dims(args);
  const bool row_null = args.is_null(2), col_null = args.is_null(4);
  if (row_null != col_null)
    args.type_error(
        std::string(fn) +
        ": arguments 'rowWeight' and 'colWeight' must both be Float32Arrays (linear) or both null (nearest), got " +
        describe(args.value(2)) + " and " + describe(args.value(4)));
  const bool linear = !row_null;
  const Axis rows = axis_table(args, 1, "rowIndex", "rowWeight", linear, s.h, s.oh);
  const Axis cols = axis_table(args, 3, "colIndex", "colWeight", linear, s.w, s.ow);
  const std::vector<int64_t> in_shape{s.planes, s.h, s.w}, out_shape{s.planes, s.oh, s.ow};
  const char* src_name = forward ? "x" : "dy";
  const char* dst_name = forward ? "y" : "dx";
  const F32Array src = plane_array(args, 5, src_name, forward ? in_shape : out_shape);
  const F32Array dst = plane_array(args, 6, dst_name, forward ? out_shape : in_shape);
  disjoint(args, dst_name, dst, src_name, whole_view(src), src.length);
  disjoint(args, dst_name, dst, "rowIndex", whole_view(rows.index), rows.index.length);
  disjoint(args, dst_name, dst, "colIndex", whole_view(cols.index), cols.index.length);
  if (linear) {
    disjoint(args, dst_name, dst, "rowWeight", whole_view(rows.weight), rows.weight.length);
    disjoint(args, dst_name, dst, "colWeight", whole_view(cols.weight), cols.weight.length);
  }
  if (s.planes == 0) return;
  if (forward)
    myelin::resample2d_forward(s, rows.table(), cols.table(), src.data, dst.data);
  else
    myelin::resample2d_backward(s, rows.table(), cols.table(), src.data, dst.data);
}

}  // namespace

// resample2d(dims, rowIndex, rowWeight | null, colIndex, colWeight | null, x, y)
Napi::Value resample2d(const Napi::CallbackInfo& info) {
  resample(info, "resample2d", true);
  return info.Env().Undefined();
}

// resample2dBackward(dims, rowIndex, rowWeight | null, colIndex, colWeight | null, dy, dx)
Napi::Value resample2d_backward(const Napi::CallbackInfo& info) {
  resample(info, "resample2dBackward", false);
  return info.Env().Undefined();
}

}  // namespace myelin::binding
