// nn.utils: gradient clipping, parameters <-> one vector, parameter counting.
import { noGrad } from '../autograd/grad_mode.js';
import { checkAnyTensor, checkIterable, checkNumber, checkOptions, describe } from '../errors.js';
import { cat } from '../ops/join.js';
import { reshape } from '../ops/view.js';
import { roundToBf16InPlace, toBf16Bits, type Widened, widen } from '../raw/round_bf16.js';
import { formatShape } from '../shape.js';
import { copyRaw } from '../raw/strided.js';
import { Storage, Tensor } from '../tensor.js';
import { checkModule, copyInto, type Module } from './module.js';

type Params = Iterable<Tensor> | Tensor;

function list(op: string, params: Params): Tensor[] {
  const ps =
    params instanceof Tensor
      ? [params]
      : [...checkIterable<unknown>(op, 'params', params, 'a Tensor or an iterable of Tensors')];
  ps.forEach((p, i) => checkAnyTensor(op, `params[${i}]`, p));
  return ps as Tensor[];
}

/**
 * Every gradient's elements as numbers (contiguous gradients are the norm): its own array, or for
 * a bfloat16 gradient a float32 copy of its bits, which store() writes back rounded.
 */
function gradViews(op: string, params: Tensor[]): Widened[] {
  const out: Widened[] = [];
  for (const p of params) {
    const g = p.grad;
    if (!g) continue;
    if (!g.isContiguous()) throw new Error(`${op}: gradients must be contiguous (shape ${formatShape(g.shape)})`);
    if (g.dtype !== 'float32' && g.dtype !== 'float64' && g.dtype !== 'bfloat16')
      throw new TypeError(`${op}: gradients must be float32, float64 or bfloat16, got ${g.dtype}`);
    out.push(widen(g.storage.data as Float32Array | Float64Array | Uint16Array, g.offset, g.numel()));
  }
  return out;
}

/** The sum of |v|^p over values (of squares for p = 2), in float64; p finite. */
function powerSum(values: ArrayLike<number>, normType: number): number {
  let acc = 0;
  if (normType === 2) for (let i = 0; i < values.length; i++) acc += values[i] * values[i];
  else for (let i = 0; i < values.length; i++) acc += Math.abs(values[i]) ** normType;
  return acc;
}

/** The largest magnitude in values (0 when empty). */
function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** The p-norm of the values of several arrays together (float64 sums; Infinity: the largest magnitude). */
function pNorm(arrays: ArrayLike<number>[], normType: number): number {
  if (normType === Infinity) return Math.max(0, ...arrays.map(maxAbs));
  let acc = 0;
  for (const v of arrays) acc += powerSum(v, normType);
  return normType === 2 ? Math.sqrt(acc) : acc ** (1 / normType);
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
  if (grads.length > 0 && grads.every((g) => g.bf16)) return clipBf16GradNorm(grads, maxNorm, normType, options);
  // Accumulated in float64: the sum of many float32 squares keeps its precision.
  const total = pNorm(
    grads.map((g) => g.values),
    normType,
  );
  checkFiniteNorm(op, total, normType, options);
  // PyTorch 1.13 multiplies every gradient by min(coef, 1): a NaN norm makes all of them NaN, an
  // infinite one zeroes them (NaN where a gradient is infinite). Skipping the scale at coef >= 1
  // is the same but for those.
  // A float32 gradient is scaled by the factor rounded to float32, a float64 one in double (a
  // bfloat16 one among others in float32, rounded); the norm is float64 when any gradient is
  // (PyTorch's promotion of the per-gradient norms).
  const coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1)) {
    for (const g of grads) {
      const v = g.values;
      const c = v instanceof Float64Array ? coef : Math.fround(coef);
      for (let i = 0; i < v.length; i++) v[i] *= c;
      g.store();
    }
  }
  const anyDouble = grads.some((g) => g.values instanceof Float64Array);
  return new Tensor(new Storage(anyDouble ? new Float64Array([total]) : new Float32Array([total])), []);
}

function checkFiniteNorm(op: string, total: number, normType: number, options: ClipGradNormOptions): void {
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(
      `${op}: the total norm of order ${normType} of the gradients is non-finite (${total}), so it cannot be clipped; ` +
        'set errorIfNonfinite: false to scale the gradients by the non-finite norm anyway',
    );
  }
}

/**
 * clipGradNorm_ of bfloat16 gradients, with PyTorch's roundings: each gradient's norm rounded to
 * bfloat16, the norm of those rounded, the factor maxNorm / (total + 1e-6) computed as bfloat16
 * tensor arithmetic and each gradient multiplied by it (rounded). Returns the bfloat16 total.
 */
function clipBf16GradNorm(grads: Widened[], maxNorm: number, normType: number, options: ClipGradNormOptions): Tensor {
  const norms = new Float32Array(grads.map((g) => pNorm([g.values], normType)));
  roundToBf16InPlace(norms);
  const total = new Float32Array([pNorm([norms], normType)]);
  roundToBf16InPlace(total);
  checkFiniteNorm('clipGradNorm_', total[0], normType, options);
  // torch: clip_coef = max_norm / (total_norm + 1e-6), a bfloat16 tensor: the sum rounded, then
  // the division done as reciprocal() * max_norm, each rounded; then clamped to 1.
  const coef = new Float32Array([total[0] + 1e-6]);
  roundToBf16InPlace(coef);
  coef[0] = 1 / coef[0];
  roundToBf16InPlace(coef);
  coef[0] *= maxNorm;
  roundToBf16InPlace(coef);
  const c = Math.min(coef[0], 1);
  if (!(c >= 1)) {
    for (const g of grads) {
      const v = g.values;
      for (let i = 0; i < v.length; i++) v[i] *= c;
      g.store();
    }
  }
  return new Tensor(new Storage(toBf16Bits(total)), []);
}

/** Clamps every gradient element into [-clipValue, clipValue], in place. */
export function clipGradValue_(params: Params, clipValue: number): void {
  checkNumber('clipGradValue_', 'clipValue', clipValue, { finite: false });
  if (!(clipValue >= 0))
    throw new RangeError(`clipGradValue_: clipValue must be a non-negative number, got ${describe(clipValue)}`);
  for (const g of gradViews('clipGradValue_', list('clipGradValue_', params))) {
    const v = g.values;
    for (let i = 0; i < v.length; i++) v[i] = Math.min(clipValue, Math.max(-clipValue, v[i]));
    g.store();
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
      // The slice in vec's dtype, converted to the parameter's (a bfloat16 one holds bit patterns).
      const slice = new Tensor(new Storage(values.slice(at, at + n), vec.dtype), p.shape);
      copyInto(p, slice.dtype === p.dtype ? slice : copyRaw(slice, p.dtype));
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
