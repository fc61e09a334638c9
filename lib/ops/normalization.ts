// Batch, layer and group normalisation, each one op with its backward beside it, on the native
// kernels (kernels/norm: two-pass statistics, float lanes summed in double). batchNorm works on
// [N, C, *] for every rank (BatchNorm1d/2d/3d); layerNorm normalises over the trailing
// normalizedShape dims; groupNorm over groups of channels of [N, C, *].
import { checkNumbers, checkOptions, describe } from '../errors.js';
import { defineOp, type OpContext, returnsFreshGrads, throughFloat32 } from '../autograd/define_op.js';
import { native } from '../native.js';
import { formatShape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { FLOATING_DTYPES, type FloatDType } from '../dtype.js';
import { copyRaw } from '../raw/strided.js';
import { copy_ } from './inplace.js';
import { noGrad } from '../autograd/grad_mode.js';
import { floatElements, uninitFloat, valuesF32 } from '../raw/elementwise.js';
import { add, broadcastSum, mul, sub } from './binary.js';
import { mean as meanOf, sumTo } from './reduce.js';
import { rsqrt } from './unary.js';
import { buildsGraph, compositeGradients } from '../autograd/recorded_backward.js';
import { reshape } from './view.js';

function wrap(data: Float32Array | Float64Array, shape: readonly number[]): Tensor {
  return new Tensor(new Storage(data), shape);
}

/** The elements of a contiguous running-stats buffer of the input's dtype (updated in place). */
function bufferView<D extends FloatDType>(
  op: string,
  name: string,
  t: Tensor,
  C: number,
  dtype: D,
): D extends 'float64' ? Float64Array : Float32Array;
function bufferView(op: string, name: string, t: Tensor, C: number, dtype: FloatDType): Float32Array | Float64Array {
  if (!(t instanceof Tensor) || t.dtype !== dtype)
    throw new TypeError(
      `${op}: ${name} must be a ${dtype} tensor (the input's dtype), got ${t instanceof Tensor ? t.dtype : typeof t}`,
    );
  if (t.ndim !== 1 || t.shape[0] !== C)
    throw new RangeError(`${op}: ${name} must have shape [${C}], got ${formatShape(t.shape)}`);
  if (!t.isContiguous()) throw new RangeError(`${op}: ${name} must be contiguous`);
  return (t.storage.data as Float32Array | Float64Array).subarray(t.offset, t.offset + C);
}

/** [N, C, S] of an input [N, C, *] (S = 1 for [N, C]). */
function ncs(x: Tensor): [number, number, number] {
  const N = x.shape[0];
  const C = x.shape[1];
  let S = 1;
  for (let d = 2; d < x.ndim; d++) S *= x.shape[d];
  return [N, C, S];
}

// Each op takes its optional weight and bias as trailing inputs, only the ones given, in that
// order; the plan says which were given.
interface AffinePlan {
  hasWeight: boolean;
  hasBias: boolean;
}

/** weight and bias (null when not given) from an op's trailing inputs. */
function affineInputs(plan: AffinePlan, params: readonly Tensor[]): [Tensor | null, Tensor | null] {
  return [plan.hasWeight ? params[0] : null, plan.hasBias ? params[plan.hasWeight ? 1 : 0] : null];
}

/** The trailing inputs for the weight and bias that were given. */
function givenAffine(weight: Tensor | null, bias: Tensor | null): Tensor[] {
  return [weight, bias].filter((t): t is Tensor => t !== null);
}

/** Gradient buffers of n elements for weight and bias, each only where it is needed. */
function affineGradBuffers(
  plan: AffinePlan,
  needParams: readonly boolean[],
  n: number,
  x: Tensor,
): [FloatArray | null, FloatArray | null] {
  const needW = plan.hasWeight && needParams[0];
  const needB = plan.hasBias && needParams[plan.hasWeight ? 1 : 0];
  return [needW ? arrayFor(x, n) : null, needB ? arrayFor(x, n) : null];
}

/** Gradients of the weight and bias that were given, in their input order, shaped `shape`. */
function affineGrads(
  plan: AffinePlan,
  dw: FloatArray | null,
  db: FloatArray | null,
  shape: readonly number[],
): (Tensor | null)[] {
  const grads: (Tensor | null)[] = [];
  if (plan.hasWeight) grads.push(dw ? wrap(dw, shape) : null);
  if (plan.hasBias) grads.push(db ? wrap(db, shape) : null);
  return grads;
}

/**
 * The JVP of a normalisation, written with ops. x viewed as `view` is normalised along `dims`
 * with statistics `mean` and `invstd` (shaped to broadcast against the view): xhat = (x - mean)
 * invstd. With batch statistics the statistics move with x: d xhat = invstd (t - mean(t) - xhat
 * mean(t xhat)); with fixed ones d xhat = invstd t. Then d(xhat w + b) = d xhat w + xhat tw + tb
 * in `affineView` (w and b shaped `paramView`).
 */
function normJvp(
  x: Tensor,
  tangents: (Tensor | null)[],
  plan: AffinePlan,
  weight: Tensor | undefined,
  stats: { mean: Tensor; invstd: Tensor; view: number[]; dims: number[]; moving: boolean },
  affineView: number[],
  paramView: number[],
): Tensor {
  const [tx, ...tParams] = tangents;
  const [tw, tb] = [plan.hasWeight ? tParams[0] : null, plan.hasBias ? tParams[plan.hasWeight ? 1 : 0] : null];
  const { mean, invstd, view, dims, moving } = stats;
  const xhat = mul(sub(reshape(x, view), mean), invstd);
  let dxhat: Tensor | null = null;
  if (tx) {
    const t = reshape(tx, view);
    dxhat = moving
      ? mul(sub(sub(t, meanOf(t, dims, true)), mul(xhat, meanOf(mul(t, xhat), dims, true))), invstd)
      : mul(t, invstd);
  }
  const xa = reshape(xhat, affineView);
  const terms = [
    dxhat && (weight ? mul(reshape(dxhat, affineView), reshape(weight, paramView)) : reshape(dxhat, affineView)),
    tw && mul(xa, reshape(tw, paramView)),
    tb && reshape(tb, paramView),
  ];
  return reshape(broadcastSum(affineView, ...terms), x.shape);
}

/** How a normalisation lays out x and its parameters, for its recorded gradients. */
interface NormLayout {
  /** x viewed so that the statistics reduce over `dims` of it. */
  view: number[];
  dims: number[];
  /** The statistics when they are fixed numbers (batchNorm in eval), else null: x's own. */
  fixed: { mean: Tensor; invstd: Tensor } | null;
  eps: number;
  /** The view in which the weight and bias (viewed as `paramView`) broadcast; their shape. */
  affineView: number[];
  paramView: number[];
  paramShape: number[];
}

/**
 * x normalised as `l` lays it out and scaled by the weight (when given), written with recorded
 * ops: the graph a backward with createGraph differentiates, and (with the bias added) the whole
 * float64 forward. `onStats` sees the batch statistics (mean, biased variance) it computes.
 */
function normComposite(
  x: Tensor,
  weight: Tensor | null,
  l: NormLayout,
  onStats?: (mean: Tensor, biasedVar: Tensor) => void,
): Tensor {
  const xv = reshape(x, l.view);
  let xhat: Tensor;
  if (l.fixed) xhat = mul(sub(xv, l.fixed.mean), l.fixed.invstd);
  else {
    const m = meanOf(xv, l.dims, true);
    const d = sub(xv, m);
    const v = meanOf(mul(d, d), l.dims, true);
    onStats?.(m, v);
    xhat = mul(d, rsqrt(add(v, l.eps)));
  }
  const xa = reshape(xhat, l.affineView);
  return reshape(weight ? mul(xa, reshape(weight, l.paramView)) : xa, x.shape);
}

/**
 * A float64 normalisation: the composite of float64 ops (native double reductions and row
 * kernels), so its backward, double backward and JVP are those of the ops; each step rounds in
 * double, as PyTorch's double kernels.
 */
function float64Norm(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  l: NormLayout,
  onStats?: (mean: Tensor, biasedVar: Tensor) => void,
): Tensor {
  const y = normComposite(x, weight, l, onStats);
  return bias ? reshape(add(reshape(y, l.affineView), reshape(bias, l.paramView)), x.shape) : y;
}

/**
 * The gradients of a normalisation written with recorded ops, for a backward that builds a
 * graph (createGraph, or in a dual level): x and the weight through the normalisation's
 * composite, the bias as the sum of grad. In input order: x, then the weight and bias given.
 */
function recordedNormGrads(
  need: readonly boolean[],
  plan: AffinePlan,
  x: Tensor,
  weight: Tensor | undefined,
  grad: Tensor,
  l: NormLayout,
): (Tensor | null)[] {
  const [needX, ...needParams] = need;
  const needW = plan.hasWeight && needParams[0];
  const needB = plan.hasBias && needParams[plan.hasWeight ? 1 : 0];
  const [dx, dw] = compositeGradients([x, plan.hasWeight ? weight! : null], [needX, needW], grad, (xi, wi) =>
    normComposite(xi!, wi, l),
  );
  const grads: (Tensor | null)[] = [dx];
  if (plan.hasWeight) grads.push(dw);
  if (plan.hasBias) grads.push(needB ? reshape(sumTo(reshape(grad, l.affineView), l.paramView), l.paramShape) : null);
  return grads;
}

/** weight/bias must be tensors of the input's dtype; `shapeError` says why a shape does not fit, or null. */
function checkAffine(
  op: string,
  dtype: FloatDType,
  weight: Tensor | null,
  bias: Tensor | null,
  shapeError: (name: string, t: Tensor) => string | null,
): void {
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t === null) continue;
    if (!(t instanceof Tensor) || t.dtype !== dtype)
      throw new TypeError(
        `${op}: ${name} must be a ${dtype} tensor (the input's dtype), got ${t instanceof Tensor ? t.dtype : typeof t}`,
      );
    const error = shapeError(name, t);
    if (error) throw new RangeError(error);
  }
}

/** The shape error of a per-channel parameter of an input [N, C, *]. */
function perChannel(op: string, input: Tensor, C: number) {
  return (name: string, t: Tensor): string | null =>
    t.ndim !== 1 || t.shape[0] !== C
      ? `${op}: ${name} of shape ${formatShape(t.shape)} does not match the ${C} channels of input ${formatShape(input.shape)}`
      : null;
}

// ---- layerNorm and groupNorm: kernels with the same arguments, per-row statistics -------

type FloatArray = Float32Array | Float64Array;
type RowStatsContext<P> = OpContext<{ mean: FloatArray; invstd: FloatArray; plan: P }>;

/** A float array of n elements of x's dtype. */
function arrayFor(x: Tensor, n: number): FloatArray {
  return x.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** A row kernel pair (float32 or float64 arrays, by x's dtype). */
interface RowKernels {
  forward: typeof native.layerNorm;
  backward: typeof native.layerNormBackward;
}

const LAYER_ROWS: RowKernels = { forward: native.layerNorm, backward: native.layerNormBackward };
const GROUP_ROWS: RowKernels = { forward: native.groupNorm, backward: native.groupNormBackward };

/**
 * layerNorm's and groupNorm's forward: the kernel normalises x viewed as `dims` (unless `run` is
 * false: nothing to normalise), writing the mean and inverse std of each of its `rows` rows,
 * which the backward reads.
 */
function rowStatsForward<P extends AffinePlan & { eps: number }>(
  ctx: RowStatsContext<P>,
  kernel: RowKernels,
  dims: number[],
  rows: number,
  run: boolean,
  x: Tensor,
  plan: P,
  params: Tensor[],
): Tensor {
  const [weight, bias] = affineInputs(plan, params);
  const out = arrayFor(x, x.numel());
  const mean = arrayFor(x, rows);
  const invstd = arrayFor(x, rows);
  if (run)
    kernel.forward<FloatArray>(
      dims,
      floatElements(x),
      weight ? floatElements(weight) : null,
      bias ? floatElements(bias) : null,
      plan.eps,
      mean,
      invstd,
      out,
    );
  ctx.save(x, ...(weight ? [weight] : []));
  ctx.mean = mean;
  ctx.invstd = invstd;
  ctx.plan = plan;
  return wrap(out, x.shape);
}

/** Their gradients by the kernel directly (no graph); the weight and bias have `paramShape`. */
function rowStatsKernelGrads<P extends AffinePlan>(
  ctx: RowStatsContext<P>,
  kernel: RowKernels,
  dims: number[],
  run: boolean,
  grad: Tensor,
  paramShape: number[],
): (Tensor | null)[] {
  const plan = ctx.plan;
  const [x, weight] = ctx.saved;
  const [needX, ...needParams] = ctx.needsInputGrad;
  const dx = needX ? arrayFor(x, x.numel()) : null;
  const [dw, db] = affineGradBuffers(
    plan,
    needParams,
    paramShape.reduce((a, b) => a * b, 1),
    x,
  );
  if (run)
    kernel.backward<FloatArray>(
      dims,
      floatElements(x),
      floatElements(grad),
      plan.hasWeight ? floatElements(weight) : null,
      ctx.mean,
      ctx.invstd,
      dx,
      dw,
      db,
    );
  return [dx ? wrap(dx, x.shape) : null, ...affineGrads(plan, dw, db, paramShape)];
}

/**
 * Whether input, weight or bias is bfloat16: the norm then runs in float32 on the widened
 * tensors and rounds its result once (throughFloat32), as PyTorch's CPU kernels compute in fp32.
 */
function anyBf16(input: Tensor, options: { weight?: Tensor | null; bias?: Tensor | null }): boolean {
  return [input, options.weight, options.bias].some((t) => t instanceof Tensor && t.dtype === 'bfloat16');
}

/** The norm on bfloat16 operands: `norm` on the widened input, weight and bias, rounded once. */
function normThroughFloat32<O extends { weight?: Tensor | null; bias?: Tensor | null }>(
  op: string,
  input: Tensor,
  options: O,
  norm: (x: Tensor, options: O) => Tensor,
): Tensor {
  const args: [Tensor, Tensor | null, Tensor | null] = [input, options.weight ?? null, options.bias ?? null];
  return throughFloat32(op, args, (x, weight, bias) =>
    norm(x, { ...options, weight: weight ?? undefined, bias: bias ?? undefined }),
  );
}

/** The input's floating dtype (float32 or float64), else a TypeError naming the op. */
function floatInput(op: string, input: Tensor): FloatDType {
  if (input.dtype !== 'float32' && input.dtype !== 'float64')
    throw new TypeError(`${op}: expected a float32 or float64 input, got ${input.dtype}`);
  return input.dtype;
}

/**
 * batchNorm of a float64 input: the composite in double. In training the running statistics
 * are updated in double (momentum * batch + (1 - momentum) * running, the variance unbiased),
 * as PyTorch's double kernel.
 */
function batchNormFloat64(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  training: boolean,
  momentum: number,
  eps: number,
): Tensor {
  const [N, C, S] = ncs(x);
  const view = [N, C, S];
  let fixed: NormLayout['fixed'] = null;
  if (!training) {
    const rm = Float64Array.from(bufferView('batchNorm', 'runningMean', runningMean!, C, 'float64'));
    const rv = bufferView('batchNorm', 'runningVar', runningVar!, C, 'float64');
    const invstd = Float64Array.from(rv, (v) => 1 / Math.sqrt(v + eps));
    fixed = { mean: Tensor.fromData(rm, [1, C, 1]), invstd: Tensor.fromData(invstd, [1, C, 1]) };
  }
  const updateRunning = (mean: Tensor, biasedVar: Tensor): void => {
    if (!runningMean || !runningVar) return;
    const rm = bufferView('batchNorm', 'runningMean', runningMean, C, 'float64');
    const rv = bufferView('batchNorm', 'runningVar', runningVar, C, 'float64');
    const m = mean.detach().toTypedArray() as Float64Array;
    const v = biasedVar.detach().toTypedArray() as Float64Array;
    const n = N * S;
    for (let c = 0; c < C; c++) {
      rm[c] = momentum * m[c] + (1 - momentum) * rm[c];
      rv[c] = momentum * ((v[c] * n) / (n - 1)) + (1 - momentum) * rv[c];
    }
    runningMean.storage.version++;
    runningVar.storage.version++;
  };
  const layout = { view, dims: [0, 2], fixed, eps, affineView: view, paramView: [1, C, 1], paramShape: [C] };
  return float64Norm(x, weight, bias, layout, training ? updateRunning : undefined);
}

// ---- batchNorm --------------------------------------------------------------------------

interface BatchNormPlan extends AffinePlan {
  /** Normalise with the batch's statistics (and update the running ones when given). */
  useBatchStats: boolean;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  momentum: number;
  eps: number;
}

const batchNormOp = defineOp({
  name: 'batchNorm',
  forward(
    ctx: OpContext<{ saveMean: Float32Array; saveInvstd: Float32Array; plan: BatchNormPlan }>,
    x: Tensor,
    plan: BatchNormPlan,
    ...params: Tensor[]
  ) {
    const [weight, bias] = affineInputs(plan, params);
    const [N, C, S] = ncs(x);
    const saveMean = new Float32Array(C);
    const saveInvstd = new Float32Array(C);
    // The kernel writes every element: no zero-fill of a fresh buffer (as large as x).
    const out = uninitFloat(x.shape).storage.data as Float32Array;
    const rm = plan.runningMean ? bufferView('batchNorm', 'runningMean', plan.runningMean, C, 'float32') : null;
    const rv = plan.runningVar ? bufferView('batchNorm', 'runningVar', plan.runningVar, C, 'float32') : null;
    if (C > 0)
      native.batchNorm(
        [N, C, S],
        valuesF32(x),
        weight ? valuesF32(weight) : null,
        bias ? valuesF32(bias) : null,
        plan.useBatchStats,
        plan.momentum,
        plan.eps,
        rm,
        rv,
        saveMean,
        saveInvstd,
        out,
      );
    if (plan.useBatchStats && plan.runningMean && plan.runningVar) {
      plan.runningMean.storage.version++;
      plan.runningVar.storage.version++;
    }
    ctx.save(x, ...(weight ? [weight] : []));
    ctx.saveMean = saveMean;
    ctx.saveInvstd = saveInvstd;
    // The backward reads the statistics copied into saveMean/saveInvstd, never the running
    // buffers: keeping them out of the context lets them change before backward (a second
    // forward, DistributedDataParallel's buffer broadcast) without a false in-place error.
    ctx.plan = { ...plan, runningMean: null, runningVar: null };
    return wrap(out, x.shape);
  },
  backward(ctx, grad) {
    const plan = ctx.plan;
    const [x, weight] = ctx.saved;
    const [N, C, S] = ncs(x);
    if (buildsGraph(grad, x, weight)) {
      const fixed = plan.useBatchStats
        ? null
        : { mean: wrap(ctx.saveMean, [1, C, 1]), invstd: wrap(ctx.saveInvstd, [1, C, 1]) };
      const view = [N, C, S];
      const layout = {
        view,
        dims: [0, 2],
        fixed,
        eps: plan.eps,
        affineView: view,
        paramView: [1, C, 1],
        paramShape: [C],
      };
      return recordedNormGrads(ctx.needsInputGrad, plan, x, weight, grad, layout);
    }
    const [needX, ...needParams] = ctx.needsInputGrad;
    // The kernel writes every element of dx, and may write it over grad (each element read
    // first): no new buffer as large as x when the engine owns grad.
    const inPlace = needX && ctx.ownsGrad && grad.dtype === 'float32';
    const dx = needX ? (inPlace ? valuesF32(grad) : (uninitFloat(x.shape).storage.data as Float32Array)) : null;
    const [dw, db] = affineGradBuffers(plan, needParams, C, x);
    if (C > 0)
      native.batchNormBackward(
        [N, C, S],
        valuesF32(x),
        valuesF32(grad),
        plan.hasWeight ? valuesF32(weight) : null,
        ctx.saveMean,
        ctx.saveInvstd,
        plan.useBatchStats,
        dx,
        dw as Float32Array | null,
        db as Float32Array | null,
      );
    return [inPlace ? grad : dx ? wrap(dx, x.shape) : null, ...affineGrads(plan, dw, db, [C])];
  },
  jvp(ctx, ...tangents) {
    const plan = ctx.plan;
    const [x, weight] = ctx.saved;
    const [N, C, S] = ncs(x);
    // The statistics the forward used (the batch's, or in eval the running ones, fixed numbers).
    const mean = wrap(ctx.saveMean, [1, C, 1]);
    const invstd = wrap(ctx.saveInvstd, [1, C, 1]);
    const view = [N, C, S];
    const stats = { mean, invstd, view, dims: [0, 2], moving: plan.useBatchStats };
    return normJvp(x, tangents, plan, plan.hasWeight ? weight : undefined, stats, view, [1, C, 1]);
  },
});
// Its gradients are fresh: dx is a new buffer, or grad overwritten when the engine owns it; the
// affine gradients are new arrays (and a graph of them only under createGraph).
returnsFreshGrads(batchNormOp);

/** The options of batchNorm (PyTorch's keyword arguments). */
export interface BatchNormOptions {
  /** Per-channel scale [C], or null. */
  weight?: Tensor | null;
  /** Per-channel shift [C], or null. */
  bias?: Tensor | null;
  /** Batch statistics (and a running-stats update) when true; running statistics when false. */
  training?: boolean;
  /** The weight of the batch in the running statistics' update (default 0.1). */
  momentum?: number;
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
}

/**
 * torch.nn.functional.batch_norm over input [N, C, *]. In training the running statistics
 * (when given) are updated in place: mean and the unbiased variance, weighted by momentum.
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormOptions = {},
): Tensor {
  const op = 'batchNorm';
  if (!(input instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${describe(input)}`);
  checkOptions(op, options, {
    weight: 'tensor',
    bias: 'tensor',
    training: 'boolean',
    momentum: 'number',
    eps: 'number',
  });
  const bf16Stats = [runningMean, runningVar].some((r) => r instanceof Tensor && r.dtype === 'bfloat16');
  if (anyBf16(input, options) || bf16Stats) {
    // bfloat16 running statistics are updated on float32 copies and stored back rounded.
    const wide = (r: Tensor | null) => (r instanceof Tensor && r.dtype === 'bfloat16' ? copyRaw(r, 'float32') : r);
    const [mean, variance] = [wide(runningMean), wide(runningVar)];
    const y = normThroughFloat32(op, input, options, (x, o) => batchNorm(x, mean, variance, o));
    if (options.training)
      for (const [r, w] of [
        [runningMean, mean],
        [runningVar, variance],
      ])
        if (r && w && r !== w) noGrad(() => copy_(r, w));
    return y;
  }
  const dtype = floatInput(op, input);
  if (input.ndim < 2) throw new RangeError(`${op}: input must have shape [N, C, *], got ${formatShape(input.shape)}`);
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  if (!(eps >= 0)) throw new RangeError(`${op}: eps must be non-negative, got ${describe(eps)}`);
  if (!Number.isFinite(momentum))
    throw new RangeError(`${op}: momentum must be a finite number, got ${describe(momentum)}`);
  const C = input.shape[1];
  if ((runningMean === null) !== (runningVar === null))
    throw new TypeError(`${op}: runningMean and runningVar must both be given or both be null`);
  if (runningMean) bufferView(op, 'runningMean', runningMean, C, dtype);
  if (runningVar) bufferView(op, 'runningVar', runningVar, C, dtype);
  if (!training && !runningMean) throw new TypeError(`${op}: running statistics are required when training is false`);
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  checkAffine(op, dtype, weight, bias, perChannel(op, input, C));
  if (training && input.numel() / Math.max(1, C) <= 1) {
    throw new RangeError(
      `${op}: expected more than 1 value per channel when training, got input of shape ${formatShape(input.shape)}`,
    );
  }
  if (dtype === 'float64')
    return batchNormFloat64(input, runningMean, runningVar, weight, bias, training, momentum, eps);
  const plan: BatchNormPlan = {
    useBatchStats: training,
    runningMean,
    runningVar,
    momentum,
    eps,
    hasWeight: weight !== null,
    hasBias: bias !== null,
  };
  return batchNormOp(input, plan, ...givenAffine(weight, bias));
}

// ---- layerNorm --------------------------------------------------------------------------

interface LayerNormPlan extends AffinePlan {
  eps: number;
  /** Elements per normalised row. */
  D: number;
  /** The number of normalised (trailing) dims: the rank of weight and bias. */
  paramDims: number;
}

const layerNormOp = defineOp({
  name: 'layerNorm',
  dtypes: FLOATING_DTYPES,
  forward(ctx: RowStatsContext<LayerNormPlan>, x: Tensor, plan: LayerNormPlan, ...params: Tensor[]) {
    const { D } = plan;
    const rows = D === 0 ? 0 : x.numel() / D;
    return rowStatsForward(ctx, LAYER_ROWS, [rows, D], rows, D > 0, x, plan, params);
  },
  backward(ctx, grad) {
    const plan = ctx.plan;
    const { D } = plan;
    const [x, weight] = ctx.saved;
    const mean = ctx.mean;
    const pshape = x.shape.slice(x.ndim - plan.paramDims);
    if (buildsGraph(grad, x, weight)) {
      const view = [mean.length, D];
      const layout = {
        view,
        dims: [1],
        fixed: null,
        eps: plan.eps,
        affineView: view,
        paramView: [1, D],
        paramShape: pshape,
      };
      return recordedNormGrads(ctx.needsInputGrad, plan, x, weight, grad, layout);
    }
    return rowStatsKernelGrads(ctx, LAYER_ROWS, [mean.length, D], D > 0, grad, pshape);
  },
  jvp(ctx, ...tangents) {
    const plan = ctx.plan;
    const [x, weight] = ctx.saved;
    const rows = ctx.mean.length;
    const view = [rows, plan.D];
    const stats = {
      mean: wrap(ctx.mean, [rows, 1]),
      invstd: wrap(ctx.invstd, [rows, 1]),
      view,
      dims: [1],
      moving: true,
    };
    return normJvp(x, tangents, plan, plan.hasWeight ? weight : undefined, stats, view, [1, plan.D]);
  },
});

/** The options of layerNorm (PyTorch's keyword arguments). */
export interface LayerNormOptions {
  /** Elementwise scale of normalizedShape, or null. */
  weight?: Tensor | null;
  /** Elementwise shift of normalizedShape, or null. */
  bias?: Tensor | null;
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
}

/** torch.nn.functional.layer_norm: normalises over the trailing dims given by normalizedShape. */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  options: LayerNormOptions = {},
): Tensor {
  const op = 'layerNorm';
  if (!(input instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${describe(input)}`);
  checkOptions(op, options, { weight: 'tensor', bias: 'tensor', eps: 'number' });
  if (anyBf16(input, options))
    return normThroughFloat32(op, input, options, (x, o) => layerNorm(x, normalizedShape, o));
  const dtype = floatInput(op, input);
  const shape =
    typeof normalizedShape === 'number' ? [normalizedShape] : checkNumbers(op, 'normalizedShape', normalizedShape);
  if (shape.length === 0 || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new RangeError(`${op}: normalizedShape must be a non-empty list of sizes, got ${formatShape(shape)}`);
  }
  const k = shape.length;
  const tail = input.shape.slice(input.ndim - k);
  if (input.ndim < k || tail.some((s, i) => s !== shape[i])) {
    throw new RangeError(
      `${op}: given normalizedShape ${formatShape(shape)}, expected input with shape [*, ${shape.join(', ')}], but got input of shape ${formatShape(input.shape)}`,
    );
  }
  const eps = options.eps ?? 1e-5;
  if (!(eps >= 0)) throw new RangeError(`${op}: eps must be non-negative, got ${describe(eps)}`);
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  checkAffine(op, dtype, weight, bias, (name, t) =>
    t.ndim !== k || t.shape.some((s, i) => s !== shape[i])
      ? `${op}: ${name} of shape ${formatShape(t.shape)} does not match normalizedShape ${formatShape(shape)}`
      : null,
  );
  const D = shape.reduce((a, b) => a * b, 1);
  const plan: LayerNormPlan = { eps, hasWeight: weight !== null, hasBias: bias !== null, D, paramDims: k };
  return layerNormOp(input, plan, ...givenAffine(weight, bias));
}

// ---- groupNorm --------------------------------------------------------------------------

interface GroupNormPlan extends AffinePlan {
  groups: number;
  eps: number;
}

const groupNormOp = defineOp({
  name: 'groupNorm',
  dtypes: FLOATING_DTYPES,
  forward(ctx: RowStatsContext<GroupNormPlan>, x: Tensor, plan: GroupNormPlan, ...params: Tensor[]) {
    const [N, C, S] = ncs(x);
    return rowStatsForward(ctx, GROUP_ROWS, [N, C, S, plan.groups], N * plan.groups, C > 0, x, plan, params);
  },
  backward(ctx, grad) {
    const plan = ctx.plan;
    const [x, weight] = ctx.saved;
    const [N, C, S] = ncs(x);
    if (buildsGraph(grad, x, weight)) {
      const G = plan.groups;
      const layout = {
        view: [N, G, C === 0 ? 0 : (C / G) * S],
        dims: [2],
        fixed: null,
        eps: plan.eps,
        affineView: [N, C, S],
        paramView: [1, C, 1],
        paramShape: [C],
      };
      return recordedNormGrads(ctx.needsInputGrad, plan, x, weight, grad, layout);
    }
    return rowStatsKernelGrads(ctx, GROUP_ROWS, [N, C, S, plan.groups], C > 0, grad, [C]);
  },
  jvp(ctx, ...tangents) {
    const plan = ctx.plan;
    const [x, weight] = ctx.saved;
    const [N, C, S] = ncs(x);
    const G = plan.groups;
    const view = [N, G, C === 0 ? 0 : (C / G) * S];
    const stats = {
      mean: wrap(ctx.mean, [N, G, 1]),
      invstd: wrap(ctx.invstd, [N, G, 1]),
      view,
      dims: [2],
      moving: true,
    };
    return normJvp(x, tangents, plan, plan.hasWeight ? weight : undefined, stats, [N, C, S], [1, C, 1]);
  },
});

/** The options of groupNorm (PyTorch's keyword arguments). */
export interface GroupNormOptions {
  /** Per-channel scale [C], or null. */
  weight?: Tensor | null;
  /** Per-channel shift [C], or null. */
  bias?: Tensor | null;
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
}

/**
 * torch.nn.functional.group_norm over input [N, C, *]: the C channels are split into numGroups
 * groups of C / numGroups consecutive channels, each (sample, group) normalised with its own mean
 * and biased variance, then scaled and shifted per channel.
 */
export function groupNorm(input: Tensor, numGroups: number, options: GroupNormOptions = {}): Tensor {
  const op = 'groupNorm';
  if (!(input instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${describe(input)}`);
  checkOptions(op, options, { weight: 'tensor', bias: 'tensor', eps: 'number' });
  if (anyBf16(input, options)) return normThroughFloat32(op, input, options, (x, o) => groupNorm(x, numGroups, o));
  const dtype = floatInput(op, input);
  if (input.ndim < 2) throw new RangeError(`${op}: input must have shape [N, C, *], got ${formatShape(input.shape)}`);
  if (!Number.isInteger(numGroups) || numGroups <= 0)
    throw new RangeError(`${op}: numGroups must be a positive integer, got ${describe(numGroups)}`);
  const C = input.shape[1];
  if (C % numGroups !== 0) {
    throw new RangeError(
      `${op}: expected the ${C} channels of input ${formatShape(input.shape)} to be divisible by numGroups ${numGroups}`,
    );
  }
  const eps = options.eps ?? 1e-5;
  if (!(eps >= 0) || !Number.isFinite(eps))
    throw new RangeError(`${op}: eps must be a finite number >= 0, got ${describe(eps)}`);
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  checkAffine(op, dtype, weight, bias, perChannel(op, input, C));
  const plan: GroupNormPlan = { groups: numGroups, eps, hasWeight: weight !== null, hasBias: bias !== null };
  return groupNormOp(input, plan, ...givenAffine(weight, bias));
}
