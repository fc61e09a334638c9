// Statistics built on the reductions: var/std (with correction), norm, logsumexp, cumsum.
import { checkOptions, optionKeys } from '../errors.js';
import { defineOp, type OpContext, throughFloat32 } from '../autograd/define_op.js';
import { allocate, FLOATING_DTYPES, isFloatingDType } from '../dtype.js';
import { ReduceOp } from '../native.js';
import { normalizeDim, normalizeDims, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { recorded } from '../trace.js';
import { div, mul, sub } from './binary.js';
import { flip } from './join.js';
import { mapBinaryRaw, pow, where } from './pointwise.js';
import { eq, isnan, logicalOr } from './compare.js';
import { type Dims, fromRows, int32Overflow, mean, reducedShape, reduceRaw, rowsOf, sum } from './reduce.js';
import {
  checkOut,
  copyInto,
  logsumexp as logsumexpRows,
  SOFTMAX_OUT_OPTIONS,
  type SoftmaxOutOptions,
} from './softmax.js';
import { abs, exp, mapRaw, sign, sqrt } from './unary.js';
import { expand, reshape } from './view.js';

/** The options of `var` and `std` (PyTorch's keyword arguments, in camelCase). */
export interface VarOptions {
  /** Subtracted from the element count in the divisor (1: unbiased, the default). */
  correction?: number;
  /** torch's older flag: unbiased=false is correction 0. */
  unbiased?: boolean;
  /** Keep the reduced dims with size 1 (default false). */
  keepdim?: boolean;
}

const VAR_OPTIONS = optionKeys<VarOptions>({ correction: 'number', unbiased: 'boolean', keepdim: 'boolean' });

function requireFloat(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (!isFloatingDType(x.dtype))
    throw new TypeError(`${op}: input dtype must be float32 or float64, got ${x.dtype}; cast with .float()`);
  return x;
}

/** Variance over dims: sum((x - mean)^2) / (N - correction). */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  requireFloat('var', x);
  checkOptions('var', opts, VAR_OPTIONS);
  // bfloat16: in float32, rounded once (PyTorch's var accumulates in fp32), not after each op.
  if (x.dtype === 'bfloat16') return throughFloat32('var', [x], (y) => variance(y, dim, opts));
  const dims = normalizeDims('var', dim, x.ndim);
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const keepdim = opts.keepdim ?? false;
  // One op for a traced forward: its divisor follows the sizes of the reduced dims.
  return recorded('var', [x, dims, correction, keepdim], () => {
    const n = numel(dims.map((d) => x.shape[d]));
    const centered = sub(x, mean(x, dims, true));
    return div(sum(mul(centered, centered), dims, keepdim), Math.max(n - correction, 0));
  });
}

// sqrt for std: torch's std_backward is g / (2 std) with 0 where std == 0 (a constant input),
// where sqrt's own backward would give g / 0 = inf and then inf * (x - mean) = NaN.
const stdSqrtOp = defineOp({
  name: 'std',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx, v: Tensor) {
    const out = sqrt(v);
    ctx.save(out);
    return out;
  },
  backward(ctx, g) {
    const [out] = ctx.saved;
    return [where(eq(out, 0), 0, div(g, mul(out, 2)))];
  },
});

/**
 * The standard deviation over dims (all by default) (`torch.std`), the square root of `var`.
 * @throws TypeError if x is not a float32 or float64 Tensor, or on an unknown option; RangeError if a dim is
 *   out of range.
 */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  requireFloat('std', x);
  checkOptions('std', opts, VAR_OPTIONS);
  if (x.dtype === 'bfloat16') return throughFloat32('std', [x], (y) => std(y, dim, opts));
  return stdSqrtOp(variance(x, dim, opts));
}

// ---- norm -------------------------------------------------------------------------------

const normOp = defineOp({
  name: 'norm',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ p: number; dims: number[] }>, x: Tensor, p: number, dims: number[], keepdim: boolean) {
    ctx.p = p;
    ctx.dims = dims;
    let out: Tensor;
    if (p === Infinity) out = reduceRaw('norm', ReduceOp.max, mapRaw(x, Math.abs), dims, keepdim);
    else if (p === -Infinity) out = reduceRaw('norm', ReduceOp.min, mapRaw(x, Math.abs), dims, keepdim);
    else if (p === 0)
      out = reduceRaw(
        'norm',
        ReduceOp.sum,
        mapRaw(x, (v) => (v !== 0 ? 1 : 0)),
        dims,
        keepdim,
      );
    else if (p === 1) out = reduceRaw('norm', ReduceOp.sum, mapRaw(x, Math.abs), dims, keepdim);
    else if (p === 2)
      out = mapRaw(
        reduceRaw(
          'norm',
          ReduceOp.sum,
          mapRaw(x, (v) => v * v),
          dims,
          keepdim,
        ),
        Math.sqrt,
      );
    else
      out = mapRaw(
        reduceRaw(
          'norm',
          ReduceOp.sum,
          mapRaw(x, (v) => Math.abs(v) ** p),
          dims,
          keepdim,
        ),
        (s) => s ** (1 / p),
      );
    ctx.save(x, out);
    return out;
  },
  backward(ctx, g) {
    const [x, out] = ctx.saved;
    const { p, dims } = ctx;
    const back = (t: Tensor) => expand(reshape(t, reducedShape(x.shape, dims, true)), x.shape);
    const gx = back(g);
    const normK = back(out);
    // torch's norm_backward, branch by branch: its masked_fill_ calls are selections (where); what
    // it multiplies by g afterwards stays a product (an infinite g gives NaN there, as in torch).
    const zeroNorm = eq(normK, 0);
    if (p === 0) return [null]; // torch: no gradient
    if (p === 1) return [mul(sign(x), gx)];
    if (p === 2) return [mul(gx, where(zeroNorm, 0, div(x, normK)))];
    if (p === Infinity || p === -Infinity) {
      // Shared evenly between the elements whose |x| is the extreme (or NaN), as torch, which
      // multiplies by that mask.
      const a = abs(x);
      const mask = logicalOr(eq(a, normK), isnan(a));
      return [mul(sign(x), mul(div(gx, sum(mask, dims, true)), mask))];
    }
    if (p < 1) {
      const scaled = mul(sign(x), where(eq(x, 0), 0, pow(abs(x), p - 1)));
      return [mul(mul(scaled, gx), pow(normK, 1 - p))];
    }
    const scaled = p < 2 ? mul(sign(x), pow(abs(x), p - 1)) : mul(x, pow(abs(x), p - 2));
    return [mul(scaled, where(zeroNorm, 0, div(gx, pow(normK, p - 1))))];
  },
});

/** The p-norm over dims (all by default): p = 2 (default), 1, Infinity, -Infinity, 0 or any other number. */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: Dims, keepdim = false): Tensor {
  requireFloat('norm', x);
  const q = p === 'fro' ? 2 : p;
  if (typeof q !== 'number' || Number.isNaN(q))
    throw new TypeError(`norm: p must be a number or 'fro', got ${String(p)}`);
  const dims = normalizeDims('norm', dim, x.ndim);
  return normOp(x, q, dims, keepdim);
}

// ---- logsumexp --------------------------------------------------------------------------

const logsumexpOp = defineOp({
  name: 'logsumexp',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ dims: number[] }>, x: Tensor, dims: number[], keepdim: boolean) {
    // Shift by the max so exp cannot overflow; an infinite max shifts by 0 instead.
    const m = mapRaw(reduceRaw('logsumexp', ReduceOp.max, x, dims, true), (v) => (Number.isFinite(v) ? v : 0));
    const e = mapBinaryRaw('logsumexp', x, m, x.dtype, (v, s) => Math.exp(v - s));
    const s = reduceRaw('logsumexp', ReduceOp.sum, e, dims, true);
    const out = mapBinaryRaw('logsumexp', s, m, x.dtype, (v, shift) => Math.log(v) + shift);
    const result = keepdim ? out : new Tensor(out.storage, reducedShape(x.shape, dims, false));
    // The returned tensor (not a same-storage twin without history): the backward reads the
    // result through its node, so the gradient has a derivative of its own.
    ctx.save(x, result);
    ctx.dims = dims;
    return result;
  },
  backward(ctx, g) {
    const [x, result] = ctx.saved;
    const kept = reducedShape(x.shape, ctx.dims, true);
    return [mul(reshape(g, kept), exp(sub(x, reshape(result, kept))))];
  },
});

/** log(sum(exp(x))) over dim(s), stable for large inputs; `{ out }` to write into a tensor. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false, options: SoftmaxOutOptions = {}): Tensor {
  requireFloat('logsumexp', x);
  checkOptions('logsumexp', options, SOFTMAX_OUT_OPTIONS);
  if (dim === undefined) throw new TypeError('logsumexp: dim is required');
  // One dim: the fused native kernel (lib/ops/softmax.ts); several dims: the max-shifted op here.
  if (typeof dim === 'number' && x.numel() > 0) return logsumexpRows(x, dim, keepdim, options);
  const dims = normalizeDims('logsumexp', dim, x.ndim);
  if (options.out !== undefined) {
    const out = checkOut('logsumexp', options.out, reducedShape(x.shape, dims, keepdim), x);
    return copyInto(out, logsumexp(x, dims, keepdim));
  }
  if (x.numel() === 0) return reduceRaw('logsumexp', ReduceOp.sum, x, dims, keepdim).sub(Infinity);
  return logsumexpOp(x, dims, keepdim);
}

// ---- cumsum -----------------------------------------------------------------------------

function cumsumRaw(x: Tensor, dim: number): Tensor {
  const { vals, rows, cols, perm } = rowsOf(x, [dim]);
  const dtype = isFloatingDType(x.dtype) ? x.dtype : 'int32';
  const out = allocate(dtype, vals.length);
  for (let r = 0; r < rows; r++) {
    let acc = 0; // float64 running sum, rounded on store
    for (let c = 0; c < cols; c++) {
      acc += vals[r * cols + c];
      if (dtype === 'int32' && acc !== (acc | 0)) throw int32Overflow('cumsum', acc);
      out[r * cols + c] = acc;
    }
  }
  return fromRows(out, x.shape, perm);
}

const cumsumOp: (x: Tensor, dim: number) => Tensor = defineOp({
  name: 'cumsum',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ dim: number }>, x: Tensor, dim: number) {
    ctx.dim = dim;
    return cumsumRaw(x, dim);
  },
  backward(ctx, g) {
    const dim = ctx.dim;
    return [flip(cumsumOp(flip(g, dim), dim), dim)];
  },
});

/** Running sums along dim; int32/bool give int32. */
export function cumsum(x: Tensor, dim: number): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError('cumsum: expected a Tensor');
  if (x.ndim === 0) return cumsumOp(x.reshape([1]), 0).reshape([]);
  return cumsumOp(x, normalizeDim('cumsum', dim, x.ndim));
}
