// Unary elementwise math with autograd. float32 and float64 go through native.unary; sign
// (torch's: NaN gives 0, the native kernel keeps NaN) and int32 neg/abs/sign/relu are
// TypeScript loops. Integer and bool inputs of floating ops are promoted to float32, as torch
// does.
import { refuseStorageOnly } from '../errors.js';
import { type DType, type FloatDType, isFloatingDType, isIntegerDType } from '../dtype.js';
import { defineOp, returnsFreshGrads } from '../autograd/define_op.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { hasTangent } from '../autograd/dual_state.js';
import { piecewiseConstant } from '../autograd/recorded_backward.js';
import { allocate } from '../dtype.js';
import { BinaryOp, native, UnaryOp, type UnaryOpCode } from '../native.js';
import { contiguousStrides } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { add, div, mul, sub } from './binary.js';
import { binaryRaw, uninitFloat } from '../raw/elementwise.js';
import { valuesAs } from '../raw/strided.js';
import { float32Operand } from './cast.js';
import { recorded } from '../trace.js';

/** out = op(x) for a float32 or float64 x through the native kernel, in x's dtype. */
export function unaryRaw(code: UnaryOpCode, x: Tensor): Tensor {
  // The kernel writes every element.
  const t =
    x.dtype === 'float64' ? new Tensor(new Storage(allocate('float64', x.numel())), x.shape) : uninitFloat(x.shape);
  const out = t.storage.data as Float32Array | Float64Array;
  if (out.length > 0) {
    native.unary(
      code,
      x.shape,
      out,
      0,
      contiguousStrides(x.shape),
      x.storage.data as Float32Array | Float64Array,
      x.offset,
      x.strides,
    );
  }
  return t;
}

/** out = f(x) elementwise in TypeScript, in x's dtype (float32 results are rounded on store). */
export function mapRaw(x: Tensor, f: (v: number) => number): Tensor {
  const vals = valuesAs(x, x.shape);
  const out = allocate(x.dtype, vals.length);
  for (let i = 0; i < vals.length; i++) out[i] = f(vals[i]);
  return new Tensor(new Storage(out), x.shape);
}

function asFloat(op: string, x: Tensor): Tensor {
  return float32Operand(op, x);
}

function checkTensor(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  return refuseStorageOnly(op, x);
}

interface UnarySpec {
  name: string;
  /** The floating dtypes the forward computes in (default float32 only; others refuse). */
  dtypes?: readonly FloatDType[];
  /** The forward on a tensor of one of `dtypes`. */
  forward(x: Tensor): Tensor;
  /** 'input' or 'output': what the backward needs saved. */
  save: 'input' | 'output' | 'none';
  /**
   * The input's gradient from the output's, g. ownsGrad: the engine's gradient that nothing else
   * holds (OpContextBase.ownsGrad), which the backward may overwrite and return; with
   * `freshGrads`, it returns nothing else but a tensor it allocated.
   */
  backward(g: Tensor, saved: Tensor, ownsGrad: boolean): Tensor;
  /** The backward returns only g (when it owns it) or a tensor of its own (see returnsFreshGrads). */
  freshGrads?: true;
  /** The forward for integer tensors (keeps their dtype, wrapping); absent: promote to float32. */
  intForward?(x: Tensor): Tensor;
}

export function defineUnary(spec: UnarySpec): (x: Tensor) => Tensor {
  const op = defineOp({
    name: spec.name,
    dtypes: spec.dtypes,
    forward(ctx, x: Tensor) {
      const out = spec.forward(x);
      if (spec.save === 'input') ctx.save(x);
      else if (spec.save === 'output') ctx.save(out);
      return out;
    },
    backward(ctx, g) {
      return [spec.backward(g, ctx.saved[0], ctx.ownsGrad)];
    },
    // Elementwise: the backward multiplies by the derivative, and so does the JVP (never on a
    // tangent in place: the caller holds it).
    jvp: (ctx, t) => spec.backward(t!, ctx.saved[0], false),
  });
  if (spec.freshGrads) returnsFreshGrads(op);
  return (x: Tensor) => {
    checkTensor(spec.name, x);
    if (!isFloatingDType(x.dtype)) {
      if (spec.intForward && isIntegerDType(x.dtype)) return recorded(spec.name, [x], () => spec.intForward!(x));
      return op(asFloat(spec.name, x));
    }
    return op(x);
  };
}

/** torch's sign: (0 < v) - (v < 0), so NaN and -0 give 0. */
const signOf = (v: number) => (v > 0 ? 1 : 0) - (v < 0 ? 1 : 0);

const native1 = (code: UnaryOpCode) => (x: Tensor) => unaryRaw(code, x);

/** The dtypes of the native unary kernels (float32 and float64 row kernels per ISA). */
export const UNARY_DTYPES: readonly FloatDType[] = ['float32', 'float64'];

/**
 * -x elementwise (`torch.neg`).
 * Elementwise; int32 stays int32, bool promotes to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const neg = defineUnary({
  name: 'neg',
  dtypes: UNARY_DTYPES,
  save: 'none',
  forward: native1(UnaryOp.neg),
  backward: (g) => neg(g),
  intForward: (x) => mapRaw(x, (v) => -v),
});

/**
 * The sign of each element: -1, 0 or 1; NaN and -0 give 0 (`torch.sign`). Its gradient is 0.
 * Elementwise; int32 stays int32, bool promotes to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const sign = defineUnary({
  name: 'sign',
  dtypes: UNARY_DTYPES,
  save: 'none',
  forward: (x) => mapRaw(x, signOf),
  backward: (g) => mapRaw(g, () => 0),
  intForward: (x) => mapRaw(x, signOf),
});

/**
 * |x| elementwise (`torch.abs`); the gradient at 0 is 0.
 * Elementwise; int32 stays int32, bool promotes to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const abs = defineUnary({
  name: 'abs',
  dtypes: UNARY_DTYPES,
  save: 'input',
  forward: native1(UnaryOp.abs),
  backward: (g, x) => mul(g, sign(x)),
  intForward: (x) => mapRaw(x, Math.abs),
});

/**
 * e^x elementwise (`torch.exp`).
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const exp = defineUnary({
  name: 'exp',
  dtypes: UNARY_DTYPES,
  save: 'output',
  forward: native1(UnaryOp.exp),
  backward: (g, out) => mul(g, out),
});

/**
 * The natural logarithm elementwise (`torch.log`): -Infinity at 0, NaN below.
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const log = defineUnary({
  name: 'log',
  dtypes: UNARY_DTYPES,
  save: 'input',
  forward: native1(UnaryOp.log),
  backward: (g, x) => div(g, x),
});

/**
 * log(1 + x) elementwise, accurate for small x (`torch.log1p`).
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const log1p = defineUnary({
  name: 'log1p',
  dtypes: UNARY_DTYPES,
  save: 'input',
  forward: native1(UnaryOp.log1p),
  backward: (g, x) => div(g, add(x, 1)),
});

/**
 * e^x - 1 elementwise, accurate for small x (`torch.expm1`).
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const expm1 = defineUnary({
  name: 'expm1',
  dtypes: UNARY_DTYPES,
  save: 'output',
  forward: native1(UnaryOp.expm1),
  backward: (g, out) => mul(g, add(out, 1)),
});

/**
 * The square root elementwise (`torch.sqrt`): NaN below 0.
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const sqrt = defineUnary({
  name: 'sqrt',
  dtypes: UNARY_DTYPES,
  save: 'output',
  forward: native1(UnaryOp.sqrt),
  backward: (g, out) => div(g, mul(out, 2)),
});

/**
 * 1 / sqrt(x) elementwise (`torch.rsqrt`).
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const rsqrt = defineUnary({
  name: 'rsqrt',
  dtypes: UNARY_DTYPES,
  save: 'output',
  forward: native1(UnaryOp.rsqrt),
  // d/dx x^(-1/2) = -1/2 x^(-3/2) = -1/2 out^3
  backward: (g, out) => mul(g, mul(mul(out, mul(out, out)), -0.5)),
});

/**
 * The sine elementwise, in radians (`torch.sin`).
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const sin = defineUnary({
  name: 'sin',
  dtypes: UNARY_DTYPES,
  save: 'input',
  forward: native1(UnaryOp.sin),
  backward: (g, x) => mul(g, cos(x)),
});

/**
 * The cosine elementwise, in radians (`torch.cos`).
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const cos = defineUnary({
  name: 'cos',
  dtypes: UNARY_DTYPES,
  save: 'input',
  forward: native1(UnaryOp.cos),
  backward: (g, x) => mul(g, neg(sin(x))),
});

/**
 * The hyperbolic tangent elementwise (`torch.tanh`).
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const tanh = defineUnary({
  name: 'tanh',
  dtypes: UNARY_DTYPES,
  save: 'output',
  forward: native1(UnaryOp.tanh),
  backward: (g, out) => mul(g, sub(1, mul(out, out))),
});

/**
 * The logistic function 1 / (1 + e^-x) elementwise (`torch.sigmoid`).
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const sigmoid = defineUnary({
  name: 'sigmoid',
  dtypes: UNARY_DTYPES,
  save: 'output',
  forward: native1(UnaryOp.sigmoid),
  backward: (g, out) => mul(g, mul(out, sub(1, out))),
});

/**
 * max(x, 0) elementwise (`torch.relu`); the gradient at 0 is 0.
 * Elementwise; int32 and bool promote to float32. Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export const relu = defineUnary({
  name: 'relu',
  dtypes: UNARY_DTYPES,
  save: 'output',
  forward: native1(UnaryOp.relu),
  // torch's threshold_backward: out <= 0 ? 0 : g (a NaN output passes g), one native pass, written
  // over g when the engine owns it (a CNN's largest gradients: no new buffer); a recorded product
  // instead while a graph is built (createGraph, or tangents in a dual level), so the second
  // derivative reaches g, and out (through the mask) with zeros, as in PyTorch.
  freshGrads: true,
  backward: (g, out, ownsGrad) =>
    isFloatingDType(out.dtype) && g.dtype === out.dtype && !isGradEnabled() && !hasTangent(g, out)
      ? binaryRaw('relu', BinaryOp.reluGrad, g, out, ownsGrad ? g : undefined)
      : mul(
          g,
          piecewiseConstant(
            out,
            mapRaw(out, (v) => (v <= 0 ? 0 : 1)),
          ),
        ),
  intForward: (x) => mapRaw(x, (v) => (v > 0 ? v : 0)),
});

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    /** `neg(this)` as a method (`torch.Tensor.neg`): see `neg`. */
    neg(): Tensor;
    /** `sign(this)` as a method (`torch.Tensor.sign`): see `sign`. */
    sign(): Tensor;
    /** `abs(this)` as a method (`torch.Tensor.abs`): see `abs`. */
    abs(): Tensor;
    /** `exp(this)` as a method (`torch.Tensor.exp`): see `exp`. */
    exp(): Tensor;
    /** `log(this)` as a method (`torch.Tensor.log`): see `log`. */
    log(): Tensor;
    /** `log1p(this)` as a method (`torch.Tensor.log1p`): see `log1p`. */
    log1p(): Tensor;
    /** `expm1(this)` as a method (`torch.Tensor.expm1`): see `expm1`. */
    expm1(): Tensor;
    /** `sqrt(this)` as a method (`torch.Tensor.sqrt`): see `sqrt`. */
    sqrt(): Tensor;
    /** `rsqrt(this)` as a method (`torch.Tensor.rsqrt`): see `rsqrt`. */
    rsqrt(): Tensor;
    /** `sin(this)` as a method (`torch.Tensor.sin`): see `sin`. */
    sin(): Tensor;
    /** `cos(this)` as a method (`torch.Tensor.cos`): see `cos`. */
    cos(): Tensor;
    /** `tanh(this)` as a method (`torch.Tensor.tanh`): see `tanh`. */
    tanh(): Tensor;
    /** `sigmoid(this)` as a method (`torch.Tensor.sigmoid`): see `sigmoid`. */
    sigmoid(): Tensor;
    /** `relu(this)` as a method (`torch.Tensor.relu`): see `relu`. */
    relu(): Tensor;
  }
}

const methods = { neg, sign, abs, exp, log, log1p, expm1, sqrt, rsqrt, sin, cos, tanh, sigmoid, relu };
for (const [name, fn] of Object.entries(methods)) {
  (Tensor.prototype as unknown as Record<string, unknown>)[name] = function (this: Tensor) {
    return fn(this);
  };
}
