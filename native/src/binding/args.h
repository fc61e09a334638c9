// The one argument reader of the binding. Every check throws a JS TypeError or RangeError whose
// message names the function, the parameter, what was expected and what arrived; the sizes are
// checked with overflow-checked arithmetic (checks.h).
//
// Order: reading a JS array's elements or an object's properties may run JS (a getter, a Proxy
// trap), and that JS may shrink or detach an ArrayBuffer. So every call reads all its JS values
// first (numbers, shapes, strides, options) and takes typed-array memory last; the reader
// refuses, as a binding bug, to read a JS value once it has handed out typed-array memory.
#pragma once
#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include "binding/checks.h"
#include "binding/exports.h"
#include "binding/op_codes.h"
#include "kernels/common/window2d.h"
#include "runtime/scratch.h"

namespace myelin::binding {

using checks::kMaxCount;

// The largest size of one dim of a convolution, pooling or normalisation (the kernels' int32
// indices and plane arithmetic rely on it).
constexpr int64_t kMaxDimSize = (int64_t{1} << 31) - 1;

// A typed array's memory: its data pointer (byteOffset applied) and its element count.
template <class T>
struct TypedArray {
  T* data = nullptr;
  int64_t length = 0;
  Napi::Value buffer;  // the backing ArrayBuffer or SharedArrayBuffer, for overlap checks
  int64_t byte_offset = 0;
  bool shared = false;  // a SharedArrayBuffer: another thread may write it at any time
  bool present() const { return !buffer.IsEmpty(); }
};
using F32Array = TypedArray<float>;
using F64Array = TypedArray<double>;
using I32Array = TypedArray<int32_t>;

// A typed array of one of several element types (the reduced-precision bindings: bf16 bits in a
// Uint16Array, int8 and uint8 data): its memory as bytes, and which type it is.
struct AnyTypedArray {
  void* data = nullptr;  // byteOffset applied
  int64_t length = 0;    // elements
  int64_t elem_bytes = 0;
  napi_typedarray_type type = napi_int8_array;
  Napi::Value buffer;
  int64_t byte_offset = 0;
  bool shared = false;
  bool present() const { return !buffer.IsEmpty(); }
};

// Where a strided argument's elements are: an element offset and one stride per dim.
struct Layout {
  int64_t offset = 0;
  std::vector<int64_t> strides;
};

// A strided view of a Float32Array: offset and strides over a shape the caller knows.
struct StridedF32 {
  F32Array array;
  int64_t offset = 0;
  std::vector<int64_t> strides;
  float* ptr() const { return array.data + offset; }
};

// A strided view of a Float64Array (the float64 kernels), as StridedF32.
struct StridedF64 {
  TypedArray<double> array;
  int64_t offset = 0;
  std::vector<int64_t> strides;
  double* ptr() const { return array.data + offset; }
};

// The strided view of element type T: StridedF64 for double, StridedF32 for float.
template <class T>
using Strided = std::conditional_t<std::is_same_v<T, double>, StridedF64, StridedF32>;

class Options;

// Names an argument in errors ("gemm: option 'a'"): a string the caller built, or the parts of
// one, joined only when an error needs it, so that a call that passes its checks builds no string
// (a string per typed array was a visible share of a small call). Pass it as a parameter only: it
// may point at the caller's temporary string.
class Label {
 public:
  Label(const std::string& text) : text_(&text) {}  // NOLINT(google-explicit-constructor)
  Label(const char* fn, const char* kind, const char* name) : fn_(fn), kind_(kind), name_(name) {}
  std::string str() const { return text_ ? *text_ : std::string(fn_) + ": " + kind_ + " '" + name_ + "'"; }

 private:
  const std::string* text_ = nullptr;
  const char* fn_ = nullptr;
  const char* kind_ = nullptr;
  const char* name_ = nullptr;
};

class Args {
 public:
  // The call's arguments; the function's name (for errors) comes from its export entry, and
  // the addon has already checked its arity.
  explicit Args(const Napi::CallbackInfo& info) : info_(info), fn_(current_export(info).name) {}
  // A function outside the export tables (a class's method): its name for errors, and at least
  // min_count arguments (a TypeError otherwise).
  Args(const Napi::CallbackInfo& info, const char* fn, size_t min_count);

  Napi::Env env() const { return info_.Env(); }
  const char* fn() const { return fn_; }
  size_t count() const { return info_.Length(); }
  // Argument i as it arrived (undefined past the end).
  Napi::Value value(size_t i) const { return info_[i]; }
  bool is_null(size_t i) const { return info_[i].IsNull(); }

  // ---- JS values. Read all of them before the first typed array.

  // An integer in [min, max] (a JS number; min and max within +-kMaxCount).
  int64_t integer(size_t i, const char* param, int64_t min, int64_t max) const;
  bool boolean(size_t i, const char* param) const;
  // An op code of enum E (op_codes.h): an integer in [0, the number of ops).
  template <class E>
  E op(size_t i, const char* param) const {
    return static_cast<E>(integer(i, param, 0, op_count<E>() - 1));
  }
  // Any JS number (NaN and infinities included).
  double number(size_t i, const char* param) const;
  std::string string(size_t i, const char* param) const;
  // A shape: an array of at most kMaxDims sizes in [0, kMaxCount] whose product (of the non-zero
  // ones) is at most kMaxCount.
  std::vector<int64_t> shape(size_t i, const char* param) const;
  // Strides for `ndim` dims: an array of ndim integers in [0, kMaxCount].
  std::vector<int64_t> strides(size_t i, const char* param, size_t ndim) const;
  // A strided argument's offset (at i) and strides (at i + 1), named param + "Offset" and
  // param + "Strides".
  Layout layout(size_t i, const char* param, size_t ndim) const;
  // Axes of an ndim-dim shape: an array of distinct integers in [0, ndim).
  std::vector<int> axes(size_t i, const char* param, size_t ndim) const;
  // Named sizes (a norm's or a resampling's dims): an array of exactly names.size() integers,
  // entry d in [min[d], kMaxDimSize], whose product (of the non-zero ones) is at most kMaxCount;
  // errors name the entry ("groupNorm: argument 'dims': c must be ...").
  std::vector<int64_t> named_sizes(size_t i, const char* param, const std::vector<const char*>& names,
                                   const std::vector<int64_t>& min) const;
  // An options object (a struct of named fields).
  Options options(size_t i, const char* param) const;

  // ---- Typed arrays. They run no JS; once one is taken, no JS value may be read.

  F32Array f32(const Napi::Value& v, const char* param) const;
  F32Array f32(size_t i, const char* param) const { return f32(info_[i], param); }
  // A Float64Array (a float64 kernel's output).
  F64Array f64(size_t i, const char* param) const;
  // As f64, with `label` naming it in errors ("gemmFloat64: option 'a'").
  F64Array f64_labeled(const Napi::Value& v, const Label& label) const;
  // As f32, with `label` naming it in errors ("gemm: option 'a'").
  F32Array f32_labeled(const Napi::Value& v, const Label& label) const;
  I32Array i32(const Napi::Value& v, const char* param) const;
  // As i32, with `label` naming it in errors ("gemmInt32: option 'a'").
  I32Array i32_labeled(const Napi::Value& v, const Label& label) const;
  I32Array i32(size_t i, const char* param) const { return i32(info_[i], param); }
  // A typed array of one of `types`; `expected` names them for errors ("a Float32Array or a
  // Uint16Array"); `label` names the argument ("gemmBf16: option 'a'").
  AnyTypedArray any_typed(const Napi::Value& v, const Label& label, std::initializer_list<napi_typedarray_type> types,
                          const char* expected) const;
  // A Float32Array of exactly the shape's element count ("must hold [2,3] = 6 floats").
  F32Array f32_exact(const Napi::Value& v, const char* param, const std::vector<int64_t>& shape) const;
  F32Array f32_exact(size_t i, const char* param, const std::vector<int64_t>& shape) const {
    return f32_exact(info_[i], param, shape);
  }
  // As f32_exact, or an absent array (data null) when the argument is null.
  F32Array f32_optional(size_t i, const char* param, const std::vector<int64_t>& shape) const;
  // f32_exact and f32_optional over a Float64Array.
  F64Array f64_exact(size_t i, const char* param, const std::vector<int64_t>& shape) const;
  F64Array f64_optional(size_t i, const char* param, const std::vector<int64_t>& shape) const;
  // `rows` contiguous rows of `cols` floats from element `offset`: the array must hold
  // offset + rows * cols floats.
  float* f32_rows(const Napi::Value& v, const char* param, int64_t offset, int64_t rows, int64_t cols) const;
  float* f32_rows(size_t i, const char* param, int64_t offset, int64_t rows, int64_t cols) const {
    return f32_rows(info_[i], param, offset, rows, cols);
  }
  // As f32_rows, over a Float64Array.
  double* f64_rows(const Napi::Value& v, const char* param, int64_t offset, int64_t rows, int64_t cols) const;
  double* f64_rows(size_t i, const char* param, int64_t offset, int64_t rows, int64_t cols) const {
    return f64_rows(info_[i], param, offset, rows, cols);
  }
  // A strided view checked to stay inside the array for every index of `shape`.
  StridedF32 strided(const Napi::Value& v, const char* param, const Layout& layout,
                     const std::vector<int64_t>& shape) const;
  StridedF32 strided(size_t i, const char* param, const Layout& layout, const std::vector<int64_t>& shape) const {
    return strided(info_[i], param, layout, shape);
  }
  // As strided, over a Float64Array.
  StridedF64 strided_f64(size_t i, const char* param, const Layout& layout, const std::vector<int64_t>& shape) const;
  // Whether argument i is a Float64Array: a type test, which runs no JS (a kernel with float32
  // and float64 variants picks one by its output).
  bool is_f64(size_t i) const {
    return info_[i].IsTypedArray() && info_[i].As<Napi::TypedArray>().TypedArrayType() == napi_float64_array;
  }
  // The readers above by element type T, for the kernels with float32 and float64 variants:
  // float takes a Float32Array (f32, f32_exact, ...), double a Float64Array (f64, f64_exact,
  // ...), with their checks and errors.
  template <class T>
  TypedArray<T> floats(size_t i, const char* param) const;
  template <class T>
  TypedArray<T> floats_exact(size_t i, const char* param, const std::vector<int64_t>& shape) const;
  template <class T>
  TypedArray<T> floats_optional(size_t i, const char* param, const std::vector<int64_t>& shape) const;
  template <class T>
  T* floats_rows(size_t i, const char* param, int64_t offset, int64_t rows, int64_t cols) const;
  template <class T>
  Strided<T> floats_strided(size_t i, const char* param, const Layout& layout, const std::vector<int64_t>& shape) const;
  // Indices the kernel will dereference: an Int32Array of exactly `count` entries (at least
  // `count` when at_least), returned as they will be used. When the array lives in a
  // SharedArrayBuffer, another thread could change an entry between its check and its use, so
  // the first `count` entries are copied into `copy` and the copy is returned (to be checked and
  // used). `array`, when given, receives the array itself (for overlap checks).
  const int32_t* stable_indices(const Napi::Value& v, const char* param, int64_t count, bool at_least,
                                Scratch<int32_t>* copy, I32Array* array = nullptr) const;
  // stable_indices of exactly `count` entries, each checked to lie in [lo, hi).
  const int32_t* indices(const Napi::Value& v, const char* param, int64_t count, int64_t lo, int64_t hi,
                         Scratch<int32_t>* copy, I32Array* array = nullptr) const;

  [[noreturn]] void type_error(const std::string& msg) const;
  [[noreturn]] void range_error(const std::string& msg) const;
  // "fn: argument 'param'", "fn: option 'key'"
  std::string where(const char* param) const;
  std::string option_where(const char* key) const;
  // The same names as Labels, joined only for an error.
  Label where_label(const char* param) const { return Label(fn_, "argument", param); }
  Label option_label(const char* key) const { return Label(fn_, "option", key); }

  // Called before reading a JS value that may run JS (Options uses it too).
  void before_js_read() const;

 private:
  void took_memory() const { memory_taken_ = true; }
  // Checks that a strided view stays inside its array for every index of `shape`.
  template <class View>
  void check_view(const char* param, View* view, const Layout& layout, const std::vector<int64_t>& shape,
                  const char* array_name) const;
  const Napi::CallbackInfo& info_;
  const char* fn_;
  mutable bool memory_taken_ = false;
};

template <class T>
TypedArray<T> Args::floats(size_t i, const char* param) const {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  if constexpr (std::is_same_v<T, double>)
    return f64(i, param);
  else
    return f32(i, param);
}
template <class T>
TypedArray<T> Args::floats_exact(size_t i, const char* param, const std::vector<int64_t>& shape) const {
  if constexpr (std::is_same_v<T, double>)
    return f64_exact(i, param, shape);
  else
    return f32_exact(i, param, shape);
}
template <class T>
TypedArray<T> Args::floats_optional(size_t i, const char* param, const std::vector<int64_t>& shape) const {
  if constexpr (std::is_same_v<T, double>)
    return f64_optional(i, param, shape);
  else
    return f32_optional(i, param, shape);
}
template <class T>
T* Args::floats_rows(size_t i, const char* param, int64_t offset, int64_t rows, int64_t cols) const {
  if constexpr (std::is_same_v<T, double>)
    return f64_rows(i, param, offset, rows, cols);
  else
    return f32_rows(i, param, offset, rows, cols);
}
template <class T>
Strided<T> Args::floats_strided(size_t i, const char* param, const Layout& layout,
                                const std::vector<int64_t>& shape) const {
  if constexpr (std::is_same_v<T, double>)
    return strided_f64(i, param, layout, shape);
  else
    return strided(i, param, layout, shape);
}

// The entry of a kernel with float32 and float64 variants: runs f(double{}) when argument i is a
// Float64Array, f(float{}) otherwise (its readers then refuse any other type, naming it), so
// that f reads T as decltype of its argument.
template <class F>
void dispatch_float(const Args& args, size_t i, F&& f) {
  if (args.is_f64(i))
    f(double{});
  else
    f(float{});
}

// An options-object argument: its named properties, read with the same kind of checks as
// positional arguments; errors name the property ("adamStep: option 'lr' must be ..."). A
// property read may run JS (a getter): read them all before taking typed-array memory.
class Options {
 public:
  Options(const Args& args, size_t i, const char* param);
  // A finite number in [min, max] (or [min, max) when max_open).
  double number(const char* key, double min, double max, bool max_open = false) const;
  // Any JS number (NaN and infinities included).
  double any_number(const char* key) const;
  bool boolean(const char* key) const;
  // An integer in [min, max] (a JS number; min and max within +-kMaxCount).
  int64_t integer(const char* key, int64_t min, int64_t max) const;
  // The property as it is (a typed array to take later, null, ...).
  Napi::Value value(const char* key) const;

 private:
  std::string where(const char* key) const;
  bool number_of(const Napi::Value& v, double* d) const;
  const Args& args_;
  Napi::Object object_;
};

// A 2-D window's geometry from an options object (convolution's and pooling's shape structs):
// kh, kw >= 1, strideH, strideW >= 1, padH, padW >= 0, dilationH, dilationW >= 1.
Window2d read_window(const Options& o);

// One matrix operand of a GEMM-style struct, as read from its JS values: the array (taken later,
// after every JS value), its offset, leading dimension and batch stride, and its stored shape.
struct MatrixOperand {
  Napi::Value value;
  int64_t offset = 0, ld = 0, stride = 0;
  int64_t rows = 0, cols = 0;
  const char* what = "";  // "A (k x m, transposed)" (a string literal)
};

// Reads operand `name` ("a", "b" or "c": a, aOffset, lda, and strideA when batched) of a rows x
// cols matrix; throws RangeError when lda is below the row length.
MatrixOperand read_matrix_operand(const Args& args, const Options& o, const char* name, bool batched, int64_t rows,
                                  int64_t cols, const char* what);

// The layout fields every GEMM's argument struct shares (GemmLayout in lib/native.ts): transA,
// transB, batch (read when batched, else 1), m, n, k (each in [0, kMaxDimSize]), and operands
// a (op(A) m x k), b (op(B) k x n) and c (m x n) as read_matrix_operand reads them. JS values
// only: the arrays are taken afterwards.
struct GemmLayoutArgs {
  bool trans_a = false, trans_b = false;
  int64_t batch = 1, m = 0, n = 0, k = 0;
  MatrixOperand a, b, c;
};
GemmLayoutArgs read_gemm_layout(const Args& args, const Options& o, bool batched);

// The furthest element of an array of `length` elements that `batch` matrices of op reach (-1:
// none); throws RangeError naming the operand, its layout and `array_kind` when they leave it.
int64_t matrix_operand_last(const Args& args, const char* name, int64_t batch, const MatrixOperand& op, int64_t length,
                            const char* array_kind);

// A whole typed array as a 1-d view of its elements (4 bytes each), for the overlap checks.
template <class T>
StridedF32 whole_view(const TypedArray<T>& a) {
  static_assert(sizeof(T) == 4, "overlap checks count 4-byte elements");
  return StridedF32{F32Array{nullptr, a.length, a.buffer, a.byte_offset, a.shared}, 0, {1}};
}

// A whole Float64Array as a 1-d view of its elements, for the overlap checks.
inline StridedF64 whole_view(const F64Array& a) {
  return StridedF64{F64Array{nullptr, a.length, a.buffer, a.byte_offset, a.shared}, 0, {1}};
}

// Describes a JS value for error messages: "number 3", "string 'x'", "Float64Array(4)".
std::string describe(const Napi::Value& v);
std::string format_shape(const std::vector<int64_t>& shape);

// Throws RangeError when `out` and `in` share memory without being exactly the same view
// (same start and strides), where an elementwise write would clobber unread input.
void check_no_partial_overlap(const Args& args, const char* out_name, const StridedF32& out, const char* in_name,
                              const StridedF32& in, const std::vector<int64_t>& shape);
void check_no_partial_overlap(const Args& args, const char* out_name, const StridedF64& out, const char* in_name,
                              const StridedF64& in, const std::vector<int64_t>& shape);

// Throws RangeError when `out` (over out_shape) and `in` (over in_shape) touch any common byte
// range of one buffer: for outputs that are written while the whole input is still being read.
void check_disjoint(const Args& args, const char* out_name, const StridedF32& out,
                    const std::vector<int64_t>& out_shape, const char* in_name, const StridedF32& in,
                    const std::vector<int64_t>& in_shape);
void check_disjoint(const Args& args, const char* out_name, const StridedF64& out,
                    const std::vector<int64_t>& out_shape, const char* in_name, const StridedF64& in,
                    const std::vector<int64_t>& in_shape);

// Whole arrays: throws RangeError when `out` shares any byte with `in` (absent arrays pass).
template <class T, class U>
void check_disjoint(const Args& args, const char* out_name, const TypedArray<T>& out, const char* in_name,
                    const TypedArray<U>& in) {
  if (!out.present() || !in.present()) return;
  if constexpr (sizeof(T) == sizeof(U)) {
    check_disjoint(args, out_name, whole_view(out), {out.length}, in_name, whole_view(in), {in.length});
  } else {
    // Arrays of different widths (Int32Array indices beside Float64Arrays): both as 4-byte words.
    const auto words = [](const auto& a) {
      const int64_t n = a.length * static_cast<int64_t>(sizeof(a.data[0]) / 4);
      return StridedF32{F32Array{nullptr, n, a.buffer, a.byte_offset, a.shared}, 0, {1}};
    };
    const StridedF32 o = words(out), i = words(in);
    check_disjoint(args, out_name, o, {o.array.length}, in_name, i, {i.array.length});
  }
}

// Throws RangeError when a view to be written reaches one element through two indices
// (a broadcast stride 0, or strides that interleave): threads would race on it.
void check_no_self_overlap(const Args& args, const char* name, const StridedF32& out,
                           const std::vector<int64_t>& shape);
void check_no_self_overlap(const Args& args, const char* name, const StridedF64& out,
                           const std::vector<int64_t>& shape);

}  // namespace myelin::binding
