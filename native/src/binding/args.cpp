#include "binding/args.h"

#include <cmath>
#include <cstdio>

#include "kernels/common/nd_loop.h"

namespace myelin::binding {

std::string describe(const Napi::Value& v) {
  if (v.IsEmpty() || v.IsUndefined()) return "undefined";
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
  if (v.IsBigInt()) return "bigint";
  if (v.IsSymbol()) return "symbol";
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

namespace {

std::string num(int64_t v) { return std::to_string(v); }

// An integral double as digits ("9", "-1", "1152921504606846976").
std::string integer_text(double d) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.0f", d);
  return buf;
}

// The element count of a shape already read (its sizes in range): the caller's message when
// its non-zero sizes multiply past kMaxCount.
int64_t numel_or_throw(const Args& args, const char* param, const std::vector<int64_t>& shape) {
  int64_t n;
  if (!checks::numel(shape.data(), shape.size(), &n))
    args.range_error(args.where(param) + ": shape " + format_shape(shape) + " has more than 2^53 - 1 elements");
  return n;
}

// A typed array's element type and memory in one napi_get_typedarray_info call, which runs no JS
// and fails on any other value (false then). It also serves arrays over a SharedArrayBuffer
// (whose buffer napi_get_arraybuffer_info refuses). The data pointer has byteOffset applied; a
// detached array has length 0.
template <class T>
bool typed_array_info(const Args& args, const Napi::Value& v, napi_typedarray_type* type, TypedArray<T>* out) {
  size_t length = 0, byte_offset = 0;
  void* data = nullptr;
  napi_value buffer = nullptr;
  if (napi_get_typedarray_info(args.env(), v, type, &length, &data, &buffer, &byte_offset) != napi_ok) return false;
  out->length = static_cast<int64_t>(length);
  out->data = length > 0 ? static_cast<T*>(data) : nullptr;
  out->buffer = Napi::Value(args.env(), buffer);
  out->byte_offset = static_cast<int64_t>(byte_offset);
  // napi_is_arraybuffer is false for a SharedArrayBuffer.
  out->shared = !out->buffer.IsArrayBuffer();
  return true;
}

template <class T>
TypedArray<T> typed_array(const Args& args, const Napi::Value& v, const Label& label, napi_typedarray_type type,
                          const char* type_name) {
  napi_typedarray_type got = type;
  TypedArray<T> out;
  if (!typed_array_info(args, v, &got, &out) || got != type)
    args.type_error(label.str() + " must be " + type_name + ", got " + describe(v));
  return out;
}

// The bytes of one element of a typed array of `type`.
int64_t element_bytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:  // Float64Array, BigInt64Array, BigUint64Array
      return 8;
  }
}

}  // namespace

Args::Args(const Napi::CallbackInfo& info, const char* fn, size_t min_count) : info_(info), fn_(fn) {
  if (info.Length() < min_count)
    type_error(std::string(fn) + ": expected " + num(static_cast<int64_t>(min_count)) + " arguments, got " +
               num(static_cast<int64_t>(info.Length())));
}

std::string Args::where(const char* param) const { return std::string(fn_) + ": argument '" + param + "'"; }
std::string Args::option_where(const char* key) const { return std::string(fn_) + ": option '" + key + "'"; }

void Args::type_error(const std::string& msg) const { throw Napi::TypeError::New(env(), msg); }
void Args::range_error(const std::string& msg) const { throw Napi::RangeError::New(env(), msg); }

void Args::before_js_read() const {
  if (memory_taken_)
    throw Napi::Error::New(env(), std::string(fn_) +
                                      ": internal error: a JS value was read after typed-array memory was taken "
                                      "(a getter could have freed it)");
}

int64_t Args::integer(size_t i, const char* param, int64_t min, int64_t max) const {
  const Napi::Value v = info_[i];
  if (!v.IsNumber()) type_error(where(param) + " must be an integer, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  int64_t out;
  if (checks::integer_in(d, min, max, &out)) return out;
  if (!std::isfinite(d) || std::floor(d) != d) type_error(where(param) + " must be an integer, got " + describe(v));
  range_error(where(param) + " must be in [" + num(min) + ", " + num(max) + "], got " + integer_text(d));
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
  before_js_read();
  const Napi::Value v = info_[i];
  if (!v.IsArray()) type_error(where(param) + " must be an array of sizes, got " + describe(v));
  const Napi::Array arr = v.As<Napi::Array>();
  const uint32_t ndim = arr.Length();
  if (ndim > static_cast<uint32_t>(kMaxDims))
    range_error(where(param) + " has " + num(ndim) + " dims; at most " + num(kMaxDims) + " are supported");
  std::vector<int64_t> shape(ndim);
  for (uint32_t d = 0; d < ndim; ++d) {
    const Napi::Value e = arr.Get(d);
    if (!e.IsNumber()) type_error(where(param) + "[" + num(d) + "] must be a size, got " + describe(e));
    if (!checks::integer_in(e.As<Napi::Number>().DoubleValue(), 0, kMaxCount, &shape[d]))
      range_error(where(param) + "[" + num(d) + "] must be a non-negative integer, got " + describe(e));
  }
  numel_or_throw(*this, param, shape);
  return shape;
}

std::vector<int64_t> Args::strides(size_t i, const char* param, size_t ndim) const {
  before_js_read();
  const Napi::Value v = info_[i];
  if (!v.IsArray()) type_error(where(param) + " must be an array of strides, got " + describe(v));
  const Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() != ndim)
    range_error(where(param) + " must have " + num(static_cast<int64_t>(ndim)) + " strides (one per dim), got " +
                num(arr.Length()));
  std::vector<int64_t> strides(ndim);
  for (uint32_t d = 0; d < ndim; ++d) {
    const Napi::Value e = arr.Get(d);
    if (!e.IsNumber()) type_error(where(param) + "[" + num(d) + "] must be a stride, got " + describe(e));
    if (!checks::integer_in(e.As<Napi::Number>().DoubleValue(), 0, kMaxCount, &strides[d]))
      range_error(where(param) + "[" + num(d) + "] must be a non-negative integer, got " + describe(e));
  }
  return strides;
}

Layout Args::layout(size_t i, const char* param, size_t ndim) const {
  Layout l;
  const std::string offset_name = std::string(param) + "Offset";
  const std::string strides_name = std::string(param) + "Strides";
  l.offset = integer(i, offset_name.c_str(), 0, kMaxCount);
  l.strides = strides(i + 1, strides_name.c_str(), ndim);
  return l;
}

std::vector<int> Args::axes(size_t i, const char* param, size_t ndim) const {
  before_js_read();
  const Napi::Value v = info_[i];
  if (!v.IsArray()) type_error(where(param) + " must be an array of axes, got " + describe(v));
  const Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() > ndim)
    range_error(where(param) + " has " + num(arr.Length()) + " axes for " + num(static_cast<int64_t>(ndim)) + " dims");
  std::vector<int> axes;
  std::vector<bool> seen(ndim, false);
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    const Napi::Value e = arr.Get(k);
    const std::string at = where(param) + "[" + num(k) + "]";
    if (!e.IsNumber()) type_error(at + " must be an axis, got " + describe(e));
    int64_t axis;
    if (ndim == 0 || !checks::integer_in(e.As<Napi::Number>().DoubleValue(), 0, static_cast<int64_t>(ndim) - 1, &axis))
      range_error(at + " must be an integer axis in [0, " + num(static_cast<int64_t>(ndim)) + "), got " + describe(e));
    if (seen[axis]) range_error(where(param) + " names axis " + num(axis) + " twice");
    seen[axis] = true;
    axes.push_back(static_cast<int>(axis));
  }
  return axes;
}

std::vector<int64_t> Args::named_sizes(size_t i, const char* param, const std::vector<const char*>& names,
                                       const std::vector<int64_t>& min) const {
  before_js_read();
  const Napi::Value v = info_[i];
  const std::string at = where(param);
  if (!v.IsArray())
    type_error(at + " must be an array of " + num(static_cast<int64_t>(names.size())) + " integers, got " +
               describe(v));
  const Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() != names.size())
    range_error(at + " must have " + num(static_cast<int64_t>(names.size())) + " entries, got " + num(arr.Length()));
  std::vector<int64_t> out(names.size());
  for (uint32_t d = 0; d < arr.Length(); ++d) {
    const Napi::Value e = arr.Get(d);
    if (!e.IsNumber() || !checks::integer_in(e.As<Napi::Number>().DoubleValue(), min[d], kMaxDimSize, &out[d]))
      range_error(at + ": " + names[d] + " must be an integer in [" + num(min[d]) + ", " + num(kMaxDimSize) +
                  "], got " + describe(e));
  }
  return out;
}

Options Args::options(size_t i, const char* param) const { return Options(*this, i, param); }

F32Array Args::f32(const Napi::Value& v, const char* param) const { return f32_labeled(v, where_label(param)); }

F32Array Args::f32_labeled(const Napi::Value& v, const Label& label) const {
  F32Array a = typed_array<float>(*this, v, label, napi_float32_array, "a Float32Array");
  took_memory();
  return a;
}

F64Array Args::f64(size_t i, const char* param) const { return f64_labeled(info_[i], where_label(param)); }

F64Array Args::f64_labeled(const Napi::Value& v, const Label& label) const {
  F64Array a = typed_array<double>(*this, v, label, napi_float64_array, "a Float64Array");
  took_memory();
  return a;
}

I32Array Args::i32(const Napi::Value& v, const char* param) const { return i32_labeled(v, where_label(param)); }

I32Array Args::i32_labeled(const Napi::Value& v, const Label& label) const {
  I32Array a = typed_array<int32_t>(*this, v, label, napi_int32_array, "an Int32Array");
  took_memory();
  return a;
}

AnyTypedArray Args::any_typed(const Napi::Value& v, const Label& label,
                              std::initializer_list<napi_typedarray_type> types, const char* expected) const {
  napi_typedarray_type type = napi_int8_array;
  TypedArray<char> raw;
  bool known = typed_array_info(*this, v, &type, &raw);
  if (known) {
    known = false;
    for (napi_typedarray_type t : types) known = known || t == type;
  }
  if (!known) type_error(label.str() + " must be " + expected + ", got " + describe(v));
  // The element type only fixes the size: the bytes are read through the caller's pointer type.
  took_memory();
  AnyTypedArray a;
  a.data = raw.data;
  a.length = raw.length;
  a.elem_bytes = element_bytes(type);
  a.type = type;
  a.buffer = raw.buffer;
  a.byte_offset = raw.byte_offset;
  a.shared = raw.shared;
  return a;
}

F32Array Args::f32_exact(const Napi::Value& v, const char* param, const std::vector<int64_t>& shape) const {
  const int64_t n = numel_or_throw(*this, param, shape);
  const F32Array a = f32(v, param);
  if (a.length != n)
    range_error(where(param) + " must hold " + format_shape(shape) + " = " + num(n) + " floats, got " + num(a.length));
  return a;
}

F32Array Args::f32_optional(size_t i, const char* param, const std::vector<int64_t>& shape) const {
  if (is_null(i)) return F32Array{};
  return f32_exact(i, param, shape);
}

F64Array Args::f64_exact(size_t i, const char* param, const std::vector<int64_t>& shape) const {
  const int64_t n = numel_or_throw(*this, param, shape);
  const F64Array a = f64(i, param);
  if (a.length != n)
    range_error(where(param) + " must hold " + format_shape(shape) + " = " + num(n) + " doubles, got " + num(a.length));
  return a;
}

F64Array Args::f64_optional(size_t i, const char* param, const std::vector<int64_t>& shape) const {
  if (is_null(i)) return F64Array{};
  return f64_exact(i, param, shape);
}

namespace {

// `rows` x `cols` elements from `offset` of a typed array taken by `take` (f32 or f64).
template <class Take>
auto rows_from(const Args& args, const Napi::Value& v, const char* param, int64_t offset, int64_t rows, int64_t cols,
               const char* kind, const Take& take) {
  int64_t count, need;
  if (!checks::mul(rows, cols, &count) || !checks::add(offset, count, &need))
    args.range_error(args.where(param) + ": offset " + num(offset) + " + " + num(rows) + " x " + num(cols) +
                     " elements is more than 2^53 - 1");
  const auto a = take();
  if (need > a.length)
    args.range_error(args.where(param) + " needs " + num(need) + " elements (offset " + num(offset) + " + " +
                     num(rows) + " x " + num(cols) + "), the " + kind + " has " + num(a.length));
  return a.data + (need > 0 ? offset : 0);
}

}  // namespace

float* Args::f32_rows(const Napi::Value& v, const char* param, int64_t offset, int64_t rows, int64_t cols) const {
  return rows_from(*this, v, param, offset, rows, cols, "Float32Array", [&] { return f32(v, param); });
}

double* Args::f64_rows(const Napi::Value& v, const char* param, int64_t offset, int64_t rows, int64_t cols) const {
  return rows_from(*this, v, param, offset, rows, cols, "Float64Array",
                   [&] { return f64_labeled(v, where_label(param)); });
}

StridedF32 Args::strided(const Napi::Value& v, const char* param, const Layout& layout,
                         const std::vector<int64_t>& shape) const {
  StridedF32 s;
  s.array = f32(v, param);
  check_view(param, &s, layout, shape, "Float32Array");
  return s;
}

StridedF64 Args::strided_f64(size_t i, const char* param, const Layout& layout,
                             const std::vector<int64_t>& shape) const {
  StridedF64 s;
  s.array = typed_array<double>(*this, info_[i], where_label(param), napi_float64_array, "a Float64Array");
  took_memory();
  check_view(param, &s, layout, shape, "Float64Array");
  return s;
}

template <class View>
void Args::check_view(const char* param, View* view, const Layout& layout, const std::vector<int64_t>& shape,
                      const char* array_name) const {
  View& s = *view;
  s.offset = layout.offset;
  s.strides = layout.strides;
  int64_t last;
  if (!checks::last_element(s.offset, shape.data(), s.strides.data(), shape.size(), &last))
    range_error(where(param) + ": offset " + num(s.offset) + " with strides " + format_shape(s.strides) +
                " over shape " + format_shape(shape) + " reaches past element 2^53 - 1");
  if (last >= s.array.length)
    range_error(where(param) + ": offset " + num(s.offset) + " with strides " + format_shape(s.strides) +
                " over shape " + format_shape(shape) + " reaches element " + num(last) + " of a " + array_name +
                " of length " + num(s.array.length));
  if (last < 0) s.offset = 0;  // nothing is read: keep the pointer inside (or at) the array
}

Options::Options(const Args& args, size_t i, const char* param) : args_(args) {
  const Napi::Value v = args.value(i);
  if (!v.IsObject() || v.IsArray() || v.IsFunction() || v.IsTypedArray())
    args.type_error(args.where(param) + " must be an options object, got " + describe(v));
  object_ = v.As<Napi::Object>();
}

std::string Options::where(const char* key) const { return args_.option_where(key); }

// napi_get_value_double refuses anything but a number: the type test and the read in one call.
bool Options::number_of(const Napi::Value& v, double* d) const {
  return napi_get_value_double(args_.env(), v, d) == napi_ok;
}

Napi::Value Options::value(const char* key) const {
  args_.before_js_read();
  return object_.Get(key);
}

double Options::number(const char* key, double min, double max, bool max_open) const {
  const Napi::Value v = value(key);
  double d;
  if (!number_of(v, &d)) args_.type_error(where(key) + " must be a number, got " + describe(v));
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

double Options::any_number(const char* key) const {
  const Napi::Value v = value(key);
  double d;
  if (!number_of(v, &d)) args_.type_error(where(key) + " must be a number, got " + describe(v));
  return d;
}

bool Options::boolean(const char* key) const {
  const Napi::Value v = value(key);
  bool b;
  // napi_get_value_bool refuses anything but a boolean: the type test and the read in one call.
  if (napi_get_value_bool(args_.env(), v, &b) != napi_ok)
    args_.type_error(where(key) + " must be a boolean, got " + describe(v));
  return b;
}

int64_t Options::integer(const char* key, int64_t min, int64_t max) const {
  const Napi::Value v = value(key);
  double d;
  if (!number_of(v, &d)) args_.type_error(where(key) + " must be an integer, got " + describe(v));
  int64_t out;
  if (checks::integer_in(d, min, max, &out)) return out;
  if (!std::isfinite(d) || std::floor(d) != d) args_.type_error(where(key) + " must be an integer, got " + describe(v));
  args_.range_error(where(key) + " must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                    describe(v));
}

Window2d read_window(const Options& o) {
  Window2d w;
  w.kh = o.integer("kh", 1, kMaxDimSize);
  w.kw = o.integer("kw", 1, kMaxDimSize);
  w.sh = o.integer("strideH", 1, kMaxDimSize);
  w.sw = o.integer("strideW", 1, kMaxDimSize);
  w.ph = o.integer("padH", 0, kMaxDimSize);
  w.pw = o.integer("padW", 0, kMaxDimSize);
  w.dh = o.integer("dilationH", 1, kMaxDimSize);
  w.dw = o.integer("dilationW", 1, kMaxDimSize);
  return w;
}

namespace {
// The byte range [lo, hi) a strided view touches within its buffer (a view checked by
// Args::strided: no overflow).
template <class View>
void byte_range(const View& v, const std::vector<int64_t>& shape, int64_t* lo, int64_t* hi) {
  constexpr int64_t bytes = sizeof(*v.array.data);
  int64_t last = v.offset;
  for (size_t d = 0; d < shape.size(); ++d) last += (shape[d] - 1) * v.strides[d];
  *lo = v.array.byte_offset + v.offset * bytes;
  *hi = v.array.byte_offset + (last + 1) * bytes;
}

bool empty(const std::vector<int64_t>& shape) {
  for (int64_t s : shape)
    if (s == 0) return true;
  return false;
}
}  // namespace

namespace {
template <class View>
void no_partial_overlap(const Args& args, const char* out_name, const View& out, const char* in_name, const View& in,
                        const std::vector<int64_t>& shape) {
  if (empty(shape) || !out.array.buffer.StrictEquals(in.array.buffer)) return;
  int64_t olo, ohi, ilo, ihi;
  byte_range(out, shape, &olo, &ohi);
  byte_range(in, shape, &ilo, &ihi);
  if (!checks::ranges_overlap(olo, ohi, ilo, ihi)) return;
  if (olo == ilo) {
    bool same = true;
    for (size_t d = 0; d < shape.size(); ++d)
      if (shape[d] > 1 && out.strides[d] != in.strides[d]) same = false;
    if (same) return;  // exactly in place: each element is read before it is written
  }
  args.range_error(std::string(args.fn()) + ": output '" + out_name + "' partially overlaps input '" + in_name +
                   "'; write to a separate buffer or exactly in place");
}

template <class View>
void no_self_overlap(const Args& args, const char* name, const View& out, const std::vector<int64_t>& shape) {
  if (empty(shape)) return;
  if (checks::writes_twice(shape.data(), out.strides.data(), shape.size()))
    args.range_error(std::string(args.fn()) + ": output '" + name + "' with strides " + format_shape(out.strides) +
                     " over shape " + format_shape(shape) + " writes some elements more than once");
}
}  // namespace

void check_no_partial_overlap(const Args& args, const char* out_name, const StridedF32& out, const char* in_name,
                              const StridedF32& in, const std::vector<int64_t>& shape) {
  no_partial_overlap(args, out_name, out, in_name, in, shape);
}
void check_no_partial_overlap(const Args& args, const char* out_name, const StridedF64& out, const char* in_name,
                              const StridedF64& in, const std::vector<int64_t>& shape) {
  no_partial_overlap(args, out_name, out, in_name, in, shape);
}
void check_no_self_overlap(const Args& args, const char* name, const StridedF32& out,
                           const std::vector<int64_t>& shape) {
  no_self_overlap(args, name, out, shape);
}
void check_no_self_overlap(const Args& args, const char* name, const StridedF64& out,
                           const std::vector<int64_t>& shape) {
  no_self_overlap(args, name, out, shape);
}

namespace {
template <class View>
void disjoint(const Args& args, const char* out_name, const View& out, const std::vector<int64_t>& out_shape,
              const char* in_name, const View& in, const std::vector<int64_t>& in_shape) {
  if (empty(out_shape) || empty(in_shape) || !out.array.buffer.StrictEquals(in.array.buffer)) return;
  int64_t olo, ohi, ilo, ihi;
  byte_range(out, out_shape, &olo, &ohi);
  byte_range(in, in_shape, &ilo, &ihi);
  if (!checks::ranges_overlap(olo, ohi, ilo, ihi)) return;
  args.range_error(std::string(args.fn()) + ": output '" + out_name + "' overlaps input '" + in_name +
                   "' (they share memory); write the result to a separate buffer");
}
}  // namespace

void check_disjoint(const Args& args, const char* out_name, const StridedF32& out,
                    const std::vector<int64_t>& out_shape, const char* in_name, const StridedF32& in,
                    const std::vector<int64_t>& in_shape) {
  disjoint(args, out_name, out, out_shape, in_name, in, in_shape);
}
void check_disjoint(const Args& args, const char* out_name, const StridedF64& out,
                    const std::vector<int64_t>& out_shape, const char* in_name, const StridedF64& in,
                    const std::vector<int64_t>& in_shape) {
  disjoint(args, out_name, out, out_shape, in_name, in, in_shape);
}

MatrixOperand read_matrix_operand(const Args& args, const Options& o, const char* name, bool batched, int64_t rows,
                                  int64_t cols, const char* what) {
  // The operand's keys as literals (built per call, they were three strings a call).
  struct Keys {
    const char *offset, *ld, *stride;
  };
  static constexpr Keys kKeys[] = {
      {"aOffset", "lda", "strideA"}, {"bOffset", "ldb", "strideB"}, {"cOffset", "ldc", "strideC"}};
  const int which = name[0] - 'a';
  if (which < 0 || which > 2 || name[1] != '\0')
    throw Napi::Error::New(args.env(), std::string(args.fn()) + ": internal error: no GEMM operand '" + name + "'");
  const Keys& keys = kKeys[which];
  MatrixOperand op;
  op.rows = rows;
  op.cols = cols;
  op.what = what;
  op.value = o.value(name);
  op.offset = o.integer(keys.offset, 0, kMaxCount);
  op.ld = o.integer(keys.ld, 0, kMaxCount);
  const int64_t min_ld = cols > 1 ? cols : 1;
  if (op.ld < min_ld)
    args.range_error(args.option_where(keys.ld) + " must be >= " + std::to_string(min_ld) + " (the row length of " +
                     op.what + ", " + std::to_string(rows) + " x " + std::to_string(cols) + "), got " +
                     std::to_string(op.ld));
  op.stride = batched ? o.integer(keys.stride, 0, kMaxCount) : 0;
  return op;
}

GemmLayoutArgs read_gemm_layout(const Args& args, const Options& o, bool batched) {
  GemmLayoutArgs g;
  g.trans_a = o.boolean("transA");
  g.trans_b = o.boolean("transB");
  g.batch = batched ? o.integer("batch", 0, kMaxDimSize) : 1;
  g.m = o.integer("m", 0, kMaxDimSize);
  g.n = o.integer("n", 0, kMaxDimSize);
  g.k = o.integer("k", 0, kMaxDimSize);
  g.a = read_matrix_operand(args, o, "a", batched, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k,
                            g.trans_a ? "A (k x m, transposed)" : "A (m x k)");
  g.b = read_matrix_operand(args, o, "b", batched, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n,
                            g.trans_b ? "B (n x k, transposed)" : "B (k x n)");
  g.c = read_matrix_operand(args, o, "c", batched, g.m, g.n, "C (m x n)");
  return g;
}

int64_t matrix_operand_last(const Args& args, const char* name, int64_t batch, const MatrixOperand& op, int64_t length,
                            const char* array_kind) {
  const int64_t shape[3] = {batch, op.rows, op.cols};
  const int64_t strides[3] = {op.stride, op.ld, 1};
  int64_t last;
  const bool representable = checks::last_element(op.offset, shape, strides, 3, &last);
  if (!representable || last >= length) {
    auto num = [](int64_t v) { return std::to_string(v); };
    args.range_error(
        args.option_where(name) + ": " + op.what + " (" + num(batch > 1 ? batch : 1) + " x " + num(op.rows) + " x " +
        num(op.cols) + ") at offset " + num(op.offset) + " with ld" + name + " " + num(op.ld) +
        (batch > 1 ? " and stride" + std::string(1, static_cast<char>(name[0] - 'a' + 'A')) + " " + num(op.stride)
                   : "") +
        (representable ? " reaches element " + num(last) : " reaches past element 2^53 - 1") + " of " + array_kind +
        " of length " + num(length));
  }
  return last;
}

}  // namespace myelin::binding
