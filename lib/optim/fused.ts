// Shared plumbing of the fused optimizers: the contiguous float32 views the native step kernels
// take, and lazily created state buffers.
import { Storage, Tensor } from '../tensor.js';
import { contiguousRaw } from '../raw/elementwise.js';
import type { OptimizerState } from './optimizer.js';

/** The parameter's elements as a Float32Array view (parameters are contiguous). */
export function paramData(op: string, p: Tensor): Float32Array {
  if (!p.isContiguous())
    throw new Error(
      `${op}: parameters must be contiguous (got strides [${p.strides.join(',')}] for shape [${p.shape.join(',')}])`,
    );
  return (p.storage.data as Float32Array).subarray(p.offset, p.offset + p.numel());
}

/** The gradient as a contiguous Float32Array of the parameter's size. */
export function gradData(op: string, p: Tensor, g: Tensor): Float32Array {
  if (g.numel() !== p.numel())
    throw new RangeError(`${op}: gradient has ${g.numel()} elements, its parameter ${p.numel()}`);
  if (g.dtype !== 'float32') throw new TypeError(`${op}: gradient must be float32, got ${g.dtype}`);
  const c = contiguousRaw(g);
  return (c.storage.data as Float32Array).subarray(c.offset, c.offset + c.numel());
}

/** state[key] as a Float32Array, created (filled with `init`) on first use. */
export function stateBuffer(state: OptimizerState, key: string, p: Tensor, init = 0): Float32Array {
  let t = state[key];
  if (!(t instanceof Tensor)) {
    const data = new Float32Array(p.numel());
    if (init !== 0) data.fill(init);
    t = new Tensor(new Storage(data), p.shape);
    state[key] = t;
  }
  return (t.storage.data as Float32Array).subarray(t.offset, t.offset + t.numel());
}

/** Bumps the parameter's version after an in-place update (autograd's staleness check). */
export function touched(p: Tensor): void {
  p.storage.version++;
}
