// Losses (torch.nn.functional names in camelCase), each one op: the forward computes every
// element's loss and the reduction in one pass (sums in float64); the backward writes the
// input's (and, when it needs one, the target's) gradient in one pass. Cross-entropy is the
// fused native kernel of lib/ops/softmax.ts.
import { widenedForFloat32List } from '../lowp/autocast_state.js';
import { checkOptions, describe, optionKeys, refuseBfloat16 } from '../errors.js';
import { defineOp, type OpContext, throughFloat32 } from '../autograd/define_op.js';
import { formatShape, sameShape, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { softplus } from './activation.js';
import { type FloatArray, floatElements } from '../raw/elementwise.js';
import { allocate, FLOATING_DTYPES, type FloatDType, isFloatingDType } from '../dtype.js';
import { checkClassWeight, crossEntropy, type CrossEntropyOptions, type Reduction } from './softmax.js';
import { valuesAs } from '../raw/strided.js';
import { recorded } from '../trace.js';
import { add, div, mul, sub, type TensorLike } from './binary.js';
import { sum } from './reduce.js';
import { reshape, unsqueeze } from './view.js';
import { exp, log, neg, sigmoid, sign } from './unary.js';
import { clamp, where } from './pointwise.js';
import { gt, le } from './compare.js';
import { buildsGraph } from '../autograd/recorded_backward.js';

export { crossEntropy, type CrossEntropyOptions, type Reduction };
/** klDiv's reductions: PyTorch's, plus 'batchmean' (the sum divided by the batch size). */
export type KLDivReduction = Reduction | 'batchmean';

function scalar(v: number, dtype: FloatDType): Tensor {
  return new Tensor(new Storage(allocate(dtype, 1).fill(v)), []);
}

function checkReduction(op: string, r: unknown, extra: string[] = []): void {
  const ok = ['mean', 'sum', 'none', ...extra];
  if (!ok.includes(r as string))
    throw new RangeError(`${op}: reduction must be ${ok.map((s) => `'${s}'`).join(', ')}; got '${String(r)}'`);
}

function checkPair(op: string, input: unknown, target: unknown): [Tensor, Tensor] {
  if (!(input instanceof Tensor))
    throw new TypeError(`${op}: input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
  if (!(target instanceof Tensor))
    throw new TypeError(`${op}: target must be a Tensor, got ${target === null ? 'null' : typeof target}`);
  if (!isFloatingDType(input.dtype)) throw new TypeError(`${op}: input must be float32 or float64, got ${input.dtype}`);
  if (target.dtype !== input.dtype)
    throw new TypeError(`${op}: target must be ${input.dtype} (the same dtype as input), got ${target.dtype}`);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `${op}: target of shape ${formatShape(target.shape)} does not match input of shape ${formatShape(input.shape)}; reshape one of them (e.g. a [N] target for a [N, 1] output)`,
    );
  }
  return [input, target];
}

/** Per-element values broadcast to `shape` (a weight), or null. */
function broadcastValues(op: string, name: string, t: Tensor | null | undefined, input: Tensor): FloatArray | null {
  if (t === null || t === undefined) return null;
  const shape = input.shape;
  if (!(t instanceof Tensor) || !isFloatingDType(t.dtype))
    throw new TypeError(
      `${op}: ${name} must be a float32 or float64 tensor, got ${t instanceof Tensor ? t.dtype : typeof t}`,
    );
  try {
    // In the input's dtype (a float32 weight of a float64 loss is widened exactly).
    const values = allocate(input.dtype, input.numel()) as FloatArray;
    values.set(valuesAs(t, shape) as FloatArray);
    return values;
  } catch {
    throw new RangeError(
      `${op}: ${name} of shape ${formatShape(t.shape)} cannot be broadcast to input of shape ${formatShape(shape)}`,
    );
  }
}

/**
 * A loss with bfloat16 operands (input, target, or the option tensors named by `keys`): the
 * float32 loss on the widened tensors, rounded once when input or target is bfloat16
 * (throughFloat32), as PyTorch's CPU loss kernels compute in fp32; a weight's dtype does not
 * decide the result's. Null when none is bfloat16.
 */
function bf16Loss<O extends object>(
  op: string,
  input: Tensor,
  target: Tensor,
  options: O,
  keys: readonly (keyof O & string)[],
  loss: (input: Tensor, target: Tensor, options: O) => Tensor,
): Tensor<'float32'> | null {
  const given = options as Record<string, unknown>;
  const isBf16 = (t: unknown): t is Tensor => t instanceof Tensor && t.dtype === 'bfloat16';
  const weights = keys.filter((k) => isBf16(given[k]));
  if (!isBf16(input) && !isBf16(target) && weights.length === 0) return null;
  const wide = { ...options, ...Object.fromEntries(weights.map((k) => [k, (given[k] as Tensor).float()])) };
  if (!isBf16(input) && !isBf16(target)) return loss(input, target, wide) as Tensor<'float32'>;
  return throughFloat32(op, [input, target], (i, t) => loss(i, t, wide)) as Tensor<'float32'>;
}

// ---- elementwise losses -----------------------------------------------------------------

/** Loss of one element: x input, t target, w weight, p pos_weight (1 when absent). */
type ElementFn = (x: number, t: number, w: number, p: number) => number;

interface ElementLoss {
  name: string;
  loss: ElementFn;
  /** d loss / d x */
  dx: ElementFn;
  /** d loss / d t */
  dt: ElementFn;
  /** Checks the input values (BCE: probabilities). */
  check?(x: FloatArray): void;
  /**
   * dx and dt written with recorded ops, for a backward that builds a graph (createGraph): w the
   * weight, p the pos_weight (1 when absent), k the loss's constant parameter (beta, delta).
   */
  recorded: {
    dx(x: Tensor, t: Tensor, w: TensorLike, p: TensorLike, k: number): Tensor;
    dt(x: Tensor, t: Tensor, w: TensorLike, p: TensorLike, k: number): Tensor;
  };
}

interface ElementPlan {
  reduction: KLDivReduction;
  weight: FloatArray | null;
  posWeight: FloatArray | null;
  /** The 'batchmean' / 'mean' divisor. */
  divisor: number;
  /** SmoothL1's beta, Huber's delta (also in posWeight, element by element, for the loops). */
  param: number;
}

/** The gradients of an element loss as recorded ops: each element's gradient times dx, dt. */
function recordedElementGrads(
  spec: ElementLoss,
  plan: ElementPlan,
  need: readonly boolean[],
  input: Tensor,
  target: Tensor,
  grad: Tensor,
): (Tensor | null)[] {
  const asTensor = (a: FloatArray | null): TensorLike => (a ? new Tensor(new Storage(a), input.shape) : 1);
  const [w, p] = [asTensor(plan.weight), asTensor(plan.posWeight)];
  const each = plan.reduction === 'none' || plan.reduction === 'sum' ? grad : div(grad, plan.divisor);
  return [spec.recorded.dx, spec.recorded.dt].map((d, k) =>
    need[k] ? mul(each, d(input, target, w, p, plan.param)) : null,
  );
}

function defineElementLoss(spec: ElementLoss) {
  return defineOp({
    name: spec.name,
    dtypes: FLOATING_DTYPES,
    forward(ctx: OpContext<{ plan: ElementPlan }>, input: Tensor, target: Tensor, plan: ElementPlan) {
      const x = floatElements(input);
      const t = floatElements(target);
      spec.check?.(x);
      const { weight: w, posWeight: p } = plan;
      ctx.save(input, target);
      ctx.plan = plan;
      if (plan.reduction === 'none') {
        const out = allocate(input.dtype, x.length);
        for (let i = 0; i < x.length; i++) out[i] = spec.loss(x[i], t[i], w ? w[i] : 1, p ? p[i] : 1);
        return new Tensor(new Storage(out), input.shape);
      }
      let sum = 0;
      for (let i = 0; i < x.length; i++) sum += spec.loss(x[i], t[i], w ? w[i] : 1, p ? p[i] : 1);
      return scalar(plan.reduction === 'sum' ? sum : sum / plan.divisor, input.dtype as FloatDType);
    },
    backward(ctx, grad) {
      const [input, target] = ctx.saved;
      const plan = ctx.plan;
      if (buildsGraph(grad, input, target))
        return recordedElementGrads(spec, plan, ctx.needsInputGrad, input, target, grad);
      const x = floatElements(input);
      const t = floatElements(target);
      const { weight: w, posWeight: p } = plan;
      const perElement = plan.reduction === 'none' ? floatElements(grad) : null;
      const g0 = perElement ? 0 : (grad.item() as number) / (plan.reduction === 'sum' ? 1 : plan.divisor);
      const grads: (Tensor | null)[] = [];
      for (const [k, d] of [
        [0, spec.dx],
        [1, spec.dt],
      ] as const) {
        if (!ctx.needsInputGrad[k]) {
          grads.push(null);
          continue;
        }
        const out = allocate(input.dtype, x.length);
        for (let i = 0; i < x.length; i++)
          out[i] = (perElement ? perElement[i] : g0) * d(x[i], t[i], w ? w[i] : 1, p ? p[i] : 1);
        grads.push(new Tensor(new Storage(out), input.shape));
      }
      return grads;
    },
    // Elementwise: tx dloss/dx + tt dloss/dt per element, then the reduction.
    jvp(ctx, tx, tt) {
      const [input, target] = ctx.saved;
      const plan = ctx.plan;
      const x = floatElements(input);
      const t = floatElements(target);
      const { weight: w, posWeight: p } = plan;
      const slope = (d: ElementFn): Tensor => {
        const out = allocate(input.dtype, x.length);
        for (let i = 0; i < x.length; i++) out[i] = d(x[i], t[i], w ? w[i] : 1, p ? p[i] : 1);
        return new Tensor(new Storage(out), input.shape);
      };
      const terms = [tx && mul(tx, slope(spec.dx)), tt && mul(tt, slope(spec.dt))];
      const each = terms[0] && terms[1] ? add(terms[0], terms[1]) : (terms[0] ?? terms[1])!;
      if (plan.reduction === 'none') return each;
      return plan.reduction === 'sum' ? sum(each) : div(sum(each), plan.divisor);
    },
  });
}

function elementLoss(
  fn: ReturnType<typeof defineElementLoss>,
  input: Tensor,
  target: Tensor,
  reduction: KLDivReduction,
  extras: { weight?: FloatArray | null; posWeight?: FloatArray | null; param?: number } = {},
): Tensor {
  const divisor = reduction === 'batchmean' ? (input.ndim > 0 ? input.shape[0] : 1) : input.numel();
  const param = extras.param ?? 1;
  const weight = extras.weight ?? null;
  const posWeight =
    extras.param !== undefined
      ? (allocate(input.dtype, input.numel()) as FloatArray).fill(param)
      : (extras.posWeight ?? null);
  return fn(input, target, { reduction, weight, posWeight, divisor, param });
}

const sgn = (d: number) => (d > 0 ? 1 : d < 0 ? -1 : 0);

const mseOp = defineElementLoss({
  name: 'mseLoss',
  loss: (x, t) => (x - t) * (x - t),
  dx: (x, t) => 2 * (x - t),
  dt: (x, t) => -2 * (x - t),
  recorded: {
    dx: (x, t) => mul(sub(x, t), 2),
    dt: (x, t) => mul(sub(x, t), -2),
  },
});

const l1Op = defineElementLoss({
  name: 'l1Loss',
  loss: (x, t) => Math.abs(x - t),
  dx: (x, t) => sgn(x - t),
  dt: (x, t) => -sgn(x - t),
  recorded: {
    dx: (x, t) => sign(sub(x, t)),
    dt: (x, t) => neg(sign(sub(x, t))),
  },
});

const smoothL1Slope = (d: number, beta: number) => (d <= -beta ? -1 : d >= beta ? 1 : d / beta);
/** smoothL1Slope with recorded ops (beta = 0: the sign, -1 at 0 as torch's). */
const smoothL1SlopeOps = (d: Tensor, beta: number): Tensor =>
  beta > 0 ? clamp(div(d, beta), -1, 1) : where(le(d, 0), -1, 1);

// SmoothL1 and Huber read their parameter from the `p` slot (a constant per call).
const smoothL1Op = defineElementLoss({
  name: 'smoothL1Loss',
  loss: (x, t, _w, beta) => {
    const d = Math.abs(x - t);
    return d < beta ? (0.5 * d * d) / beta : d - 0.5 * beta;
  },
  // torch's smooth_l1_backward tests d <= -beta first, so with beta = 0 the slope at d = 0 is -1.
  dx: (x, t, _w, beta) => smoothL1Slope(x - t, beta),
  dt: (x, t, _w, beta) => -smoothL1Slope(x - t, beta),
  recorded: {
    dx: (x, t, _w, _p, beta) => smoothL1SlopeOps(sub(x, t), beta),
    dt: (x, t, _w, _p, beta) => neg(smoothL1SlopeOps(sub(x, t), beta)),
  },
});

const huberOp = defineElementLoss({
  name: 'huberLoss',
  loss: (x, t, _w, delta) => {
    const d = Math.abs(x - t);
    return d < delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
  },
  dx: (x, t, _w, delta) => Math.min(delta, Math.max(-delta, x - t)),
  dt: (x, t, _w, delta) => -Math.min(delta, Math.max(-delta, x - t)),
  recorded: {
    dx: (x, t, _w, _p, delta) => clamp(sub(x, t), -delta, delta),
    dt: (x, t, _w, _p, delta) => neg(clamp(sub(x, t), -delta, delta)),
  },
});

const clampLog = (v: number) => Math.max(Math.log(v), -100);

/** The floor of binaryCrossEntropy's x (1 - x) denominators, as torch's EPSILON. */
const BCE_EPS = 1e-12;

/**
 * binaryCrossEntropy's d loss / d x per unit weight, (x - t) / max(x (1 - x), eps), as an op
 * whose derivatives are torch's binary_cross_entropy_double_backward and its _target twin:
 * with respect to x (x^2 - 2 x t + t) / ((x + eps)^2 (1 - x + eps)^2), finite where x is exactly
 * 0 or 1 (the slope of the clamped quotient would be w / eps there, or NaN); with respect to t
 * -1 / max(x (1 - x), eps). Both are written with recorded ops, so they differentiate again.
 */
const bceSlopeOp: (x: Tensor, t: Tensor) => Tensor = defineOp({
  name: 'binaryCrossEntropySlope',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext, x: Tensor, t: Tensor) {
    ctx.save(x, t);
    return div(sub(x, t), bceDenominator(x));
  },
  backward(ctx, gg) {
    const [x, t] = ctx.saved;
    const [needX, needT] = ctx.needsInputGrad;
    return [needX ? mul(gg, bceSlopeDx(x, t)) : null, needT ? neg(div(gg, bceDenominator(x))) : null];
  },
  jvp(ctx, tx, tt) {
    const [x, t] = ctx.saved;
    const terms = [tx && mul(tx, bceSlopeDx(x, t)), tt && neg(div(tt, bceDenominator(x)))];
    return terms[0] && terms[1] ? add(terms[0], terms[1]) : (terms[0] ?? terms[1])!;
  },
});

function bceDenominator(x: Tensor): Tensor {
  return clamp(mul(sub(1, x), x), BCE_EPS);
}

function bceSlopeDx(x: Tensor, t: Tensor): Tensor {
  const num = add(sub(mul(x, x), mul(mul(x, t), 2)), t);
  const a = add(x, BCE_EPS);
  const b = add(sub(1, x), BCE_EPS);
  return div(num, mul(mul(a, a), mul(b, b)));
}

const bceOp = defineElementLoss({
  name: 'binaryCrossEntropy',
  // torch clamps each log to >= -100 so p = 0 or 1 gives a finite loss.
  loss: (x, t, w) => -w * (t * clampLog(x) + (1 - t) * clampLog(1 - x)),
  dx: (x, t, w) => (w * (x - t)) / Math.max((1 - x) * x, 1e-12),
  // torch's binary_cross_entropy_target_backward: -logit(x), unclamped (infinite at 0 and 1).
  dt: (x, _t, w) => -w * (Math.log(x) - Math.log(1 - x)),
  check(x) {
    for (let i = 0; i < x.length; i++) {
      if (!(x[i] >= 0 && x[i] <= 1))
        throw new RangeError(
          `binaryCrossEntropy: all elements of input should be between 0 and 1, got ${x[i]} at element ${i} (apply sigmoid first, or use binaryCrossEntropyWithLogits)`,
        );
    }
  },
  recorded: {
    dx: (x, t, w) => mul(bceSlopeOp(x, t), w),
    dt: (x, _t, w) => mul(mul(sub(log(x), log(sub(1, x))), w), -1),
  },
});

/** log(1 + exp(-x)) computed without overflow. */
const softplusNeg = (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(-x, 0);

const bceLogitsOp = defineElementLoss({
  name: 'binaryCrossEntropyWithLogits',
  // (1 - t) x + (1 + (pw - 1) t) log(1 + exp(-x)), the stable form torch uses.
  loss: (x, t, w, pw) => w * ((1 - t) * x + (1 + (pw - 1) * t) * softplusNeg(x)),
  dx: (x, t, w, pw) => w * ((1 + (pw - 1) * t) / (1 + Math.exp(-x)) - pw * t),
  dt: (x, _t, w, pw) => w * (-x + (pw - 1) * softplusNeg(x)),
  recorded: {
    dx: (x, t, w, pw) => mul(sub(mul(add(mul(t, sub(pw, 1)), 1), sigmoid(x)), mul(t, pw)), w),
    dt: (x, _t, w, pw) => mul(add(neg(x), mul(softplus(neg(x)), sub(pw, 1))), w),
  },
});

const klDivOp = defineElementLoss({
  name: 'klDiv',
  // xlogy(t, t) - t x: 0 where t == 0.
  loss: (x, t) => (t > 0 ? t * (Math.log(t) - x) : t === 0 ? 0 : NaN),
  dx: (_x, t) => -t,
  dt: (x, t) => (t > 0 ? Math.log(t) + 1 - x : 0),
  recorded: {
    dx: (_x, t) => neg(t),
    // log t + 1 - x where t > 0, else 0 (the log of a safe 1 there, so no NaN enters).
    dt: (x, t) => {
      const pos = gt(t, 0);
      return where(pos, sub(add(log(where(pos, t, 1)), 1), x), 0);
    },
  },
});

const klDivLogOp = defineElementLoss({
  name: 'klDiv',
  loss: (x, t) => Math.exp(t) * (t - x),
  dx: (_x, t) => -Math.exp(t),
  dt: (x, t) => Math.exp(t) * (t - x + 1),
  recorded: {
    dx: (_x, t) => neg(exp(t)),
    dt: (x, t) => mul(exp(t), add(sub(t, x), 1)),
  },
});

/** The reduction option every loss takes. */
export interface ReductionOption {
  /** 'mean' (the default), 'sum' or 'none' (the per-element losses). */
  reduction?: Reduction;
}

// The reduction's value is checked by checkReduction.
const REDUCTION_OPTIONS = optionKeys<ReductionOption>({ reduction: 'string' });

/** Mean squared error: (input - target)^2. */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOption = {}): Tensor<'float32'> {
  checkOptions('mseLoss', options, REDUCTION_OPTIONS);
  // PyTorch's autocast float32 list: bfloat16 inputs are widened, the loss is float32.
  const wide = widenedForFloat32List(input, target);
  if (wide) return mseLoss(wide[0], wide[1], options);
  refuseBfloat16('mseLoss', input, target);
  // One op of a traced forward (onnx.export), target and options included.
  return recorded('mseLoss', [input, target, options], () => {
    const reduction = options.reduction ?? 'mean';
    checkReduction('mseLoss', reduction);
    return elementLoss(mseOp, ...checkPair('mseLoss', input, target), reduction);
  }) as Tensor<'float32'>;
}

/** Mean absolute error: |input - target|. */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOption = {}): Tensor<'float32'> {
  checkOptions('l1Loss', options, REDUCTION_OPTIONS);
  // PyTorch's autocast float32 list: bfloat16 inputs are widened, the loss is float32.
  const wide = widenedForFloat32List(input, target);
  if (wide) return l1Loss(wide[0], wide[1], options);
  const viaFloat32 = bf16Loss('l1Loss', input, target, options, [], l1Loss);
  if (viaFloat32) return viaFloat32;
  // One op of a traced forward (onnx.export), target and options included.
  return recorded('l1Loss', [input, target, options], () => {
    const reduction = options.reduction ?? 'mean';
    checkReduction('l1Loss', reduction);
    return elementLoss(l1Op, ...checkPair('l1Loss', input, target), reduction);
  }) as Tensor<'float32'>;
}

/** 0.5 d^2 / beta where |d| < beta, |d| - beta / 2 elsewhere (beta = 0: L1). */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  options: ReductionOption & { beta?: number } = {},
): Tensor<'float32'> {
  checkOptions('smoothL1Loss', options, { reduction: 'string', beta: 'number' });
  // PyTorch's autocast float32 list: bfloat16 inputs are widened, the loss is float32.
  const wide = widenedForFloat32List(input, target);
  if (wide) return smoothL1Loss(wide[0], wide[1], options);
  const viaFloat32 = bf16Loss('smoothL1Loss', input, target, options, [], smoothL1Loss);
  if (viaFloat32) return viaFloat32;
  // One op of a traced forward (onnx.export), target and options included.
  return recorded('smoothL1Loss', [input, target, options], () => {
    const reduction = options.reduction ?? 'mean';
    const beta = options.beta ?? 1;
    checkReduction('smoothL1Loss', reduction);
    if (!(beta >= 0) || !Number.isFinite(beta))
      throw new RangeError(`smoothL1Loss: beta must be a non-negative number, got ${describe(beta)}`);
    const [x, t] = checkPair('smoothL1Loss', input, target);
    return elementLoss(smoothL1Op, x, t, reduction, { param: beta });
  }) as Tensor<'float32'>;
}

/** 0.5 d^2 where |d| < delta, delta (|d| - delta / 2) elsewhere. */
export function huberLoss(
  input: Tensor,
  target: Tensor,
  options: ReductionOption & { delta?: number } = {},
): Tensor<'float32'> {
  checkOptions('huberLoss', options, { reduction: 'string', delta: 'number' });
  // PyTorch's autocast float32 list: bfloat16 inputs are widened, the loss is float32.
  const wide = widenedForFloat32List(input, target);
  if (wide) return huberLoss(wide[0], wide[1], options);
  const viaFloat32 = bf16Loss('huberLoss', input, target, options, [], huberLoss);
  if (viaFloat32) return viaFloat32;
  // One op of a traced forward (onnx.export), target and options included.
  return recorded('huberLoss', [input, target, options], () => {
    const reduction = options.reduction ?? 'mean';
    const delta = options.delta ?? 1;
    checkReduction('huberLoss', reduction);
    if (!(delta > 0) || !Number.isFinite(delta))
      throw new RangeError(`huberLoss: delta must be a positive number, got ${describe(delta)}`);
    const [x, t] = checkPair('huberLoss', input, target);
    return elementLoss(huberOp, x, t, reduction, { param: delta });
  }) as Tensor<'float32'>;
}

/** The options of binaryCrossEntropy. */
export interface BCEOptions extends ReductionOption {
  /** Rescales each element's loss; broadcast to the input's shape. */
  weight?: Tensor | null;
}

/** Binary cross-entropy of probabilities in [0, 1]; each log is clamped to >= -100 as torch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor<'float32'> {
  checkOptions('binaryCrossEntropy', options, { reduction: 'string', weight: 'tensor' });
  // PyTorch's autocast float32 list: bfloat16 inputs are widened, the loss is float32.
  const wide = widenedForFloat32List(input, target, options.weight);
  if (wide) return binaryCrossEntropy(wide[0], wide[1], { ...options, weight: wide[2] });
  refuseBfloat16('binaryCrossEntropy', input, target, options.weight);
  // One op of a traced forward (onnx.export), target and options included.
  return recorded('binaryCrossEntropy', [input, target, options], () => {
    const op = 'binaryCrossEntropy';
    const reduction = options.reduction ?? 'mean';
    checkReduction(op, reduction);
    const [x, t] = checkPair(op, input, target);
    return elementLoss(bceOp, x, t, reduction, { weight: broadcastValues(op, 'weight', options.weight, x) });
  }) as Tensor<'float32'>;
}

/** The options of binaryCrossEntropyWithLogits. */
export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of the positive examples, per class (broadcast along the last dim). */
  posWeight?: Tensor | null;
}

/** sigmoid + binary cross-entropy in one numerically stable expression. */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BCEWithLogitsOptions = {},
): Tensor<'float32'> {
  checkOptions('binaryCrossEntropyWithLogits', options, { reduction: 'string', weight: 'tensor', posWeight: 'tensor' });
  // PyTorch's autocast float32 list: bfloat16 inputs are widened, the loss is float32.
  const wide = widenedForFloat32List(input, target, options.weight, options.posWeight);
  if (wide) return binaryCrossEntropyWithLogits(wide[0], wide[1], { ...options, weight: wide[2], posWeight: wide[3] });
  const viaFloat32 = bf16Loss(
    'binaryCrossEntropyWithLogits',
    input,
    target,
    options,
    ['weight', 'posWeight'],
    binaryCrossEntropyWithLogits,
  );
  if (viaFloat32) return viaFloat32;
  // One op of a traced forward (onnx.export), target and options included.
  return recorded('binaryCrossEntropyWithLogits', [input, target, options], () => {
    const op = 'binaryCrossEntropyWithLogits';
    const reduction = options.reduction ?? 'mean';
    checkReduction(op, reduction);
    const [x, t] = checkPair(op, input, target);
    return elementLoss(bceLogitsOp, x, t, reduction, {
      weight: broadcastValues(op, 'weight', options.weight, x),
      posWeight: broadcastValues(op, 'posWeight', options.posWeight, x),
    });
  }) as Tensor<'float32'>;
}

/** The options of klDiv. */
export interface KLDivOptions {
  /** 'mean' divides by the number of elements; 'batchmean' (the true KL divergence) by the batch size. */
  reduction?: KLDivReduction;
  /** The target holds log-probabilities. */
  logTarget?: boolean;
}

/** KL divergence with input = log-probabilities: sum target * (log target - input). */
export function klDiv(input: Tensor, target: Tensor, options: KLDivOptions = {}): Tensor<'float32'> {
  checkOptions('klDiv', options, { reduction: 'string', logTarget: 'boolean' });
  // PyTorch's autocast float32 list: bfloat16 inputs are widened, the loss is float32.
  const wide = widenedForFloat32List(input, target);
  if (wide) return klDiv(wide[0], wide[1], options);
  const viaFloat32 = bf16Loss('klDiv', input, target, options, [], klDiv);
  if (viaFloat32) return viaFloat32;
  // One op of a traced forward (onnx.export), target and options included.
  return recorded('klDiv', [input, target, options], () => {
    const op = 'klDiv';
    const reduction = options.reduction ?? 'mean';
    checkReduction(op, reduction, ['batchmean']);
    const [x, t] = checkPair(op, input, target);
    return elementLoss(options.logTarget ? klDivLogOp : klDivOp, x, t, reduction);
  }) as Tensor<'float32'>;
}

// ---- nllLoss ----------------------------------------------------------------------------

interface NllPlan {
  C: number;
  inner: number;
  targets: Int32Array;
  weight: FloatArray | null;
  dtype: FloatDType;
  ignoreIndex: number;
  reduction: Reduction;
  batchShape: number[];
  denominator: number;
}

const nllOp = defineOp({
  name: 'nllLoss',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext<{ plan: NllPlan; xShape: Shape }>, input: Tensor, plan: NllPlan) {
    // (plan.denominator is set below, before the backward or the JVP reads it)
    const x = floatElements(input);
    const { C, inner, targets, weight, ignoreIndex } = plan;
    const losses = allocate(plan.dtype, targets.length);
    let sum = 0;
    let wsum = 0;
    for (let k = 0; k < targets.length; k++) {
      const c = targets[k];
      if (c === ignoreIndex) continue;
      const n = Math.floor(k / inner);
      const i = k - n * inner;
      const w = weight ? weight[c] : 1;
      const l = -w * x[(n * C + c) * inner + i];
      losses[k] = l;
      sum += l;
      wsum += w;
    }
    ctx.plan = plan;
    ctx.xShape = input.shape;
    if (plan.reduction === 'none') return new Tensor(new Storage(losses), plan.batchShape);
    plan.denominator = plan.reduction === 'mean' ? wsum : 1;
    return scalar(sum / plan.denominator, plan.dtype);
  },
  backward(ctx, grad) {
    const plan = ctx.plan;
    if (buildsGraph(grad)) {
      // Linear in the input: grad times the constant -weight at each target, recorded. (With
      // every target ignored the mask is all zeros and the denominator 0: no 0/0 then.)
      const mask = nllGrad(plan, ctx.xShape, null, 1);
      if (plan.reduction !== 'none') return [mul(div(grad, plan.denominator || 1), mask)];
      return [mul(ctx.xShape.length === 1 ? grad : unsqueeze(grad, 1), mask)];
    }
    const perElement = plan.reduction === 'none' ? floatElements(grad) : null;
    const g0 = perElement ? 0 : (grad.item() as number) / plan.denominator;
    return [nllGrad(plan, ctx.xShape, perElement, g0)];
  },
  // Loss k reads one element of the input: its tangent is the input's gradient at a gradient
  // of ones times t, summed over the classes.
  jvp(ctx, t) {
    const plan = ctx.plan;
    const terms = mul(t!, nllGrad(plan, ctx.xShape, null, plan.reduction === 'none' ? 1 : 1 / plan.denominator));
    return plan.reduction === 'none'
      ? reshape(sum(terms, ctx.xShape.length === 1 ? 0 : 1), plan.batchShape)
      : sum(terms);
  },
});

/** The input's gradient from the per-loss gradients (or g0 for each). */
function nllGrad(plan: NllPlan, shape: Shape, perElement: FloatArray | null, g0: number): Tensor {
  const { C, inner, targets, weight, ignoreIndex } = plan;
  const dx = allocate(plan.dtype, targets.length * C);
  for (let k = 0; k < targets.length; k++) {
    const c = targets[k];
    if (c === ignoreIndex) continue;
    const n = Math.floor(k / inner);
    const i = k - n * inner;
    dx[(n * C + c) * inner + i] = -(weight ? weight[c] : 1) * (perElement ? perElement[k] : g0);
  }
  return new Tensor(new Storage(dx), shape);
}

/** The options of nllLoss. */
export interface NLLOptions extends ReductionOption {
  /** Per-class weight, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (and do not count in the mean). */
  ignoreIndex?: number;
}

/** Classes dim of `input` and the expected target shape (shared with crossEntropy's layout). */
function classLayout(op: string, input: Tensor): { C: number; inner: number; batchShape: number[] } {
  if (input.ndim < 1)
    throw new RangeError(`${op}: input must have at least 1 dim (classes), got shape ${formatShape(input.shape)}`);
  if (input.ndim === 1) return { C: input.shape[0], inner: 1, batchShape: [] };
  const inner = input.shape.slice(2).reduce((a, b) => a * b, 1);
  return { C: input.shape[1], inner, batchShape: [input.shape[0], ...input.shape.slice(2)] };
}

/**
 * Negative log-likelihood of log-probabilities input [N, C, *] (or [C]) at int32 class indices;
 * a weight has the input's dtype (as torch's nll_loss, which refuses any other).
 */
export function nllLoss(input: Tensor, target: Tensor, options: NLLOptions = {}): Tensor<'float32'> {
  checkOptions('nllLoss', options, { reduction: 'string', weight: 'tensor', ignoreIndex: 'integer' });
  // PyTorch's autocast float32 list: bfloat16 inputs are widened, the loss is float32.
  const wide = widenedForFloat32List(input, target, options.weight);
  if (wide) return nllLoss(wide[0], wide[1], { ...options, weight: wide[2] });
  checkClassWeight('nllLoss', input, options.weight);
  const viaFloat32 = bf16Loss('nllLoss', input, target, options, ['weight'], nllLoss);
  if (viaFloat32) return viaFloat32;
  // One op of a traced forward (onnx.export), target and options included.
  return recorded('nllLoss', [input, target, options], () => {
    const op = 'nllLoss';
    if (!(input instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${typeof input}`);
    if (!(target instanceof Tensor)) throw new TypeError(`${op}: target must be a Tensor, got ${typeof target}`);
    if (!isFloatingDType(input.dtype))
      throw new TypeError(`${op}: input must be float32 or float64, got ${input.dtype}`);
    if (target.dtype !== 'int32') throw new TypeError(`${op}: target must be int32 class indices, got ${target.dtype}`);
    const reduction = options.reduction ?? 'mean';
    checkReduction(op, reduction);
    const ignoreIndex = options.ignoreIndex ?? -100;
    if (!Number.isInteger(ignoreIndex))
      throw new TypeError(`${op}: ignoreIndex must be an integer, got ${describe(ignoreIndex)}`);
    const { C, inner, batchShape } = classLayout(op, input);
    if (!sameShape(target.shape, batchShape)) {
      throw new RangeError(
        `${op}: target of shape ${formatShape(target.shape)} does not match input of shape ${formatShape(input.shape)} (expected class indices of shape ${formatShape(batchShape)})`,
      );
    }
    let weight: FloatArray | null = null;
    if (options.weight !== undefined && options.weight !== null) {
      const w = options.weight;
      if (!(w instanceof Tensor) || !isFloatingDType(w.dtype))
        throw new TypeError(
          `${op}: weight must be a float32 or float64 tensor, got ${w instanceof Tensor ? w.dtype : typeof w}`,
        );
      if (w.ndim !== 1 || w.shape[0] !== C)
        throw new RangeError(`${op}: weight of shape ${formatShape(w.shape)} must have one entry per class (${C})`);
      weight = allocate(input.dtype, C) as FloatArray;
      weight.set(floatElements(w));
    }
    const targets = Int32Array.from(target.toTypedArray() as Int32Array);
    for (let k = 0; k < targets.length; k++) {
      const c = targets[k];
      if (c !== ignoreIndex && (c < 0 || c >= C))
        throw new RangeError(`${op}: target ${c} at position ${k} is out of bounds for ${C} classes`);
    }
    return nllOp(input, {
      C,
      inner,
      targets,
      weight,
      dtype: input.dtype as FloatDType,
      ignoreIndex,
      reduction,
      batchShape,
      denominator: 1,
    });
  }) as Tensor<'float32'>;
}
