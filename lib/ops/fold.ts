// Sliding windows: Tensor.unfold (a view of the windows along one dim), F.unfold (im2col: every
// kernel-sized block of an image as a column) and F.fold (col2im: the sum of such columns back
// into an image), with torch's semantics. unfold's gradient is fold and fold's is unfold (and
// Tensor.unfold's is its window sum, whose gradient is the view again), so higher-order gradients
// work. The loops are TypeScript: convolution keeps its own native im2col; these serve layers such
// as a locally-connected one, where the per-window matrix work dominates. float32 and float64
// alike: the loops run over the tensor's own typed array (sums of float64 in double).
import { FLOATING_DTYPES, isFloatingDType } from '../dtype.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { checkOptions, describe } from '../errors.js';
import { checkAllocation, formatShape, normalizeDim, numel, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { contiguousOf, type FloatArray, floatElements } from '../raw/elementwise.js';
import { asView, reshape } from './view.js';

// ---- Tensor.unfold ----------------------------------------------------------------------

interface Window {
  dim: number;
  size: number;
  step: number;
}

/** Sums windows g [..., windows, ..., size] back into a tensor of inShape (the adjoint of unfold). */
/** A zero-filled array of n elements of dtype. */
const floatArray = (dtype: string, n: number): FloatArray =>
  dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);

function windowSumRaw(g: Tensor, inShape: Shape, dim: number, size: number, step: number): Tensor {
  const gc = contiguousOf(g);
  const gv = gc.storage.data as FloatArray;
  const gOff = gc.offset;
  const pre = numel(inShape.slice(0, dim));
  const post = numel(inShape.slice(dim + 1));
  const n = inShape[dim];
  const windows = g.shape[dim];
  const out = floatArray(g.dtype, numel(inShape));
  for (let p = 0; p < pre; p++)
    for (let w = 0; w < windows; w++)
      for (let q = 0; q < post; q++) {
        const from = gOff + ((p * windows + w) * post + q) * size;
        const to = (p * n + w * step) * post + q;
        for (let k = 0; k < size; k++) out[to + k * post] += gv[from + k];
      }
  return new Tensor(new Storage(out), inShape);
}

const windowSumOp: (g: Tensor, inShape: Shape, dim: number, size: number, step: number) => Tensor = defineOp({
  name: 'unfoldBackward',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<Window>, g: Tensor, inShape: Shape, dim: number, size: number, step: number) {
    Object.assign(ctx, { dim, size, step });
    return windowSumRaw(g, inShape, dim, size, step);
  },
  backward(ctx, gg) {
    return [unfoldOp(gg, ctx.dim, ctx.size, ctx.step)];
  },
});

const unfoldOp: (x: Tensor, dim: number, size: number, step: number) => Tensor = defineOp({
  name: 'unfold',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<Window & { inShape: Shape }>, x: Tensor, dim: number, size: number, step: number) {
    Object.assign(ctx, { inShape: x.shape, dim, size, step });
    const n = x.ndim === 0 ? 1 : x.shape[dim];
    const shape = x.ndim === 0 ? [] : [...x.shape];
    const strides = x.ndim === 0 ? [] : [...x.strides];
    const inner = x.ndim === 0 ? 1 : x.strides[dim];
    if (x.ndim > 0) {
      shape[dim] = Math.floor((n - size) / step) + 1;
      strides[dim] = inner * step;
    }
    return asView(x, [...shape, size], [...strides, inner], x.offset);
  },
  backward(ctx, g) {
    const inShape = ctx.inShape;
    if (inShape.length === 0) return [reshape(g, [])];
    return [windowSumOp(g, inShape, ctx.dim, ctx.size, ctx.step)];
  },
});

/**
 * The windows of `size` elements every `step` along dim, as a view: dim becomes the window count
 * ((n - size) / step + 1, rounded down) and a last dim of `size` is added (torch's Tensor.unfold).
 * Overlapping windows share storage; the gradient sums over them.
 */
export function unfoldDim(x: Tensor, dim: number, size: number, step: number): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`unfold: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  const d = normalizeDim('unfold', dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(size) || size < 0)
    throw new RangeError(`unfold: size must be a non-negative integer, got ${String(size)}`);
  if (size > n) throw new RangeError(`unfold: maximum size for tensor at dimension ${dim} is ${n} but size is ${size}`);
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`unfold: step is ${String(step)} but must be > 0`);
  if (!isFloatingDType(x.dtype)) return unfoldOp(x.detach(), d, size, step);
  return unfoldOp(x, d, size, step);
}

// ---- F.unfold / F.fold --------------------------------------------------------------------

type Pair = number | readonly [number, number];

/** The options of unfold and fold (PyTorch's keyword arguments). */
export interface UnfoldOptions {
  /** The spacing between kernel elements (default 1). */
  dilation?: Pair;
  /** Zeros added on both sides of each spatial dim (default 0). */
  padding?: Pair;
  /** The step of the sliding blocks (default 1). */
  stride?: Pair;
}

interface Geometry {
  kernel: [number, number];
  dilation: [number, number];
  padding: [number, number];
  stride: [number, number];
}

const UNFOLD_OPTIONS = ['dilation', 'padding', 'stride'];

function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((e) => Number.isInteger(e) && e >= min)) {
    throw new RangeError(
      `${op}: ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or a pair of them, got ${describe(v)}`,
    );
  }
  return [p[0], p[1]];
}

export function geometry(op: string, kernelSize: Pair, options: UnfoldOptions): Geometry {
  checkOptions(op, options, UNFOLD_OPTIONS);
  return {
    kernel: pair(op, 'kernelSize', kernelSize, 1),
    dilation: pair(op, 'dilation', options.dilation ?? 1, 1),
    padding: pair(op, 'padding', options.padding ?? 0, 0),
    stride: pair(op, 'stride', options.stride ?? 1, 1),
  };
}

const fmtPair = (p: [number, number]) => `(${p[0]}, ${p[1]})`;

/** Blocks along each spatial dim for an image of size [h, w]. */
function blockCounts(g: Geometry, h: number, w: number): [number, number] {
  const count = (size: number, i: 0 | 1) =>
    Math.floor((size + 2 * g.padding[i] - g.dilation[i] * (g.kernel[i] - 1) - 1) / g.stride[i]) + 1;
  return [count(h, 0), count(w, 1)];
}

/**
 * im2col and col2im on [N, C, H, W] and [N, C*kh*kw, L]: the one loop both use, in one direction
 * or the other (col[n, (c, i, j), (bh, bw)] <-> img[n, c, bh*sh - ph + i*dh, bw*sw - pw + j*dw]).
 */
function im2colLoop(
  g: Geometry,
  n: number,
  c: number,
  h: number,
  w: number,
  img: FloatArray,
  col: FloatArray,
  toCol: boolean,
): void {
  const [kh, kw] = g.kernel;
  const [bh, bw] = blockCounts(g, h, w);
  const L = bh * bw;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const rowBase = ((b * c + ch) * kh * kw + i * kw + j) * L;
          for (let y = 0; y < bh; y++) {
            const iy = y * g.stride[0] - g.padding[0] + i * g.dilation[0];
            if (iy < 0 || iy >= h) continue;
            const imgRow = ((b * c + ch) * h + iy) * w;
            for (let x = 0; x < bw; x++) {
              const ix = x * g.stride[1] - g.padding[1] + j * g.dilation[1];
              if (ix < 0 || ix >= w) continue;
              if (toCol) col[rowBase + y * bw + x] = img[imgRow + ix];
              else img[imgRow + ix] += col[rowBase + y * bw + x];
            }
          }
        }
}

const im2colOp: (x: Tensor, g: Geometry) => Tensor = defineOp({
  name: 'im2col',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ g: Geometry; size: [number, number] }>, x: Tensor, g: Geometry) {
    const [n, c, h, w] = x.shape;
    ctx.g = g;
    ctx.size = [h, w];
    const [bh, bw] = blockCounts(g, h, w);
    const col = floatArray(x.dtype, n * c * g.kernel[0] * g.kernel[1] * bh * bw);
    im2colLoop(g, n, c, h, w, floatElements(x), col, true);
    return new Tensor(new Storage(col), [n, c * g.kernel[0] * g.kernel[1], bh * bw]);
  },
  backward(ctx, grad) {
    return [col2imOp(grad, ctx.size, ctx.g)];
  },
});

const col2imOp: (col: Tensor, size: [number, number], g: Geometry) => Tensor = defineOp({
  name: 'col2im',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ g: Geometry }>, col: Tensor, size: [number, number], g: Geometry) {
    ctx.g = g;
    const [n, ckk] = col.shape;
    const c = ckk / (g.kernel[0] * g.kernel[1]);
    const img = floatArray(col.dtype, n * c * size[0] * size[1]);
    im2colLoop(g, n, c, size[0], size[1], img, floatElements(col), false);
    return new Tensor(new Storage(img), [n, c, size[0], size[1]]);
  },
  backward(ctx, grad) {
    return [im2colOp(grad, ctx.g)];
  },
});

function checkFloat(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (!isFloatingDType(x.dtype)) throw new TypeError(`${op}: expected a float32 or float64 tensor, got ${x.dtype}`);
  return x;
}

/**
 * Extracts every sliding block of an image batch (torch.nn.functional.unfold, im2col):
 * [N, C, H, W] (or [C, H, W]) to [N, C * kh * kw, L], L the number of blocks; column l holds the
 * block at position l (row-major over the block grid), channel-major then kernel row and column.
 */
export function unfold(input: Tensor, kernelSize: Pair, options: UnfoldOptions = {}): Tensor {
  const op = 'unfold';
  const x = checkFloat(op, input);
  const g = geometry(op, kernelSize, options);
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new RangeError(
      `${op}: expected a 3-D or 4-D input (C, H, W or N, C, H, W), got shape ${formatShape(x.shape)}`,
    );
  const batched = x.ndim === 4 ? x : reshape(x, [1, ...x.shape]);
  const [, , h, w] = batched.shape;
  const [bh, bw] = blockCounts(g, h, w);
  if (bh < 1 || bw < 1)
    throw new RangeError(
      `${op}: given input with spatial size (${h}, ${w}), kernelSize=${fmtPair(g.kernel)}, dilation=${fmtPair(g.dilation)}, ` +
        `padding=${fmtPair(g.padding)}, calculated shape of the array of sliding blocks as (${bh}, ${bw}), but its components must be at least one`,
    );
  const out = im2colOp(batched, g);
  return x.ndim === 4 ? out : reshape(out, out.shape.slice(1));
}

/**
 * Sums sliding blocks back into an image (torch.nn.functional.fold, col2im), the adjoint of
 * unfold: [N, C * kh * kw, L] (or [C * kh * kw, L]) to [N, C, outputSize[0], outputSize[1]];
 * overlapping blocks add up.
 */
export function fold(input: Tensor, outputSize: Pair, kernelSize: Pair, options: UnfoldOptions = {}): Tensor {
  const op = 'fold';
  const x = checkFloat(op, input);
  const g = geometry(op, kernelSize, options);
  const size = pair(op, 'outputSize', outputSize, 1);
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new RangeError(
      `${op}: expected a 2-D or 3-D input (C*kh*kw, L or N, C*kh*kw, L), got shape ${formatShape(x.shape)}`,
    );
  const batched = x.ndim === 3 ? x : reshape(x, [1, ...x.shape]);
  const [, ckk, L] = batched.shape;
  const k = g.kernel[0] * g.kernel[1];
  if (ckk % k !== 0)
    throw new RangeError(
      `${op}: expected size of input's dimension ${x.ndim - 2} to be divisible by the product of kernelSize, ` +
        `but got input.size(${x.ndim - 2})=${ckk} and kernelSize=${fmtPair(g.kernel)}`,
    );
  const [bh, bw] = blockCounts(g, size[0], size[1]);
  if (bh < 1 || bw < 1 || bh * bw !== L)
    throw new RangeError(
      `${op}: given outputSize=${fmtPair(size)}, kernelSize=${fmtPair(g.kernel)}, dilation=${fmtPair(g.dilation)}, ` +
        `padding=${fmtPair(g.padding)}, stride=${fmtPair(g.stride)}, expected size of input's dimension ${x.ndim - 1} ` +
        `to match the calculated number of sliding blocks ${bh} * ${bw} = ${bh * bw}, but got input.size(${x.ndim - 1})=${L}`,
    );
  checkAllocation(op, [batched.shape[0], batched.shape[1] / (g.kernel[0] * g.kernel[1]), size[0], size[1]]);
  const out = col2imOp(batched, size, g);
  return x.ndim === 3 ? out : reshape(out, out.shape.slice(1));
}

declare module '../tensor.js' {
  interface Tensor {
    /** torch's Tensor.unfold(dimension, size, step): the windows along dim, as a view. */
    unfold(dimension: number, size: number, step: number): Tensor;
  }
}

(Tensor.prototype as unknown as Record<string, unknown>).unfold = function (
  this: Tensor,
  dimension: number,
  size: number,
  step: number,
) {
  return unfoldDim(this, dimension, size, step);
};
