// What int32 products need besides the GEMM (bmmRaw runs the native int32 GEMM): the dtype
// rule, and the sums and elementwise products einsum also needs, exact with torch's CPU
// wraparound: every product and sum is taken modulo 2^32 (Math.imul and | 0), as torch's
// integer kernels accumulate in int32.
import { contiguousStrides, numel, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { requireFloat } from './elementwise.js';
import { elementOffsets } from './strided.js';

/**
 * Operands of a product: all float32, all float64, all bfloat16 (widened to float32, the result
 * rounded: defineOp), or all int32 (an exact integer product, as torch's); all int8 or all uint8
 * never get here (byteProduct). A mix is an error, as in torch (which names the scalar types).
 */
export function checkProductDtypes(op: string, ts: readonly Tensor[]): void {
  if (ts.every((t) => t.dtype === 'int32') || ts.every((t) => t.dtype === 'float64')) return;
  if (ts.every((t) => t.dtype === 'bfloat16')) return;
  // All-int8 and all-uint8 products ran before this (byteProduct): a mix with them is the error.
  if (ts.some((t) => t.dtype === 'int8' || t.dtype === 'uint8'))
    throw new TypeError(
      `${op}: operands of an int8 or uint8 product must all have that one dtype, got ${ts.map((t) => t.dtype).join(' and ')}`,
    );
  if (ts.some((t) => t.dtype === 'bfloat16'))
    throw new TypeError(
      `${op}: operands must all be bfloat16 or all float32, got ${ts.map((t) => t.dtype).join(' and ')}`,
    );
  if (ts.some((t) => t.dtype === 'float64') && ts.every((t) => t.dtype === 'float64' || t.dtype === 'float32'))
    throw new TypeError(
      `${op}: operands must all be float32 or all float64, got ${ts.map((t) => t.dtype).join(' and ')}`,
    );
  if (ts.some((t) => t.dtype === 'int32') && ts.every((t) => t.dtype === 'int32' || t.dtype === 'float32'))
    throw new TypeError(
      `${op}: operands must all be float32 or all int32, got ${ts.map((t) => t.dtype).join(' and ')}`,
    );
  for (const t of ts) requireFloat(op, t);
}

function int32Tensor(shape: Shape): [Tensor, Int32Array] {
  const data = new Int32Array(numel(shape));
  return [new Tensor(new Storage(data), shape), data];
}

/**
 * int32 t summed over `axes`: a new contiguous int32 tensor over the other dims. `wraps`: modulo
 * 2^32 (a sum that contracts a product, as torch's int32 products); else exact, and a result
 * past int32's range is an error (torch's sum would give int64, which myelin does not have).
 */
export function sumInt32(op: string, t: Tensor, axes: readonly number[], wraps: boolean): Tensor {
  const keptShape = t.shape.filter((_, d) => !axes.includes(d));
  const [out, o] = int32Tensor(keptShape);
  const keptStrides = contiguousStrides(keptShape);
  let kd = 0;
  const toOut = t.shape.map((_, d) => (axes.includes(d) ? 0 : keptStrides[kd++]));
  const src = elementOffsets(t.shape, t.strides, t.offset);
  const dst = elementOffsets(t.shape, toOut, 0);
  const data = t.storage.data as Int32Array;
  if (wraps) {
    for (let i = 0; i < src.length; i++) o[dst[i]] = (o[dst[i]] + data[src[i]]) | 0;
    return out;
  }
  // Exact in a double: |partial sums| stay below 2^53 for fewer than 2^22 terms of int32.
  const acc = new Float64Array(o.length);
  for (let i = 0; i < src.length; i++) acc[dst[i]] += data[src[i]];
  for (let i = 0; i < o.length; i++) {
    if (acc[i] !== (acc[i] | 0))
      throw new RangeError(
        `${op}: the sum ${acc[i]} does not fit in int32 (PyTorch would give int64, which myelin does not have)`,
      );
    o[i] = acc[i];
  }
  return out;
}

/** a * b over `shape` (each read through its own strides; 0 broadcasts), modulo 2^32: contiguous. */
export function mulInt32(
  shape: Shape,
  a: Tensor,
  aStrides: readonly number[],
  b: Tensor,
  bStrides: readonly number[],
): Tensor {
  const [out, o] = int32Tensor(shape);
  const ai = elementOffsets(shape, aStrides, a.offset);
  const bi = elementOffsets(shape, bStrides, b.offset);
  const ad = a.storage.data as Int32Array;
  const bd = b.storage.data as Int32Array;
  for (let i = 0; i < o.length; i++) o[i] = Math.imul(ad[ai[i]], bd[bi[i]]);
  return out;
}
