// All argument checking of the binding. Every check throws a JS TypeError or RangeError whose
// message names the function, the parameter, what was expected and what arrived.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace myelin::binding {

// A Float32Array argument: its data pointer (byteOffset applied) and its element count.
struct F32Array {
  float* data;
  int64_t length;
  Napi::Value buffer;  // the backing ArrayBuffer, for overlap checks
  int64_t byte_offset;
};

// An Int32Array argument: its data pointer (byteOffset applied) and its element count.
struct I32Array {
  int32_t* data;
  int64_t length;
  Napi::Value buffer;  // the backing ArrayBuffer, for overlap checks
  int64_t byte_offset;
};

// A strided view of a typed array argument: element offset and strides over a shared shape.
struct StridedF32 {
  F32Array array;
  int64_t offset;
  std::vector<int64_t> strides;
  float* ptr() const { return array.data + offset; }
};

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn, size_t min_count);

  Napi::Env env() const { return info_.Env(); }
  const char* fn() const { return fn_; }

  F32Array f32_array(size_t i, const char* param) const;
  // An integer in [min, max] (a JS number that is a safe integer).
  int64_t integer(size_t i, const char* param, int64_t min, int64_t max) const;
  bool boolean(size_t i, const char* param) const;
  // Any JS number (NaN and infinities included).
  double number(size_t i, const char* param) const;
  // `batch` row-major rows x cols matrices in one Float32Array: the array at i, its offset at
  // i+1, its leading dimension at i+2 (>= max(1, cols)) and, when stride_name is non-null, the
  // batch stride at i+3. `what` names the matrix in errors ("A (k x m, transposed)").
  // Checked to stay inside the array; strides are {batch stride, ld, 1}.
  StridedF32 matrices_f32(size_t i, const char* param, const char* offset_name, const char* ld_name,
                          const char* stride_name, const std::string& what, int64_t batch, int64_t rows,
                          int64_t cols) const;
  std::string string(size_t i, const char* param) const;
  // A shape: an array of at most kMaxDims non-negative integers whose product fits in 2^53.
  std::vector<int64_t> shape(size_t i, const char* param) const;
  // Named sizes (a conv's or a norm's dims): an array of exactly names.size() integers, entry d
  // in [min[d], 2^31 - 1]; errors name the entry ("conv2d: argument 'dims': kh must be ...").
  std::vector<int64_t> named_ints(size_t i, const char* param, const std::vector<const char*>& names,
                                  const std::vector<int64_t>& min) const;
  // Strides for `ndim` dims: an array of ndim non-negative integers.
  std::vector<int64_t> strides(size_t i, const char* param, size_t ndim) const;
  // Axes of an ndim-dim shape: an array of distinct integers in [0, ndim).
  std::vector<int> axes(size_t i, const char* param, size_t ndim) const;
  I32Array i32_array(size_t i, const char* param) const;
  // Whether argument i is null (an optional argument left out).
  bool is_null(size_t i) const { return info_[i].IsNull(); }
  // Argument i as it arrived (undefined past the end).
  Napi::Value value(size_t i) const { return info_[i]; }
  // A strided view: (array at i, offset at i+1, strides at i+2), checked to stay inside the
  // array for every index of `shape`.
  StridedF32 strided_f32(size_t i, const char* param, const std::vector<int64_t>& shape) const;

  [[noreturn]] void type_error(const std::string& msg) const;
  [[noreturn]] void range_error(const std::string& msg) const;

 private:
  std::string where(const char* param) const;
  const Napi::CallbackInfo& info_;
  const char* fn_;
};

// An options-object argument: its named properties, read with the same kind of checks as
// positional arguments; errors name the property ("adamStep: option 'lr' must be ...").
// Reading a property may run JS (a getter): read options before taking typed-array pointers.
class Options {
 public:
  Options(const Args& args, size_t i, const char* param);
  // A finite number in [min, max] (or [min, max) when max_open).
  double number(const char* key, double min, double max, bool max_open = false) const;
  bool boolean(const char* key) const;
  // An integer in [min, max] (a JS number that is a safe integer).
  int64_t integer(const char* key, int64_t min, int64_t max) const;

 private:
  Napi::Value get(const char* key) const;
  std::string where(const char* key) const;
  const Args& args_;
  Napi::Object object_;
};

// A whole typed array as a 1-d view of its elements (4 bytes each), for the overlap checks.
StridedF32 whole_view(const F32Array& a);
StridedF32 whole_view(const I32Array& a);

// Describes a JS value for error messages: "number 3", "string 'x'", "Float64Array(4)".
std::string describe(const Napi::Value& v);
std::string format_shape(const std::vector<int64_t>& shape);

// Throws RangeError when `out` and `in` share memory without being exactly the same view
// (same start and strides), where an elementwise write would clobber unread input.
void check_no_partial_overlap(const Args& args, const char* out_name, const StridedF32& out, const char* in_name,
                              const StridedF32& in, const std::vector<int64_t>& shape);

// Throws RangeError when a view to be written reaches one element through two indices
// (a broadcast stride 0, or strides that interleave): threads would race on it.
// Throws RangeError when `out` (over out_shape) and `in` (over in_shape) touch any common byte
// range of one buffer: for outputs that are written while the whole input is still being read.
void check_disjoint(const Args& args, const char* out_name, const StridedF32& out,
                    const std::vector<int64_t>& out_shape, const char* in_name, const StridedF32& in,
                    const std::vector<int64_t>& in_shape);

void check_no_self_overlap(const Args& args, const char* name, const StridedF32& out,
                           const std::vector<int64_t>& shape);

}  // namespace myelin::binding
