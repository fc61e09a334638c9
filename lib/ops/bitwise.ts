// Bitwise ops on bool and integer tensors (torch.bitwise_and, |, ^, ~, << and >>), as PyTorch 1.13
// on the CPU: floats are refused, results promote as add's, no gradient.
import { type DType, isIntegerDType, wrapByte } from '../dtype.js';
import { refuseStorageOnly } from '../errors.js';
import { Storage, Tensor } from '../tensor.js';
import { recorded } from '../trace.js';
import { mapBinaryRaw } from './pointwise.js';
import { intBinary, resultType, type TensorLike } from './binary.js';

/** An operand of the bitwise ops: a tensor, an integer, or a boolean (Python's True and False). */
export type BitwiseOperand = TensorLike | boolean;

/** x as a tensor or an integer; a boolean becomes a 0-d bool tensor. */
function operand(op: string, x: BitwiseOperand): TensorLike {
  if (typeof x === 'boolean') return new Tensor(new Storage(Uint8Array.of(x ? 1 : 0), 'bool'), []);
  if (typeof x === 'number') {
    if (!Number.isInteger(x))
      throw new TypeError(`${op}: expected an integer or a boolean operand, got ${x} (no bitwise ops on floats)`);
    return x;
  }
  if (!(x instanceof Tensor))
    throw new TypeError(`${op}: expected a Tensor, an integer or a boolean, got ${x === null ? 'null' : typeof x}`);
  refuseStorageOnly(op, x);
  if (x.dtype !== 'bool' && !isIntegerDType(x.dtype))
    throw new TypeError(
      `${op}: expected a bool, int8, uint8 or int32 tensor, got ${x.dtype} (PyTorch 1.13 has no bitwise ops on floating dtypes)`,
    );
  return x;
}

/**
 * f over a and b's values in their result dtype: bool where both are bool, else their promoted
 * integer dtype (resultType: a number keeps the tensor's dtype and is converted to it, uint8 & -1
 * is uint8 & 255; bool with an integer is int32, torch's int64). f computes in 32-bit ints (C's
 * promotion of the 8-bit types to int) and the store wraps to the dtype.
 */
function bitwiseBinary(op: string, f: (x: number, y: number) => number, bool: boolean) {
  return (a: BitwiseOperand, b: BitwiseOperand): Tensor => {
    const ta = operand(op, a);
    const tb = operand(op, b);
    const isBool = (x: TensorLike) => x instanceof Tensor && x.dtype === 'bool';
    if (isBool(ta) && isBool(tb)) {
      if (!bool)
        throw new TypeError(`${op}: not implemented for bool tensors, as PyTorch 1.13; cast with .to('int32')`);
      return intBinary(op, ta, tb, f, 'bool');
    }
    const dtype: DType = resultType(ta, tb, op);
    const wrap = (x: TensorLike): TensorLike =>
      typeof x !== 'number' ? x : dtype === 'int8' || dtype === 'uint8' ? wrapByte(dtype, x) : x | 0;
    return intBinary(op, wrap(ta), wrap(tb), f, dtype);
  };
}

/**
 * a AND b bit by bit (`torch.bitwise_and`, Python's &): logical AND on bool tensors. a or b may be
 * an integer or a boolean. Broadcasts; bool, int8, uint8 and int32 tensors (promoted as add's:
 * bool & bool is bool, uint8 & int8 is int32 where torch gives int16); no gradient.
 * @throws TypeError for a floating tensor or a fraction; RangeError if the shapes do not broadcast.
 */
export const bitwiseAnd = bitwiseBinary('bitwiseAnd', (x, y) => x & y, true);
/**
 * a OR b bit by bit (`torch.bitwise_or`, Python's |). Operands, dtypes and errors as `bitwiseAnd`.
 * @throws TypeError for a floating tensor or a fraction; RangeError if the shapes do not broadcast.
 */
export const bitwiseOr = bitwiseBinary('bitwiseOr', (x, y) => x | y, true);
/**
 * a XOR b bit by bit (`torch.bitwise_xor`, Python's ^). Operands, dtypes and errors as `bitwiseAnd`.
 * @throws TypeError for a floating tensor or a fraction; RangeError if the shapes do not broadcast.
 */
export const bitwiseXor = bitwiseBinary('bitwiseXor', (x, y) => x ^ y, true);
/**
 * a shifted left by b bits (`torch.bitwise_left_shift`, Python's <<) on int8, uint8 and int32
 * (bool refused, as torch); the bits shifted out are lost. As torch 1.13 on x86-64 (C's shift of
 * an int), a count is taken modulo 32: int32 1 << 32 is 1, int8 3 << -1 is 3 << 31, 0 in 8 bits.
 * @throws TypeError for a bool or floating tensor or a fraction; RangeError if the shapes do not broadcast.
 */
export const bitwiseLeftShift = bitwiseBinary('bitwiseLeftShift', (x, y) => x << y, false);
/**
 * a shifted right by b bits (`torch.bitwise_right_shift`, Python's >>): arithmetic (sign-filling)
 * for int8 and int32, logical for uint8; the count taken modulo 32 as `bitwiseLeftShift`.
 * @throws TypeError for a bool or floating tensor or a fraction; RangeError if the shapes do not broadcast.
 */
export const bitwiseRightShift = bitwiseBinary('bitwiseRightShift', (x, y) => x >> y, false);

/**
 * NOT x bit by bit (`torch.bitwise_not`, Python's ~): logical NOT on a bool tensor; the dtype kept.
 * @throws TypeError if x is not a bool or integer tensor.
 */
export function bitwiseNot(x: Tensor): Tensor {
  if (!(x instanceof Tensor))
    throw new TypeError(`bitwiseNot: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  const t = operand('bitwiseNot', x) as Tensor;
  const f = t.dtype === 'bool' ? (v: number) => (v ? 0 : 1) : (v: number) => ~v;
  return recorded('bitwiseNot', [t], () => mapBinaryRaw('bitwiseNot', t, t, t.dtype, f));
}

declare module '../tensor.js' {
  interface Tensor {
    /** `bitwiseAnd(this, ...)` as a method (`torch.Tensor.bitwise_and`, Python's &): see `bitwiseAnd`. */
    bitwiseAnd(other: BitwiseOperand): Tensor;
    /** `bitwiseOr(this, ...)` as a method (`torch.Tensor.bitwise_or`, Python's |): see `bitwiseOr`. */
    bitwiseOr(other: BitwiseOperand): Tensor;
    /** `bitwiseXor(this, ...)` as a method (`torch.Tensor.bitwise_xor`, Python's ^): see `bitwiseXor`. */
    bitwiseXor(other: BitwiseOperand): Tensor;
    /** `bitwiseLeftShift(this, ...)` as a method (`torch.Tensor.bitwise_left_shift`): see `bitwiseLeftShift`. */
    bitwiseLeftShift(other: BitwiseOperand): Tensor;
    /** `bitwiseRightShift(this, ...)` as a method (`torch.Tensor.bitwise_right_shift`): see `bitwiseRightShift`. */
    bitwiseRightShift(other: BitwiseOperand): Tensor;
    /** `bitwiseNot(this)` as a method (`torch.Tensor.bitwise_not`, Python's ~): see `bitwiseNot`. */
    bitwiseNot(): Tensor;
  }
}

const methods = { bitwiseAnd, bitwiseOr, bitwiseXor, bitwiseLeftShift, bitwiseRightShift };
for (const [name, fn] of Object.entries(methods)) {
  (Tensor.prototype as unknown as Record<string, unknown>)[name] = function (this: Tensor, other: BitwiseOperand) {
    return fn(this, other);
  };
}
Tensor.prototype.bitwiseNot = function (this: Tensor) {
  return bitwiseNot(this);
};
