// Reduced precision over typed arrays: fp32 <-> bf16 conversion (bf16 travels as Uint16Array bit
// patterns), quantization (int8 / uint8 data with per-tensor or per-channel parameters), the
// bf16 GEMM and the u8 x s8 GEMM. Checks, then the core. The GEMMs take one named
// struct each (GemmBf16Args / GemmU8S8Args in lib/native.ts).
#include <cmath>
#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/convert/convert.h"
#include "kernels/gemm/gemm_lowp.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

constexpr int64_t kMaxDim = (int64_t{1} << 31) - 1;
constexpr int64_t kMaxPackedBytes = int64_t{1} << 32;

std::string num(int64_t v) { return std::to_string(v); }

// The byte range [lo, hi) of elements [first, last] of an array (empty when last < first).
struct Bytes {
  int64_t lo = 0, hi = 0;
};
Bytes bytes_of(const AnyTypedArray& a, int64_t first, int64_t last) {
  if (last < first) return Bytes{};
  return Bytes{a.byte_offset + first * a.elem_bytes, a.byte_offset + (last + 1) * a.elem_bytes};
}

void check_disjoint_bytes(const Args& args, const char* out_name, const AnyTypedArray& out, Bytes ob,
                          const char* in_name, const AnyTypedArray& in, Bytes ib) {
  if (ob.hi <= ob.lo || ib.hi <= ib.lo || !out.buffer.StrictEquals(in.buffer)) return;
  if (!checks::ranges_overlap(ob.lo, ob.hi, ib.lo, ib.hi)) return;
  args.range_error(std::string(args.fn()) + ": output '" + out_name + "' overlaps input '" + in_name +
                   "' (they share memory); write the result to a separate buffer");
}

// ---- conversions ------------------------------------------------------------------------------

// Two whole arrays of the same length, not sharing memory.
void check_conversion(const Args& args, const AnyTypedArray& x, const AnyTypedArray& y) {
  if (x.length != y.length)
    args.range_error(std::string(args.fn()) + ": 'x' and 'y' must have the same length, got " + num(x.length) +
                     " and " + num(y.length));
  check_disjoint_bytes(args, "y", y, bytes_of(y, 0, y.length - 1), "x", x, bytes_of(x, 0, x.length - 1));
}

// convertF32ToBf16(x: Float32Array, y: Uint16Array): y = x rounded to bf16 (nearest even).
Napi::Value convert_f32_to_bf16(const Napi::CallbackInfo& info) {
  Args args(info);
  const AnyTypedArray x = args.any_typed(args.value(0), args.where_label("x"), {napi_float32_array}, "a Float32Array");
  const AnyTypedArray y =
      args.any_typed(args.value(1), args.where_label("y"), {napi_uint16_array}, "a Uint16Array (bfloat16 bits)");
  check_conversion(args, x, y);
  if (x.length > 0)
    ::myelin::convert_f32_to_bf16(active_kernels(), x.length, static_cast<const float*>(x.data),
                                  static_cast<uint16_t*>(y.data));
  return info.Env().Undefined();
}

// convertBf16ToF32(x: Uint16Array, y: Float32Array): y = x (exact).
Napi::Value convert_bf16_to_f32(const Napi::CallbackInfo& info) {
  Args args(info);
  const AnyTypedArray x =
      args.any_typed(args.value(0), args.where_label("x"), {napi_uint16_array}, "a Uint16Array (bfloat16 bits)");
  const AnyTypedArray y = args.any_typed(args.value(1), args.where_label("y"), {napi_float32_array}, "a Float32Array");
  check_conversion(args, x, y);
  if (x.length > 0)
    ::myelin::convert_bf16_to_f32(active_kernels(), x.length, static_cast<const uint16_t*>(x.data),
                                  static_cast<float*>(y.data));
  return info.Env().Undefined();
}

// roundF32ToBf16(x: Float32Array, y: Float32Array): y = x rounded to bf16 values (nearest even;
// NaN -> 0xffff's NaN), in one pass; y may be x itself (in place) or must not share its memory.
Napi::Value round_f32_to_bf16(const Napi::CallbackInfo& info) {
  Args args(info);
  const AnyTypedArray x = args.any_typed(args.value(0), args.where_label("x"), {napi_float32_array}, "a Float32Array");
  const AnyTypedArray y = args.any_typed(args.value(1), args.where_label("y"), {napi_float32_array}, "a Float32Array");
  const bool same = x.data == y.data && x.length == y.length;
  if (!same) check_conversion(args, x, y);
  if (x.length > 0)
    ::myelin::round_f32_to_bf16(active_kernels(), x.length, static_cast<const float*>(x.data),
                                static_cast<float*>(y.data));
  return info.Env().Undefined();
}

// ---- quantization ----------------------------------------------------------------------------

// The layout and parameters quantize and dequantize share: the data viewed as [outer, channels,
// inner] (per tensor: channels = 1), channel c with scales[c] and zeroPoints[c].
struct QuantLayout {
  int64_t outer = 0, channels = 0, inner = 0, count = 0;
  Napi::Value scales, zero_points;
  const double* scale_data = nullptr;
  std::vector<int64_t> zeros;
};

QuantLayout read_quant_layout(const Args& args, const Options& o) {
  QuantLayout q;
  q.outer = o.integer("outer", 0, kMaxCount);
  q.channels = o.integer("channels", 1, kMaxCount);
  q.inner = o.integer("inner", 0, kMaxCount);
  const int64_t shape[3] = {q.outer, q.channels, q.inner};
  if (!checks::numel(shape, 3, &q.count))
    args.range_error(std::string(args.fn()) + ": outer x channels x inner = " + num(q.outer) + " x " + num(q.channels) +
                     " x " + num(q.inner) + " is more than 2^53 - 1 elements");
  q.scales = o.value("scales");
  q.zero_points = o.value("zeroPoints");
  return q;
}

// Takes the scales and zero points (one per channel) and checks them: scales finite and > 0,
// zero points inside the quantized type's range. Only arithmetic reads them afterwards.
void take_quant_params(const Args& args, QuantLayout* q, bool qint8) {
  const AnyTypedArray s =
      args.any_typed(q->scales, args.option_label("scales"), {napi_float64_array}, "a Float64Array");
  const AnyTypedArray z =
      args.any_typed(q->zero_points, args.option_label("zeroPoints"), {napi_int32_array}, "an Int32Array");
  if (s.length != q->channels || z.length != q->channels)
    args.range_error(std::string(args.fn()) + ": options 'scales' and 'zeroPoints' must hold one value per channel (" +
                     num(q->channels) + "), got " + num(s.length) + " and " + num(z.length));
  q->scale_data = static_cast<const double*>(s.data);
  const int32_t lo = qint8 ? -128 : 0, hi = qint8 ? 127 : 255;
  q->zeros.resize(static_cast<size_t>(q->channels));
  for (int64_t c = 0; c < q->channels; ++c) {
    const double sc = q->scale_data[c];
    if (!(sc > 0 && sc<INFINITY&& static_cast<float>(sc)> 0 && static_cast<float>(sc) < INFINITY))
      args.range_error(args.option_where("scales") + ": scale " + std::to_string(sc) + " of channel " + num(c) +
                       " must be a finite number > 0 (in float32 too)");
    const int32_t zp = static_cast<const int32_t*>(z.data)[c];
    if (zp < lo || zp > hi)
      args.range_error(args.option_where("zeroPoints") + ": zero point " + num(zp) + " of channel " + num(c) +
                       " is outside [" + num(lo) + ", " + num(hi) + "]");
    q->zeros[static_cast<size_t>(c)] = zp;
  }
}

void check_count(const Args& args, const char* key, const AnyTypedArray& a, int64_t count) {
  if (a.length != count)
    args.range_error(args.option_where(key) + " must hold outer x channels x inner = " + num(count) +
                     " elements, got " + num(a.length));
}

// quantize({x, y, outer, channels, inner, scales, zeroPoints}): y (Int8Array: qint8, Uint8Array:
// quint8) = x quantized with torch's numerics (convert.h).
Napi::Value quantize(const Napi::CallbackInfo& info) {
  Args args(info);
  const Options o = args.options(0, "args");
  QuantLayout q = read_quant_layout(args, o);
  const Napi::Value xv = o.value("x"), yv = o.value("y");
  // No JS runs from here on.
  const AnyTypedArray x = args.any_typed(xv, args.option_label("x"), {napi_float32_array}, "a Float32Array");
  const AnyTypedArray y = args.any_typed(yv, args.option_label("y"), {napi_int8_array, napi_uint8_array},
                                         "an Int8Array (qint8) or a Uint8Array (quint8)");
  const bool qint8 = y.type == napi_int8_array;
  take_quant_params(args, &q, qint8);
  check_count(args, "x", x, q.count);
  check_count(args, "y", y, q.count);
  check_disjoint_bytes(args, "y", y, bytes_of(y, 0, y.length - 1), "x", x, bytes_of(x, 0, x.length - 1));
  if (q.count > 0)
    quantize_f32(active_kernels(), static_cast<const float*>(x.data), q.outer, q.channels, q.inner, q.scale_data,
                 q.zeros.data(), qint8 ? QType::QInt8 : QType::QUInt8, y.data);
  return info.Env().Undefined();
}

// dequantize({q, y, outer, channels, inner, scales, zeroPoints, perChannel}): y (Float32Array) =
// (q - zeroPoint) * scale, per tensor in fp32, per channel in double (as torch).
Napi::Value dequantize(const Napi::CallbackInfo& info) {
  Args args(info);
  const Options o = args.options(0, "args");
  QuantLayout q = read_quant_layout(args, o);
  const bool per_channel = o.boolean("perChannel");
  const Napi::Value qv = o.value("q"), yv = o.value("y");
  // No JS runs from here on.
  const AnyTypedArray qa = args.any_typed(qv, args.option_label("q"), {napi_int8_array, napi_uint8_array},
                                          "an Int8Array (qint8) or a Uint8Array (quint8)");
  const AnyTypedArray y = args.any_typed(yv, args.option_label("y"), {napi_float32_array}, "a Float32Array");
  const bool qint8 = qa.type == napi_int8_array;
  take_quant_params(args, &q, qint8);
  check_count(args, "q", qa, q.count);
  check_count(args, "y", y, q.count);
  check_disjoint_bytes(args, "y", y, bytes_of(y, 0, y.length - 1), "q", qa, bytes_of(qa, 0, qa.length - 1));
  if (q.count > 0)
    dequantize_f32(qa.data, q.outer, q.channels, q.inner, q.scale_data, q.zeros.data(),
                   qint8 ? QType::QInt8 : QType::QUInt8, per_channel, static_cast<float*>(y.data));
  return info.Env().Undefined();
}

// minMax(x: Float32Array): [min, max] (both NaN when any element is; [0, 0] when empty), what
// dynamic quantization picks an activation's scale from.
Napi::Value min_max(const Napi::CallbackInfo& info) {
  Args args(info);
  const AnyTypedArray x = args.any_typed(args.value(0), args.where_label("x"), {napi_float32_array}, "a Float32Array");
  float lo = 0, hi = 0;
  min_max_f32(active_kernels(), x.length, static_cast<const float*>(x.data), &lo, &hi);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), lo));
  out.Set(1u, Napi::Number::New(info.Env(), hi));
  return out;
}

// ---- GEMM operands ----------------------------------------------------------------------------

// One matrix operand: its JS values, then its array once taken.
struct Operand : MatrixOperand {
  AnyTypedArray array;
  int64_t last = -1;  // the furthest element reached (-1: none)
};

Operand operand_of(MatrixOperand m) {
  Operand op;
  static_cast<MatrixOperand&>(op) = std::move(m);
  return op;
}

Operand read_operand(const Args& args, const Options& o, const char* name, bool batched, int64_t rows, int64_t cols,
                     const char* what) {
  return operand_of(read_matrix_operand(args, o, name, batched, rows, cols, what));
}

// Takes the operand's array and checks that its `batch` matrices stay inside it.
void take_operand(const Args& args, const char* name, int64_t batch, Operand* op,
                  std::initializer_list<napi_typedarray_type> types, const char* expected) {
  op->array = args.any_typed(op->value, args.option_label(name), types, expected);
  op->last = matrix_operand_last(args, name, batch, *op, op->array.length, "an array");
}

Bytes operand_bytes(const Operand& op) { return bytes_of(op.array, op.offset, op.last); }

// An optional Float32Array of exactly n entries (null: none); read as a JS value first, taken
// after every JS value.
struct OptionalF32 {
  Napi::Value value;
  const float* data = nullptr;
};

OptionalF32 read_optional(const Options& o, const char* key) { return OptionalF32{o.value(key), nullptr}; }

void take_optional(const Args& args, const char* key, int64_t n, const char* what, OptionalF32* out) {
  if (out->value.IsNull()) return;
  const AnyTypedArray a =
      args.any_typed(out->value, args.option_label(key), {napi_float32_array}, "a Float32Array or null");
  if (a.length != n)
    args.range_error(args.option_where(key) + " must hold " + what + " (" + num(n) + " floats), got " + num(a.length));
  out->data = static_cast<const float*>(a.data);
}

template <class T>
const T* at(const Operand& op) {
  return op.last < 0 ? nullptr : static_cast<const T*>(op.array.data) + op.offset;
}

// ---- bf16 GEMM --------------------------------------------------------------------------------

// gemmBf16({transA, transB, batch, m, n, k, alpha, a, aOffset, lda, strideA, b, bOffset, ldb,
//           strideB, beta, c, cOffset, ldc, strideC, rowBias, colBias})
// A and B: Float32Array (rounded to bf16 as read) or Uint16Array (bf16 bits); C: Float32Array
// (C = alpha * op(A) op(B) + beta * C + biases) or Uint16Array (that rounded to bf16; beta must
// be 0); rowBias (m floats) and colBias (n floats): Float32Array or null.
Napi::Value gemm_bf16(const Napi::CallbackInfo& info) {
  Args args(info);
  const Options o = args.options(0, "args");
  const GemmLayoutArgs layout = read_gemm_layout(args, o, true);
  const bool ta = layout.trans_a, tb = layout.trans_b;
  const int64_t batch = layout.batch, m = layout.m, n = layout.n, k = layout.k;
  Operand a = operand_of(layout.a), b = operand_of(layout.b), c = operand_of(layout.c);
  const float alpha = static_cast<float>(o.any_number("alpha"));
  const float beta = static_cast<float>(o.any_number("beta"));
  OptionalF32 row_bias = read_optional(o, "rowBias"), col_bias = read_optional(o, "colBias");
  // No JS runs from here on.
  const char* operand = "a Float32Array or a Uint16Array (bfloat16 bits)";
  take_operand(args, "a", batch, &a, {napi_float32_array, napi_uint16_array}, operand);
  take_operand(args, "b", batch, &b, {napi_float32_array, napi_uint16_array}, operand);
  take_operand(args, "c", batch, &c, {napi_float32_array, napi_uint16_array}, operand);
  take_optional(args, "rowBias", m, "one bias per row of C", &row_bias);
  take_optional(args, "colBias", n, "one bias per column of C", &col_bias);
  const bool c_bf16 = c.array.type == napi_uint16_array;
  if (c_bf16 && beta != 0.0f)
    args.range_error("gemmBf16: option 'beta' must be 0 when C is bfloat16 (a Uint16Array), got " +
                     std::to_string(beta));
  if (batch == 0 || m == 0 || n == 0) return info.Env().Undefined();
  if (batch > 1 && c.stride < (m - 1) * c.ld + n)
    args.range_error("gemmBf16: option 'strideC' " + num(c.stride) + " makes the C matrices of the batch overlap (" +
                     num(m) + " x " + num(n) + " with ldc " + num(c.ld) + ")");
  if (k > 0) {
    check_disjoint_bytes(args, "c", c.array, operand_bytes(c), "a", a.array, operand_bytes(a));
    check_disjoint_bytes(args, "c", c.array, operand_bytes(c), "b", b.array, operand_bytes(b));
  }
  auto type_of = [](const Operand& op) { return op.array.type == napi_float32_array ? LowpType::F32 : LowpType::Bf16; };
  auto data_of = [](const Operand& op) -> const void* {
    return op.array.type == napi_float32_array ? static_cast<const void*>(at<float>(op))
                                               : static_cast<const void*>(at<uint16_t>(op));
  };
  const LowpOperand ap{data_of(a), type_of(a), a.ld, ta, a.stride};
  const LowpOperand bp{data_of(b), type_of(b), b.ld, tb, b.stride};
  LowpOutput out;
  out.type = c_bf16 ? LowpType::Bf16 : LowpType::F32;
  out.c = const_cast<void*>(data_of(c));
  out.ldc = c.ld;
  out.alpha = alpha;
  out.beta = beta;
  out.row_bias = row_bias.data;
  out.col_bias = col_bias.data;
  ::myelin::gemm_bf16(active_kernels(), batch, m, n, k, ap, bp, out, c.stride);
  return info.Env().Undefined();
}

// ---- u8 x s8 GEMM -----------------------------------------------------------------------------

// gemmU8S8({m, n, k, a, aOffset, lda, aZero, b, bOffset, ldb, transB, bPacked, bZero, c,
//           cOffset, ldc, colScale, rowBias, colBias, outScale, outZero})
// C = (A - aZero)(op(B) - bZero) with A a Uint8Array (m x k), B an Int8Array (k x n, or n x k
// when transB), bZero an Int32Array (n zero points in [-128, 127]) or null, summed exactly in
// int32 (wrapping past 2^31); C an Int32Array (the sums), a Float32Array (sums * colScale +
// biases) or a Uint8Array (that requantized: clamp(round(v / outScale) + outZero, 0, 255)).
// colScale (n floats) is needed for Float32Array and Uint8Array outputs, null for Int32Array.
// bPacked: gemmU8S8PackB's packing of this op(B) under the running kernel table, or null (B is
// packed on the call); one packed for another table or another n x k is refused.
Napi::Value gemm_u8s8(const Napi::CallbackInfo& info) {
  Args args(info);
  const Options o = args.options(0, "args");
  const int64_t m = o.integer("m", 0, kMaxDim), n = o.integer("n", 0, kMaxDim), k = o.integer("k", 0, kMaxDim);
  const bool tb = o.boolean("transB");
  const int32_t a_zero = static_cast<int32_t>(o.integer("aZero", 0, 255));
  Operand a = read_operand(args, o, "a", false, m, k, "A (m x k)");
  Operand b = read_operand(args, o, "b", false, tb ? n : k, tb ? k : n, tb ? "B (n x k, transposed)" : "B (k x n)");
  Operand c = read_operand(args, o, "c", false, m, n, "C (m x n)");
  const Napi::Value b_packed_value = o.value("bPacked");
  const Napi::Value b_zero_value = o.value("bZero");
  OptionalF32 col_scale = read_optional(o, "colScale");
  OptionalF32 row_bias = read_optional(o, "rowBias"), col_bias = read_optional(o, "colBias");
  const double out_scale = o.any_number("outScale");
  const int32_t out_zero = static_cast<int32_t>(o.integer("outZero", 0, 255));
  // No JS runs from here on.
  take_operand(args, "a", 1, &a, {napi_uint8_array}, "a Uint8Array");
  take_operand(args, "b", 1, &b, {napi_int8_array}, "an Int8Array");
  take_operand(args, "c", 1, &c, {napi_int32_array, napi_float32_array, napi_uint8_array},
               "an Int32Array, a Float32Array or a Uint8Array");
  const KernelTable& kt = active_kernels();
  AnyTypedArray b_packed;
  if (!b_packed_value.IsNull()) {
    b_packed = args.any_typed(b_packed_value, args.option_label("bPacked"), {napi_uint8_array},
                              "a Uint8Array (gemmU8S8PackB's) or null");
    if (!gemm_u8s8_packed_b_fits(kt, n, k, b_packed.data, b_packed.length))
      args.range_error(args.option_where("bPacked") + " is no packing of a " + num(k) + " x " + num(n) +
                       " B for the running kernels (" + kt.gemm_s8.name +
                       "): it was packed for another shape or kernel table; pack B again with gemmU8S8PackB");
    // The kernels read the panels as 32-bit words; gemmU8S8PackB's array starts aligned.
    if (reinterpret_cast<uintptr_t>(b_packed.data) % 4 != 0)
      args.range_error(args.option_where("bPacked") +
                       " does not start at a multiple of 4 bytes: pass the Uint8Array gemmU8S8PackB returned");
  }
  const int32_t* b_zero = nullptr;
  if (!b_zero_value.IsNull()) {
    const AnyTypedArray z =
        args.any_typed(b_zero_value, args.option_label("bZero"), {napi_int32_array}, "an Int32Array or null");
    if (z.length != n)
      args.range_error(args.option_where("bZero") + " must hold one zero point per column of C (" + num(n) + "), got " +
                       num(z.length));
    b_zero = static_cast<const int32_t*>(z.data);
    // Only arithmetic reads them (no index): a SharedArrayBuffer written meanwhile gives other
    // numbers, never an access out of bounds.
    for (int64_t j = 0; j < n; ++j)
      if (b_zero[j] < -128 || b_zero[j] > 127)
        args.range_error(args.option_where("bZero") + ": zero point " + num(b_zero[j]) + " of column " + num(j) +
                         " is outside [-128, 127]");
  }
  const bool sums = c.array.type == napi_int32_array;
  if (sums) {
    if (!col_scale.value.IsNull() || !row_bias.value.IsNull() || !col_bias.value.IsNull())
      args.type_error(
          "gemmU8S8: options 'colScale', 'rowBias' and 'colBias' must be null when C is an Int32Array (the "
          "raw sums)");
  } else {
    take_optional(args, "colScale", n, "one dequantization scale per column of C", &col_scale);
    if (!col_scale.data)
      args.type_error("gemmU8S8: option 'colScale' must be a Float32Array when C is a Float32Array or a Uint8Array");
    take_optional(args, "rowBias", m, "one bias per row of C", &row_bias);
    take_optional(args, "colBias", n, "one bias per column of C", &col_bias);
  }
  if (c.array.type == napi_uint8_array &&
      !(out_scale > 0 && out_scale < INFINITY && 1.0f / static_cast<float>(out_scale) < INFINITY))
    args.range_error("gemmU8S8: option 'outScale' must be a finite number > 0 whose fp32 inverse is finite, got " +
                     std::to_string(out_scale));
  if (m == 0 || n == 0) return info.Env().Undefined();
  if (k > 0) {
    check_disjoint_bytes(args, "c", c.array, operand_bytes(c), "a", a.array, operand_bytes(a));
    check_disjoint_bytes(args, "c", c.array, operand_bytes(c), "b", b.array, operand_bytes(b));
  }
  if (b_packed.data)
    check_disjoint_bytes(args, "c", c.array, operand_bytes(c), "bPacked", b_packed,
                         bytes_of(b_packed, 0, b_packed.length - 1));
  LowpOutput out;
  out.type = sums ? LowpType::S32 : (c.array.type == napi_float32_array ? LowpType::F32 : LowpType::U8);
  out.c = static_cast<char*>(c.array.data) + c.offset * c.array.elem_bytes;
  out.ldc = c.ld;
  out.col_scale = col_scale.data;
  out.row_bias = row_bias.data;
  out.col_bias = col_bias.data;
  out.out_inv_scale = c.array.type == napi_uint8_array ? 1.0f / static_cast<float>(out_scale) : 1.0f;
  out.out_zero = out_zero;
  ::myelin::gemm_u8s8(kt, m, n, k, at<uint8_t>(a), a.ld, a_zero, at<int8_t>(b), b.ld, tb, b_zero, out, b_packed.data);
  return info.Env().Undefined();
}

// gemmU8S8PackB({n, k, b, bOffset, ldb, transB}): a new Uint8Array holding op(B) (B an Int8Array,
// k x n, or n x k when transB) packed for the running kernel table, gemmU8S8's bPacked: its
// column sums and micro-panels, made once for a B that many products share.
Napi::Value gemm_u8s8_pack_b(const Napi::CallbackInfo& info) {
  Args args(info);
  const Options o = args.options(0, "args");
  const int64_t n = o.integer("n", 0, kMaxDim), k = o.integer("k", 0, kMaxDim);
  const bool tb = o.boolean("transB");
  Operand b = read_operand(args, o, "b", false, tb ? n : k, tb ? k : n, tb ? "B (n x k, transposed)" : "B (k x n)");
  // No JS runs from here on. The new array is made once B is checked (its size follows B's),
  // which runs no JS and moves no typed array's memory.
  take_operand(args, "b", 1, &b, {napi_int8_array}, "an Int8Array");
  const KernelTable& kt = active_kernels();
  const int64_t bytes = gemm_u8s8_packed_b_bytes(kt, n, k);
  // Padding aside the packing is B's size, but with k = 0 an empty B may have any n.
  if (bytes > kMaxPackedBytes)
    args.range_error("gemmU8S8PackB: the packing of a " + num(k) + " x " + num(n) + " B would take " + num(bytes) +
                     " bytes, more than 2^32");
  Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), static_cast<size_t>(bytes));
  gemm_u8s8_pack_b(kt, n, k, at<int8_t>(b), b.ld, tb, out.Data());
  return out;
}

// gemmU8S8PackedBFits(packed: Uint8Array, n, k): whether packed is gemmU8S8PackB's packing of an
// n-column, k-deep B for the running kernel table (a layer asks before each product, and packs
// again when the table changed).
Napi::Value gemm_u8s8_packed_b_fits(const Napi::CallbackInfo& info) {
  Args args(info);
  const int64_t n = args.integer(1, "n", 0, kMaxDim), k = args.integer(2, "k", 0, kMaxDim);
  const AnyTypedArray p = args.any_typed(args.value(0), args.where_label("packed"), {napi_uint8_array}, "a Uint8Array");
  return Napi::Boolean::New(info.Env(), gemm_u8s8_packed_b_fits(active_kernels(), n, k, p.data, p.length));
}

constexpr Export kExports[] = {
    {"convertF32ToBf16", convert_f32_to_bf16, 2},
    {"convertBf16ToF32", convert_bf16_to_f32, 2},
    {"roundF32ToBf16", round_f32_to_bf16, 2},
    {"gemmBf16", gemm_bf16, 1},
    {"gemmU8S8", gemm_u8s8, 1},
    {"gemmU8S8PackB", gemm_u8s8_pack_b, 1},
    {"gemmU8S8PackedBFits", gemm_u8s8_packed_b_fits, 3},
    {"quantize", quantize, 1},
    {"dequantize", dequantize, 1},
    {"minMax", min_max, 1},
};

}  // namespace

ExportList lowp_exports() { return export_list(kExports); }

}  // namespace myelin::binding
