// Broadcasting binary arithmetic: forward through the native strided kernel, backward beside it.
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { BinaryOp } from '../native.js';
import {
  allocate,
  bfloat16BitsOf,
  bfloat16BitsToNumber,
  type DType,
  type FloatDType,
  getDefaultDtype,
  isFloatingDType,
  isIntegerDType,
  promoteTypes,
  wrapByte,
} from '../dtype.js';
import { checkOptions, refuseStorageOnly } from '../errors.js';
import { zeros } from '../creation.js';
import { broadcastShapes, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { binaryRaw } from '../raw/elementwise.js';
import { sumTo } from './reduce.js';
import { expand } from './view.js';
import { copyRaw, valuesAs, widenBf16 } from '../raw/strided.js';
import { cast, float32Operand } from './cast.js';
import { recorded } from '../trace.js';

/** An operand of the arithmetic ops: a tensor, or a number (a "weak" scalar, as in PyTorch). */
export type TensorLike = Tensor | number;

/** A number becomes a 0-d float32 tensor; tensors pass through. */
export function asTensor(op: string, x: TensorLike): Tensor {
  if (x instanceof Tensor) return refuseStorageOnly(op, x);
  if (typeof x === 'number') return new Tensor(new Storage(new Float32Array([x])), []);
  throw new TypeError(`${op}: expected a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
}

/**
 * x as a tensor to combine with a tensor of dtype `beside`: a number beside a float64 tensor is a
 * 0-d float64 tensor, its value kept as torch keeps a Python float there (asTensor's float32 would
 * make 0.1 0.10000000149011612, and float64 x == 0.1 false); an integer beside an int32 tensor a
 * 0-d int32 one (float32 made 16777217 16777216), wrapping as the float32 one cast did; anything
 * else as asTensor.
 */
export function asTensorBeside(op: string, x: TensorLike, beside: DType): Tensor {
  if (typeof x === 'number' && beside === 'float64') return new Tensor(new Storage(Float64Array.of(x), 'float64'), []);
  if (typeof x === 'number' && beside === 'int32' && Number.isInteger(x))
    return new Tensor(new Storage(Int32Array.of(x), 'int32'), []);
  return asTensor(op, x);
}

/** The dtypes the binary kernels compute in (native float32 and float64 row kernels per ISA). */
const BINARY_DTYPES: readonly FloatDType[] = ['float32', 'float64'];

const addOp = defineOp({
  name: 'add',
  dtypes: BINARY_DTYPES,
  forward(ctx: OpContext<{ aShape: Shape; bShape: Shape; outShape: Shape }>, a: Tensor, b: Tensor) {
    ctx.aShape = a.shape;
    ctx.bShape = b.shape;
    ctx.outShape = broadcastShapes('add', a.shape, b.shape);
    return binaryRaw('add', BinaryOp.add, a, b);
  },
  backward(ctx, g) {
    return [ctx.needsInputGrad[0] ? sumTo(g, ctx.aShape) : null, ctx.needsInputGrad[1] ? sumTo(g, ctx.bShape) : null];
  },
  jvp: (ctx, ta, tb) => broadcastSum(ctx.outShape, ta, tb),
});

const subOp = defineOp({
  name: 'sub',
  dtypes: BINARY_DTYPES,
  forward(ctx: OpContext<{ aShape: Shape; bShape: Shape; outShape: Shape }>, a: Tensor, b: Tensor) {
    ctx.aShape = a.shape;
    ctx.bShape = b.shape;
    ctx.outShape = broadcastShapes('sub', a.shape, b.shape);
    return binaryRaw('sub', BinaryOp.sub, a, b);
  },
  backward(ctx, g) {
    return [
      ctx.needsInputGrad[0] ? sumTo(g, ctx.aShape) : null,
      ctx.needsInputGrad[1] ? sumTo(mul(g, -1), ctx.bShape) : null,
    ];
  },
  jvp: (ctx, ta, tb) => broadcastSum(ctx.outShape, ta, tb && mul(tb, -1)),
});

const mulOp = defineOp({
  name: 'mul',
  dtypes: BINARY_DTYPES,
  forward(ctx, a: Tensor, b: Tensor) {
    ctx.save(a, b);
    return binaryRaw('mul', BinaryOp.mul, a, b);
  },
  backward(ctx, g) {
    const [a, b] = ctx.saved;
    return [
      ctx.needsInputGrad[0] ? sumTo(mul(g, b), a.shape) : null,
      ctx.needsInputGrad[1] ? sumTo(mul(g, a), b.shape) : null,
    ];
  },
  jvp(ctx, ta, tb) {
    const [a, b] = ctx.saved;
    return broadcastSum(broadcastShapes('mul', a.shape, b.shape), ta && mul(ta, b), tb && mul(a, tb));
  },
});

const divOp = defineOp({
  name: 'div',
  dtypes: BINARY_DTYPES,
  forward(ctx, a: Tensor, b: Tensor) {
    ctx.save(a, b);
    return binaryRaw('div', BinaryOp.div, a, b);
  },
  backward(ctx, g) {
    const [a, b] = ctx.saved;
    // d(a/b)/da = 1/b; d(a/b)/db = -a/b^2
    return [
      ctx.needsInputGrad[0] ? sumTo(div(g, b), a.shape) : null,
      ctx.needsInputGrad[1] ? sumTo(div(mul(mul(g, a), -1), mul(b, b)), b.shape) : null,
    ];
  },
  // d(a/b) = ta/b - a tb/b^2
  jvp(ctx, ta, tb) {
    const [a, b] = ctx.saved;
    const shape = broadcastShapes('div', a.shape, b.shape);
    return broadcastSum(shape, ta && div(ta, b), tb && div(mul(mul(a, tb), -1), mul(b, b)));
  },
});

/**
 * The sum of the tangents that are there, broadcast to the output's shape: the JVP of every op
 * whose output is a sum of broadcast terms.
 */
export function broadcastSum(shape: Shape, ...terms: (Tensor | null | undefined)[]): Tensor {
  const present = terms.filter((t): t is Tensor => t instanceof Tensor);
  let total = present.reduce((acc, t) => addOp(acc, t));
  if (total.shape.length !== shape.length || total.shape.some((n, i) => n !== shape[i])) total = expand(total, shape);
  return total;
}

/**
 * The dtype of a op b, as `torch.result_type` (float32 with float64 gives float64, int8 with int32
 * gives int32; int8 with uint8 gives int32 where torch gives int16, which myelin does not have).
 * Tensors with dimensions come first, then 0-d tensors, then numbers: a lower one counts only when
 * it is of a higher category (bool < integer < floating), so an int8 tensor with a 0-d int32
 * tensor stays int8 and a float32 one with a 0-d float64 tensor float32. A number is a "weak"
 * scalar: an integer keeps an int32, int8 or uint8 tensor's dtype (not range-checked, as PyTorch
 * 1.13: int8 + 300 wraps) and makes a bool tensor int32; a fraction makes an integer or bool
 * tensor the default dtype and leaves a float32 tensor float32. bool op bool gives int32.
 */
export function resultType(a: TensorLike, b: TensorLike, op = 'resultType'): DType {
  refuseStorageOnly(op, a);
  refuseStorageOnly(op, b);
  let dims: DType | null = null;
  let zeroDim: DType | null = null;
  let numbers: DType | null = null;
  const join = (acc: DType | null, d: DType): DType => (acc === null ? d : promoteTypes(acc, d));
  for (const x of [a, b]) {
    if (x instanceof Tensor) {
      if (x.shape.length > 0) dims = join(dims, x.dtype);
      else zeroDim = join(zeroDim, x.dtype);
    } else numbers = join(numbers, Number.isInteger(x) ? 'int32' : getDefaultDtype());
  }
  const t = combineCategories(dims, combineCategories(zeroDim, numbers)) as DType;
  return t === 'bool' ? 'int32' : t;
}

/** c10's combine_categories: the higher-priority dtype, unless the lower one's category is higher. */
function combineCategories(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null || isFloatingDType(higher)) return higher;
  return higher === 'bool' || isFloatingDType(lower) ? promoteTypes(higher, lower) : higher;
}

/**
 * Both operands in their floating result dtype (torch's promotion: float64 if either tensor is
 * float64, else float32): int/bool tensors are cast, a number becomes a 0-d tensor of that dtype
 * (taken at full precision, never rounded through float32 first).
 */
export function floatPair(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const result = resultType(a, b, op);
  const dtype = result === 'float64' || result === 'bfloat16' ? result : 'float32';
  const operand = (x: TensorLike): Tensor => {
    // A number with a bfloat16 tensor is rounded to bfloat16 first, as PyTorch 1.13's CPU kernels.
    if (typeof x === 'number')
      return dtype === 'bfloat16'
        ? new Tensor(new Storage(Uint16Array.of(bfloat16BitsOf(x))), [])
        : new Tensor(new Storage(allocate(dtype, 1).fill(x)), []);
    const t = asTensor(op, x);
    // A float64 operand of a float32 result is a 0-d tensor beside a float32 one (resultType).
    return dtype === 'float32' && t.dtype !== 'float64' ? float32Operand(op, t) : cast(t, dtype);
  };
  return [operand(a), operand(b)];
}

/**
 * a op b on integer values in TypeScript, stored in `dtype` (int32, int8 or uint8): f computes in
 * int32 (wrapping like int32 arithmetic) and the store wraps to the dtype's width, which is the
 * result C's wrapping gives, since 2^8 divides 2^32. A number operand is taken as an int32.
 * `extra` is recorded after the operands for the ONNX exporter (div's rounding mode).
 */
export function intBinary(
  op: string,
  a: TensorLike,
  b: TensorLike,
  f: (x: number, y: number) => number,
  dtype: DType = 'int32',
  extra: readonly unknown[] = [],
): Tensor {
  const ta = a instanceof Tensor ? a : new Tensor(new Storage(new Int32Array([a])), []);
  const tb = b instanceof Tensor ? b : new Tensor(new Storage(new Int32Array([b])), []);
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  return recorded(op, [ta, tb, ...extra], () => {
    const va = valuesAs(ta, shape);
    const vb = valuesAs(tb, shape);
    const out = allocate(dtype, va.length);
    for (let i = 0; i < out.length; i++) out[i] = f(va[i], vb[i]);
    return new Tensor(new Storage(out), shape);
  });
}

/**
 * a + b elementwise (`torch.add`); a or b may be a number.
 * Broadcasts; integer operands give their promoted integer dtype (resultType: int8 + int8 is int8,
 * bool + bool is int32; an integer number keeps the tensor's dtype), wrapping on overflow as
 * PyTorch's integers; a float32 operand or a fraction gives float32. Differentiable.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b, 'add');
  if (isIntegerDType(dtype))
    return intBinary('add', asTensorOrNumber('add', a), asTensorOrNumber('add', b), (x, y) => (x + y) | 0, dtype);
  return addOp(...floatPair('add', a, b));
}
/**
 * a - b elementwise (`torch.sub`); a or b may be a number.
 * Broadcasts; integer operands give their promoted integer dtype (resultType: int8 + int8 is int8,
 * bool + bool is int32; an integer number keeps the tensor's dtype), wrapping on overflow as
 * PyTorch's integers; a float32 operand or a fraction gives float32. Differentiable.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b, 'sub');
  if (isIntegerDType(dtype))
    return intBinary('sub', asTensorOrNumber('sub', a), asTensorOrNumber('sub', b), (x, y) => (x - y) | 0, dtype);
  return subOp(...floatPair('sub', a, b));
}
/**
 * a * b elementwise (`torch.mul`); a or b may be a number.
 * Broadcasts; integer operands give their promoted integer dtype (resultType: int8 + int8 is int8,
 * bool + bool is int32; an integer number keeps the tensor's dtype), wrapping on overflow as
 * PyTorch's integers; a float32 operand or a fraction gives float32. Differentiable.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b, 'mul');
  if (isIntegerDType(dtype))
    return intBinary('mul', asTensorOrNumber('mul', a), asTensorOrNumber('mul', b), Math.imul, dtype);
  return mulOp(...floatPair('mul', a, b));
}
/** How `div` rounds its quotient (torch's rounding_mode): toward zero, or down. */
export type RoundingMode = 'trunc' | 'floor';

/** bfloat16's rounding of v (to float32, then to nearest even in bfloat16, as torch's casts). */
const roundBf16 = (v: number) => bfloat16BitsToNumber(bfloat16BitsOf(v));

/**
 * out[i] = f(a[i], b[i], r) over the broadcast shape, in a's and b's dtype (float32 if they
 * differ), with r rounding each step of f to that dtype: float32 and bfloat16 round each (torch's
 * bfloat16 kernels compute each operation in float32 and round it to bfloat16), float64 none.
 */
export function floatMap(
  a: Tensor,
  b: Tensor,
  shape: Shape,
  f: (x: number, y: number, r: (v: number) => number) => number,
): Tensor {
  // floatPair leaves a bfloat16 operand of a float32 result as it is: it computes in float32.
  const dtype = a.dtype === b.dtype ? a.dtype : 'float32';
  const bf16 = dtype === 'bfloat16';
  const r = bf16 ? roundBf16 : dtype === 'float64' ? (v: number) => v : Math.fround;
  const va = valuesAs(widenBf16(a), shape);
  const vb = valuesAs(widenBf16(b), shape);
  const out = allocate(bf16 ? 'float32' : dtype, va.length);
  for (let i = 0; i < out.length; i++) out[i] = f(va[i], vb[i], r);
  const t = new Tensor(new Storage(out), shape);
  return bf16 ? copyRaw(t, 'bfloat16') : t;
}

/**
 * a / b rounded down, as torch's div_floor for floats (Python's algorithm: the quotient of a minus
 * fmod(a, b), corrected by one where fmod's sign is not b's, then rounded to the nearest integer);
 * each step rounded by r. b = 0 gives a / b (+-inf, or NaN for 0 / 0); a zero quotient keeps the
 * sign of a / b.
 */
export function floorDivFloat(a: number, b: number, r: (v: number) => number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let q = r(r(a - mod) / b);
  if (mod !== 0 && b < 0 !== mod < 0) q = r(q - 1);
  if (q === 0) return a / b < 0 || Object.is(a / b, -0) ? -0 : 0;
  const f = Math.floor(q);
  return r(q - f) > 0.5 ? f + 1 : f;
}

/** a / b rounded toward zero for floats (torch's div_trunc: trunc of the rounded quotient). */
const truncDivFloat = (a: number, b: number, r: (v: number) => number): number => Math.trunc(r(a / b));

/** The integer quotient of a / b rounded down (torch's div_floor_integer); b != 0. */
export function floorDivInt(a: number, b: number): number {
  const q = Math.trunc(a / b);
  return a % b !== 0 && a < 0 !== b < 0 ? q - 1 : q;
}

/**
 * The integer op f over a and b's values in their integer result dtype, as torch's integer
 * division kernels: a number operand converted to that dtype first (wrapped: int8 % 300 is int8 %
 * 44, uint8 % -3 is uint8 % 253), and a zero divisor refused as PyTorch's "ZeroDivisionError".
 */
export function intDivision(
  op: string,
  a: TensorLike,
  b: TensorLike,
  dtype: DType,
  f: (x: number, y: number) => number,
  extra: readonly unknown[] = [],
): Tensor {
  // A tensor of another dtype is cast too: an int8 tensor % a 0-d int32 tensor computes in int8.
  const wrap = (x: TensorLike): TensorLike =>
    x instanceof Tensor
      ? cast(x, dtype)
      : typeof x !== 'number'
        ? x
        : dtype === 'int8' || dtype === 'uint8'
          ? wrapByte(dtype, x)
          : x | 0;
  return intBinary(
    op,
    wrap(a),
    wrap(b),
    (x, y) => {
      if (y === 0)
        throw new RangeError(`${op}: ZeroDivisionError: integer division by zero (a zero in the ${dtype} divisor)`);
      return f(x, y);
    },
    dtype,
    extra,
  );
}

/** Refuses two bool operands: PyTorch 1.13 has no bool kernel for the division ops. */
export function refuseBoolPair(op: string, a: TensorLike, b: TensorLike): void {
  if (a instanceof Tensor && b instanceof Tensor && a.dtype === 'bool' && b.dtype === 'bool')
    throw new TypeError(`${op}: not implemented for two bool tensors, as PyTorch 1.13; cast one with .to('int32')`);
}

const divRoundedOp = defineOp({
  name: 'div',
  dtypes: [...BINARY_DTYPES, 'bfloat16'],
  forward(ctx: OpContext<{ aShape: Shape; bShape: Shape; outShape: Shape }>, a: Tensor, b: Tensor, mode: RoundingMode) {
    ctx.aShape = a.shape;
    ctx.bShape = b.shape;
    ctx.outShape = broadcastShapes('div', a.shape, b.shape);
    return floatMap(a, b, ctx.outShape, mode === 'floor' ? floorDivFloat : truncDivFloat);
  },
  // A step function: torch's gradient is zero (zeros, not 0 * grad, which is NaN at inf).
  backward(ctx, g) {
    return [
      ctx.needsInputGrad[0] ? zeros(ctx.aShape, { dtype: g.dtype }) : null,
      ctx.needsInputGrad[1] ? zeros(ctx.bShape, { dtype: g.dtype }) : null,
    ];
  },
  jvp: (ctx, ta, tb) => zeros(ctx.outShape, { dtype: (ta ?? tb)!.dtype }),
});

/**
 * a / b elementwise (`torch.div`); a or b may be a number. Without a rounding mode, true
 * division: integer operands give float32. With `{ roundingMode: 'trunc' }` the quotient is
 * rounded toward zero, with `'floor'` down (Python's //); integer operands then keep their
 * promoted integer dtype (as add's), and an integer zero divisor is a RangeError (PyTorch's
 * ZeroDivisionError); the rounded quotient's gradient is zero, as torch's.
 * @throws TypeError if a or b is not a Tensor or a number, for an unknown option or rounding mode,
 * or for two bool tensors with a rounding mode; RangeError if their shapes do not broadcast.
 */
export function div(a: TensorLike, b: TensorLike, options?: { roundingMode?: RoundingMode | null }): Tensor {
  checkOptions('div', options, ['roundingMode']);
  const mode = options?.roundingMode ?? null;
  if (mode === null) return divOp(...floatPair('div', a, b));
  if (mode !== 'trunc' && mode !== 'floor')
    throw new TypeError(`div: roundingMode must be 'trunc', 'floor' or null, got ${JSON.stringify(mode)}`);
  return divRounded('div', a, b, mode);
}

/** div with a rounding mode under the name `op` (div, floorDivide's integer path). */
export function divRounded(op: string, a: TensorLike, b: TensorLike, mode: RoundingMode): Tensor {
  refuseBoolPair(op, asTensorOrNumber(op, a), asTensorOrNumber(op, b));
  const dtype = resultType(a, b, op);
  if (isIntegerDType(dtype))
    return intDivision(op, a, b, dtype, mode === 'floor' ? floorDivInt : (x, y) => Math.trunc(x / y), [mode]);
  return divRoundedOp(...floatPair(op, a, b), mode);
}

function asTensorOrNumber(op: string, x: TensorLike): TensorLike {
  if (x instanceof Tensor || typeof x === 'number') return refuseStorageOnly(op, x);
  throw new TypeError(`${op}: expected a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
}

declare module '../tensor.js' {
  // A float32 tensor combined with anything is float32 (so a sum of losses stays one).
  interface Tensor<D extends DType = DType> {
    /** `add(this, ...)` as a method (`torch.Tensor.add`): see `add`. */
    add(other: TensorLike): D extends 'float32' ? Tensor<'float32'> : Tensor;
    /** `sub(this, ...)` as a method (`torch.Tensor.sub`): see `sub`. */
    sub(other: TensorLike): D extends 'float32' ? Tensor<'float32'> : Tensor;
    /** `mul(this, ...)` as a method (`torch.Tensor.mul`): see `mul`. */
    mul(other: TensorLike): D extends 'float32' ? Tensor<'float32'> : Tensor;
    /** `div(this, ...)` as a method (`torch.Tensor.div`): see `div`. */
    div(
      other: TensorLike,
      options?: { roundingMode?: RoundingMode | null },
    ): D extends 'float32' ? Tensor<'float32'> : Tensor;
  }
}

Tensor.prototype.add = function (this: Tensor, other: TensorLike) {
  return add(this, other);
};
Tensor.prototype.sub = function (this: Tensor, other: TensorLike) {
  return sub(this, other);
};
Tensor.prototype.mul = function (this: Tensor, other: TensorLike) {
  return mul(this, other);
};
Tensor.prototype.div = function (this: Tensor, other: TensorLike, options?: { roundingMode?: RoundingMode | null }) {
  return div(this, other, options);
};
