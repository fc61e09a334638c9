// Fused softmax, log-softmax, log-sum-exp and cross-entropy (native row kernels). The softmax
// dim is moved last (a permuted view made contiguous) so every row is contiguous; results are
// returned as a view permuted back, without another copy.
import {
  allocate,
  type DType,
  FLOATING_DTYPES,
  type FloatDType,
  isFloatingDType,
  promoteTypes,
  unsupportedDtype,
} from '../dtype.js';
import { widenedForFloat32List } from '../lowp/autocast_state.js';
import { defineOp, type OpContext, throughFloat32 } from '../autograd/define_op.js';
import { enableGrad, isGradEnabled } from '../autograd/grad_mode.js';
import { checkOptions, checkTensor, describe, optionKeys } from '../errors.js';
import { hasTangent } from '../autograd/dual_state.js';
import { grad as autogradGrad } from '../autograd/backward.js';
import { native, SoftmaxOp, type SoftmaxOpCode } from '../native.js';
import { formatShape, normalizeDim } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import {
  contiguousOf,
  contiguousRaw,
  emptyFloat,
  type FloatArray,
  floatElements,
  requireFloat,
  storageF32,
  uninitOf,
  zerosOf,
} from '../raw/elementwise.js';
import { recorded } from '../trace.js';
import { reshape } from './view.js';

/** Options of softmax, logSoftmax and logsumexp. */
export interface SoftmaxOutOptions {
  /**
   * Write the result into this tensor (of the result's shape and the input's dtype, contiguous)
   * and return it,
   * as PyTorch's `out=`: in a loop, reusing one output keeps it in cache and saves an allocation
   * per call. Not differentiable: throws if grad mode is on and an input requires grad.
   */
  out?: Tensor;
}

export const SOFTMAX_OUT_OPTIONS = optionKeys<SoftmaxOutOptions>({ out: true });

export function checkOut(op: string, value: unknown, shape: readonly number[], x: Tensor): Tensor {
  const out = checkTensor(op, 'out', value);
  if (out.dtype !== x.dtype)
    throw new TypeError(`${op}: out must be ${x.dtype}, got ${out.dtype} (the dtype of the input)`);
  if (out.ndim !== shape.length || out.shape.some((s, i) => s !== shape[i])) {
    throw new RangeError(`${op}: out has shape ${formatShape(out.shape)}, the result has shape ${formatShape(shape)}`);
  }
  if (!out.isContiguous())
    throw new RangeError(
      `${op}: out must be contiguous (shape ${formatShape(out.shape)}, strides [${out.strides.join(', ')}])`,
    );
  if (isGradEnabled() && (x.requiresGrad || out.requiresGrad)) {
    throw new Error(
      `${op}: out= does not support autograd, and ${x.requiresGrad ? 'the input' : 'out'} requires grad; call it inside noGrad() or pass detached tensors`,
    );
  }
  return out;
}

/** Writes result into out (bumping its version, as any in-place write) and returns out. */
export function copyInto(out: Tensor, result: Tensor): Tensor {
  floatElements(out).set(floatElements(result));
  out.storage.version++;
  return out;
}

/**
 * A float32 or float64 input (the row kernels' types), or a bfloat16 one where there is no
 * `out` (the op widens it and rounds its result), else a TypeError naming the op.
 */
function requireFloating(op: string, t: Tensor, out: Tensor | undefined): void {
  if (t.dtype === 'bfloat16' && out !== undefined) throw unsupportedDtype(`${op} with out`, t.dtype);
  if (t.dtype !== 'float32' && t.dtype !== 'float64' && t.dtype !== 'bfloat16')
    throw new TypeError(`${op}: expected a float32, float64 or bfloat16 tensor, got ${t.dtype}`);
}

/** The permutation that moves `dim` last, and its inverse. */
function lastDimPerm(ndim: number, dim: number): { perm: number[]; inverse: number[] } {
  const perm = [...Array(ndim).keys()].filter((d) => d !== dim).concat(dim);
  const inverse = new Array<number>(ndim);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  return { perm, inverse };
}

function permuteRaw(t: Tensor, perm: readonly number[]): Tensor {
  return new Tensor(
    t.storage,
    perm.map((p) => t.shape[p]),
    perm.map((p) => t.strides[p]),
    t.offset,
  );
}

/** x with `dim` moved last, contiguous; and how to map a result back to x's dim order. */
function rowsOf(x: Tensor, dim: number): { rows: Tensor; back: (t: Tensor) => Tensor } {
  if (dim === x.ndim - 1 || x.ndim === 0) return { rows: contiguousOf(x), back: (t) => t };
  const { perm, inverse } = lastDimPerm(x.ndim, dim);
  return { rows: contiguousOf(permuteRaw(x, perm)), back: (t) => permuteRaw(t, inverse) };
}

/** The op over contiguous rows y (dy: the gradient, same layout, for a backward op). */
export function runRows(op: SoftmaxOpCode, y: Tensor, dy: Tensor | null, into?: Tensor): Tensor {
  const n = y.ndim === 0 ? 1 : y.shape[y.ndim - 1];
  const rows = n === 0 ? 0 : y.numel() / n;
  const out = into ?? uninitOf(y.dtype as FloatDType, y.shape); // every row is written
  native.softmax(
    op,
    rows,
    n,
    y.storage.data as FloatArray,
    y.offset,
    dy ? floatElements(dy) : null,
    floatElements(out),
  );
  return out;
}

/** softmax / logSoftmax with out=: straight into out when the rows are out's layout. */
function rowsInto(op: SoftmaxOpCode, x: Tensor, dim: number, out: Tensor): Tensor {
  const { rows, back } = rowsOf(x, dim);
  // Rows already in out's layout (dim last) go straight in; exact aliasing (out = x) is fine,
  // as each row is read before it is written; a partial overlap goes through a temporary.
  const direct = dim === Math.max(x.ndim - 1, 0) && (out.storage !== rows.storage || out.offset === rows.offset);
  if (!direct) return copyInto(out, back(runRows(op, rows, null)));
  runRows(op, rows, null, out);
  out.storage.version++;
  return out;
}

function softmaxLike(name: string, forwardOp: SoftmaxOpCode, backwardOp: SoftmaxOpCode) {
  const op = defineOp({
    name,
    dtypes: FLOATING_DTYPES,
    forward(ctx: OpContext<{ dim: number }>, x: Tensor, dim: number) {
      const { rows, back } = rowsOf(x, dim);
      const y = runRows(forwardOp, rows, null);
      const out = back(y);
      // y: the rows layout the kernel reads; out: the result, whose node a recorded backward
      // goes through.
      ctx.save(y, out);
      ctx.dim = dim;
      return out;
    },
    backward(ctx, grad) {
      const [y, out] = ctx.saved;
      const dim = ctx.dim;
      if (isGradEnabled() || hasTangent(grad, out)) {
        // createGraph: the same formula as recorded ops, so the gradient has a derivative.
        // softmax: out (g - sum(g out)); logSoftmax: g - exp(out) sum(g).
        return [
          backwardOp === SoftmaxOp.softmaxBackward
            ? out.mul(grad.sub(grad.mul(out).sum(dim, true)))
            : grad.sub(out.exp().mul(grad.sum(dim, true))),
        ];
      }
      const { rows: g, back } = rowsOf(grad, dim);
      return [back(runRows(backwardOp, y, g))];
    },
    // softmax: out (t - sum(t out)); logSoftmax: t - sum(t exp(out)).
    jvp(ctx, t) {
      const [, out] = ctx.saved;
      const dim = ctx.dim;
      return backwardOp === SoftmaxOp.softmaxBackward
        ? out.mul(t!.sub(t!.mul(out).sum(dim, true)))
        : t!.sub(t!.mul(out.exp()).sum(dim, true));
    },
  });
  return (x: Tensor, dim = -1, options: SoftmaxOutOptions = {}): Tensor => {
    checkTensor(name, 'input', x);
    checkOptions(name, options, SOFTMAX_OUT_OPTIONS);
    requireFloating(name, x, options.out);
    const d = normalizeDim(name, dim, x.ndim);
    if (options.out === undefined) return op(x, d);
    return rowsInto(forwardOp, x, d, checkOut(name, options.out, x.shape, x));
  };
}

/** exp(x) / sum(exp(x)) along dim, computed stably (max-shifted); `{ out }` to write into a tensor. */
export const softmax = softmaxLike('softmax', SoftmaxOp.softmax, SoftmaxOp.softmaxBackward);
/** x - logsumexp(x) along dim; `{ out }` to write into a tensor. */
export const logSoftmax = softmaxLike('logSoftmax', SoftmaxOp.logSoftmax, SoftmaxOp.logSoftmaxBackward);

/** lse[r] = log(sum(exp(row r of x along dim))), one per row (x's other dims, in order), of x's dtype. */
function logsumexpInto(x: Tensor, dim: number, lse: FloatArray): void {
  const { rows } = rowsOf(x, dim);
  const n = x.ndim === 0 ? 1 : x.shape[dim];
  native.logsumexp(lse.length, n, rows.storage.data as FloatArray, rows.offset, lse);
}

const logsumexpOp = defineOp({
  name: 'logsumexp',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ dim: number }>, x: Tensor, dim: number, keepdim: boolean) {
    const out = zerosOf(
      x.dtype as FloatDType,
      x.shape.filter((_, d) => d !== dim),
    );
    logsumexpInto(x, dim, floatElements(out));
    // The backward recomputes softmax(x) through recorded ops (so it has a gradient of its
    // own), which needs x alone: neither the result nor keepdim.
    ctx.save(x);
    ctx.dim = dim;
    return keepdim
      ? reshapeRaw(
          out,
          x.shape.map((s, d) => (d === dim ? 1 : s)),
        )
      : out;
  },
  backward(ctx, grad) {
    // d lse / d x = softmax(x) = exp(x - lse)
    const [x] = ctx.saved;
    const dim = ctx.dim;
    const p = softmax(x, dim);
    const keptShape = x.shape.map((s, d) => (d === dim ? 1 : s));
    // A recorded reshape: with createGraph the gradient's derivative reaches grad.
    return [p.mul(reshape(grad, keptShape))];
  },
});

function reshapeRaw(t: Tensor, shape: readonly number[]): Tensor {
  const c = contiguousOf(t);
  return new Tensor(c.storage, shape, undefined, c.offset);
}

/**
 * log(sum(exp(x))) along one dim, stable for large inputs: the native row kernel. The public
 * torch.logsumexp (any dims, the Tensor method) is lib/ops/reduce_stats.ts, which calls this.
 */
export function logsumexp(x: Tensor, dim: number, keepdim = false, options: SoftmaxOutOptions = {}): Tensor {
  checkTensor('logsumexp', 'input', x);
  checkOptions('logsumexp', options, SOFTMAX_OUT_OPTIONS);
  requireFloating('logsumexp', x, options.out);
  const d = normalizeDim('logsumexp', dim, x.ndim);
  if (options.out === undefined) return logsumexpOp(x, d, keepdim);
  const shape = keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
  const out = checkOut('logsumexp', options.out, shape, x);
  // An out in x's own memory goes through a temporary: row r's result could overwrite input rows
  // not read yet.
  const target = out.storage === x.storage ? zerosOf(x.dtype as FloatDType, [out.numel()]) : out;
  logsumexpInto(x, d, floatElements(target));
  if (target !== out) floatElements(out).set(floatElements(target));
  out.storage.version++;
  return out;
}

/** How a loss reduces its per-element values: their mean (the default), their sum, or none. */
export type Reduction = 'mean' | 'sum' | 'none';

/** The options of `crossEntropy` (PyTorch's keyword arguments, in camelCase). */
export interface CrossEntropyOptions {
  /** A weight per class, shape [C] (default: all 1). */
  weight?: Tensor | null;
  /** A target class index that contributes nothing (default -100). */
  ignoreIndex?: number;
  /** 'mean' (the default; weighted by the targets' class weights), 'sum' or 'none'. */
  reduction?: Reduction;
  /** Mixes the target with the uniform distribution by this amount, in [0, 1] (default 0). */
  labelSmoothing?: number;
}

interface CrossEntropyPlan {
  rows: Tensor; // logits as [rows, C]
  targets: Int32Array | Float32Array;
  weight: Float32Array | null;
  ignoreIndex: number;
  smoothing: number;
  reduction: Reduction;
  batchShape: number[]; // the shape of per-element losses
  back: (t: Tensor) => Tensor; // [rows, C] result -> input layout
}

const crossEntropyOp = defineOp({
  name: 'crossEntropy',
  forward(
    ctx: OpContext<{ plan: CrossEntropyPlan; denominator: number; classDim: number; input: Tensor }>,
    _input: Tensor,
    plan: CrossEntropyPlan,
  ) {
    ctx.classDim = _input.ndim === 1 ? 0 : 1;
    ctx.input = _input;
    const { rows } = plan;
    const n = rows.shape[0];
    const C = rows.shape[1];
    const losses = new Float32Array(n);
    const lse = new Float32Array(n);
    const tw = new Float32Array(n);
    native.crossEntropy(
      n,
      C,
      storageF32(rows),
      rows.offset,
      plan.targets,
      plan.weight,
      plan.ignoreIndex,
      plan.smoothing,
      losses,
      lse,
      tw,
    );
    ctx.plan = plan;
    let denominator = 1;
    let out: Tensor;
    if (plan.reduction === 'none') {
      out = new Tensor(new Storage(losses), plan.batchShape);
    } else {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += losses[i];
      if (plan.reduction === 'mean') {
        if (plan.targets instanceof Int32Array) {
          denominator = 0;
          for (let i = 0; i < n; i++) denominator += tw[i];
        } else {
          denominator = n;
        }
        sum /= denominator;
      }
      out = new Tensor(new Storage(new Float32Array([sum])), []);
    }
    ctx.denominator = denominator;
    return out;
  },
  backward(ctx, grad) {
    const plan = ctx.plan;
    // createGraph (or a backward in a dual level): the gradient of the same loss written with
    // recorded ops, so it has a derivative of its own. The fused kernel gives the same first
    // derivative, faster.
    if (isGradEnabled() || hasTangent(grad)) {
      const loss = enableGrad(() => crossEntropyComposite(ctx.input, plan, ctx.denominator));
      return autogradGrad(loss, [ctx.input], { gradOutputs: [grad], createGraph: true });
    }
    const gradRows = new Float32Array(plan.rows.shape[0]);
    if (plan.reduction === 'none') gradRows.set(contiguousRaw(grad).data as Float32Array);
    else gradRows.fill((grad.item() as number) / ctx.denominator);
    return [crossEntropyGrad(plan, gradRows)];
  },
  // Each loss reads one row of logits: its tangent is <d loss / d row, t row>, the slopes being
  // the backward at a gradient of ones (divided by the mean's denominator).
  jvp(ctx, t) {
    const plan = ctx.plan;
    const scale = plan.reduction === 'mean' ? 1 / ctx.denominator : 1;
    const slopes = crossEntropyGrad(plan, new Float32Array(plan.rows.shape[0]).fill(scale));
    const terms = t!.mul(slopes);
    return plan.reduction === 'none' ? terms.sum(ctx.classDim) : terms.sum();
  },
});

/**
 * The loss as recorded ops: every row's loss is -sum_c M[r, c] logSoftmax(row r)[c], with M the
 * constant weight of each log-probability (the target class's, or the probabilities, smoothed,
 * times the class weights; zero on ignored rows), then the reduction by the forward's
 * denominator.
 */
function crossEntropyComposite(
  input: Tensor,
  plan: {
    targets: Int32Array | Float32Array | Float64Array;
    weight: Float32Array | Float64Array | null;
    ignoreIndex: number;
    smoothing: number;
    reduction: Reduction;
    batchShape: number[];
  },
  denominator: number,
): Tensor {
  const C = input.shape[input.ndim === 1 ? 0 : 1];
  const n = C === 0 ? 0 : input.numel() / C;
  const eps = plan.smoothing;
  const m = allocate(input.dtype, n * C);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < C; c++) {
      const w = plan.weight ? plan.weight[c] : 1;
      if (plan.targets instanceof Int32Array) {
        const y = plan.targets[r];
        if (y !== plan.ignoreIndex) m[r * C + c] = w * (eps / C + (c === y ? 1 - eps : 0));
      } else {
        m[r * C + c] = w * ((1 - eps) * plan.targets[r * C + c] + eps / C);
      }
    }
  }
  const dims = input.shape.map((_, d) => d);
  const rows = input.ndim === 1 ? input.reshape([1, C]) : input.permute([0, ...dims.slice(2), 1]).reshape([n, C]);
  const losses = rows
    .logSoftmax(1)
    .mul(new Tensor(new Storage(m), [n, C]))
    .sum(1)
    .neg();
  if (plan.reduction === 'none') return losses.reshape(plan.batchShape);
  return plan.reduction === 'sum' ? losses.sum() : losses.sum().div(denominator);
}

/**
 * Cross-entropy against class probabilities, as torch computes it: -sum_c w[c] t[c] logSoftmax(x)[c]
 * per element, t smoothed to (1 - eps) t + eps / C; 'mean' divides the sum by the number of
 * elements (input.numel() / C), whatever the weights.
 */
function crossEntropyOfProbabilities(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  smoothing: number,
  reduction: Reduction,
): Tensor {
  const classDim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[classDim];
  const t = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / C) : target;
  let weighted = input.logSoftmax(classDim).mul(t);
  if (weight) weighted = weighted.mul(weight.reshape(input.shape.map((s, d) => (d === classDim ? s : 1))));
  const losses = weighted.sum(classDim).neg();
  if (reduction === 'none') return losses;
  return reduction === 'sum' ? losses.sum() : losses.sum().div(losses.numel());
}

/**
 * A class weight of class-index losses has the input's dtype, as torch's nll_loss reads it in the
 * input's (it refuses any other: a float32 weight of bfloat16 or float64 logits, a bfloat16 one of
 * float32 logits).
 */
export function checkClassWeight(op: string, input: unknown, weight: unknown): void {
  if (!(input instanceof Tensor) || !(weight instanceof Tensor)) return;
  if (isFloatingDType(input.dtype) && isFloatingDType(weight.dtype) && weight.dtype !== input.dtype)
    throw new TypeError(`${op}: weight must have the input's dtype (${input.dtype}), got ${weight.dtype}`);
}

/**
 * crossEntropy's target and weight against its input, for both dtypes' paths: int32 class
 * indices of the batch shape, or class probabilities of the input's dtype and shape; a weight
 * of C elements (float32 for float32 logits; a float64 input widens a float32 weight).
 */
function checkCrossEntropyTargets(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
): { batchShape: number[]; C: number } {
  const op = 'crossEntropy';
  const C = input.shape[input.ndim === 1 ? 0 : 1];
  const batchShape = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  const expected = `int32 class indices of shape ${formatShape(batchShape)} or ${input.dtype} class probabilities of the input's shape ${formatShape(input.shape)}`;
  const looksLikeLabels = target.ndim === batchShape.length && target.shape.every((s, i) => s === batchShape[i]);
  const labelsHint = ' (class labels must be int32: cast them with .int())';
  if (target.dtype === 'int32') {
    if (!looksLikeLabels) throw new RangeError(`${op}: target must be ${expected}; got ${describe(target)}`);
  } else if (target.dtype === input.dtype) {
    if (target.ndim !== input.ndim || target.shape.some((s, i) => s !== input.shape[i]))
      throw new RangeError(
        `${op}: target must be ${expected}; got ${describe(target)}${looksLikeLabels ? labelsHint : ''}`,
      );
  } else {
    const hint = looksLikeLabels && isFloatingDType(target.dtype) ? labelsHint : '';
    throw new TypeError(`${op}: target must be ${expected}; got ${describe(target)}${hint}`);
  }
  if (weight) {
    const wanted = input.dtype === 'float32' ? 'float32' : 'float32 or float64';
    // (A bfloat16 weight of float64 probabilities would be read as its bit patterns.)
    const dtypeOk =
      input.dtype === 'float32'
        ? weight.dtype === 'float32'
        : weight.dtype !== 'bfloat16' && isFloatingDType(weight.dtype);
    if (!(weight instanceof Tensor) || !dtypeOk || weight.ndim !== 1 || weight.shape[0] !== C)
      throw new RangeError(
        `${op}: weight must be a ${wanted} tensor of shape [${C}], got ${weight instanceof Tensor ? `${weight.dtype} ${formatShape(weight.shape)}` : typeof weight}`,
      );
  }
  return { batchShape, C };
}

/**
 * crossEntropy of float64 logits, in double through recorded ops (no fused float64 kernel):
 * class indices through the composite loss (the fused kernel's formula), probabilities (float64,
 * the input's dtype) as torch computes them. The checks are the float32 path's.
 */
function crossEntropyFloat64(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  smoothing: number,
  reduction: Reduction,
): Tensor {
  const { batchShape, C } = checkCrossEntropyTargets(input, target, weight);
  const w = weight && Float64Array.from(weight.toTypedArray() as Float32Array | Float64Array);
  if (target.dtype === 'float64')
    return crossEntropyOfProbabilities(input, target, w && new Tensor(new Storage(w), [C]), smoothing, reduction);
  const targets = target.toTypedArray() as Int32Array;
  let denominator = 0;
  for (let r = 0; r < targets.length; r++) {
    const y = targets[r];
    if (y === ignoreIndex) continue;
    if (y < 0 || y >= C) throw new RangeError(`crossEntropy: target ${y} is out of bounds for ${C} classes (row ${r})`);
    denominator += w ? w[y] : 1;
  }
  const plan = { targets, weight: w, ignoreIndex, smoothing, reduction, batchShape };
  return crossEntropyComposite(input, plan, reduction === 'mean' ? denominator : 1);
}

/** The input's gradient from each row's loss gradient (input layout). */
function crossEntropyGrad(plan: CrossEntropyPlan, gradRows: Float32Array): Tensor {
  const n = plan.rows.shape[0];
  const C = plan.rows.shape[1];
  const dx = emptyFloat([n, C]);
  native.crossEntropyBackward(
    n,
    C,
    storageF32(plan.rows),
    plan.rows.offset,
    plan.targets,
    plan.weight,
    plan.ignoreIndex,
    plan.smoothing,
    gradRows,
    storageF32(dx),
  );
  return plan.back(dx);
}

/**
 * Cross-entropy from logits (torch.nn.functional.cross_entropy): input [C], [N, C] or
 * [N, C, d1, ...]; target int32 class indices ([], [N] or [N, d1, ...]) or float32 class
 * probabilities (input's shape). Fused log-softmax + NLL, forward and backward.
 */
const CROSS_ENTROPY_OPTIONS = optionKeys<CrossEntropyOptions>({
  weight: 'tensor',
  ignoreIndex: 'integer',
  reduction: 'string',
  labelSmoothing: 'number',
});

/**
 * The cross-entropy loss between logits and targets (`torch.nn.functional.cross_entropy`):
 * `input` is [N, C] (or [N, C, d1, ...], or [C]); `target` holds int32 class indices of shape
 * [N] (or [N, d1, ...]) or float32 class probabilities of the input's shape. Computed from
 * logSoftmax in one fused pass; probabilities that require grad (or carry a tangent) are
 * differentiated too, through the same loss written with recorded ops.
 * @throws TypeError if input is not float32 or target is neither int32 indices nor float32
 *   probabilities of the right shape, a weight not of the input's dtype with class indices (as
 *   torch's), or on an unknown option; RangeError on a target class out
 *   of range or a labelSmoothing outside [0, 1].
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor<'float32'> {
  const op = 'crossEntropy';
  checkTensor(op, 'input', input);
  checkTensor(op, 'target', target);
  checkOptions(op, options, CROSS_ENTROPY_OPTIONS);
  const w = options.weight;
  // Under autocast crossEntropy is on PyTorch's float32 list: bfloat16 logits, probabilities and
  // weight are widened to float32 first (float64 ones keep their dtype), the loss is float32.
  const wide = widenedForFloat32List(input, target, w);
  if (wide) return crossEntropy(wide[0], wide[1], w instanceof Tensor ? { ...options, weight: wide[2] } : options);
  // Probabilities with a class weight of another floating dtype: the loss in the promoted dtype,
  // as PyTorch 1.13 multiplies log-probabilities, probabilities and weight as tensors (float32
  // logits and a float64 weight give a float64 loss, bfloat16 ones and a float32 weight float32).
  // Computed in that dtype throughout (PyTorch rounds the log-probabilities' product first).
  if (
    w instanceof Tensor &&
    target.dtype === input.dtype &&
    isFloatingDType(input.dtype) &&
    isFloatingDType(w.dtype) &&
    w.dtype !== input.dtype
  ) {
    const p = promoteTypes(input.dtype, w.dtype);
    return crossEntropy(input.to(p), target.to(p), { ...options, weight: w.to(p) });
  }
  if (target.dtype === 'int32') checkClassWeight(op, input, options.weight);
  // bfloat16 logits (and probabilities): the float32 loss, rounded once (PyTorch rounds its
  // bf16 logSoftmax, then its loss: two roundings).
  if (input.dtype === 'bfloat16' || target.dtype === 'bfloat16') {
    // A bfloat16 weight is widened with the logits (exactly).
    const w = options.weight;
    const wide = w instanceof Tensor && w.dtype === 'bfloat16' ? { ...options, weight: w.float() } : options;
    return throughFloat32(op, [input, target], (i, t) => crossEntropy(i, t, wide)) as Tensor<'float32'>;
  }
  // One op of a traced forward (onnx.export), target and options included.
  return recorded('crossEntropy', [input, target, options], () => {
    if (input.dtype !== 'float64') requireFloat(op, input);
    const reduction = options.reduction ?? 'mean';
    if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
      throw new RangeError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
    }
    const smoothing = options.labelSmoothing ?? 0;
    if (!(smoothing >= 0 && smoothing <= 1))
      throw new RangeError(`${op}: labelSmoothing must be in [0, 1], got ${describe(smoothing)}`);
    const ignoreIndex = options.ignoreIndex ?? -100;
    if (input.ndim < 1)
      throw new RangeError(`${op}: input must have at least 1 dim (classes), got shape ${formatShape(input.shape)}`);
    if (input.dtype === 'float64')
      return crossEntropyFloat64(input, target, options.weight ?? null, ignoreIndex, smoothing, reduction);
    const unbatched = input.ndim === 1;
    const x = unbatched ? new Tensor(input.storage, [1, input.shape[0]], [0, input.strides[0]], input.offset) : input;
    const C = x.shape[1];
    const { rows: xr, back: backPerm } = rowsOf(x, 1);
    const rows = new Tensor(xr.storage, [xr.numel() / Math.max(C, 1), C], undefined, xr.offset);
    const permutedShape = xr.shape;
    const back = (t: Tensor): Tensor => {
      const inRows = new Tensor(t.storage, permutedShape, undefined, t.offset);
      const r = backPerm(inRows);
      return unbatched ? new Tensor(r.storage, [C], [r.strides[1]], r.offset) : r;
    };
    const { batchShape } = checkCrossEntropyTargets(input, target, options.weight ?? null);
    const targets =
      target.dtype === 'int32'
        ? (target.toTypedArray() as Int32Array)
        : (rowsOf(
            unbatched ? new Tensor(target.storage, [1, C], [0, target.strides[0]], target.offset) : target,
            1,
          ).rows.toTypedArray() as Float32Array);
    const weight = options.weight ? (options.weight.toTypedArray() as Float32Array) : null;
    // Probabilities that need a gradient or carry a tangent: the loss as recorded ops of both
    // operands (the fused kernel differentiates the logits only).
    if (target.dtype === 'float32' && ((isGradEnabled() && target.requiresGrad) || hasTangent(target))) {
      return crossEntropyOfProbabilities(input, target, options.weight ?? null, smoothing, reduction);
    }
    return crossEntropyOp(input, { rows, targets, weight, ignoreIndex, smoothing, reduction, batchShape, back });
  }) as Tensor<'float32'>;
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    /** `softmax(this, ...)` as a method (`torch.Tensor.softmax`): see `softmax`. */
    softmax(dim?: number, options?: SoftmaxOutOptions): Tensor;
    /** `logSoftmax(this, ...)` as a method (`torch.Tensor.log_softmax`): see `logSoftmax`. */
    logSoftmax(dim?: number, options?: SoftmaxOutOptions): Tensor;
  }
}

Tensor.prototype.softmax = function (this: Tensor, dim = -1, options?: SoftmaxOutOptions) {
  return softmax(this, dim, options);
};
Tensor.prototype.logSoftmax = function (this: Tensor, dim = -1, options?: SoftmaxOutOptions) {
  return logSoftmax(this, dim, options);
};
