// Dropout: zeroes elements with probability p and scales the rest by 1 / (1 - p) (inverted
// dropout, as torch), so eval needs no rescaling. The mask is drawn from a seeded Generator;
// the backward multiplies by the same mask.
import { checkOptions, describe, optionKeys } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { BinaryOp } from '../native.js';
import { defaultGenerator, Generator } from '../random.js';
import { formatShape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { FLOATING_DTYPES, isFloatingDType, type DType } from '../dtype.js';
import { unaryInplace } from './inplace.js';
import { binaryRaw, floatElements } from '../raw/elementwise.js';

type FloatArray = Float32Array | Float64Array;

/** A zeroed array of n elements of a floating dtype. */
function arrayOf(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}
import { mul } from './binary.js';
import { buildsGraph } from '../autograd/recorded_backward.js';

// float64 draws the mask from the same generator stream as float32 (one nextFloat an element),
// so a seed drops the same elements in both dtypes; the scale is rounded to the input's dtype.
const dropoutOp = defineOp({
  name: 'dropout',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext<{ mask: FloatArray }>, x: Tensor, p: number, gen: Generator) {
    const xv = floatElements(x);
    const mask = arrayOf(x.dtype, xv.length);
    const out = arrayOf(x.dtype, xv.length);
    const scale = p === 1 ? 0 : 1 / (1 - p);
    for (let i = 0; i < xv.length; i++) {
      const m = gen.nextFloat() < p ? 0 : scale;
      mask[i] = m;
      out[i] = xv[i] * m;
    }
    ctx.mask = mask;
    return new Tensor(new Storage(out), x.shape);
  },
  backward(ctx, grad) {
    const mask = ctx.mask;
    // createGraph: the same product as a recorded op (linear in grad, the mask a constant).
    if (buildsGraph(grad)) return [mul(grad, new Tensor(new Storage(mask), grad.shape))];
    const g = floatElements(grad);
    const dx = arrayOf(grad.dtype, g.length);
    for (let i = 0; i < g.length; i++) dx[i] = g[i] * mask[i];
    return [new Tensor(new Storage(dx), grad.shape)];
  },
  // The same mask on the tangent.
  jvp: (ctx, t) => mul(t!, new Tensor(new Storage(ctx.mask), t!.shape)),
});

/** The options of the dropout functions (PyTorch's keyword arguments). */
export interface DropoutOptions {
  /** Default true (torch's F.dropout); false returns x unchanged. */
  training?: boolean;
  /** Zero the input's elements in place and return it (default false). */
  inplace?: boolean;
  /** The generator drawing the mask (default: the process-wide one). */
  generator?: Generator;
}

const DROPOUT_OPTIONS = optionKeys<DropoutOptions>({ training: 'boolean', inplace: 'boolean', generator: 'object' });

/** torch.nn.functional.dropout(x, p, training, inplace). */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`dropout: expected a Tensor, got ${describe(x)}`);
  checkOptions('dropout', options, DROPOUT_OPTIONS);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new RangeError(`dropout: probability has to be between 0 and 1, but got ${describe(p)}`);
  if (!isFloatingDType(x.dtype)) throw new TypeError(`dropout: expected a float32 or float64 tensor, got ${x.dtype}`);
  const gen = options.generator ?? defaultGenerator;
  if (!(gen instanceof Generator)) throw new TypeError('dropout: generator must be a Generator');
  if (options.training === false || p === 0) return x;
  if (options.inplace) return unaryInplace('dropout_', x, (t) => dropoutOp(t, p, gen));
  return dropoutOp(x, p, gen);
}

// Channel-wise dropout (dropout1d/2d/3d): one draw per (sample, channel) zeroes or scales the
// whole feature map, so neighbouring (correlated) pixels are dropped together. The mask has
// shape [N, C, 1, ...] and is multiplied in by the native broadcasting mul (as torch's
// input * mask: a dropped channel holding NaN or infinity gives NaN).
function featureDropoutOp(name: string) {
  return defineOp({
    name,
    dtypes: FLOATING_DTYPES,
    forward(
      ctx: OpContext<{ mask: Tensor }>,
      x: Tensor,
      p: number,
      gen: Generator,
      features: number,
      maskShape: number[],
    ) {
      const scale = p === 1 ? 0 : 1 / (1 - p);
      const mask = arrayOf(x.dtype, features);
      for (let f = 0; f < features; f++) mask[f] = gen.nextFloat() < p ? 0 : scale;
      const m = new Tensor(new Storage(mask), maskShape);
      ctx.mask = m;
      return binaryRaw(name, BinaryOp.mul, x, m);
    },
    backward(ctx, grad) {
      // createGraph: the same product as a recorded op.
      return [buildsGraph(grad) ? mul(grad, ctx.mask) : binaryRaw(name, BinaryOp.mul, grad, ctx.mask)];
    },
    jvp: (ctx, t) => mul(t!, ctx.mask),
  });
}

const featureDropoutOps = {
  dropout1d: featureDropoutOp('dropout1d'),
  dropout2d: featureDropoutOp('dropout2d'),
  dropout3d: featureDropoutOp('dropout3d'),
};

function featureDropout(
  op: 'dropout1d' | 'dropout2d' | 'dropout3d',
  spatial: number,
  x: Tensor,
  p: number,
  options: DropoutOptions,
): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${describe(x)}`);
  checkOptions(op, options, DROPOUT_OPTIONS);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new RangeError(`${op}: probability has to be between 0 and 1, but got ${describe(p)}`);
  if (!isFloatingDType(x.dtype)) throw new TypeError(`${op}: expected a float32 or float64 tensor, got ${x.dtype}`);
  const layout = [
    '[C, L] (unbatched) or [N, C, L]',
    '[C, H, W] (unbatched) or [N, C, H, W]',
    '[C, D, H, W] (unbatched) or [N, C, D, H, W]',
  ][spatial - 1];
  if (x.ndim !== spatial + 1 && x.ndim !== spatial + 2) {
    throw new RangeError(
      `${op}: expected a ${spatial + 1}-D or ${spatial + 2}-D input ${layout}, got shape ${formatShape(x.shape)}`,
    );
  }
  const gen = options.generator ?? defaultGenerator;
  if (!(gen instanceof Generator)) throw new TypeError(`${op}: generator must be a Generator`);
  if (options.training === false || p === 0) return x;
  // The leading dims (channels, and the batch when there is one) each get one draw.
  const features = x.shape.slice(0, x.ndim - spatial).reduce((a, b) => a * b, 1);
  const maskShape = x.shape.map((s, d) => (d < x.ndim - spatial ? s : 1));
  const f = featureDropoutOps[op];
  if (options.inplace) return unaryInplace(`${op}_`, x, (t) => f(t, p, gen, features, maskShape));
  return f(x, p, gen, features, maskShape);
}

/** torch.nn.functional.dropout1d: zeroes whole channels of [N, C, L] (or [C, L]), scales the rest by 1 / (1 - p). */
export function dropout1d(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  return featureDropout('dropout1d', 1, x, p, options);
}

/**
 * torch.nn.functional.dropout2d: zeroes whole channels of [N, C, H, W] (or [C, H, W]), scales the
 * rest by 1 / (1 - p). A 3-D input is one unbatched sample, as in current PyTorch (1.13 read it
 * as [N, C, L] with a deprecation warning).
 */
export function dropout2d(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  return featureDropout('dropout2d', 2, x, p, options);
}

/** torch.nn.functional.dropout3d: zeroes whole channels of [N, C, D, H, W] (or [C, D, H, W]). */
export function dropout3d(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  return featureDropout('dropout3d', 3, x, p, options);
}
