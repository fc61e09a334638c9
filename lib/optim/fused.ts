// Shared plumbing of the fused optimizers: the contiguous views the native step kernels take
// (Float32Arrays, or Float64Arrays for a float64 parameter: it steps in double), and lazily
// created state buffers of the parameter's dtype, as PyTorch's.
import { Storage, Tensor } from '../tensor.js';
import { floatElements, span } from '../raw/elementwise.js';
import type { OptimizerState } from './optimizer.js';

/** The parameter's elements as a typed-array view (parameters are contiguous). */
export function paramData(op: string, p: Tensor): Float32Array | Float64Array {
  if (!p.isContiguous())
    throw new Error(
      `${op}: parameters must be contiguous (got strides [${p.strides.join(',')}] for shape [${p.shape.join(',')}])`,
    );
  return span(p.storage.data as Float32Array | Float64Array, p.offset, p.numel());
}

/** The gradient as a contiguous typed array of the parameter's size and dtype. */
export function gradData(op: string, p: Tensor, g: Tensor): Float32Array | Float64Array {
  if (g.numel() !== p.numel())
    throw new RangeError(`${op}: gradient has ${g.numel()} elements, its parameter ${p.numel()}`);
  if (g.dtype !== p.dtype)
    throw new TypeError(`${op}: gradient must be ${p.dtype} (the parameter's dtype), got ${g.dtype}`);
  return floatElements(g);
}

/** state[key] as a typed array of the parameter's dtype, created (filled with `init`) on first use. */
export function stateBuffer(state: OptimizerState, key: string, p: Tensor, init = 0): Float32Array | Float64Array {
  let t = state[key];
  if (!(t instanceof Tensor)) {
    const data = p.dtype === 'float64' ? new Float64Array(p.numel()) : new Float32Array(p.numel());
    if (init !== 0) data.fill(init);
    t = new Tensor(new Storage(data), p.shape);
    state[key] = t;
  }
  return span(t.storage.data as Float32Array | Float64Array, t.offset, t.numel());
}

/** Bumps the parameter's version after an in-place update (autograd's staleness check). */
export function touched(p: Tensor): void {
  p.storage.version++;
}
