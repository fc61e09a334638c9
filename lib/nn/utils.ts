// nn.utils: gradient clipping, parameters <-> one vector, parameter counting.
import { noGrad } from '../autograd/grad_mode.js';
import { checkIterable, checkNumber, checkOptions, checkTensor, describe } from '../errors.js';
import { cat } from '../ops/join.js';
import { reshape } from '../ops/view.js';
import { formatShape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { checkModule, copyInto, type Module } from './module.js';

type Params = Iterable<Tensor> | Tensor;

function list(op: string, params: Params): Tensor[] {
  const ps =
    params instanceof Tensor
      ? [params]
      : [...checkIterable<unknown>(op, 'params', params, 'a Tensor or an iterable of Tensors')];
  ps.forEach((p, i) => checkTensor(op, `params[${i}]`, p));
  return ps as Tensor[];
}

/** Contiguous views of every gradient's elements (contiguous gradients are the norm). */
function gradViews(op: string, params: Tensor[]): (Float32Array | Float64Array)[] {
  const out: (Float32Array | Float64Array)[] = [];
  for (const p of params) {
    const g = p.grad;
    if (!g) continue;
    if (!g.isContiguous()) throw new Error(`${op}: gradients must be contiguous (shape ${formatShape(g.shape)})`);
    if (g.dtype !== 'float32' && g.dtype !== 'float64')
      throw new TypeError(`${op}: gradients must be float32 or float64, got ${g.dtype}`);
    out.push((g.storage.data as Float32Array | Float64Array).subarray(g.offset, g.offset + g.numel()));
  }
  return out;
}

/** The options of clipGradNorm_ (PyTorch's keyword arguments, in camelCase). */
export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2; Infinity: the largest magnitude). */
  normType?: number;
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales every gradient in place so their joint norm is at most maxNorm (torch's
 * clip_grad_norm_: factor = maxNorm / (total + 1e-6), applied only when < 1). A NaN or infinite
 * norm scales them too (all NaN, or zeros), as PyTorch 1.13; `errorIfNonfinite: true` throws
 * instead. Returns the total norm before clipping as a 0-d tensor.
 */
export function clipGradNorm_(params: Params, maxNorm: number, options: ClipGradNormOptions = {}): Tensor {
  const op = 'clipGradNorm_';
  const normType = checkOptions(op, options, { normType: 'number', errorIfNonfinite: 'boolean' }).normType ?? 2;
  checkNumber(op, 'maxNorm', maxNorm, { finite: false });
  if (!(maxNorm >= 0)) throw new RangeError(`${op}: maxNorm must be a non-negative number, got ${describe(maxNorm)}`);
  if (!(normType > 0))
    throw new RangeError(`${op}: normType must be positive (or Infinity), got ${describe(normType)}`);
  const grads = gradViews(op, list(op, params));
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]));
  } else {
    // Accumulated in float64: the sum of many float32 squares keeps its precision.
    let acc = 0;
    for (const g of grads) {
      if (normType === 2) for (let i = 0; i < g.length; i++) acc += g[i] * g[i];
      else for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]) ** normType;
    }
    total = normType === 2 ? Math.sqrt(acc) : acc ** (1 / normType);
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(
      `${op}: the total norm of order ${normType} of the gradients is non-finite (${total}), so it cannot be clipped; ` +
        'set errorIfNonfinite: false to scale the gradients by the non-finite norm anyway',
    );
  }
  // PyTorch 1.13 multiplies every gradient by min(coef, 1): a NaN norm makes all of them NaN, an
  // infinite one zeroes them (NaN where a gradient is infinite). Skipping the scale at coef >= 1
  // is the same but for those.
  // A float32 gradient is scaled by the factor rounded to float32, a float64 one in double; the
  // norm is float64 when any gradient is (PyTorch's promotion of the per-gradient norms).
  const coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1)) {
    for (const g of grads) {
      const c = g instanceof Float64Array ? coef : Math.fround(coef);
      for (let i = 0; i < g.length; i++) g[i] *= c;
    }
  }
  const anyDouble = grads.some((g) => g instanceof Float64Array);
  return new Tensor(new Storage(anyDouble ? new Float64Array([total]) : new Float32Array([total])), []);
}

/** Clamps every gradient element into [-clipValue, clipValue], in place. */
export function clipGradValue_(params: Params, clipValue: number): void {
  checkNumber('clipGradValue_', 'clipValue', clipValue, { finite: false });
  if (!(clipValue >= 0))
    throw new RangeError(`clipGradValue_: clipValue must be a non-negative number, got ${describe(clipValue)}`);
  for (const g of gradViews('clipGradValue_', list('clipGradValue_', params))) {
    for (let i = 0; i < g.length; i++) g[i] = Math.min(clipValue, Math.max(-clipValue, g[i]));
  }
}

/** Every parameter flattened and concatenated into one vector (differentiable). */
export function parametersToVector(params: Iterable<Tensor>): Tensor {
  const flat = list('parametersToVector', params as Params).map((p) => reshape(p, [-1]));
  if (flat.length === 0) throw new RangeError('parametersToVector: got no parameters');
  return cat(flat, 0);
}

/** Copies consecutive slices of `vec` into the parameters (in place, no history). */
export function vectorToParameters(vec: Tensor, params: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor) || vec.ndim !== 1)
    throw new TypeError(
      `vectorToParameters: expected a 1-D tensor, got ${vec instanceof Tensor ? formatShape(vec.shape) : typeof vec}`,
    );
  const ps = list('vectorToParameters', params as Params);
  const total = ps.reduce((n, p) => n + p.numel(), 0);
  if (total !== vec.numel())
    throw new RangeError(`vectorToParameters: the vector has ${vec.numel()} elements, the parameters ${total}`);
  const values = vec.toTypedArray();
  let at = 0;
  noGrad(() => {
    for (const p of ps) {
      const n = p.numel();
      copyInto(p, new Tensor(new Storage(values.slice(at, at + n)), p.shape));
      at += n;
    }
  });
}

/** The number of parameter elements (only those requiring grad, with trainableOnly). */
export function countParameters(model: Module, options: { trainableOnly?: boolean } = {}): number {
  checkModule('countParameters', 'model', model);
  checkOptions('countParameters', options, { trainableOnly: 'boolean' });
  let n = 0;
  for (const p of model.parameters()) if (!options.trainableOnly || p.requiresGrad) n += p.numel();
  return n;
}
