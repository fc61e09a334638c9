// Raw (unrecorded) kernels on tensors: allocation of results and the calls into native code.
// Ops in lib/ops build on these; the autograd engine uses them to sum gradients.
import { Buffer } from 'node:buffer';
import type { FloatDType } from '../dtype.js';
import { type BinaryOpCode, BinaryOp, native } from '../native.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, formatShape, numel } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { copyRaw } from './strided.js';

/** A new contiguous float32 tensor of `shape` (zero-filled). */
export function emptyFloat(shape: readonly number[]): Tensor {
  const n = numel(shape);
  return new Tensor(new Storage(new Float32Array(n)), shape);
}

// From this many elements (256 KiB) on, uninitFloat skips the zero-fill: glibc serves large
// blocks from memory freed earlier (after the first, its mmap threshold rises), which calloc
// must then clear, a full extra pass over memory (~0.6 ms for 16 MB). Below it the fill is
// cheap and a plain Float32Array is faster to make.
const kUninitMinElements = 1 << 16;

/**
 * A new contiguous float32 tensor of `shape` whose contents are unspecified: only for results
 * that the caller overwrites in full (a native kernel writing every element).
 */
export function uninitFloat(shape: readonly number[]): Tensor {
  return new Tensor(new Storage(uninitFloat32Array(numel(shape))), shape);
}

/**
 * byteLength bytes whose contents are unspecified, whatever the size (no threshold): a fresh
 * ArrayBuffer of exactly these bytes at offset 0 (allocUnsafeSlow, never Buffer's shared pool), so
 * any typed array can view it whole.
 */
export function uninitBytes(byteLength: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(byteLength);
  return new Uint8Array(b.buffer, b.byteOffset, byteLength);
}

/** uninitFloat's array alone: n floats whose contents are unspecified (zeros below the threshold). */
export function uninitFloat32Array(n: number): Float32Array {
  if (n < kUninitMinElements) return new Float32Array(n);
  return new Float32Array(uninitBytes(4 * n).buffer, 0, n);
}

/** As uninitFloat in either floating dtype (the same threshold for skipping the zero-fill). */
export function uninitOf(dtype: FloatDType, shape: readonly number[]): Tensor {
  if (dtype === 'float32') return uninitFloat(shape);
  const n = numel(shape);
  if (n < kUninitMinElements) return new Tensor(new Storage(new Float64Array(n)), shape);
  return new Tensor(new Storage(new Float64Array(uninitBytes(8 * n).buffer, 0, n)), shape);
}

/** A zero-filled float tensor of dtype (emptyFloat in either floating dtype). */
export function zerosOf(dtype: FloatDType, shape: readonly number[]): Tensor {
  if (dtype === 'float32') return emptyFloat(shape);
  const n = numel(shape);
  return new Tensor(new Storage(new Float64Array(n)), shape);
}

/** As contiguousRaw in t's own floating dtype (t itself when already contiguous). */
export function contiguousOf(t: Tensor): Tensor {
  if (t.dtype === 'float32' || t.isContiguous()) return contiguousRaw(t);
  return copyRaw(t);
}

export function requireFloat(op: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new TypeError(`${op}: expected a float32 tensor, got ${t.dtype}`);
}

/**
 * An operand of an op that computes in its first input's dtype: every operand float32, or every
 * one float64 as the first is (torch refuses the mix rather than promote).
 */
export function requireFloatAs(op: string, first: Tensor, t: Tensor, firstName = 'the input'): void {
  if (first.dtype !== 'float64') requireFloat(op, t);
  else if (t.dtype !== 'float64')
    throw new TypeError(`${op}: expected a float64 tensor (as ${firstName}), got ${t.dtype}`);
}

// Below this many elements a TypeScript loop beats the native call's fixed cost (argument
// conversion is ~1-2 us). Only ops whose float32 result is exact from a double computation
// take it (+, -, *, / round once from the exact double result; max/min/reluGrad are exact), so the
// result is bit-identical to the kernels'.
const SMALL_BINARY = 64;

function binarySmall(
  op: BinaryOpCode,
  shape: readonly number[],
  out: Float32Array | Float64Array,
  a: Tensor,
  as: readonly number[],
  b: Tensor,
  bs: readonly number[],
): void {
  const ad = a.storage.data as Float32Array | Float64Array;
  const bd = b.storage.data as Float32Array | Float64Array;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let ia = a.offset;
  let ib = b.offset;
  for (let i = 0; i < out.length; i++) {
    const x = ad[ia];
    const y = bd[ib];
    switch (op) {
      case BinaryOp.add:
        out[i] = x + y;
        break;
      case BinaryOp.sub:
        out[i] = x - y;
        break;
      case BinaryOp.mul:
        out[i] = x * y;
        break;
      case BinaryOp.div:
        out[i] = x / y;
        break;
      case BinaryOp.maximum:
        out[i] = x !== x || y !== y ? NaN : x > y ? x : y;
        break;
      case BinaryOp.reluGrad:
        out[i] = y <= 0 ? 0 : x;
        break;
      default:
        out[i] = x !== x || y !== y ? NaN : x < y ? x : y;
        break;
    }
    for (let d = nd - 1; d >= 0; d--) {
      ia += as[d];
      ib += bs[d];
      if (++idx[d] < shape[d]) break;
      ia -= idx[d] * as[d];
      ib -= idx[d] * bs[d];
      idx[d] = 0;
    }
  }
}

/**
 * out = a op b with broadcasting, in a's dtype: float32, or float64 (the same dtype for b; in
 * float64 the TypeScript loop is exact too, double arithmetic being the kernels'). `into`: the
 * result is written there and into returned, instead of a new tensor: a contiguous tensor of the
 * result's shape and dtype, over a whole storage of its own, that may be a or b itself (each
 * element is read before the same element is written) but must not overlap them otherwise.
 */
export function binaryRaw(opName: string, op: BinaryOpCode, a: Tensor, b: Tensor, into?: Tensor): Tensor {
  const shape = broadcastShapes(opName, a.shape, b.shape);
  const dtype = a.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || b.dtype !== dtype)
    throw new TypeError(`${opName}: expected two float32 or two float64 tensors, got ${dtype} and ${b.dtype}`);
  if (
    into !== undefined &&
    (into.dtype !== dtype ||
      into.ndim !== shape.length ||
      into.shape.some((s, i) => s !== shape[i]) ||
      !into.isContiguous() ||
      into.offset !== 0 ||
      into.storage.length !== into.numel())
  )
    throw new RangeError(
      `${opName}: the output must be a contiguous ${dtype} tensor of shape ${formatShape(shape)} over a storage of its own, ` +
        `got a ${into.dtype} tensor of shape ${formatShape(into.shape)}`,
    );
  const out =
    into ?? (dtype === 'float64' ? new Tensor(new Storage(new Float64Array(numel(shape))), shape) : uninitFloat(shape));
  const n = out.storage.data.length;
  if (n <= SMALL_BINARY) {
    if (n > 0)
      binarySmall(
        op,
        shape,
        out.storage.data as Float32Array | Float64Array,
        a,
        broadcastStrides(a.shape, a.strides, shape),
        b,
        broadcastStrides(b.shape, b.strides, shape),
      );
    return out;
  }
  native.binary(
    op,
    shape,
    out.storage.data as Float32Array | Float64Array,
    0,
    contiguousStrides(shape),
    a.storage.data as Float32Array | Float64Array,
    a.offset,
    broadcastStrides(a.shape, a.strides, shape),
    b.storage.data as Float32Array | Float64Array,
    b.offset,
    broadcastStrides(b.shape, b.strides, shape),
  );
  return out;
}

/**
 * a + b for gradients of equal shape (no history). Two bfloat16 gradients are summed in float32
 * and rounded once, as PyTorch's bf16 add (a bfloat16 leaf's grad accumulates in bfloat16).
 * `into` (float32 or float64 only): written and returned instead of a new tensor, as binaryRaw's.
 */
export function accumulateGrad(a: Tensor, b: Tensor, into?: Tensor): Tensor {
  if (a.dtype === 'bfloat16' && b.dtype === 'bfloat16')
    return copyRaw(binaryRaw('backward', BinaryOp.add, copyRaw(a, 'float32'), copyRaw(b, 'float32')), 'bfloat16');
  return binaryRaw('backward', BinaryOp.add, a, b, into);
}

/**
 * The whole Float32Array of a float32 tensor's storage (every element of the buffer, not only
 * the tensor's): for native calls that take the array and the tensor's offset.
 */
export function storageF32(t: Tensor): Float32Array {
  return t.storage.data as Float32Array;
}

/**
 * The n elements of data from offset: data itself when that is all of it, else a view. The
 * optimizers ask for these once per parameter and step; no view object is made when none is needed.
 */
export function span<T extends Float32Array | Float64Array>(data: T, offset: number, n: number): T {
  return offset === 0 && n === data.length ? data : (data.subarray(offset, offset + n) as T);
}

/** A contiguous float32 tensor's own elements (numel of them from its offset), as a view. */
export function elementsF32(t: Tensor): Float32Array {
  return span(storageF32(t), t.offset, t.numel());
}

/** The elements of a float32 tensor, row-major: a view when contiguous, else a contiguous copy's. */
export function valuesF32(t: Tensor): Float32Array {
  return elementsF32(contiguousRaw(t));
}

/** A float32 or float64 array. */
export type FloatArray = Float32Array | Float64Array;

/**
 * The elements of a float32 or float64 tensor, row-major, in its storage's array type (a view
 * when the tensor is contiguous, else a copy).
 */
export function floatElements(t: Tensor): FloatArray {
  const c = t.dtype === 'float32' ? contiguousRaw(t) : t.isContiguous() ? t : copyRaw(t);
  return span(c.storage.data as FloatArray, c.offset, c.numel());
}

/** A contiguous float32 copy of t (t itself when already contiguous from its offset). */
export function contiguousRaw(t: Tensor): Tensor {
  if (t.isContiguous()) return t;
  const out = uninitFloat(t.shape);
  const one = new Float32Array([1]);
  // Multiplying by 1 is exact for every float (-0 and NaN included): a strided copy.
  native.binary(
    BinaryOp.mul,
    t.shape,
    out.storage.data as Float32Array,
    0,
    contiguousStrides(t.shape),
    t.storage.data as Float32Array,
    t.offset,
    t.strides,
    one,
    0,
    new Array<number>(t.ndim).fill(0),
  );
  return out;
}
