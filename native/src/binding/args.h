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
  std::string string(size_t i, const char* param) const;
  // A shape: an array of at most kMaxDims non-negative integers whose product fits in 2^53.
  std::vector<int64_t> shape(size_t i, const char* param) const;
  // Strides for `ndim` dims: an array of ndim non-negative integers.
  std::vector<int64_t> strides(size_t i, const char* param, size_t ndim) const;
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

// Describes a JS value for error messages: "number 3", "string 'x'", "Float64Array(4)".
std::string describe(const Napi::Value& v);
std::string format_shape(const std::vector<int64_t>& shape);

// Throws RangeError when `out` and `in` share memory without being exactly the same view
// (same start and strides), where an elementwise write would clobber unread input.
void check_no_partial_overlap(const Args& args, const char* out_name, const StridedF32& out,
                              const char* in_name, const StridedF32& in,
                              const std::vector<int64_t>& shape);

// Throws RangeError when a view to be written reaches one element through two indices
// (a broadcast stride 0, or strides that interleave): threads would race on it.
void check_no_self_overlap(const Args& args, const char* name, const StridedF32& out,
                           const std::vector<int64_t>& shape);

}  // namespace myelin::binding
