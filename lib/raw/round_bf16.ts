// Rounding float32 values to bf16 values in place (autocast's outputs, held in float32 tensors).
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';
import { storageF32 } from './elementwise.js';

// The bf16 bits of a rounding, kept between calls: allocating (and zeroing) a new array each time
// cost more than the two conversion passes (0.35 ms against 0.18 ms for 200k values).
let scratch = new Uint16Array(0);

/** A scratch array of n bf16 bit patterns, valid until the next call (synchronous use only). */
export function scratchBits(n: number): Uint16Array {
  if (scratch.length < n) scratch = new Uint16Array(Math.max(n, 2 * scratch.length));
  return scratch.subarray(0, n);
}

/** Rounds data[from, from + n) to bf16 values in place (nearest even, as PyTorch's casts). */
export function roundToBf16InPlace(data: Float32Array, from = 0, n = data.length - from): void {
  const part = data.subarray(from, from + n);
  const bits = scratchBits(n);
  native.convertF32ToBf16(part, bits);
  native.convertBf16ToF32(bits, part);
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
