// Pooling through the native kernels: max / average / adaptive pooling, 1-D and 2-D, forward
// and backward, in float32 or float64 (one templated kernel: the same windows and NaN rules, sums
// in double for float64). 1-D ops are the 2-D ones with height 1; every leading dim is a plane
// ([N, C, H, W] and [C, H, W] alike). Semantics and output sizes are PyTorch 1.13's.
import { checkOptions, optionKeys, show, refuseStorageOnly } from '../errors.js';
import { defineOp, type OpContext, returnsFreshGrads } from '../autograd/define_op.js';
import { zeros } from '../creation.js';
import { native, PoolOp, type PoolOpCode, type PoolShape } from '../native.js';
import { contiguousOf, floatElements, uninitOf } from '../raw/elementwise.js';
import { FLOATING_DTYPES, type FloatDType, isFloatingDType } from '../dtype.js';
import { checkAllocation, formatShape, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { recorded } from '../trace.js';
import { gather } from './indexing.js';
import { reshape } from './view.js';

type Pair = number | readonly [number, number];
type One = number | readonly [number];

/** The options of maxPool2d and nn.MaxPool2d (PyTorch's keyword arguments). */
export interface MaxPool2dOptions {
  /** The step of the window (default, or null: the kernel size). */
  stride?: Pair | null;
  /** Implicit padding on both sides, at most half the kernel size (default 0). */
  padding?: Pair;
  /** The spacing between window elements (default 1). */
  dilation?: Pair;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}
/** The options of maxPool1d and nn.MaxPool1d (PyTorch's keyword arguments). */
export interface MaxPool1dOptions {
  /** The step of the window (default, or null: the kernel size). */
  stride?: One | null;
  /** Implicit padding on both sides, at most half the kernel size (default 0). */
  padding?: One;
  /** The spacing between window elements (default 1). */
  dilation?: One;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}
/** The options of avgPool2d and nn.AvgPool2d (PyTorch's keyword arguments). */
export interface AvgPool2dOptions {
  /** The step of the window (default, or null: the kernel size). */
  stride?: Pair | null;
  /** Implicit padding on both sides, at most half the kernel size (default 0). */
  padding?: Pair;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count the padding zeros in the average's divisor (default true). */
  countIncludePad?: boolean;
}
/** The options of avgPool1d and nn.AvgPool1d (PyTorch's keyword arguments). */
export interface AvgPool1dOptions {
  /** The step of the window (default, or null: the kernel size). */
  stride?: One | null;
  /** Implicit padding on both sides, at most half the kernel size (default 0). */
  padding?: One;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count the padding zeros in the average's divisor (default true). */
  countIncludePad?: boolean;
}

const MAX_POOL_OPTIONS = optionKeys<MaxPool2dOptions>({
  stride: true,
  padding: true,
  dilation: true,
  ceilMode: 'boolean',
});
const AVG_POOL_OPTIONS = optionKeys<AvgPool2dOptions>({
  stride: true,
  padding: true,
  ceilMode: 'boolean',
  countIncludePad: 'boolean',
});

interface PoolPlan {
  op: PoolOpCode;
  shape: PoolShape;
  outShape: number[];
  /** Filled by the forward of the max ops: Int32Array-backed indices, shaped like the output. */
  indices?: Tensor;
}

const poolOps = new Map<PoolOpCode, (x: Tensor, plan: PoolPlan) => Tensor>();
for (const [op, name] of [
  [PoolOp.max, 'maxPool2d'],
  [PoolOp.avg, 'avgPool2d'],
  [PoolOp.adaptiveAvg, 'adaptiveAvgPool2d'],
  [PoolOp.adaptiveMax, 'adaptiveMaxPool2d'],
] as const) {
  type PoolContext = OpContext<{
    plan: PoolPlan;
    idx: Int32Array | null;
    inShape: Shape;
    x: Tensor | null;
    dtype: FloatDType;
  }>;
  // J·t: average pools are linear, the same pool of the tangent; max pools pass on the tangent
  // at each window's maximum (the index within its plane).
  const poolJvp = (plan: PoolPlan, idx: Int32Array | null, t: Tensor): Tensor => {
    if (!idx) return poolOps.get(op)!(t, { ...plan, indices: undefined });
    const { planes, h, w, oh, ow } = plan.shape;
    const index = new Tensor(new Storage(idx), [planes, oh * ow]);
    return reshape(gather(reshape(t, [planes, h * w]), 1, index), plan.outShape);
  };
  // The pool's backward as an op of its own: linear in the gradient, its derivative is the
  // pool's JVP (the adjoint of the adjoint), so under createGraph the pool's gradient is
  // recorded. A max pool's routing is piecewise constant in its input x: x (given for the max
  // ops) gets a zero derivative, as in PyTorch, so what is reached only through it gets zeros.
  const backwardOp: (grad: Tensor, plan: PoolPlan, idx: Int32Array | null, inShape: Shape, x: Tensor | null) => Tensor =
    defineOp({
      name: `${name}Backward`,
      dtypes: FLOATING_DTYPES,
      forward(ctx: PoolContext, grad: Tensor, plan: PoolPlan, idx: Int32Array | null, inShape: Shape) {
        ctx.plan = plan;
        ctx.idx = idx;
        ctx.inShape = inShape;
        ctx.dtype = grad.dtype as FloatDType;
        const dx = uninitOf(ctx.dtype, inShape); // overwritten
        if (dx.numel() > 0) native.pool2dBackward(op, plan.shape, floatElements(grad), idx, floatElements(dx));
        return dx;
      },
      backward: (ctx, gg) => [
        poolJvp(ctx.plan, ctx.idx, gg),
        ctx.needsInputGrad[1] ? zeros(ctx.inShape, { dtype: ctx.dtype }) : null,
      ],
      jvp: (ctx, t) =>
        t ? backwardOp(t, ctx.plan, ctx.idx, ctx.inShape, null) : zeros(ctx.inShape, { dtype: ctx.dtype }),
    });
  poolOps.set(
    op,
    defineOp({
      name,
      dtypes: FLOATING_DTYPES,
      forward(ctx: PoolContext, x: Tensor, plan: PoolPlan) {
        const xc = contiguousOf(x);
        const y = uninitOf(x.dtype as FloatDType, plan.outShape); // the kernels write every element
        const isMax = op === PoolOp.max || op === PoolOp.adaptiveMax;
        const idx = isMax ? new Int32Array(y.numel()) : null;
        // An empty batch has nothing to pool (the kernel would still lay out every window).
        if (y.numel() > 0) native.pool2d(op, plan.shape, floatElements(xc), floatElements(y), idx);
        if (idx) plan.indices = new Tensor(new Storage(idx), plan.outShape);
        ctx.plan = plan;
        ctx.idx = idx;
        ctx.inShape = x.shape;
        // Kept as PyTorch keeps it, for the zero derivative of the routing.
        ctx.x = isMax ? x : null;
        return y;
      },
      // The kernel through backwardOp: recorded only under createGraph (or in a dual level, when
      // grad carries a tangent), so the gradient then has a derivative of its own.
      backward: (ctx, grad) => [backwardOp(grad, ctx.plan, ctx.idx, ctx.inShape, ctx.x)],
      jvp: (ctx, t) => poolJvp(ctx.plan, ctx.idx, t!),
    }),
  );
  // Its gradient is fresh: backwardOp's new buffer (a graph of it only under createGraph).
  returnsFreshGrads(poolOps.get(op)!);
}

function checkInput(op: string, x: unknown, dims: 1 | 2): asserts x is Tensor {
  if (!(x instanceof Tensor))
    throw new TypeError(`${op}: input must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  refuseStorageOnly(op, x);
  if (!isFloatingDType(x.dtype)) throw new TypeError(`${op}: expected a float32 or float64 tensor, got ${x.dtype}`);
  const [lo, hi] = dims === 2 ? [3, 4] : [2, 3];
  if (x.ndim < lo || x.ndim > hi) {
    const layout = dims === 2 ? '[N, C, H, W] or [C, H, W]' : '[N, C, L] or [C, L]';
    throw new RangeError(`${op}: expected a ${lo}-D or ${hi}-D input ${layout}, got shape ${formatShape(x.shape)}`);
  }
  for (let d = x.ndim - dims; d < x.ndim; d++) {
    if (x.shape[d] === 0) throw new RangeError(`${op}: input ${formatShape(x.shape)} has an empty spatial dim`);
  }
}

function ints(
  op: string,
  name: string,
  v: Pair | One | null | undefined,
  n: 1 | 2,
  dflt: readonly number[],
  min: number,
): number[] {
  if (v === undefined || v === null) return [...dflt];
  const a = typeof v === 'number' ? new Array<number>(n).fill(v) : Array.isArray(v) ? [...(v as number[])] : null;
  if (!a || a.length !== n || !a.every((e) => Number.isInteger(e) && e >= min)) {
    throw new RangeError(
      `${op}: ${name} must be an integer >= ${min} or ${n === 2 ? 'a pair' : 'a 1-tuple'} of them, got ${show(v)}`,
    );
  }
  return a;
}

/** PyTorch's pooling_output_shape. */
function outSize(inp: number, k: number, p: number, s: number, d: number, ceil: boolean): number {
  let o = Math.floor((inp + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= inp + p) o--;
  return o;
}

interface WindowOptions {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  ceilMode: boolean;
}

/** The plan of a windowed pool over the last two dims of x (h = 1 for 1-D). */
function windowPlan(
  op: string,
  code: PoolOpCode,
  x: Tensor,
  dims: 1 | 2,
  o: WindowOptions,
  countIncludePad: boolean,
): PoolPlan {
  const h = dims === 2 ? x.shape[x.ndim - 2] : 1;
  const w = x.shape[x.ndim - 1];
  const pad2 = dims === 2 ? o.padding : [0, o.padding[0]];
  const k2 = dims === 2 ? o.kernel : [1, o.kernel[0]];
  const s2 = dims === 2 ? o.stride : [1, o.stride[0]];
  const d2 = dims === 2 ? o.dilation : [1, o.dilation[0]];
  for (let i = 0; i < 2; i++) {
    if (pad2[i] > k2[i] / 2) {
      throw new RangeError(
        `${op}: padding ${formatShape(o.padding)} should be at most half of kernel size ${formatShape(o.kernel)}`,
      );
    }
  }
  const oh = outSize(h, k2[0], pad2[0], s2[0], d2[0], o.ceilMode);
  const ow = outSize(w, k2[1], pad2[1], s2[1], d2[1], o.ceilMode);
  if (oh < 1 || ow < 1) {
    throw new RangeError(
      `${op}: input ${formatShape(x.shape)} is too small for kernel ${formatShape(o.kernel)} (dilation ${formatShape(o.dilation)}, padding ${formatShape(o.padding)}): output size ${dims === 2 ? `${oh}x` : ''}${ow} is zero`,
    );
  }
  const lead = x.shape.slice(0, x.ndim - dims);
  const planes = lead.reduce((a, b) => a * b, 1);
  return {
    op: code,
    shape: {
      planes,
      h,
      w,
      oh,
      ow,
      kh: k2[0],
      kw: k2[1],
      strideH: s2[0],
      strideW: s2[1],
      padH: pad2[0],
      padW: pad2[1],
      dilationH: d2[0],
      dilationW: d2[1],
      countIncludePad,
    },
    outShape: dims === 2 ? [...lead, oh, ow] : [...lead, ow],
  };
}

function runPool(plan: PoolPlan, x: Tensor, returnIndices: boolean): Tensor | [Tensor, Tensor] {
  if (!returnIndices) return poolOps.get(plan.op)!(x, plan);
  // Values and indices: one op of a traced forward (onnx.export), named for the pool.
  const name = plan.op === PoolOp.max ? 'maxPool2dWithIndices' : 'adaptiveMaxPool2dWithIndices';
  return recorded(name, [x, plan], () => {
    const y = poolOps.get(plan.op)!(x, plan);
    return [y, plan.indices!] as [Tensor, Tensor];
  });
}

function maxPool(
  op: string,
  dims: 1 | 2,
  x: Tensor,
  kernel: Pair | One,
  o: MaxPool2dOptions | MaxPool1dOptions,
  returnIndices: boolean,
) {
  checkInput(op, x, dims);
  checkOptions(op, o as MaxPool2dOptions, MAX_POOL_OPTIONS);
  const k = ints(op, 'kernelSize', kernel, dims, [], 1);
  const plan = windowPlan(
    op,
    PoolOp.max,
    x,
    dims,
    {
      kernel: k,
      stride: ints(op, 'stride', o.stride, dims, k, 1),
      padding: ints(op, 'padding', o.padding, dims, new Array<number>(dims).fill(0), 0),
      dilation: ints(op, 'dilation', o.dilation, dims, new Array<number>(dims).fill(1), 1),
      ceilMode: o.ceilMode ?? false,
    },
    false,
  );
  return runPool(plan, x, returnIndices);
}

/** torch.nn.functional.max_pool2d; indices (int32, flat h * W + w per plane) with maxPool2dWithIndices. */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor {
  return maxPool('maxPool2d', 2, x, kernelSize, options, false) as Tensor;
}
/**
 * maxPool2d with the indices of the maxima (`max_pool2d(return_indices=True)`): [values, indices],
 * indices int32, flat h * W + w per plane.
 */
export function maxPool2dWithIndices(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): [Tensor, Tensor] {
  return maxPool('maxPool2dWithIndices', 2, x, kernelSize, options, true) as [Tensor, Tensor];
}
/** torch.nn.functional.max_pool1d. */
export function maxPool1d(x: Tensor, kernelSize: One, options: MaxPool1dOptions = {}): Tensor {
  return maxPool('maxPool1d', 1, x, kernelSize, options, false) as Tensor;
}
/** maxPool1d with the int32 indices of the maxima (`max_pool1d(return_indices=True)`): [values, indices]. */
export function maxPool1dWithIndices(x: Tensor, kernelSize: One, options: MaxPool1dOptions = {}): [Tensor, Tensor] {
  return maxPool('maxPool1dWithIndices', 1, x, kernelSize, options, true) as [Tensor, Tensor];
}

function avgPool(
  op: string,
  dims: 1 | 2,
  x: Tensor,
  kernel: Pair | One,
  o: AvgPool2dOptions | AvgPool1dOptions,
): Tensor {
  checkInput(op, x, dims);
  checkOptions(op, o as AvgPool2dOptions, AVG_POOL_OPTIONS);
  const k = ints(op, 'kernelSize', kernel, dims, [], 1);
  const plan = windowPlan(
    op,
    PoolOp.avg,
    x,
    dims,
    {
      kernel: k,
      stride: ints(op, 'stride', o.stride, dims, k, 1),
      padding: ints(op, 'padding', o.padding, dims, new Array<number>(dims).fill(0), 0),
      dilation: new Array<number>(dims).fill(1),
      ceilMode: o.ceilMode ?? false,
    },
    o.countIncludePad ?? true,
  );
  return runPool(plan, x, false) as Tensor;
}

/** torch.nn.functional.avg_pool2d (countIncludePad defaults to true, as in PyTorch). */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  return avgPool('avgPool2d', 2, x, kernelSize, options);
}
/** torch.nn.functional.avg_pool1d. */
export function avgPool1d(x: Tensor, kernelSize: One, options: AvgPool1dOptions = {}): Tensor {
  return avgPool('avgPool1d', 1, x, kernelSize, options);
}

/** An adaptive output size: a number, or a pair whose null entries keep the input's size. */
export type AdaptiveSize = number | readonly [number | null, number | null];

function adaptivePlan(
  op: string,
  code: PoolOpCode,
  x: Tensor,
  dims: 1 | 2,
  size: AdaptiveSize | readonly [number],
): PoolPlan {
  checkInput(op, x, dims);
  const h = dims === 2 ? x.shape[x.ndim - 2] : 1;
  const w = x.shape[x.ndim - 1];
  const raw: (number | null)[] =
    typeof size === 'number' ? new Array<number>(dims).fill(size) : Array.isArray(size) ? [...size] : [];
  if (raw.length !== dims)
    throw new RangeError(
      `${op}: outputSize must be a number or ${dims === 2 ? 'a pair' : 'a 1-tuple'}, got ${show(size)}`,
    );
  const keep = dims === 2 ? [h, w] : [w];
  const out = raw.map((v, i) => (v === null ? keep[i] : v));
  if (!out.every((v) => Number.isInteger(v) && v >= 1))
    throw new RangeError(`${op}: outputSize must hold positive integers, got ${show(size)}`);
  const [oh, ow] = dims === 2 ? out : [1, out[0]];
  const lead = x.shape.slice(0, x.ndim - dims);
  const outShape = [...lead, ...(dims === 2 ? [oh, ow] : [ow])];
  // The output (and max pooling's int32 indices beside it) before anything is allocated.
  checkAllocation(op, outShape, code === PoolOp.adaptiveMax ? 8 : 4);
  return {
    op: code,
    shape: {
      planes: lead.reduce((a, b) => a * b, 1),
      h,
      w,
      oh,
      ow,
      kh: 1,
      kw: 1,
      strideH: 1,
      strideW: 1,
      padH: 0,
      padW: 0,
      dilationH: 1,
      dilationW: 1,
      countIncludePad: false,
    },
    outShape,
  };
}

/** torch.nn.functional.adaptive_avg_pool2d. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return runPool(adaptivePlan('adaptiveAvgPool2d', PoolOp.adaptiveAvg, x, 2, outputSize), x, false) as Tensor;
}
/** torch.nn.functional.adaptive_max_pool2d. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return runPool(adaptivePlan('adaptiveMaxPool2d', PoolOp.adaptiveMax, x, 2, outputSize), x, false) as Tensor;
}
/**
 * adaptiveMaxPool2d with the int32 indices of the maxima (`adaptive_max_pool2d(return_indices=True)`):
 * [values, indices].
 */
export function adaptiveMaxPool2dWithIndices(x: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  return runPool(adaptivePlan('adaptiveMaxPool2d', PoolOp.adaptiveMax, x, 2, outputSize), x, true) as [Tensor, Tensor];
}
/** torch.nn.functional.adaptive_avg_pool1d. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: One): Tensor {
  return runPool(
    adaptivePlan(
      'adaptiveAvgPool1d',
      PoolOp.adaptiveAvg,
      x,
      1,
      typeof outputSize === 'number' ? [outputSize] : outputSize,
    ),
    x,
    false,
  ) as Tensor;
}
/** torch.nn.functional.adaptive_max_pool1d. */
export function adaptiveMaxPool1d(x: Tensor, outputSize: One): Tensor {
  return runPool(
    adaptivePlan(
      'adaptiveMaxPool1d',
      PoolOp.adaptiveMax,
      x,
      1,
      typeof outputSize === 'number' ? [outputSize] : outputSize,
    ),
    x,
    false,
  ) as Tensor;
}
