// Rounding float32 values to bf16 values in place (autocast's outputs, held in float32 tensors).
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';
import { storageF32, uninitFloat32Array } from './elementwise.js';

// bf16 bits kept between calls (autocast's GEMM outputs): allocating (and zeroing) a new array
// each time cost more than the conversion passes (0.35 ms against 0.18 ms for 200k values).
let scratch = new Uint16Array(0);

/** A scratch array of n bf16 bit patterns, valid until the next call (synchronous use only). */
export function scratchBits(n: number): Uint16Array {
  if (scratch.length < n) scratch = new Uint16Array(Math.max(n, 2 * scratch.length));
  return scratch.subarray(0, n);
}

/** Rounds data[from, from + n) to bf16 values in place (nearest even, as PyTorch's casts). */
export function roundToBf16InPlace(data: Float32Array, from = 0, n = data.length - from): void {
  const part = data.subarray(from, from + n);
  native.roundF32ToBf16(part, part);
}

/** A new float32 array of data[from, from + n) rounded to bf16 values (one pass: no copy first). */
export function roundedBf16Copy(data: Float32Array, from: number, n: number): Float32Array {
  const out = uninitFloat32Array(n);
  native.roundF32ToBf16(data.subarray(from, from + n), out);
  return out;
}

/** A float32 tensor, contiguous from its offset, with its elements rounded to bf16 values in place; t itself. */
export function roundTensorToBf16<T extends Tensor | null>(t: T): T {
  if (t) roundToBf16InPlace(storageF32(t), t.offset, t.numel());
  return t;
}

/**
 * The bfloat16 bit patterns of float32 values (nearest even, as PyTorch's x.to(torch.bfloat16)),
 * into `out` when given.
 */
export function toBf16Bits(values: Float32Array, out = new Uint16Array(values.length)): Uint16Array {
  native.convertF32ToBf16(values, out);
  return out;
}

/** The float32 values of bfloat16 bit patterns (exact). */
export function fromBf16Bits(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  native.convertBf16ToF32(bits, out);
  return out;
}

/** Elements to compute on as floats, and their write-back (see `widen`). */
export interface Widened {
  /** The elements: the data's own (float32, float64), or a float32 copy of bfloat16 bits. */
  readonly values: Float32Array | Float64Array;
  /** Whether values is a copy of bfloat16 bits (which `store` rounds back). */
  readonly bf16: boolean;
  /** Writes values back into the data, rounded to bfloat16 (nearest even), when they are a copy. */
  store(): void;
}

/**
 * data[from, from + n) as floats to compute on in place: a view of float32 or float64 data, or a
 * float32 working copy of bfloat16 bits (exact), which `store()` writes back rounded.
 */
export function widen(data: Float32Array | Float64Array | Uint16Array, from: number, n: number): Widened {
  if (!(data instanceof Uint16Array)) {
    const values = from === 0 && n === data.length ? data : data.subarray(from, from + n);
    return { values, bf16: false, store() {} };
  }
  const bits = data.subarray(from, from + n) as Uint16Array<ArrayBuffer>;
  const values = fromBf16Bits(bits);
  return { values, bf16: true, store: () => toBf16Bits(values, bits) };
}
