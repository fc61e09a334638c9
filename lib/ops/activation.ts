// Activation functions with autograd. Each is one op whose forward loop and backward loop sit
// side by side (no chain of small ops on the hot path): the forward writes the output and
// saves what the backward needs; the backward is one pass over the gradient. relu, sigmoid and
// tanh are the native unary ops of lib/ops/unary.ts. Integer inputs are promoted to float32.
import { checkNumber, checkOptions, optionKeys, refuseStorageOnly } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { FLOATING_DTYPES, isFloatingDType } from '../dtype.js';
import { native, UnaryOp } from '../native.js';
import { contiguousStrides } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { unaryInplace } from './inplace.js';
import { type FloatArray, floatElements } from '../raw/elementwise.js';
import { float32Operand } from './cast.js';
import { add, mul, sub } from './binary.js';
import { cos, exp, relu as reluOp, sigmoid, tanh } from './unary.js';
import { erf } from './special.js';
import { gt } from './compare.js';
import { where } from './pointwise.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { buildsGraph, piecewiseConstant } from '../autograd/recorded_backward.js';

/** A zeroed array of n elements of the same type as `like`. */
function arrayLike(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

function checkInput(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  refuseStorageOnly(op, x);
  if (isFloatingDType(x.dtype)) return x;
  if (x.dtype === 'bool') throw new TypeError(`${op}: expected a float32 or float64 tensor, got bool`);
  return float32Operand(op, x);
}

interface PointwiseSpec<O> {
  name: string;
  /**
   * out[i] = f(x[i]); may return an extra array for the backward (e.g. the sigmoid). The arrays
   * are all Float32Array or all Float64Array (the input's dtype).
   */
  forward(x: FloatArray, out: FloatArray, o: O): FloatArray | undefined;
  /** dx[i] = g[i] * f'(x[i]) from the input, the output and the forward's extra array. */
  backward(g: FloatArray, x: FloatArray, out: FloatArray, extra: FloatArray | undefined, dx: FloatArray, o: O): void;
  /**
   * f'(x) written with recorded ops, so that a backward building a graph (createGraph) gives a
   * gradient with a derivative of its own; 'piecewiseLinear' where f' is constant between
   * breakpoints, so the kernel's slope (which carries no graph) is the exact derivative.
   */
  derivative: ((x: Tensor, o: O) => Tensor) | 'piecewiseLinear';
}

function definePointwise<O>(spec: PointwiseSpec<O>): (x: Tensor, o: O) => Tensor {
  /** f'(x) from the kernel: the backward of a gradient of ones. */
  const kernelSlope = (x: Tensor, y: Tensor, extra: FloatArray | undefined, o: O): Tensor => {
    const xv = floatElements(x);
    const slope = arrayLike(xv, xv.length);
    spec.backward(arrayLike(xv, xv.length).fill(1), xv, floatElements(y), extra, slope, o);
    return new Tensor(new Storage(slope), x.shape);
  };
  /**
   * f'(x), recorded when x's derivative is wanted: the derivative written with ops, or where f
   * is piecewise linear the kernel's slope (exact) as a piecewise-constant op of x, so that x is
   * reached with zeros as in PyTorch.
   */
  const slopeOf = (x: Tensor, y: Tensor, extra: FloatArray | undefined, o: O, recorded: boolean): Tensor => {
    if (!recorded) return kernelSlope(x, y, extra, o);
    if (spec.derivative === 'piecewiseLinear') return piecewiseConstant(x, kernelSlope(x, y, extra, o));
    return spec.derivative(x, o);
  };
  return defineOp({
    name: spec.name,
    dtypes: FLOATING_DTYPES,
    forward(ctx: OpContext<{ extra: FloatArray | undefined; o: O }>, x: Tensor, o: O) {
      const xv = floatElements(x);
      const out = arrayLike(xv, xv.length);
      const extra = spec.forward(xv, out, o);
      const y = new Tensor(new Storage(out), x.shape);
      ctx.save(x, y);
      ctx.extra = extra;
      ctx.o = o;
      return y;
    },
    backward(ctx, grad) {
      const [x, y] = ctx.saved;
      if (buildsGraph(grad, x)) return [mul(grad, slopeOf(x, y, ctx.extra, ctx.o, true))];
      const g = floatElements(grad);
      const dx = arrayLike(g, g.length);
      spec.backward(g, floatElements(x), floatElements(y), ctx.extra, dx, ctx.o);
      return [new Tensor(new Storage(dx), x.shape)];
    },
    // Elementwise: the tangent times f'(x) (recorded when the tangent's graph must reach x).
    jvp(ctx, t) {
      const [x, y] = ctx.saved;
      return mul(t!, slopeOf(x, y, ctx.extra, ctx.o, isGradEnabled() && x.requiresGrad));
    },
  });
}

function maybeInplace(op: string, x: Tensor, inplace: boolean | undefined, fn: (t: Tensor) => Tensor): Tensor {
  if (!inplace) return fn(x);
  if (!(x instanceof Tensor) || x.dtype !== 'float32')
    throw new TypeError(`${op}: the in-place variant needs a float32 tensor`);
  return unaryInplace(`${op}_`, x, fn);
}

/** The option of the activations that can work in place. */
export interface InplaceOption {
  /** Write the result into the input and return it (default false). */
  inplace?: boolean;
}

const INPLACE_OPTIONS = optionKeys<InplaceOption>({ inplace: 'boolean' });

// ---- relu, leakyRelu --------------------------------------------------------------------

/** max(x, 0) (native). */
export function relu(x: Tensor, options: InplaceOption = {}): Tensor {
  return maybeInplace('relu', x, checkOptions('relu', options, INPLACE_OPTIONS).inplace, reluOp);
}

const leakyReluOp = definePointwise<number>({
  name: 'leakyRelu',
  forward(x, out, slope) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? x[i] : x[i] * slope;
    return undefined;
  },
  backward(g, x, _out, _e, dx, slope) {
    for (let i = 0; i < g.length; i++) dx[i] = x[i] > 0 ? g[i] : g[i] * slope;
  },
  derivative: 'piecewiseLinear',
});

/** x where x > 0, negativeSlope * x elsewhere. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01, options: InplaceOption = {}): Tensor {
  checkNumber('leakyRelu', 'negativeSlope', negativeSlope);
  return maybeInplace('leakyRelu', x, checkOptions('leakyRelu', options, INPLACE_OPTIONS).inplace, (t) =>
    leakyReluOp(checkInput('leakyRelu', t), negativeSlope),
  );
}

// ---- hardtanh, relu6 --------------------------------------------------------------------

interface HardtanhRange {
  min: number;
  max: number;
}

const hardtanhOp = definePointwise<HardtanhRange>({
  name: 'hardtanh',
  forward(x, out, { min, max }) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] < min ? min : x[i] > max ? max : x[i];
    return undefined;
  },
  // torch's hardtanh_backward selects: 0 at and beyond the bounds (unlike clamp's closed range).
  backward(g, x, _out, _e, dx, { min, max }) {
    for (let i = 0; i < g.length; i++) dx[i] = x[i] <= min || x[i] >= max ? 0 : g[i];
  },
  derivative: 'piecewiseLinear',
});

/** x limited to [minVal, maxVal]; the gradient is g strictly inside, 0 at and beyond the bounds. */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1, options: InplaceOption = {}): Tensor {
  checkOptions('hardtanh', options, INPLACE_OPTIONS);
  checkNumber('hardtanh', 'minVal', minVal);
  checkNumber('hardtanh', 'maxVal', maxVal);
  return maybeInplace('hardtanh', x, options.inplace, (t) =>
    hardtanhOp(checkInput('hardtanh', t), { min: minVal, max: maxVal }),
  );
}

/** min(max(x, 0), 6): hardtanh(x, 0, 6). */
export function relu6(x: Tensor, options: InplaceOption = {}): Tensor {
  checkOptions('relu6', options, INPLACE_OPTIONS);
  return maybeInplace('relu6', x, options.inplace, (t) => hardtanhOp(checkInput('relu6', t), { min: 0, max: 6 }));
}

// ---- elu, selu --------------------------------------------------------------------------

interface EluParams {
  alpha: number;
  scale: number;
}

const eluOp = definePointwise<EluParams>({
  name: 'elu',
  forward(x, out, { alpha, scale }) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? scale * x[i] : scale * alpha * Math.expm1(x[i]);
    return undefined;
  },
  backward(g, x, _out, _e, dx, { alpha, scale }) {
    for (let i = 0; i < g.length; i++) dx[i] = x[i] > 0 ? g[i] * scale : g[i] * scale * alpha * Math.exp(x[i]);
  },
  // exp of x clamped to 0 where x > 0: that branch is not selected, and its derivative must not overflow.
  derivative: (x, { alpha, scale }) => {
    const pos = gt(x, 0);
    return where(pos, scale, mul(exp(where(pos, 0, x)), scale * alpha));
  },
});

/** x where x > 0, alpha * (exp(x) - 1) elsewhere. */
export function elu(x: Tensor, alpha = 1, options: InplaceOption = {}): Tensor {
  checkNumber('elu', 'alpha', alpha);
  return maybeInplace('elu', x, checkOptions('elu', options, INPLACE_OPTIONS).inplace, (t) =>
    eluOp(checkInput('elu', t), { alpha, scale: 1 }),
  );
}

/** SELU's alpha (Klambauer et al.), as `torch.nn.SELU`. */
export const SELU_ALPHA = 1.6732632423543772;
/** SELU's scale (Klambauer et al.), as `torch.nn.SELU`. */
export const SELU_SCALE = 1.0507009873554805;

/** scale * elu(x, alpha) with the self-normalising constants of Klambauer et al. */
export function selu(x: Tensor, options: InplaceOption = {}): Tensor {
  return maybeInplace('selu', x, checkOptions('selu', options, INPLACE_OPTIONS).inplace, (t) =>
    eluOp(checkInput('selu', t), { alpha: SELU_ALPHA, scale: SELU_SCALE }),
  );
}

// ---- gelu -------------------------------------------------------------------------------

/** Applies a native unary kernel to a whole contiguous array in place (vectorised, every ISA). */
function nativeInPlace(code: (typeof UnaryOp)[keyof typeof UnaryOp], a: FloatArray): void {
  if (a.length === 0) return;
  const shape = [a.length];
  const strides = contiguousStrides(shape);
  native.unary(code, shape, a, 0, strides, a, 0, strides);
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

const geluErfOp = definePointwise<'none'>({
  name: 'gelu',
  forward(x, out) {
    // cdf = (1 + erf(x / sqrt 2)) / 2 through the native vector erf, kept for the backward.
    const cdf = arrayLike(x, x.length);
    for (let i = 0; i < x.length; i++) cdf[i] = x[i] * INV_SQRT2;
    nativeInPlace(UnaryOp.erf, cdf);
    for (let i = 0; i < x.length; i++) {
      cdf[i] = 0.5 * (1 + cdf[i]);
      out[i] = x[i] * cdf[i];
    }
    return cdf;
  },
  backward(g, x, _out, cdf, dx) {
    // d/dx x Phi(x) = Phi(x) + x phi(x); the exp of phi through the native vector kernel.
    for (let i = 0; i < g.length; i++) dx[i] = -0.5 * x[i] * x[i];
    nativeInPlace(UnaryOp.exp, dx);
    for (let i = 0; i < g.length; i++) dx[i] = g[i] * (cdf![i] + x[i] * INV_SQRT_2PI * dx[i]);
  },
  // Phi(x) + x phi(x).
  derivative: (x) =>
    add(mul(add(erf(mul(x, INV_SQRT2)), 1), 0.5), mul(mul(x, INV_SQRT_2PI), exp(mul(mul(x, x), -0.5)))),
});

const geluTanhOp = definePointwise<'tanh'>({
  name: 'gelu',
  forward(x, out) {
    const th = arrayLike(x, x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      th[i] = Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v));
      out[i] = 0.5 * v * (1 + th[i]);
    }
    return th;
  },
  backward(g, x, _out, th, dx) {
    for (let i = 0; i < g.length; i++) {
      const v = x[i];
      const t = th![i];
      const inner = SQRT_2_OVER_PI * (1 + 3 * GELU_C * v * v);
      dx[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * inner);
    }
  },
  derivative: (x) => {
    const x2 = mul(x, x);
    const th = tanh(mul(add(x, mul(mul(x2, x), GELU_C)), SQRT_2_OVER_PI));
    const inner = mul(add(mul(x2, 3 * GELU_C), 1), SQRT_2_OVER_PI);
    return add(mul(add(th, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(th, th))), inner));
  },
});

/** The options of gelu. */
export interface GeluOptions {
  /** 'none' (default): x Phi(x) with the exact erf; 'tanh': the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/** Gaussian error linear unit: x * Phi(x). */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const approximate = checkOptions('gelu', options, { approximate: 'string' }).approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  const t = checkInput('gelu', x);
  return approximate === 'tanh' ? geluTanhOp(t, 'tanh') : geluErfOp(t, 'none');
}

// ---- silu, softplus, sine ---------------------------------------------------------------

const siluOp = definePointwise<null>({
  name: 'silu',
  forward(x, out) {
    const s = x.slice();
    nativeInPlace(UnaryOp.sigmoid, s);
    for (let i = 0; i < x.length; i++) out[i] = x[i] * s[i];
    return s;
  },
  backward(g, x, _out, s, dx) {
    for (let i = 0; i < g.length; i++) dx[i] = g[i] * s![i] * (1 + x[i] * (1 - s![i]));
  },
  derivative: (x) => {
    const sg = sigmoid(x);
    return mul(sg, add(mul(x, sub(1, sg)), 1));
  },
});

/** x * sigmoid(x) (SiLU, Swish). */
export function silu(x: Tensor, options: InplaceOption = {}): Tensor {
  return maybeInplace('silu', x, checkOptions('silu', options, INPLACE_OPTIONS).inplace, (t) =>
    siluOp(checkInput('silu', t), null),
  );
}

interface SoftplusParams {
  beta: number;
  threshold: number;
}

const softplusOp = definePointwise<SoftplusParams>({
  name: 'softplus',
  forward(x, out, { beta, threshold }) {
    for (let i = 0; i < x.length; i++) {
      const bx = beta * x[i];
      out[i] = bx > threshold ? x[i] : Math.log1p(Math.exp(bx)) / beta;
    }
    return undefined;
  },
  backward(g, x, _out, _e, dx, { beta, threshold }) {
    for (let i = 0; i < g.length; i++) {
      const bx = beta * x[i];
      dx[i] = bx > threshold ? g[i] : g[i] / (1 + Math.exp(-bx));
    }
  },
  derivative: (x, { beta, threshold }) => {
    const bx = mul(x, beta);
    return where(gt(bx, threshold), 1, sigmoid(bx));
  },
});

/** The options of softplus (PyTorch's keyword arguments). */
export interface SoftplusOptions {
  /** The sharpness: log(1 + exp(beta * x)) / beta (default 1). */
  beta?: number;
  /** Above beta * x > threshold the function is linear (x). */
  threshold?: number;
}

/** log(1 + exp(beta * x)) / beta. */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  checkOptions('softplus', options, { beta: 'number', threshold: 'number' });
  const beta = checkNumber('softplus', 'beta', options.beta ?? 1);
  const threshold = checkNumber('softplus', 'threshold', options.threshold ?? 20);
  if (beta === 0) throw new RangeError('softplus: beta must not be 0');
  return softplusOp(checkInput('softplus', x), { beta, threshold });
}

const sineOp = definePointwise<number>({
  name: 'sine',
  forward(x, out, w0) {
    for (let i = 0; i < x.length; i++) out[i] = Math.sin(w0 * x[i]);
    return undefined;
  },
  backward(g, x, _out, _e, dx, w0) {
    for (let i = 0; i < g.length; i++) dx[i] = g[i] * w0 * Math.cos(w0 * x[i]);
  },
  derivative: (x, w0) => mul(cos(mul(x, w0)), w0),
});

/** sin(w0 * x): the periodic activation of SIREN (Sitzmann et al. 2020; w0 = 30 there). */
export function sine(x: Tensor, w0 = 1): Tensor {
  checkNumber('sine', 'w0', w0);
  return sineOp(checkInput('sine', x), w0);
}

export { sigmoid, tanh };
