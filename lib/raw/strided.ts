// Strided element access in TypeScript: the storage index of every element of a view, copies,
// casts and strided writes. float32 copies go through the native binary kernel (x * 1, which is
// exact for every float including -0 and NaN); int32/bool take plain loops.
import { allocate, bfloat16BitsOf, type DType, isFloatingDType, type TypedArray } from '../dtype.js';
import { BinaryOp, native } from '../native.js';
import { broadcastStrides, contiguousStrides, numel, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { fromBf16Bits, toBf16Bits } from './round_bf16.js';

const ONE = new Float32Array([1]);

/** Storage index of each element of (shape, strides, offset), in row-major order. */
export function elementOffsets(shape: Shape, strides: readonly number[], offset: number): Int32Array | Float64Array {
  const n = numel(shape);
  const out = n < 2 ** 31 ? new Int32Array(n) : new Float64Array(n);
  const nd = shape.length;
  if (n === 0) return out;
  const idx = new Array<number>(nd).fill(0);
  let off = offset;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      off += strides[d];
      if (++idx[d] < shape[d]) break;
      off -= idx[d] * strides[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** The offsets of t's elements broadcast to `shape`, or null when t is contiguous with that shape. */
export function offsetsFor(t: Tensor, shape: Shape): Int32Array | Float64Array | null {
  if (t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i]) && t.isContiguous()) return null;
  return elementOffsets(shape, broadcastStrides(t.shape, t.strides, shape), t.offset);
}

/** Row-major values of t broadcast to `shape`, as a typed array of t's dtype (maybe a live view). */
export function valuesAs(t: Tensor, shape: Shape): TypedArray {
  const offs = offsetsFor(t, shape);
  const src = t.storage.data;
  if (!offs) return src.subarray(t.offset, t.offset + numel(shape)) as TypedArray;
  const out = allocate(t.dtype, offs.length);
  for (let i = 0; i < offs.length; i++) out[i] = src[offs[i]];
  return out;
}

function castValue(v: number, to: DType): number {
  if (to === 'bool') return v !== 0 ? 1 : 0; // NaN !== 0: true, as torch
  // int8 and uint8 keep the low 8 bits of the int32 on store (a typed array wraps modulo 2^8).
  if (to === 'int32' || to === 'int8' || to === 'uint8') return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
  return v;
}

/**
 * t with bfloat16 values widened to a float32 copy (exact), for code that reads elements as
 * numbers (a bfloat16 storage holds bit patterns); a tensor of any other dtype as it is.
 */
export function widenBf16(t: Tensor): Tensor {
  return t.dtype === 'bfloat16' ? copyRaw(t, 'float32') : t;
}

/**
 * A fresh contiguous copy of t (with dtype `to`, by default t's own). No history. To and from
 * bfloat16 through float32 (exact from bfloat16; to it nearest even, as torch's casts).
 */
export function copyRaw(t: Tensor, to: DType = t.dtype): Tensor {
  const shape = t.shape;
  const n = t.numel();
  if (to !== t.dtype && t.dtype === 'bfloat16') {
    const values = new Tensor(new Storage(fromBf16Bits(valuesAs(t, shape) as Uint16Array)), shape);
    return to === 'float32' ? values : copyRaw(values, to);
  }
  if (to !== t.dtype && to === 'bfloat16') {
    const values = copyRaw(t, 'float32').storage.data as Float32Array<ArrayBuffer>;
    return new Tensor(new Storage(toBf16Bits(values)), shape);
  }
  if (to === 'float32' && t.dtype === 'float32') {
    const out = new Float32Array(n);
    if (n > 0) {
      native.binary(
        BinaryOp.mul,
        shape,
        out,
        0,
        contiguousStrides(shape),
        t.storage.data as Float32Array,
        t.offset,
        t.strides,
        ONE,
        0,
        shape.map(() => 0),
      );
    }
    return new Tensor(new Storage(out), shape);
  }
  const vals = valuesAs(t, shape);
  const out = allocate(to, n);
  // A floating target rounds on store (float64 to float32 to nearest, as torch's cast).
  if (to === t.dtype || isFloatingDType(to)) out.set(vals);
  else for (let i = 0; i < n; i++) out[i] = castValue(vals[i], to);
  return new Tensor(new Storage(out), shape);
}

/** dst (any view) <- src broadcast to dst's shape, cast to dst's dtype. No history, no version bump. */
export function writeInto(dst: Tensor, src: Tensor): void {
  const shape = dst.shape;
  if (dst.numel() === 0) return;
  if (src.storage === dst.storage) src = copyRaw(src); // the kernel rejects partial overlap
  if (src.dtype !== dst.dtype && (src.dtype === 'bfloat16' || dst.dtype === 'bfloat16')) src = copyRaw(src, dst.dtype);
  if (dst.dtype === 'float32' && src.dtype === 'float32') {
    native.binary(
      BinaryOp.mul,
      shape,
      dst.storage.data as Float32Array,
      dst.offset,
      dst.strides,
      src.storage.data as Float32Array,
      src.offset,
      broadcastStrides(src.shape, src.strides, shape),
      ONE,
      0,
      shape.map(() => 0),
    );
    return;
  }
  const vals = valuesAs(src, shape);
  const to = dst.dtype;
  const d = dst.storage.data;
  const offs = offsetsFor(dst, shape);
  const cast = to !== src.dtype && !isFloatingDType(to);
  if (!offs) {
    for (let i = 0; i < vals.length; i++) d[dst.offset + i] = cast ? castValue(vals[i], to) : vals[i];
  } else {
    for (let i = 0; i < vals.length; i++) d[offs[i]] = cast ? castValue(vals[i], to) : vals[i];
  }
}

/**
 * Every element of t (any view: offset, strides, broadcast dims) set to value, in place. No
 * history, no version bump. Writing through t.data would miss a non-contiguous view (a copy).
 */
export function fillRaw(t: Tensor, value: number): void {
  const d = t.storage.data;
  if (t.dtype === 'bfloat16') value = bfloat16BitsOf(value);
  if (t.isContiguous()) {
    d.fill(value, t.offset, t.offset + t.numel());
    return;
  }
  const offs = elementOffsets(t.shape, t.strides, t.offset);
  for (let i = 0; i < offs.length; i++) d[offs[i]] = value;
}

/** A new contiguous tensor of `shape` and `dtype` whose element i is f(i). */
export function fromFunction(shape: Shape, dtype: DType, f: (i: number) => number): Tensor {
  const out = allocate(dtype, numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = f(i);
  return new Tensor(new Storage(out), shape);
}

/** A contiguous tensor over `data` with `shape`. */
export function wrap(data: TypedArray, shape: Shape): Tensor {
  return new Tensor(new Storage(data), shape);
}
