// interpolate (torch.nn.functional.interpolate, PyTorch 1.13's CPU semantics) for [N, C, W] and
// [N, C, H, W] inputs: 'nearest', 'nearest-exact', 'linear' (3-D) and 'bilinear' (4-D).
// Each axis gets a table of (index0, index1, weight0, weight1) per output position, computed as
// torch does (float32 scales, so nearest picks the same source pixels); the forward and backward
// then go to the native resample kernel. A 3-D input is a 4-D one with height 1.
import { checkOptions, optionKeys, show } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { native } from '../native.js';
import { checkAllocation, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { type FloatArray, floatElements, uninitOf } from '../raw/elementwise.js';
import { FLOATING_DTYPES, type FloatDType, isFloatingDType } from '../dtype.js';

/** The resampling of `interpolate`: nearest (PyTorch's legacy rounding), nearest-exact, linear (3-D), bilinear (4-D). */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear';

/** The options of `interpolate` (PyTorch's keyword arguments, in camelCase): size or scaleFactor. */
export interface InterpolateOptions {
  /** Output spatial size: one number for every spatial dim, or one per dim. */
  size?: number | readonly number[];
  /** Multiplier of the spatial size (output = floor(input * scaleFactor)). */
  scaleFactor?: number | readonly number[];
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  /** Only for 'linear' / 'bilinear' (default false): the corner pixels' centres line up. */
  alignCorners?: boolean;
  /** Use the computed output size, not scaleFactor, to map output to input positions. */
  recomputeScaleFactor?: boolean;
}

export const INTERPOLATE_OPTIONS = optionKeys<InterpolateOptions>({
  size: true,
  scaleFactor: true,
  mode: 'string',
  alignCorners: 'boolean',
  recomputeScaleFactor: 'boolean',
});

const MODES: readonly string[] = ['nearest', 'nearest-exact', 'linear', 'bilinear'];

/** Throws a RangeError naming `op` unless mode is one of interpolate's modes. */
export function checkInterpolateMode(op: string, mode: unknown): asserts mode is InterpolateMode {
  if (!MODES.includes(mode as string)) {
    throw new RangeError(`${op}: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${show(mode)}`);
  }
}
const fround = Math.fround;

/** Source positions of one axis: out[o] = w0[o] * in[i0[o]] + w1[o] * in[i1[o]]. */
interface AxisTable {
  i0: Int32Array;
  i1: Int32Array;
  w0: FloatArray;
  w1: FloatArray;
}

/** torch's compute_scales_value<T>: 1 / scale when given, else in / out, each rounded by r. */
function scaleValue(inSize: number, outSize: number, scale: number | undefined, r = fround): number {
  return scale !== undefined && scale > 0 ? r(1 / scale) : r(inSize / outSize);
}

/** The rounding of the linear tables' arithmetic: float's, or none (double, for float64 input). */
const roundingOf = (dtype: FloatDType): ((v: number) => number) => (dtype === 'float64' ? (v) => v : fround);

function nearestTable(inSize: number, outSize: number, scale: number | undefined, exact: boolean): AxisTable {
  const s = scaleValue(inSize, outSize, scale);
  const i0 = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    let src: number;
    if (exact) {
      // area_pixel_compute_source_index (align_corners false, clamped at 0), then + 0.5.
      const real = Math.max(fround(s * (o + 0.5) - 0.5), 0);
      src = Math.floor(fround(real + 0.5));
    } else {
      src = Math.floor(fround(s * o));
    }
    i0[o] = Math.min(src, inSize - 1);
  }
  const w0 = new Float32Array(outSize).fill(1);
  return { i0, i1: i0, w0, w1: new Float32Array(outSize) };
}

// Nearest modes compute their sources in float for every dtype (torch's nearest_idx); linear
// ones in the input's (torch's opmath: float, or double for float64).
function linearTable(
  inSize: number,
  outSize: number,
  scale: number | undefined,
  alignCorners: boolean,
  dtype: FloatDType,
): AxisTable {
  const round = roundingOf(dtype);
  const F = dtype === 'float64' ? Float64Array : Float32Array;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w0 = new F(outSize);
  const w1 = new F(outSize);
  // area_pixel_compute_scale<T>
  const s = alignCorners
    ? outSize > 1
      ? round((inSize - 1) / (outSize - 1))
      : 0
    : scaleValue(inSize, outSize, scale, round);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) {
      i0[o] = o;
      i1[o] = o;
      w0[o] = 1;
      continue;
    }
    const real = alignCorners ? round(s * o) : Math.max(round(s * (o + 0.5) - 0.5), 0);
    const a = Math.min(Math.trunc(real), inSize - 1);
    i0[o] = a;
    i1[o] = a < inSize - 1 ? a + 1 : a;
    const l1 = Math.min(Math.max(round(real - a), 0), 1);
    w1[o] = l1;
    w0[o] = round(1 - l1);
  }
  return { i0, i1, w0, w1 };
}

/** The identity table of a size-1 height (3-D inputs). */
const UNIT_AXIS: AxisTable = {
  i0: new Int32Array(1),
  i1: new Int32Array(1),
  w0: new Float32Array([1]),
  w1: new Float32Array(1),
};

const EMPTY_AXIS: AxisTable = {
  i0: new Int32Array(0),
  i1: new Int32Array(0),
  w0: new Float32Array(0),
  w1: new Float32Array(0),
};

interface Plan {
  /** [planes, h, w, oh, ow] */
  dims: number[];
  rows: PackedAxis;
  cols: PackedAxis;
  inShape: number[];
  outShape: number[];
}

/**
 * The native kernel's form of an axis table: indices (and, for linear, weights in the data's
 * dtype) interleaved per output.
 */
interface PackedAxis {
  index: Int32Array;
  weight: FloatArray | null;
}

function packAxis(t: AxisTable, linear: boolean, dtype: FloatDType): PackedAxis {
  if (!linear) return { index: t.i0, weight: null };
  const n = t.i0.length;
  const index = new Int32Array(2 * n);
  const weight = dtype === 'float64' ? new Float64Array(2 * n) : new Float32Array(2 * n);
  for (let o = 0; o < n; o++) {
    index[2 * o] = t.i0[o];
    index[2 * o + 1] = t.i1[o];
    weight[2 * o] = t.w0[o];
    weight[2 * o + 1] = t.w1[o];
  }
  return { index, weight };
}

// The native kernel walks the tables plane by plane (threaded over planes); linear modes are
// separable: each used source row is resampled along the width once, then output rows blend two
// of those rows, in the same arithmetic order as torch's kernel.
const interpolateOp: (x: Tensor, plan: Plan) => Tensor = defineOp({
  name: 'interpolate',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext<{ plan: Plan }>, x: Tensor, plan: Plan) {
    const y = uninitOf(x.dtype as FloatDType, plan.outShape); // the kernel writes every element
    const { rows, cols } = plan;
    if (y.numel() > 0)
      native.resample2d(
        plan.dims,
        rows.index,
        rows.weight,
        cols.index,
        cols.weight,
        floatElements(x),
        floatElements(y),
      );
    ctx.plan = plan;
    return y;
  },
  // The gradient through interpolateBackwardOp: recorded only while a graph is being built.
  backward: (ctx, grad) => [interpolateBackwardOp(grad, ctx.plan)],
  // Linear in the input: the same resampling of the tangent.
  jvp: (ctx, t) => interpolateOp(t!, ctx.plan),
});

/**
 * interpolate's backward as an op of its own, linear in the gradient: its derivative is the
 * resampling itself (the adjoint of the adjoint), so under createGraph the gradient is recorded.
 */
const interpolateBackwardOp: (grad: Tensor, plan: Plan) => Tensor = defineOp({
  name: 'interpolateBackward',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext<{ plan: Plan }>, grad: Tensor, plan: Plan) {
    ctx.plan = plan;
    const dx = uninitOf(grad.dtype as FloatDType, plan.inShape); // overwritten by the kernel
    const { rows, cols } = plan;
    if (dx.numel() === 0) return dx;
    native.resample2dBackward(
      plan.dims,
      rows.index,
      rows.weight,
      cols.index,
      cols.weight,
      floatElements(grad),
      floatElements(dx),
    );
    return dx;
  },
  backward: (ctx, gg) => [interpolateOp(gg, ctx.plan)],
  jvp: (ctx, t) => interpolateBackwardOp(t!, ctx.plan),
});

function perDim(
  op: string,
  name: string,
  v: number | readonly number[],
  dims: number,
  spatial: readonly number[],
): number[] {
  if (typeof v === 'number') return new Array<number>(dims).fill(v);
  if (!Array.isArray(v)) throw new TypeError(`${op}: ${name} must be a number or an array of numbers, got ${typeof v}`);
  if (v.length !== dims) {
    throw new RangeError(
      `${op}: input and output must have the same number of spatial dims, but got input with spatial dims ${formatShape(spatial)} and ${name} ${show(v)}`,
    );
  }
  return [...(v as number[])];
}

/** torch.nn.functional.interpolate for [N, C, W] and [N, C, H, W] inputs. */
export function interpolate(input: Tensor, options: InterpolateOptions = {}): Tensor {
  const op = 'interpolate';
  if (!(input instanceof Tensor))
    throw new TypeError(`${op}: input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
  const o = checkOptions(op, options, INTERPOLATE_OPTIONS);
  if (!isFloatingDType(input.dtype))
    throw new TypeError(`${op}: expected a float32 or float64 tensor, got ${input.dtype}`);
  const dtype = input.dtype;
  const mode = o.mode ?? 'nearest';
  checkInterpolateMode(op, mode);
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new RangeError(
      `${op}: expected a 3-D [N, C, W] or 4-D [N, C, H, W] input, got shape ${formatShape(input.shape)}`,
    );
  }
  if (mode === 'linear' && input.ndim !== 3)
    throw new RangeError(
      `${op}: got a ${input.ndim}-D input ${formatShape(input.shape)}, but mode 'linear' needs a 3-D input [N, C, W]`,
    );
  if (mode === 'bilinear' && input.ndim !== 4)
    throw new RangeError(
      `${op}: got a ${input.ndim}-D input ${formatShape(input.shape)}, but mode 'bilinear' needs a 4-D input [N, C, H, W]`,
    );
  const linear = mode === 'linear' || mode === 'bilinear';
  if (o.alignCorners !== undefined && !linear) {
    throw new RangeError(
      `${op}: alignCorners can only be set with the interpolating modes 'linear' and 'bilinear', not with mode '${mode}'`,
    );
  }
  const alignCorners = o.alignCorners ?? false;
  const dims = input.ndim - 2;
  const spatial = input.shape.slice(2);
  const hasSize = o.size !== undefined && o.size !== null;
  const hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
  if (hasSize === hasScale) {
    throw new RangeError(
      `${op}: ${hasSize ? 'only one of size or scaleFactor should be given, got both' : 'either size or scaleFactor should be given, got neither'}`,
    );
  }
  let outSize: number[];
  let scales: (number | undefined)[] = new Array<undefined>(dims).fill(undefined);
  if (hasSize) {
    if (o.recomputeScaleFactor)
      throw new RangeError(`${op}: recomputeScaleFactor is not meaningful with an explicit size`);
    outSize = perDim(op, 'size', o.size!, dims, spatial);
    if (!outSize.every((s) => Number.isInteger(s)))
      throw new RangeError(`${op}: size must hold integers, got ${show(o.size)}`);
  } else {
    const sf = perDim(op, 'scaleFactor', o.scaleFactor!, dims, spatial);
    if (!sf.every((s) => typeof s === 'number' && Number.isFinite(s)))
      throw new RangeError(`${op}: scaleFactor must hold finite numbers, got ${show(o.scaleFactor)}`);
    outSize = sf.map((s, d) => Math.trunc(spatial[d] * s));
    if (!o.recomputeScaleFactor) scales = sf;
  }
  if (spatial.some((s) => s <= 0) || outSize.some((s) => s <= 0)) {
    throw new RangeError(
      `${op}: input and output sizes should be greater than 0, but got input ${formatShape(input.shape)} and output size ${formatShape(outSize)}` +
        (hasScale ? ` (scaleFactor ${show(o.scaleFactor)})` : ''),
    );
  }
  const [n, c] = input.shape;
  const outShape = [n, c, ...outSize];
  checkAllocation(op, outShape);
  // An empty batch has nothing to resample: no tables (they grow with the output's size).
  const empty = n * c === 0;
  const table = (d: number): AxisTable =>
    empty
      ? EMPTY_AXIS
      : linear
        ? linearTable(spatial[d], outSize[d], scales[d], alignCorners, dtype)
        : nearestTable(spatial[d], outSize[d], scales[d], mode === 'nearest-exact');
  const plan: Plan = {
    dims: [n * c, dims === 2 ? spatial[0] : 1, spatial[dims - 1], dims === 2 ? outSize[0] : 1, outSize[dims - 1]],
    rows: packAxis(dims === 2 ? table(0) : UNIT_AXIS, linear, dtype),
    cols: packAxis(table(dims - 1), linear, dtype),
    inShape: [...input.shape],
    outShape,
  };
  return interpolateOp(input, plan);
}
