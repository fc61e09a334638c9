// remainder, fmod and floorDivide: the integer-division family beside div's rounding modes
// (binary.ts), as PyTorch 1.13. TypeScript loops over the broadcast values: they are a few times
// slower than a native row kernel but no workload here leans on them.
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { type FloatDType, isIntegerDType } from '../dtype.js';
import { broadcastShapes, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import {
  broadcastSum,
  divRounded,
  floatMap,
  floatPair,
  floorDivFloat,
  floorDivInt,
  intDivision,
  mul,
  refuseBoolPair,
  resultType,
  type RoundingMode,
  type TensorLike,
} from './binary.js';
import { sumTo } from './reduce.js';

// remainder and fmod take bfloat16 through float32 and one rounding (fmod is exact, then one
// addition): the values of torch's bfloat16 kernels.
const DTYPES: readonly FloatDType[] = ['float32', 'float64'];

/** fmod: the exact remainder of a / b with a's sign (JavaScript's % on doubles is C's fmod). */
const fmodFloat = (a: number, b: number) => a % b;

/** Python's a % b: fmod moved into b's sign by adding b once (torch's remainder kernel). */
function remainderFloat(a: number, b: number, r: (v: number) => number): number {
  const m = a % b;
  return m !== 0 && b < 0 !== m < 0 ? r(m + b) : m;
}

function remainderInt(a: number, b: number): number {
  const m = a % b;
  return m !== 0 && b < 0 !== m < 0 ? m + b : m;
}

/**
 * remainder and fmod: a - b q with q the quotient rounded down (remainder) or toward zero (fmod).
 * d/da = 1, d/db = -q (torch's derivatives.yaml: -grad * a.div(b, rounding_mode)), and the
 * tangent ta - tb q.
 */
function defineModulo(name: 'remainder' | 'fmod', mode: RoundingMode) {
  const f = name === 'remainder' ? remainderFloat : fmodFloat;
  return defineOp({
    name,
    dtypes: DTYPES,
    forward(ctx: OpContext<{ shape: Shape }>, a: Tensor, b: Tensor) {
      ctx.save(a, b);
      ctx.shape = broadcastShapes(name, a.shape, b.shape);
      return floatMap(a, b, ctx.shape, f);
    },
    backward(ctx, g) {
      const [a, b] = ctx.saved;
      return [
        ctx.needsInputGrad[0] ? sumTo(g, a.shape) : null,
        ctx.needsInputGrad[1] ? sumTo(mul(mul(g, -1), divRounded(name, a, b, mode)), b.shape) : null,
      ];
    },
    jvp(ctx, ta, tb) {
      const [a, b] = ctx.saved;
      return broadcastSum(ctx.shape, ta, tb && mul(mul(tb, -1), divRounded(name, a, b, mode)));
    },
  });
}

const remainderOp = defineModulo('remainder', 'floor');
const fmodOp = defineModulo('fmod', 'trunc');

const floorDivideOp = defineOp({
  name: 'floorDivide',
  // Each step rounded to bfloat16, as torch's kernel (float32 steps rounded once can differ).
  dtypes: [...DTYPES, 'bfloat16'],
  forward(_ctx, a: Tensor, b: Tensor) {
    return floatMap(a, b, broadcastShapes('floorDivide', a.shape, b.shape), floorDivFloat);
  },
  // torch 1.13 declares floor_divide not differentiable: its backward is an error (div with
  // roundingMode 'floor' computes the same values and has a zero gradient).
  backward() {
    throw new Error(
      "floorDivide: the derivative of floor_divide is not implemented (as PyTorch 1.13); use div(a, b, { roundingMode: 'floor' }), whose gradient is zero",
    );
  },
});

/**
 * Python's a % b elementwise (`torch.remainder`): the remainder takes the divisor's sign; a or b
 * may be a number. Broadcasts and promotes as add: integer operands keep their integer dtype (a
 * number converted to it: int8 % 300 is int8 % 44), floats compute in float32 or float64
 * (bfloat16 in float32, rounded once). A float divisor of 0 gives NaN; an integer one is a
 * RangeError (PyTorch's ZeroDivisionError). Differentiable: d/da = 1, d/db = -floor(a / b).
 * @throws TypeError if a or b is not a Tensor or a number, or both are bool tensors; RangeError if
 * their shapes do not broadcast or an integer divisor is 0.
 */
export function remainder(a: TensorLike, b: TensorLike): Tensor {
  return modulo('remainder', a, b);
}

/**
 * C's fmod elementwise (`torch.fmod`): the remainder of a / b takes the dividend's sign; a or b
 * may be a number (torch takes a number only as b). Broadcasting, dtypes, zero divisors and
 * errors as `remainder`. Differentiable: d/da = 1, d/db = -trunc(a / b).
 * @throws TypeError if a or b is not a Tensor or a number, or both are bool tensors; RangeError if
 * their shapes do not broadcast or an integer divisor is 0.
 */
export function fmod(a: TensorLike, b: TensorLike): Tensor {
  return modulo('fmod', a, b);
}

function modulo(op: 'remainder' | 'fmod', a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b, op);
  refuseBoolPair(op, a, b);
  if (isIntegerDType(dtype)) return intDivision(op, a, b, dtype, op === 'remainder' ? remainderInt : fmodFloat);
  return (op === 'remainder' ? remainderOp : fmodOp)(...floatPair(op, a, b));
}

/**
 * a // b elementwise (`torch.floor_divide`, which rounds down since PyTorch 1.13, as Python's //);
 * a or b may be a number. The values of `div(a, b, { roundingMode: 'floor' })`, with its dtypes
 * and zero divisors; as in torch, its backward is an error (div's rounding mode has a zero
 * gradient).
 * @throws TypeError if a or b is not a Tensor or a number, or both are bool tensors; RangeError if
 * their shapes do not broadcast or an integer divisor is 0.
 */
export function floorDivide(a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b, 'floorDivide');
  refuseBoolPair('floorDivide', a, b);
  if (isIntegerDType(dtype)) return intDivision('floorDivide', a, b, dtype, floorDivInt);
  return floorDivideOp(...floatPair('floorDivide', a, b));
}

declare module '../tensor.js' {
  interface Tensor {
    /** `remainder(this, ...)` as a method (`torch.Tensor.remainder`, Python's %): see `remainder`. */
    remainder(other: TensorLike): Tensor;
    /** `fmod(this, ...)` as a method (`torch.Tensor.fmod`): see `fmod`. */
    fmod(other: TensorLike): Tensor;
    /** `floorDivide(this, ...)` as a method (`torch.Tensor.floor_divide`, Python's //): see `floorDivide`. */
    floorDivide(other: TensorLike): Tensor;
  }
}

Tensor.prototype.remainder = function (this: Tensor, other: TensorLike) {
  return remainder(this, other);
};
Tensor.prototype.fmod = function (this: Tensor, other: TensorLike) {
  return fmod(this, other);
};
Tensor.prototype.floorDivide = function (this: Tensor, other: TensorLike) {
  return floorDivide(this, other);
};
