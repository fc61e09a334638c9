// Quantized tensors, as PyTorch's: 8-bit integers (qint8 over an Int8Array, quint8 over a
// Uint8Array) whose storage carries the affine map back to real values, per tensor or per channel.
// The rounding is the native kernels' (round half to even of x * (1 / scale) in fp32, as fbgemm),
// so int_repr and dequantize are bit for bit PyTorch 1.13's.
import { type DType, isQuantizedDType, type QuantizedDType } from '../dtype.js';
import { describe } from '../errors.js';
import { native } from '../native.js';
import { formatShape } from '../shape.js';
import { type Quantizer, Storage, Tensor } from '../tensor.js';

const RANGE: Record<QuantizedDType, readonly [number, number]> = { qint8: [-128, 127], quint8: [0, 255] };
const INT_DTYPE: Record<QuantizedDType, DType> = { qint8: 'int8', quint8: 'uint8' };

function checkQDtype(op: string, dtype: unknown): QuantizedDType {
  if (!isQuantizedDType(dtype)) throw new TypeError(`${op}: dtype must be 'qint8' or 'quint8', got ${describe(dtype)}`);
  return dtype;
}

function checkInput(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${describe(x)}`);
  if (x.dtype !== 'float32')
    throw new TypeError(`${op}: only float32 tensors can be quantized (as torch's), got ${x.dtype}`);
  return x.isContiguous() ? x : x.contiguous();
}

function checkScale(op: string, name: string, s: unknown): number {
  if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0)
    throw new RangeError(`${op}: ${name} must be a finite number > 0, got ${describe(s)}`);
  return s;
}

function checkZeroPoint(op: string, name: string, z: unknown, dtype: QuantizedDType): number {
  const [lo, hi] = RANGE[dtype];
  if (typeof z !== 'number' || !Number.isInteger(z) || z < lo || z > hi)
    throw new RangeError(`${op}: ${name} must be an integer in [${lo}, ${hi}] for ${dtype}, got ${describe(z)}`);
  return z;
}

/** Numbers from a 1-D tensor or an array (torch takes tensors; an array is accepted too). */
function numbers(op: string, name: string, v: unknown): number[] {
  if (v instanceof Tensor) {
    if (v.ndim !== 1) throw new RangeError(`${op}: ${name} must be 1-D, got shape ${formatShape(v.shape)}`);
    if (v.dtype === 'bool' || v.isQuantized) throw new TypeError(`${op}: ${name} must hold numbers, got ${v.dtype}`);
    return Array.from(v.toTypedArray() as ArrayLike<number>);
  }
  if (Array.isArray(v) || v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array)
    return Array.from(v as ArrayLike<unknown>, (e) => e as number);
  throw new TypeError(`${op}: ${name} must be a 1-D Tensor or an array of numbers, got ${describe(v)}`);
}

/** The [outer, channels, inner] view of a shape around `axis` (-1: per tensor). */
function layoutOf(shape: readonly number[], q: Quantizer) {
  if (q.axis < 0) return { outer: 1, channels: 1, inner: shape.reduce((a, b) => a * b, 1) };
  const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  return { outer: prod(shape.slice(0, q.axis)), channels: shape[q.axis], inner: prod(shape.slice(q.axis + 1)) };
}

function quantizeWith(x: Tensor, dtype: QuantizedDType, quantizer: Quantizer): Tensor {
  const n = x.numel();
  const y = dtype === 'qint8' ? new Int8Array(n) : new Uint8Array(n);
  const src = x.data as Float32Array;
  native.quantize({
    ...layoutOf(x.shape, quantizer),
    scales: quantizer.scales,
    zeroPoints: quantizer.zeroPoints,
    x: src,
    y,
  });
  return new Tensor(new Storage(y, dtype, quantizer), x.shape);
}

/**
 * x quantized with one scale and zero point (`torch.quantize_per_tensor`): q = clamp(round(x /
 * scale) + zeroPoint) in the dtype's range, rounding half to even as PyTorch's fbgemm path (NaN
 * and -inf give the lowest value, +inf the highest). The result is a qint8 or quint8 tensor;
 * `dequantize()` maps it back, `intRepr()` gives its integers.
 * @param x a float32 tensor.
 * @param scale a finite number > 0.
 * @param zeroPoint an integer in the dtype's range ([-128, 127] for qint8, [0, 255] for quint8).
 * @param dtype 'qint8' or 'quint8'.
 * @throws TypeError if x is not a float32 Tensor or dtype is not quantized; RangeError if scale
 * or zeroPoint is out of range.
 */
export function quantizePerTensor(x: Tensor, scale: number, zeroPoint: number, dtype: QuantizedDType): Tensor {
  const op = 'quantizePerTensor';
  const d = checkQDtype(op, dtype);
  const xc = checkInput(op, x);
  const s = checkScale(op, 'scale', scale);
  const z = checkZeroPoint(op, 'zeroPoint', zeroPoint, d);
  const quantizer: Quantizer = {
    scheme: 'per_tensor_affine',
    scales: Float64Array.of(s),
    zeroPoints: Int32Array.of(z),
    axis: -1,
  };
  return quantizeWith(xc, d, quantizer);
}

/**
 * x quantized with a scale and zero point per index along `axis` (`torch.quantize_per_channel`),
 * rounding as `quantizePerTensor`.
 * @param x a float32 tensor with at least one dim.
 * @param scales x.shape[axis] finite numbers > 0 (a 1-D tensor or an array).
 * @param zeroPoints x.shape[axis] integers in the dtype's range (a 1-D tensor or an array).
 * @param axis the channel dim (negative counts from the end).
 * @param dtype 'qint8' or 'quint8'.
 * @throws TypeError on a wrong type; RangeError if axis is out of range, or the scales or zero
 * points are of the wrong length or out of range.
 */
export function quantizePerChannel(
  x: Tensor,
  scales: Tensor | readonly number[],
  zeroPoints: Tensor | readonly number[],
  axis: number,
  dtype: QuantizedDType,
): Tensor {
  const op = 'quantizePerChannel';
  const d = checkQDtype(op, dtype);
  const xc = checkInput(op, x);
  if (!Number.isInteger(axis) || axis < -xc.ndim || axis >= xc.ndim)
    throw new RangeError(`${op}: axis must be an integer in [${-xc.ndim}, ${xc.ndim - 1}], got ${describe(axis)}`);
  const ax = axis < 0 ? axis + xc.ndim : axis;
  const s = numbers(op, 'scales', scales);
  const z = numbers(op, 'zeroPoints', zeroPoints);
  const c = xc.shape[ax];
  if (s.length !== c || z.length !== c)
    throw new RangeError(
      `${op}: scales and zeroPoints need ${c} values each (x.shape[${ax}]), got ${s.length} and ${z.length}`,
    );
  const quantizer: Quantizer = {
    scheme: 'per_channel_affine',
    scales: Float64Array.from(s, (v, i) => checkScale(op, `scales[${i}]`, v)),
    zeroPoints: Int32Array.from(z, (v, i) => checkZeroPoint(op, `zeroPoints[${i}]`, v, d)),
    axis: ax,
  };
  return quantizeWith(xc, d, quantizer);
}

function quantizerOf(op: string, q: unknown): { t: Tensor; quantizer: Quantizer } {
  if (!(q instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${describe(q)}`);
  const quantizer = q.storage.quantizer;
  if (quantizer === null) throw new TypeError(`${op}: expected a quantized tensor (qint8, quint8), got ${q.dtype}`);
  return { t: q, quantizer };
}

/**
 * The real values of a quantized tensor, (q - zeroPoint) * scale, as float32
 * (`torch.dequantize`, `Tensor.dequantize`): per tensor computed in float32, per channel in
 * float64 then rounded, as PyTorch's, so the bits are its. A float32 tensor is returned as is.
 * @throws TypeError if q is not a quantized or float32 Tensor.
 */
export function dequantize(q: Tensor): Tensor {
  if (q instanceof Tensor && q.dtype === 'float32') return q;
  const { t, quantizer } = quantizerOf('dequantize', q);
  const n = t.numel();
  const src = t.isContiguous() ? t : storageCopy(t);
  const y = new Float32Array(n);
  native.dequantize({
    ...layoutOf(t.shape, quantizer),
    scales: quantizer.scales,
    zeroPoints: quantizer.zeroPoints,
    q: src.data as Int8Array | Uint8Array,
    y,
    perChannel: quantizer.axis >= 0,
  });
  return new Tensor(new Storage(y), t.shape);
}

/**
 * The integers of a quantized tensor as an int8 (qint8) or uint8 (quint8) tensor, a copy
 * (`torch.Tensor.int_repr`).
 * @throws TypeError if q is not a quantized Tensor.
 */
export function intRepr(q: Tensor): Tensor {
  const { t } = quantizerOf('intRepr', q);
  const dtype = t.dtype as QuantizedDType;
  return new Tensor(new Storage(t.toTypedArray(), INT_DTYPE[dtype]), t.shape);
}

/**
 * The scale of a per-tensor quantized tensor (`torch.Tensor.q_scale`).
 * @throws TypeError if q is not a per-tensor quantized Tensor.
 */
export function qScale(q: Tensor): number {
  return perTensor('qScale', q).scales[0];
}

/**
 * The zero point of a per-tensor quantized tensor (`torch.Tensor.q_zero_point`).
 * @throws TypeError if q is not a per-tensor quantized Tensor.
 */
export function qZeroPoint(q: Tensor): number {
  return perTensor('qZeroPoint', q).zeroPoints[0];
}

/**
 * The scales of a per-channel quantized tensor as a float64 tensor (`torch.Tensor.q_per_channel_scales`).
 * @throws TypeError if q is not a per-channel quantized Tensor.
 */
export function qPerChannelScales(q: Tensor): Tensor {
  return Tensor.fromData(Float64Array.from(perChannel('qPerChannelScales', q).scales), [
    q.shape[q.storage.quantizer!.axis],
  ]);
}

/**
 * The zero points of a per-channel quantized tensor as an int32 tensor (torch gives int64)
 * (`torch.Tensor.q_per_channel_zero_points`).
 * @throws TypeError if q is not a per-channel quantized Tensor.
 */
export function qPerChannelZeroPoints(q: Tensor): Tensor {
  const z = perChannel('qPerChannelZeroPoints', q).zeroPoints;
  return Tensor.fromData(Int32Array.from(z), [z.length]);
}

/**
 * The channel dim of a per-channel quantized tensor (`torch.Tensor.q_per_channel_axis`).
 * @throws TypeError if q is not a per-channel quantized Tensor.
 */
export function qPerChannelAxis(q: Tensor): number {
  return perChannel('qPerChannelAxis', q).axis;
}

/**
 * The quantization scheme of a quantized tensor (`torch.Tensor.qscheme`): 'per_tensor_affine'
 * or 'per_channel_affine'.
 * @throws TypeError if q is not a quantized Tensor.
 */
export function qscheme(q: Tensor): Quantizer['scheme'] {
  return quantizerOf('qscheme', q).quantizer.scheme;
}

function perTensor(op: string, q: unknown): Quantizer {
  const { quantizer } = quantizerOf(op, q);
  if (quantizer.axis >= 0) throw new TypeError(`${op}: the tensor is quantized per channel; use qPerChannel...`);
  return quantizer;
}

function perChannel(op: string, q: unknown): Quantizer {
  const { quantizer } = quantizerOf(op, q);
  if (quantizer.axis < 0) throw new TypeError(`${op}: the tensor is quantized per tensor; use qScale/qZeroPoint`);
  return quantizer;
}

/** A contiguous copy of a tensor of a storage-only dtype, with its quantizer. */
export function storageCopy(t: Tensor): Tensor {
  return new Tensor(new Storage(t.toTypedArray(), t.dtype, t.storage.quantizer), t.shape);
}
