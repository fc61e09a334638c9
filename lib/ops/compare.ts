// Comparisons and logical ops: broadcasting, any dtype in, bool out, no gradient.
import { checkOptions, checkTensor, refuseStorageOnly } from '../errors.js';
import { allocate, isIntegerDType } from '../dtype.js';
import { Storage, Tensor } from '../tensor.js';
import { activeTracer, traced } from '../trace.js';
import { asTensor, asTensorBeside, type TensorLike } from './binary.js';
import { mapBinaryRaw } from './pointwise.js';
import { mapRaw } from './unary.js';
import { copyRaw, widenBf16 } from '../raw/strided.js';

function compare(op: string, f: (x: number, y: number) => boolean) {
  const run = traced(op, (ta: Tensor, tb: Tensor) => mapBinaryRaw(op, ta, tb, 'bool', (x, y) => (f(x, y) ? 1 : 0)));
  return (a: TensorLike, b: TensorLike): Tensor => run(widenBf16(operand(op, a, b)), widenBf16(operand(op, b, a)));
}

/**
 * x as a tensor to compare with `other`. An integer number against an int8 or uint8 tensor is taken
 * in that dtype, as torch converts the scalar, wrapped when the dtype cannot hold it (int8 < 300
 * compares with 44, as PyTorch 1.13); against an int32 tensor (torch's int64) exactly; any number
 * against a float64 tensor in float64 (asTensorBeside).
 */
function operand(op: string, x: TensorLike, other: TensorLike): Tensor {
  if (typeof x === 'number' && Number.isInteger(x) && other instanceof Tensor && isIntegerDType(other.dtype)) {
    const d = other.dtype === 'int32' ? 'float64' : other.dtype;
    return new Tensor(new Storage(allocate(d, 1).fill(x), d), []);
  }
  return other instanceof Tensor ? asTensorBeside(op, x, other.dtype) : asTensor(op, x);
}

/**
 * a == b elementwise (`torch.eq`).
 * Broadcasts; any dtypes in, a bool tensor out; no gradient.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export const eq = compare('eq', (x, y) => x === y);
/**
 * a != b elementwise (`torch.ne`); true where either is NaN.
 * Broadcasts; any dtypes in, a bool tensor out; no gradient.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export const ne = compare('ne', (x, y) => x !== y);
/**
 * a < b elementwise (`torch.lt`).
 * Broadcasts; any dtypes in, a bool tensor out; no gradient.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export const lt = compare('lt', (x, y) => x < y);
/**
 * a <= b elementwise (`torch.le`).
 * Broadcasts; any dtypes in, a bool tensor out; no gradient.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export const le = compare('le', (x, y) => x <= y);
/**
 * a > b elementwise (`torch.gt`).
 * Broadcasts; any dtypes in, a bool tensor out; no gradient.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export const gt = compare('gt', (x, y) => x > y);
/**
 * a >= b elementwise (`torch.ge`).
 * Broadcasts; any dtypes in, a bool tensor out; no gradient.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export const ge = compare('ge', (x, y) => x >= y);

// Truthiness is "nonzero" (NaN is truthy), as torch.
/**
 * a AND b elementwise (`torch.logical_and`).
 * Broadcasts; an element is true where it is nonzero (NaN included), as PyTorch; a bool tensor
 * out; no gradient.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export const logicalAnd = compare('logicalAnd', (x, y) => x !== 0 && y !== 0);
/**
 * a OR b elementwise (`torch.logical_or`).
 * Broadcasts; an element is true where it is nonzero (NaN included), as PyTorch; a bool tensor
 * out; no gradient.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export const logicalOr = compare('logicalOr', (x, y) => x !== 0 || y !== 0);
/**
 * a XOR b elementwise (`torch.logical_xor`).
 * Broadcasts; an element is true where it is nonzero (NaN included), as PyTorch; a bool tensor
 * out; no gradient.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export const logicalXor = compare('logicalXor', (x, y) => (x !== 0) !== (y !== 0));

function unaryBool(op: string, f: (v: number) => boolean) {
  const run = traced(op, (x: Tensor) => {
    const out = mapRaw(x, (v) => (f(v) ? 1 : 0));
    return out.dtype === 'bool' ? out : copyRaw(out, 'bool');
  });
  return (x: Tensor): Tensor => {
    if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
    return run(widenBf16(refuseStorageOnly(op, x)));
  };
}

/**
 * NOT x elementwise (`torch.logical_not`): true where x is zero. A bool tensor out.
 * @throws TypeError if x is not a Tensor.
 */
export const logicalNot = unaryBool('logicalNot', (v) => v === 0);
/**
 * Whether each element is NaN (`torch.isnan`). A bool tensor out.
 * @throws TypeError if x is not a Tensor.
 */
export const isnan = unaryBool('isnan', (v) => v !== v);
/**
 * Whether each element is finite: not NaN nor infinite (`torch.isfinite`). A bool tensor out.
 * @throws TypeError if x is not a Tensor.
 */
export const isfinite = unaryBool('isfinite', Number.isFinite);
/**
 * Whether each element is +-Infinity (`torch.isinf`). A bool tensor out.
 * @throws TypeError if x is not a Tensor.
 */
export const isinf = unaryBool('isinf', (v) => v === Infinity || v === -Infinity);

/** equal/allclose answer in JavaScript: a traced forward (onnx.export) must not branch on it. */
function readsValues(op: string, a: Tensor, b: Tensor): void {
  if (activeTracer === null) return;
  activeTracer.read(a, `${op}()`);
  activeTracer.read(b, `${op}()`);
}

/** Whether a and b have the same shape and elements (torch.equal). */
export function equal(a: Tensor, b: Tensor): boolean {
  checkTensor('equal', 'input', a);
  checkTensor('equal', 'other', b);
  readsValues('equal', a, b);
  if (a.ndim !== b.ndim || a.shape.some((s, i) => s !== b.shape[i])) return false;
  const e = eq(a, b).storage.data;
  for (let i = 0; i < e.length; i++) if (!e[i]) return false;
  return true;
}

/** |a - b| <= atol + rtol |b| everywhere (torch.allclose); NaNs equal only with equalNan. */
export function allclose(
  a: Tensor,
  b: Tensor,
  opts: { rtol?: number; atol?: number; equalNan?: boolean } = {},
): boolean {
  checkOptions('allclose', opts, { rtol: 'number', atol: 'number', equalNan: 'boolean' });
  checkTensor('allclose', 'input', a);
  checkTensor('allclose', 'other', b);
  readsValues('allclose', a, b);
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-8;
  const close = mapBinaryRaw('allclose', widenBf16(a), widenBf16(b), 'bool', (x, y) => {
    if (x !== x || y !== y) return opts.equalNan && x !== x && y !== y ? 1 : 0;
    if (x === y) return 1;
    return Math.abs(x - y) <= atol + rtol * Math.abs(y) ? 1 : 0;
  }).storage.data;
  for (let i = 0; i < close.length; i++) if (!close[i]) return false;
  return true;
}
