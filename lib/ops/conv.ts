// Convolutions through the native im2col + GEMM kernels: conv1d, conv2d, convTranspose1d/2d, in
// float32 or float64 (the double kernels: im2col and the dgemm; every operand of one dtype).
// The transposed convolution is the convolution's grad-input (forward) and forward (grad-input).
// 1-D ops are the 2-D ones with height 1; unbatched inputs get a batch dim of 1.
// Under autocast, conv1d/conv2d on float32 operands carry bf16 in their shape: the products run
// through the bf16 GEMM (im2col, or Winograd on planes of many tiles: native.ts ConvShape.bf16)
// and every result is rounded to bf16, as PyTorch's autocast gives them (their recorded
// gradients, transposed convolutions among them, inherit it).
import { widenedForFloat32List } from '../lowp/autocast_state.js';
import { checkOptions, optionKeys, show, refuseBfloat16, refuseStorageOnly } from '../errors.js';
import { FLOATING_DTYPES, type FloatDType, isFloatingDType } from '../dtype.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { BinaryOp, type ConvShape, native, type Window2d, ReduceOp } from '../native.js';
import { contiguousOf, emptyFloat, type FloatArray, floatElements, uninitOf } from '../raw/elementwise.js';
import { roundTensorToBf16 } from '../raw/round_bf16.js';
import { autocastsTo, roundedCopy } from '../lowp/autocast_ops.js';
import { formatShape, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { reshape, squeeze, unsqueeze } from './view.js';
import { broadcastSum } from './binary.js';
import { sum } from './reduce.js';
import { hasTangent, isForwardADActive } from '../autograd/dual_state.js';
import { isGradEnabled } from '../autograd/grad_mode.js';

export type Pair = number | readonly [number, number];
export type Padding2d = Pair | 'same' | 'valid';

/** The options of conv2d and nn.Conv2d (PyTorch's keyword arguments). */
export interface Conv2dOptions {
  /** The step of the kernel over the input (default 1). */
  stride?: Pair;
  /** Zeros added on both sides of each spatial dim (default 0); 'same' keeps the size (stride 1), 'valid' is 0. */
  padding?: Padding2d;
  /** The spacing between kernel elements (default 1). */
  dilation?: Pair;
  /** Channel groups convolved separately; in and out channels divide by it (default 1). */
  groups?: number;
}
/** The options of conv1d and nn.Conv1d (PyTorch's keyword arguments). */
export interface Conv1dOptions {
  /** The step of the kernel over the input (default 1). */
  stride?: number | readonly [number];
  /** Zeros added on both sides of each spatial dim (default 0); 'same' keeps the size (stride 1), 'valid' is 0. */
  padding?: number | readonly [number] | 'same' | 'valid';
  /** The spacing between kernel elements (default 1). */
  dilation?: number | readonly [number];
  /** Channel groups convolved separately; in and out channels divide by it (default 1). */
  groups?: number;
}
/** The options of convTranspose2d and nn.ConvTranspose2d (PyTorch's keyword arguments). */
export interface ConvTranspose2dOptions {
  /** The step of the kernel over the input (default 1). */
  stride?: Pair;
  /** dilation * (kernelSize - 1) - padding zeros on both sides of the input (default 0). */
  padding?: Pair;
  /** Size added to one side of each output dim, below stride or dilation (default 0). */
  outputPadding?: Pair;
  /** Channel groups convolved separately; in and out channels divide by it (default 1). */
  groups?: number;
  /** The spacing between kernel elements (default 1). */
  dilation?: Pair;
}
/** The options of convTranspose1d and nn.ConvTranspose1d (PyTorch's keyword arguments). */
export interface ConvTranspose1dOptions {
  /** The step of the kernel over the input (default 1). */
  stride?: number | readonly [number];
  /** dilation * (kernelSize - 1) - padding zeros on both sides of the input (default 0). */
  padding?: number | readonly [number];
  /** Size added to one side of each output dim, below stride or dilation (default 0). */
  outputPadding?: number | readonly [number];
  /** Channel groups convolved separately; in and out channels divide by it (default 1). */
  groups?: number;
  /** The spacing between kernel elements (default 1). */
  dilation?: number | readonly [number];
}

const CONV_OPTIONS = optionKeys<Conv2dOptions>({ stride: true, padding: true, dilation: true, groups: 'integer' });
const CONV_TRANSPOSE_OPTIONS = optionKeys<ConvTranspose2dOptions>({
  stride: true,
  padding: true,
  outputPadding: true,
  groups: 'integer',
  dilation: true,
});

/** Saved in place of a tensor the backward will not read. */
const EMPTY = emptyFloat([0]);

// Results the kernels overwrite in full (y, dx, dw, db; an empty batch or plane is still
// written: zeros) come from uninitOf: no zero-fill pass over a fresh buffer.

/** A whole contiguous copy's data in t's dtype (zero copy when t is already contiguous). */
function data(t: Tensor): FloatArray {
  return floatElements(t);
}

function sumBias(g: Tensor, oc: number): Tensor {
  const gc = contiguousOf(g);
  const db = uninitOf(gc.dtype as FloatDType, [oc]); // the reduction writes every entry
  const [n, , h, w] = gc.shape;
  native.reduce(
    ReduceOp.sum,
    [n, oc, h * w],
    gc.storage.data as FloatArray,
    gc.offset,
    [oc * h * w, h * w, 1],
    [0, 2],
    db.storage.data as FloatArray,
  );
  return db;
}

/** A float32 tensor's values rounded to bf16, as a new contiguous tensor (autocast's operands). */
function rounded(t: Tensor): Tensor {
  return new Tensor(new Storage(roundedCopy(t)), t.shape);
}

/** What both convolutions' backwards read besides the saved input and weight. */
type ConvContext = OpContext<{
  xShape: Shape;
  wShape: Shape;
  shape: ConvShape;
  hasBias: boolean;
  /** The input and weight themselves (with their graphs), for the JVP and a recorded backward. */
  primals: [Tensor, Tensor];
}>;

/**
 * Whether a backward must record its gradients: createGraph (grad mode is on inside the
 * backward), or a backward in a dual level whose operands carry tangents. Then the gradients
 * are the convolutions as recorded ops, so they have derivatives of their own; otherwise the
 * kernels run directly (the weight's and the bias's gradients in one pass).
 */
function recordsBackward(ctx: ConvContext, grad: Tensor): boolean {
  return isGradEnabled() || hasTangent(grad, ...ctx.primals);
}

type ConvOp = (x: Tensor, w: Tensor, bias: Tensor | null, shape: ConvShape) => Tensor;

/** Bilinear in (x, w), affine in the bias: d conv = conv(tx, w) + conv(x, tw) + tb. */
function convJvp(op: ConvOp, ctx: ConvContext, tx: Tensor | null, tw: Tensor | null, tb: Tensor | null): Tensor {
  const [x, w] = ctx.primals;
  const terms = [tx && op(tx, w, null, ctx.shape), tw && op(x, tw, null, ctx.shape)];
  const s = ctx.shape;
  const shape = op === conv2dOp ? [s.n, s.oc, s.oh, s.ow] : [s.n, s.c, s.h, s.w];
  return broadcastSum(shape, ...terms, tb && reshape(tb, [1, tb.shape[0], 1, 1]));
}

/**
 * The input and weight as the backward and the JVP need them: both for the JVP (in a dual
 * level); else as the kernels' path saves them, x only for the weight's gradient and w only for
 * the input's, so a recorded backward holds on to no more than the kernels do.
 */
function keptPrimals(x: Tensor, w: Tensor, needX: boolean, needW: boolean): [Tensor, Tensor] {
  if (isForwardADActive()) return [x, w];
  return [needW ? x : EMPTY, needX ? w : EMPTY];
}

/** What sets conv2d and convTranspose2d apart; defineConv builds the rest of each op. */
interface ConvSpec {
  name: string;
  /** The output from contiguous x and w, with the bias added. */
  forward(shape: ConvShape, xc: Tensor, wc: Tensor, bias: Tensor | null): Tensor;
  /**
   * Under autocast: whether kernelGrads reads the gradient only through kernels that round it to
   * bf16 as they read it (the native dy); else it is given a rounded copy.
   */
  roundsGrad(need: { x: boolean; w: boolean; bias: boolean }): boolean;
  /** The gradients by the kernels directly, when no graph is recorded. */
  kernelGrads(
    ctx: ConvContext,
    grad: Tensor,
    xc: Tensor,
    wc: Tensor,
    need: { x: boolean; w: boolean; bias: boolean },
  ): (Tensor | null)[];
  /** The recorded gradients of x (through the other op) and w (through convWeightOp). */
  inputGrad(grad: Tensor, w: Tensor, shape: ConvShape): Tensor;
  weightGrad(x: Tensor, grad: Tensor, shape: ConvShape): Tensor;
}

/** A convolution op: the context and the backward's preamble shared, the kernels from spec. */
function defineConv(spec: ConvSpec): ConvOp {
  const op: ConvOp = defineOp({
    name: spec.name,
    dtypes: FLOATING_DTYPES,
    forward(ctx: ConvContext, x: Tensor, w: Tensor, bias: Tensor | null, shape: ConvShape) {
      const xc = contiguousOf(x);
      const wc = contiguousOf(w);
      // bf16: x and w are rounded as the GEMM reads them; the bias is rounded here, the sum after.
      const y = spec.forward(shape, xc, wc, bias && shape.bf16 ? rounded(bias) : bias);
      if (shape.bf16) roundTensorToBf16(y);
      // x is needed only for the weight's gradient, w only for the input's.
      const [needX, needW] = ctx.needsInputGrad;
      ctx.save(needW ? xc : EMPTY, needX ? wc : EMPTY);
      ctx.xShape = xc.shape;
      ctx.wShape = wc.shape;
      ctx.shape = shape;
      ctx.hasBias = bias !== null;
      ctx.primals = keptPrimals(x, w, needX, needW);
      return y;
    },
    backward(ctx, grad) {
      const shape = ctx.shape;
      const [needX, needW, needB] = ctx.needsInputGrad;
      const wantBias = ctx.hasBias && needB;
      if (recordsBackward(ctx, grad)) {
        const [x, w] = ctx.primals;
        return [
          needX ? spec.inputGrad(grad, w, shape) : null,
          needW ? spec.weightGrad(x, grad, shape) : null,
          wantBias ? sum(grad, [0, 2, 3]) : null,
        ];
      }
      const [xc, wc] = ctx.saved;
      const need = { x: needX, w: needW, bias: wantBias };
      if (!shape.bf16) return spec.kernelGrads(ctx, grad, xc, wc, need);
      // The gradient reaches the bf16 products as bf16 (the bias's sum reads it too), and each
      // result is rounded to bf16, as PyTorch's autocast backward gives them. The kernels that
      // read it as dy round it themselves (no rounded copy to allocate).
      const g = spec.roundsGrad(need) ? grad : rounded(grad);
      return spec.kernelGrads(ctx, g, xc, wc, need).map(roundTensorToBf16);
    },
    jvp: (ctx, tx, tw, tb) => convJvp(op, ctx, tx, tw, tb),
  });
  return op;
}

const conv2dOp: ConvOp = defineConv({
  name: 'conv2d',
  forward(shape, xc, wc, bias) {
    const y = uninitOf(xc.dtype as FloatDType, [shape.n, shape.oc, shape.oh, shape.ow]);
    native.conv2d(shape, floatElements(xc), floatElements(wc), bias ? data(bias) : null, floatElements(y));
    return y;
  },
  // The gradient is dy of both native gradients; the bias's sum alone (no weight gradient) is
  // TypeScript's reduce.
  roundsGrad: (need) => need.w || !need.bias,
  kernelGrads(ctx, grad, xc, wc, need) {
    const shape = ctx.shape;
    const g = data(grad);
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (need.x) {
      dx = uninitOf(grad.dtype as FloatDType, ctx.xShape);
      native.conv2dBackwardInput(shape, g, floatElements(wc), floatElements(dx));
    }
    if (need.w) {
      dw = uninitOf(grad.dtype as FloatDType, ctx.wShape);
      db = need.bias ? uninitOf(grad.dtype as FloatDType, [shape.oc]) : null;
      native.conv2dBackwardWeight(shape, floatElements(xc), g, floatElements(dw), db ? floatElements(db) : null);
    } else if (need.bias) {
      db = sumBias(grad, shape.oc);
    }
    return [dx, dw, db];
  },
  inputGrad: (grad, w, shape) => convTranspose2dOp(grad, w, null, shape),
  weightGrad: (x, grad, shape) => convWeightOp(x, grad, shape),
});

// shape describes the convolution whose grad-input this is: its input is our output, so in the
// recorded gradients its input is grad and its output-grad x.
const convTranspose2dOp: ConvOp = defineConv({
  name: 'convTranspose2d',
  forward(shape, xc, wc, bias) {
    const y = uninitOf(xc.dtype as FloatDType, [shape.n, shape.c, shape.h, shape.w]);
    native.conv2dBackwardInput(shape, floatElements(xc), floatElements(wc), floatElements(y));
    if (bias) {
      const b = contiguousOf(bias);
      const yd = y.storage.data as FloatArray;
      native.binary(BinaryOp.add, y.shape, yd, 0, y.strides, yd, 0, y.strides, b.storage.data as FloatArray, b.offset, [
        0,
        b.strides[0],
        0,
        0,
      ]);
    }
    return y;
  },
  // The gradient is the x of a forward (Winograd's transforms read it unrounded) and a bias sum.
  roundsGrad: () => false,
  kernelGrads(ctx, grad, xc, wc, need) {
    const shape = ctx.shape;
    const g = data(grad);
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    if (need.x) {
      dx = uninitOf(grad.dtype as FloatDType, ctx.xShape);
      native.conv2d(shape, g, floatElements(wc), null, floatElements(dx));
    }
    if (need.w) {
      dw = uninitOf(grad.dtype as FloatDType, ctx.wShape);
      native.conv2dBackwardWeight(shape, g, floatElements(xc), floatElements(dw), null);
    }
    const db = need.bias ? sumBias(grad, shape.c) : null;
    return [dx, dw, db];
  },
  inputGrad: (grad, w, shape) => conv2dOp(grad, w, null, shape),
  weightGrad: (x, grad, shape) => convWeightOp(grad, x, shape),
});

/**
 * The convolution's weight gradient as an op of its own: dw = W(x, g), with x the input of
 * `shape`'s convolution and g the gradient of its output. It is bilinear, and its derivatives
 * are the two convolutions (as theirs are it and each other), so recorded backwards through
 * conv2d and convTranspose2d can be differentiated any number of times.
 */
const convWeightOp: (x: Tensor, g: Tensor, shape: ConvShape) => Tensor = defineOp({
  name: 'convWeightGrad',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext<{ shape: ConvShape }>, x: Tensor, g: Tensor, shape: ConvShape) {
    const dw = uninitOf(x.dtype as FloatDType, [shape.oc, shape.c / shape.groups, shape.kh, shape.kw]);
    native.conv2dBackwardWeight(shape, data(x), data(g), floatElements(dw), null);
    ctx.save(x, g);
    ctx.shape = shape;
    return shape.bf16 ? roundTensorToBf16(dw)! : dw;
  },
  backward(ctx, gw) {
    const [x, g] = ctx.saved;
    const [needX, needG] = ctx.needsInputGrad;
    return [needX ? convTranspose2dOp(g, gw, null, ctx.shape) : null, needG ? conv2dOp(x, gw, null, ctx.shape) : null];
  },
  jvp(ctx, tx, tg) {
    const [x, g] = ctx.saved;
    const shape = ctx.shape;
    const wShape = [shape.oc, shape.c / shape.groups, shape.kh, shape.kw];
    return broadcastSum(wShape, tx && convWeightOp(tx, g, shape), tg && convWeightOp(x, tg, shape));
  },
});

function pair(
  op: string,
  name: string,
  v: Pair | readonly [number] | undefined,
  dflt: number,
  min: number,
): [number, number] {
  const p: readonly number[] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) && typeof v !== 'number')
    throw new TypeError(`${op}: ${name} must be a number or a pair of numbers, got ${String(v)}`);
  if (p.length !== 2 || !p.every((e) => Number.isInteger(e) && e >= min)) {
    throw new RangeError(
      `${op}: ${name} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer or a pair of them, got ${show(v)}`,
    );
  }
  return [p[0], p[1]];
}

/** A 1-d option as the 2-d one: height entry `h`, width entry the option. */
function widen(
  v: number | readonly [number] | 'same' | 'valid' | undefined,
  h: number,
): Pair | 'same' | 'valid' | undefined {
  if (v === undefined || v === 'same' || v === 'valid') return v;
  if (typeof v === 'number') return [h, v];
  if (Array.isArray(v) && v.length === 1) return [h, v[0]];
  return v as unknown as Pair;
}

/** A shape or size as the user wrote it: the 1-d ops run as 2-d ones with a height of 1, dropped here. */
function shapeFor(op: string, s: readonly number[]): string {
  return formatShape(op.endsWith('1d') && s.length >= 2 ? s.filter((_, i) => i !== s.length - 2) : s);
}
function sizeFor(op: string, h: number, w: number): string {
  return op.endsWith('1d') ? `${w}` : `${h}x${w}`;
}

function checkTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor))
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  refuseStorageOnly(op, t);
  if (!isFloatingDType(t.dtype)) throw new TypeError(`${op}: expected a float32 or float64 ${name}, got ${t.dtype}`);
}

/** The operands share one floating dtype (as torch, which does not promote a convolution's). */
function checkSameDtype(op: string, x: Tensor, weight: Tensor, bias: Tensor | null): void {
  if (weight.dtype !== x.dtype || (bias && bias.dtype !== x.dtype)) {
    throw new TypeError(
      `${op}: input (${x.dtype}), weight (${weight.dtype})${bias ? ` and bias (${bias.dtype})` : ''} must have the same dtype`,
    );
  }
}

function checkGroups(op: string, groups: number | undefined): number {
  const g = groups ?? 1;
  if (!Number.isInteger(g) || g < 1)
    throw new RangeError(`${op}: groups must be a positive integer, got ${String(groups)}`);
  return g;
}

function checkBias(op: string, bias: Tensor | null | undefined, channels: number): Tensor | null {
  if (bias === undefined || bias === null) return null;
  checkTensor(op, 'bias', bias);
  if (bias.ndim !== 1 || bias.shape[0] !== channels) {
    throw new RangeError(
      `${op}: bias of shape ${formatShape(bias.shape)} does not match the ${channels} output channels`,
    );
  }
  return bias;
}

/** Runs f on a batched 4-D x; a 3-D (unbatched) x gets a batch dim of 1 and loses it again. */
function batched(op: string, x: Tensor, expected: string, f: (x4: Tensor) => Tensor): Tensor {
  if (x.ndim === 4) return f(x);
  if (x.ndim === 3) return squeeze(f(unsqueeze(x, 0)), 0);
  throw new RangeError(
    `${op}: expected a 3-D (unbatched) or 4-D (batched) input ${expected}, got shape ${formatShape(x.shape)}`,
  );
}

/** x and weight are tensors, and weight is `ndim`-D, laid out as `weightLayout`. */
function checkOperands(op: string, x: Tensor, weight: Tensor, ndim: number, weightLayout: string): void {
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', weight);
  if (weight.ndim !== ndim)
    throw new RangeError(`${op}: weight must be ${ndim}-D ${weightLayout}, got shape ${formatShape(weight.shape)}`);
}

/** The window fields of a ConvShape: a kh x kw kernel's stride, padding and dilation pairs. */
function window2d(
  kh: number,
  kw: number,
  stride: readonly [number, number],
  padding: readonly [number, number],
  dilation: readonly [number, number],
): Window2d {
  return {
    kh,
    kw,
    strideH: stride[0],
    strideW: stride[1],
    padH: padding[0],
    padW: padding[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
  };
}

function conv2dImpl(op: string, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, o: Conv2dOptions): Tensor {
  checkOperands(op, x, weight, 4, '[out_channels, in_channels / groups, kH, kW]');
  const groups = checkGroups(op, o.groups);
  const stride = pair(op, 'stride', o.stride, 1, 1);
  const dilation = pair(op, 'dilation', o.dilation, 1, 1);
  const [oc, cg, kh, kw] = weight.shape;
  const b = checkBias(op, bias, oc);
  checkSameDtype(op, x, weight, b);
  if (oc % groups !== 0)
    throw new RangeError(
      `${op}: out_channels ${oc} (weight ${shapeFor(op, weight.shape)}) is not divisible by groups ${groups}`,
    );
  const ekh = dilation[0] * (kh - 1) + 1;
  const ekw = dilation[1] * (kw - 1) + 1;
  let padding: [number, number];
  let same = false;
  if (o.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1)
      throw new RangeError(
        `${op}: padding='same' is not supported for strided convolutions (stride ${formatShape(stride)})`,
      );
    same = true;
    padding = [Math.floor((ekh - 1) / 2), Math.floor((ekw - 1) / 2)];
  } else if (o.padding === 'valid') {
    padding = [0, 0];
  } else {
    padding = pair(op, 'padding', o.padding, 0, 0);
  }
  return batched(op, x, '[N, C, H, W]', (x4) => {
    const [n, c, h, w] = x4.shape;
    if (c !== cg * groups) {
      throw new RangeError(
        `${op}: input ${shapeFor(op, x4.shape)} has ${c} channels, but weight ${shapeFor(op, weight.shape)} with groups ${groups} expects ${cg * groups}`,
      );
    }
    if (c % groups !== 0) throw new RangeError(`${op}: in_channels ${c} is not divisible by groups ${groups}`);
    const ph = h + 2 * padding[0];
    const pw = w + 2 * padding[1];
    if (!same && (ph < ekh || pw < ekw)) {
      throw new RangeError(
        `${op}: kernel ${sizeFor(op, ekh, ekw)} (dilated) is larger than the padded input ${sizeFor(op, ph, pw)} (input ${shapeFor(op, x4.shape)}, padding ${shapeFor(op, padding)})`,
      );
    }
    const oh = same ? h : Math.floor((ph - ekh) / stride[0]) + 1;
    const ow = same ? w : Math.floor((pw - ekw) / stride[1]) + 1;
    if (oh <= 0 || ow <= 0)
      throw new RangeError(`${op}: output size ${sizeFor(op, oh, ow)} of input ${shapeFor(op, x4.shape)} is zero`);
    const shape: ConvShape = {
      n,
      c,
      h,
      w,
      oc,
      oh,
      ow,
      ...window2d(kh, kw, stride, padding, dilation),
      groups,
      bf16: autocastsTo(x4, weight, b),
    };
    return conv2dOp(x4, weight, b, shape);
  });
}

/** torch.nn.functional.conv2d: x [N, C, H, W] (or [C, H, W]), weight [OC, C / groups, kH, kW]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkOptions('conv2d', options, CONV_OPTIONS);
  return conv2dImpl('conv2d', x, weight, bias, options);
}

/**
 * The 1-D convolutions run as 2-D ones over a height of 1: checks the 1-D operands (weight
 * layout named as `weightLayout`), lifts x [N, C, L] (or [C, L]) and weight [., ., K] to 2-D,
 * runs `conv2d`-like `run` and drops the height again.
 */
function lift1d(
  op: string,
  x: Tensor,
  weight: Tensor,
  weightLayout: string,
  run: (x4: Tensor, w4: Tensor) => Tensor,
): Tensor {
  checkOperands(op, x, weight, 3, weightLayout);
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new RangeError(
      `${op}: expected a 2-D (unbatched) or 3-D (batched) input [N, C, L], got shape ${formatShape(x.shape)}`,
    );
  return squeeze(run(unsqueeze(x, -2), unsqueeze(weight, 2)), -2);
}

/** torch.nn.functional.conv1d: x [N, C, L] (or [C, L]), weight [OC, C / groups, K]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  checkOptions('conv1d', options, CONV_OPTIONS);
  const o2: Conv2dOptions = {
    stride: widen(options.stride, 1) as Pair | undefined,
    padding: widen(options.padding, 0),
    dilation: widen(options.dilation, 1) as Pair | undefined,
    groups: options.groups,
  };
  return lift1d('conv1d', x, weight, '[out_channels, in_channels / groups, kW]', (x4, w4) =>
    conv2dImpl('conv1d', x4, w4, bias, o2),
  );
}

function convTransposeImpl(
  op: string,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  o: ConvTranspose2dOptions,
): Tensor {
  checkOperands(op, x, weight, 4, '[in_channels, out_channels / groups, kH, kW]');
  const groups = checkGroups(op, o.groups);
  const stride = pair(op, 'stride', o.stride, 1, 1);
  const dilation = pair(op, 'dilation', o.dilation, 1, 1);
  const padding = pair(op, 'padding', o.padding, 0, 0);
  const outPad = pair(op, 'outputPadding', o.outputPadding, 0, 0);
  for (const d of [0, 1]) {
    if (outPad[d] >= stride[d] && outPad[d] >= dilation[d]) {
      throw new RangeError(
        `${op}: outputPadding ${formatShape(outPad)} must be smaller than either stride ${formatShape(stride)} or dilation ${formatShape(dilation)}`,
      );
    }
  }
  const [cin, ocg, kh, kw] = weight.shape;
  const oc = ocg * groups;
  const b = checkBias(op, bias, oc);
  checkSameDtype(op, x, weight, b);
  if (cin % groups !== 0)
    throw new RangeError(
      `${op}: in_channels ${cin} (weight ${shapeFor(op, weight.shape)}) is not divisible by groups ${groups}`,
    );
  return batched(op, x, '[N, C, H, W]', (x4) => {
    const [n, c, h, w] = x4.shape;
    if (c !== cin)
      throw new RangeError(
        `${op}: input ${shapeFor(op, x4.shape)} has ${c} channels, but weight ${shapeFor(op, weight.shape)} expects ${cin}`,
      );
    const oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + outPad[0] + 1;
    const ow = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + outPad[1] + 1;
    if (oh <= 0 || ow <= 0)
      throw new RangeError(
        `${op}: output size ${sizeFor(op, oh, ow)} of input ${shapeFor(op, x4.shape)} is zero or negative`,
      );
    const shape: ConvShape = {
      n,
      c: oc,
      h: oh,
      w: ow,
      oc: cin,
      oh: h,
      ow: w,
      ...window2d(kh, kw, stride, padding, dilation),
      groups,
      // Not under autocast: PyTorch 1.13 lists conv_transpose among its CPU float32 ops.
    };
    return convTranspose2dOp(x4, weight, b, shape);
  });
}

/** torch.nn.functional.conv_transpose2d: x [N, Cin, H, W], weight [Cin, Cout / groups, kH, kW]. */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: ConvTranspose2dOptions = {},
): Tensor {
  checkOptions('convTranspose2d', options, CONV_TRANSPOSE_OPTIONS);
  // PyTorch's autocast float32 list: bfloat16 operands are widened, the result is float32.
  const wide = widenedForFloat32List(x, weight, bias);
  if (wide) return convTranspose2d(wide[0], wide[1], wide[2], options);
  refuseBfloat16('convTranspose2d', x, weight, bias);
  return convTransposeImpl('convTranspose2d', x, weight, bias, options);
}

/** torch.nn.functional.conv_transpose1d: x [N, Cin, L], weight [Cin, Cout / groups, K]. */
export function convTranspose1d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: ConvTranspose1dOptions = {},
): Tensor {
  checkOptions('convTranspose1d', options, CONV_TRANSPOSE_OPTIONS);
  // PyTorch's autocast float32 list: bfloat16 operands are widened, the result is float32.
  const wide = widenedForFloat32List(x, weight, bias);
  if (wide) return convTranspose1d(wide[0], wide[1], wide[2], options);
  refuseBfloat16('convTranspose1d', x, weight, bias);
  const o2: ConvTranspose2dOptions = {
    stride: widen(options.stride, 1) as Pair | undefined,
    padding: widen(options.padding, 0) as Pair | undefined,
    outputPadding: widen(options.outputPadding, 0) as Pair | undefined,
    dilation: widen(options.dilation, 1) as Pair | undefined,
    groups: options.groups,
  };
  return lift1d('convTranspose1d', x, weight, '[in_channels, out_channels / groups, kW]', (x4, w4) =>
    convTransposeImpl('convTranspose1d', x4, w4, bias, o2),
  );
}
