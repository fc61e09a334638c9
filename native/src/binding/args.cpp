#include "binding/args.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "kernels/common/nd_loop.h"

namespace myelin::binding {

namespace {
constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1
}

std::string describe(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return std::string("boolean ") + (v.As<Napi::Boolean>().Value() ? "true" : "false");
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    char buf[64];
    snprintf(buf, sizeof buf, "number %.17g", d);
    return buf;
  }
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    if (s.size() > 40) s = s.substr(0, 40) + "...";
    return "string '" + s + "'";
  }
  if (v.IsTypedArray()) {
    static const char* names[] = {"Int8Array",    "Uint8Array",    "Uint8ClampedArray", "Int16Array",
                                  "Uint16Array",  "Int32Array",    "Uint32Array",       "Float32Array",
                                  "Float64Array", "BigInt64Array", "BigUint64Array"};
    const Napi::TypedArray t = v.As<Napi::TypedArray>();
    const int type = static_cast<int>(t.TypedArrayType());
    const char* name = type >= 0 && type < 11 ? names[type] : "TypedArray";
    return std::string(name) + "(" + std::to_string(t.ElementLength()) + ")";
  }
  if (v.IsArray()) return "array of length " + std::to_string(v.As<Napi::Array>().Length());
  if (v.IsFunction()) return "function";
  return "object";
}

std::string format_shape(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Args::Args(const Napi::CallbackInfo& info, const char* fn, size_t min_count) : info_(info), fn_(fn) {
  if (info.Length() < min_count)
    type_error(std::string(fn) + ": expected " + std::to_string(min_count) + " arguments, got " +
               std::to_string(info.Length()));
}

std::string Args::where(const char* param) const { return std::string(fn_) + ": argument '" + param + "'"; }

void Args::type_error(const std::string& msg) const { throw Napi::TypeError::New(env(), msg); }
void Args::range_error(const std::string& msg) const { throw Napi::RangeError::New(env(), msg); }

F32Array Args::f32_array(size_t i, const char* param) const {
  const Napi::Value v = info_[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    type_error(where(param) + " must be a Float32Array, got " + describe(v));
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  F32Array out;
  out.length = static_cast<int64_t>(a.ElementLength());
  out.data = out.length > 0 ? a.Data() : nullptr;
  out.buffer = a.ArrayBuffer();
  out.byte_offset = static_cast<int64_t>(a.ByteOffset());
  return out;
}

int64_t Args::integer(size_t i, const char* param, int64_t min, int64_t max) const {
  const Napi::Value v = info_[i];
  if (!v.IsNumber()) type_error(where(param) + " must be an integer, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > kMaxSafeInteger)
    type_error(where(param) + " must be an integer, got " + describe(v));
  if (d < static_cast<double>(min) || d > static_cast<double>(max))
    range_error(where(param) + " must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                std::to_string(static_cast<int64_t>(d)));
  return static_cast<int64_t>(d);
}

bool Args::boolean(size_t i, const char* param) const {
  const Napi::Value v = info_[i];
  if (!v.IsBoolean()) type_error(where(param) + " must be a boolean, got " + describe(v));
  return v.As<Napi::Boolean>().Value();
}

double Args::number(size_t i, const char* param) const {
  const Napi::Value v = info_[i];
  if (!v.IsNumber()) type_error(where(param) + " must be a number, got " + describe(v));
  return v.As<Napi::Number>().DoubleValue();
}

std::string Args::string(size_t i, const char* param) const {
  const Napi::Value v = info_[i];
  if (!v.IsString()) type_error(where(param) + " must be a string, got " + describe(v));
  return v.As<Napi::String>().Utf8Value();
}

std::vector<int64_t> Args::shape(size_t i, const char* param) const {
  const Napi::Value v = info_[i];
  if (!v.IsArray()) type_error(where(param) + " must be an array of sizes, got " + describe(v));
  const Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() > static_cast<uint32_t>(kMaxDims))
    range_error(where(param) + " has " + std::to_string(arr.Length()) + " dims; at most " + std::to_string(kMaxDims) +
                " are supported");
  std::vector<int64_t> shape(arr.Length());
  double numel = 1;
  for (uint32_t d = 0; d < arr.Length(); ++d) {
    const Napi::Value e = arr.Get(d);
    if (!e.IsNumber()) type_error(where(param) + "[" + std::to_string(d) + "] must be a size, got " + describe(e));
    const double x = e.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(x) || std::floor(x) != x || x < 0 || x > kMaxSafeInteger)
      range_error(where(param) + "[" + std::to_string(d) + "] must be a non-negative integer, got " + describe(e));
    shape[d] = static_cast<int64_t>(x);
    numel *= x;
  }
  if (numel > kMaxSafeInteger) range_error(where(param) + " " + format_shape(shape) + " has too many elements");
  return shape;
}

std::vector<int64_t> Args::named_ints(size_t i, const char* param, const std::vector<const char*>& names,
                                      const std::vector<int64_t>& min) const {
  constexpr int64_t kMaxSize = (int64_t{1} << 31) - 1;
  const Napi::Value v = info_[i];
  const std::string at = std::string(fn_) + ": argument '" + param + "'";
  if (!v.IsArray())
    type_error(at + " must be an array of " + std::to_string(names.size()) + " integers, got " + describe(v));
  const Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() != names.size())
    range_error(at + " must have " + std::to_string(names.size()) + " entries, got " + std::to_string(arr.Length()));
  std::vector<int64_t> out(names.size());
  for (uint32_t d = 0; d < arr.Length(); ++d) {
    const Napi::Value e = arr.Get(d);
    const double x = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(x) || std::floor(x) != x || x < static_cast<double>(min[d]) || x > static_cast<double>(kMaxSize))
      range_error(at + ": " + names[d] + " must be an integer in [" + std::to_string(min[d]) + ", " +
                  std::to_string(kMaxSize) + "], got " + describe(e));
    out[d] = static_cast<int64_t>(x);
  }
  return out;
}

std::vector<int64_t> Args::strides(size_t i, const char* param, size_t ndim) const {
  const Napi::Value v = info_[i];
  if (!v.IsArray()) type_error(where(param) + " must be an array of strides, got " + describe(v));
  const Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() != ndim)
    range_error(where(param) + " must have " + std::to_string(ndim) + " strides (one per dim), got " +
                std::to_string(arr.Length()));
  std::vector<int64_t> strides(ndim);
  for (uint32_t d = 0; d < ndim; ++d) {
    const Napi::Value e = arr.Get(d);
    if (!e.IsNumber()) type_error(where(param) + "[" + std::to_string(d) + "] must be a stride, got " + describe(e));
    const double x = e.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(x) || std::floor(x) != x || x < 0 || x > kMaxSafeInteger)
      range_error(where(param) + "[" + std::to_string(d) + "] must be a non-negative integer, got " + describe(e));
    strides[d] = static_cast<int64_t>(x);
  }
  return strides;
}

StridedF32 Args::strided_f32(size_t i, const char* param, const std::vector<int64_t>& shape) const {
  StridedF32 s;
  s.array = f32_array(i, param);
  const std::string offset_name = std::string(param) + "Offset";
  const std::string strides_name = std::string(param) + "Strides";
  s.offset = integer(i + 1, offset_name.c_str(), 0, static_cast<int64_t>(kMaxSafeInteger));
  s.strides = strides(i + 2, strides_name.c_str(), shape.size());
  // The furthest element any index reaches; nothing is read when the shape is empty.
  double last = static_cast<double>(s.offset);
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return s;
    last += static_cast<double>(shape[d] - 1) * static_cast<double>(s.strides[d]);
  }
  if (last >= static_cast<double>(s.array.length))
    range_error(where(param) + ": offset " + std::to_string(s.offset) + " with strides " + format_shape(s.strides) +
                " over shape " + format_shape(shape) + " reaches element " +
                std::to_string(static_cast<int64_t>(last)) + " of a Float32Array of length " +
                std::to_string(s.array.length));
  return s;
}

StridedF32 Args::matrices_f32(size_t i, const char* param, const char* offset_name, const char* ld_name,
                              const char* stride_name, const std::string& what, int64_t batch, int64_t rows,
                              int64_t cols) const {
  StridedF32 s;
  s.array = f32_array(i, param);
  s.offset = integer(i + 1, offset_name, 0, static_cast<int64_t>(kMaxSafeInteger));
  const int64_t min_ld = cols > 1 ? cols : 1;
  const int64_t ld = integer(i + 2, ld_name, 0, static_cast<int64_t>(kMaxSafeInteger));
  if (ld < min_ld)
    range_error(where(ld_name) + " must be >= " + std::to_string(min_ld) + " (the row length of " + what + ", " +
                std::to_string(rows) + " x " + std::to_string(cols) + "), got " + std::to_string(ld));
  const int64_t stride = stride_name ? integer(i + 3, stride_name, 0, static_cast<int64_t>(kMaxSafeInteger)) : 0;
  s.strides = {stride, ld, 1};
  if (batch == 0 || rows == 0 || cols == 0) return s;
  const double last = static_cast<double>(s.offset) + static_cast<double>(batch - 1) * stride +
                      static_cast<double>(rows - 1) * ld + static_cast<double>(cols - 1);
  if (last >= static_cast<double>(s.array.length))
    range_error(where(param) + ": " + what + " (" + std::to_string(batch > 1 ? batch : 1) + " x " +
                std::to_string(rows) + " x " + std::to_string(cols) + ") at offset " + std::to_string(s.offset) +
                " with " + ld_name + " " + std::to_string(ld) +
                (stride_name ? std::string(" and ") + stride_name + " " + std::to_string(stride) : "") +
                " reaches element " + std::to_string(static_cast<int64_t>(last)) + " of a Float32Array of length " +
                std::to_string(s.array.length));
  return s;
}

std::vector<int> Args::axes(size_t i, const char* param, size_t ndim) const {
  const Napi::Value v = info_[i];
  if (!v.IsArray()) type_error(where(param) + " must be an array of axes, got " + describe(v));
  const Napi::Array arr = v.As<Napi::Array>();
  std::vector<int> axes;
  std::vector<bool> seen(ndim, false);
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    const Napi::Value e = arr.Get(k);
    const std::string at = where(param) + "[" + std::to_string(k) + "]";
    if (!e.IsNumber()) type_error(at + " must be an axis, got " + describe(e));
    const double x = e.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(x) || std::floor(x) != x || x < 0 || x >= static_cast<double>(ndim))
      range_error(at + " must be an integer axis in [0, " + std::to_string(ndim) + "), got " + describe(e));
    const int axis = static_cast<int>(x);
    if (seen[axis]) range_error(where(param) + " names axis " + std::to_string(axis) + " twice");
    seen[axis] = true;
    axes.push_back(axis);
  }
  return axes;
}

I32Array Args::i32_array(size_t i, const char* param) const {
  const Napi::Value v = info_[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    type_error(where(param) + " must be an Int32Array, got " + describe(v));
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  I32Array out;
  out.length = static_cast<int64_t>(a.ElementLength());
  out.data = out.length > 0 ? a.Data() : nullptr;
  out.buffer = a.ArrayBuffer();
  out.byte_offset = static_cast<int64_t>(a.ByteOffset());
  return out;
}

Options::Options(const Args& args, size_t i, const char* param) : args_(args) {
  const Napi::Value v = args.value(i);
  if (!v.IsObject() || v.IsArray() || v.IsFunction() || v.IsTypedArray())
    args.type_error(std::string(args.fn()) + ": argument '" + param + "' must be an options object, got " +
                    describe(v));
  object_ = v.As<Napi::Object>();
}

std::string Options::where(const char* key) const { return std::string(args_.fn()) + ": option '" + key + "'"; }

Napi::Value Options::get(const char* key) const { return object_.Get(key); }

double Options::number(const char* key, double min, double max, bool max_open) const {
  const Napi::Value v = get(key);
  if (!v.IsNumber()) args_.type_error(where(key) + " must be a number, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < min || d > max || (max_open && d == max)) {
    char want[96] = "";  // stays empty when any finite number would do
    if (std::isfinite(max))
      snprintf(want, sizeof want, " in [%.17g, %.17g%s", min, max, max_open ? ")" : "]");
    else if (std::isfinite(min))
      snprintf(want, sizeof want, " >= %.17g", min);
    args_.range_error(where(key) + " must be a finite number" + want + ", got " + describe(v));
  }
  return d;
}

bool Options::boolean(const char* key) const {
  const Napi::Value v = get(key);
  if (!v.IsBoolean()) args_.type_error(where(key) + " must be a boolean, got " + describe(v));
  return v.As<Napi::Boolean>().Value();
}

int64_t Options::integer(const char* key, int64_t min, int64_t max) const {
  const Napi::Value v = get(key);
  if (!v.IsNumber()) args_.type_error(where(key) + " must be an integer, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > kMaxSafeInteger)
    args_.type_error(where(key) + " must be an integer, got " + describe(v));
  if (d < static_cast<double>(min) || d > static_cast<double>(max))
    args_.range_error(where(key) + " must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                      describe(v));
  return static_cast<int64_t>(d);
}

StridedF32 whole_view(const F32Array& a) { return StridedF32{a, 0, {1}}; }

StridedF32 whole_view(const I32Array& a) {
  return StridedF32{F32Array{nullptr, a.length, a.buffer, a.byte_offset}, 0, {1}};
}

namespace {
// The byte range [lo, hi) a strided view touches within its ArrayBuffer.
void byte_range(const StridedF32& v, const std::vector<int64_t>& shape, int64_t* lo, int64_t* hi) {
  int64_t last = v.offset;
  for (size_t d = 0; d < shape.size(); ++d) last += (shape[d] - 1) * v.strides[d];
  *lo = v.array.byte_offset + v.offset * 4;
  *hi = v.array.byte_offset + (last + 1) * 4;
}
}  // namespace

void check_no_partial_overlap(const Args& args, const char* out_name, const StridedF32& out, const char* in_name,
                              const StridedF32& in, const std::vector<int64_t>& shape) {
  for (int64_t s : shape)
    if (s == 0) return;
  if (!out.array.buffer.StrictEquals(in.array.buffer)) return;
  int64_t olo, ohi, ilo, ihi;
  byte_range(out, shape, &olo, &ohi);
  byte_range(in, shape, &ilo, &ihi);
  if (ohi <= ilo || ihi <= olo) return;
  if (olo == ilo) {
    bool same = true;
    for (size_t d = 0; d < shape.size(); ++d)
      if (shape[d] > 1 && out.strides[d] != in.strides[d]) same = false;
    if (same) return;  // exactly in place: each element is read before it is written
  }
  args.range_error(std::string(args.fn()) + ": output '" + out_name + "' partially overlaps input '" + in_name +
                   "'; write to a separate buffer or exactly in place");
}

void check_no_self_overlap(const Args& args, const char* name, const StridedF32& out,
                           const std::vector<int64_t>& shape) {
  // Sorted by stride, each dim must step past everything the smaller-stride dims span.
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size)
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return;
    if (shape[d] > 1) dims.emplace_back(out.strides[d], shape[d]);
  }
  std::sort(dims.begin(), dims.end());
  int64_t span = 1;  // elements covered by the dims seen so far
  for (const auto& [stride, size] : dims) {
    if (stride < span)
      args.range_error(std::string(args.fn()) + ": output '" + name + "' with strides " + format_shape(out.strides) +
                       " over shape " + format_shape(shape) + " writes some elements more than once");
    span = stride * (size - 1) + span;
  }
}

void check_disjoint(const Args& args, const char* out_name, const StridedF32& out,
                    const std::vector<int64_t>& out_shape, const char* in_name, const StridedF32& in,
                    const std::vector<int64_t>& in_shape) {
  for (int64_t s : out_shape)
    if (s == 0) return;
  for (int64_t s : in_shape)
    if (s == 0) return;
  if (!out.array.buffer.StrictEquals(in.array.buffer)) return;
  int64_t olo, ohi, ilo, ihi;
  byte_range(out, out_shape, &olo, &ohi);
  byte_range(in, in_shape, &ilo, &ihi);
  if (ohi <= ilo || ihi <= olo) return;
  args.range_error(std::string(args.fn()) + ": output '" + out_name + "' overlaps input '" + in_name +
                   "' (they share memory); write the result to a separate buffer");
}

}  // namespace myelin::binding
