// finfo and iinfo: the numerical limits of a dtype, with torch.finfo's and torch.iinfo's fields.
// They describe the type itself, so they cover PyTorch's float16, bfloat16 and float64 and its
// narrow integers too, whether or not myelin has tensors of that dtype yet.
import { type DType, getDefaultDtype, isDType, isFloatingDType } from './dtype.js';

/** The floating dtypes `finfo` describes (as PyTorch names them; float32 and float64 are Tensor dtypes here). */
export type FloatDTypeName = 'float32' | 'float64' | 'float16' | 'bfloat16';
/** The integer dtypes `iinfo` describes (as PyTorch names them; only int32 computes here). */
export type IntDTypeName = 'int32' | 'int16' | 'int8' | 'uint8';

/**
 * Python's '%g' (6 significant digits, ties to even on the exact binary value), as torch prints
 * finfo and iinfo: float16's eps 0.0009765625 prints as 0.000976562.
 */
function pyG(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const [m, ex] = Math.abs(v).toExponential(60).split('e'); // exact decimal digits of the double
  const digits = m.replace('.', '');
  let kept = Number(digits.slice(0, 6));
  const rest = digits.slice(6);
  const half = `5${'0'.repeat(rest.length - 1)}`;
  if (rest > half || (rest === half && kept % 2 === 1)) kept++;
  let e = Number(ex);
  if (kept === 1e6) {
    kept = 1e5;
    e++;
  }
  const sig = String(kept).replace(/0+$/, '');
  const sign = v < 0 ? '-' : '';
  if (e < -4 || e >= 6) {
    const mant = sig.length > 1 ? `${sig[0]}.${sig.slice(1)}` : sig;
    return `${sign}${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  // Fixed notation: the point after digit e + 1 (zeros in front when e < 0).
  const all = e < 0 ? `${'0'.repeat(-e)}${sig}` : sig.padEnd(e + 1, '0');
  const point = e < 0 ? 1 : e + 1;
  const frac = all.slice(point);
  return `${sign}${all.slice(0, point)}${frac ? `.${frac}` : ''}`;
}

/** torch.finfo's fields. */
export class FInfo {
  constructor(
    /** The dtype described. */
    readonly dtype: FloatDTypeName,
    /** Bits of storage. */
    readonly bits: number,
    /** The distance from 1 to the next representable number. */
    readonly eps: number,
    /** The largest finite number. */
    readonly max: number,
    /** The most negative finite number (-max). */
    readonly min: number,
    /** The smallest positive normal number. */
    readonly smallestNormal: number,
    /** 10^-precision, precision the decimal digits the type keeps (torch's resolution). */
    readonly resolution: number,
  ) {}
  /** torch's older name for smallestNormal. */
  get tiny(): number {
    return this.smallestNormal;
  }
  /** As PyTorch prints it: `finfo(resolution=1e-06, min=..., dtype=float32)`. */
  toString(): string {
    const g = pyG;
    return `finfo(resolution=${g(this.resolution)}, min=${g(this.min)}, max=${g(this.max)}, eps=${g(this.eps)}, smallest_normal=${g(this.smallestNormal)}, tiny=${g(this.tiny)}, dtype=${this.dtype})`;
  }
}

/** torch.iinfo's fields. */
export class IInfo {
  constructor(
    /** The dtype described. */
    readonly dtype: IntDTypeName,
    /** Bits of storage. */
    readonly bits: number,
    /** The largest value. */
    readonly max: number,
    /** The smallest value. */
    readonly min: number,
  ) {}
  /** As PyTorch prints it: `iinfo(min=-2.14748e+09, max=2.14748e+09, dtype=int32)`. */
  toString(): string {
    return `iinfo(min=${pyG(this.min)}, max=${pyG(this.max)}, dtype=${this.dtype})`;
  }
}

// eps = 2^-mantissa bits; max = (2 - eps) 2^maxExponent; smallest normal = 2^minExponent.
function floatInfo(dtype: FloatDTypeName, bits: number, mantissa: number, maxExp: number, minExp: number, res: number) {
  const eps = 2 ** -mantissa;
  return new FInfo(dtype, bits, eps, (2 - eps) * 2 ** maxExp, -(2 - eps) * 2 ** maxExp, 2 ** minExp, res);
}

const FLOATS: Record<FloatDTypeName, FInfo> = {
  float32: floatInfo('float32', 32, 23, 127, -126, 1e-6),
  float64: floatInfo('float64', 64, 52, 1023, -1022, 1e-15),
  float16: floatInfo('float16', 16, 10, 15, -14, 1e-3),
  bfloat16: floatInfo('bfloat16', 16, 7, 127, -126, 1e-2),
};

const INTS: Record<IntDTypeName, IInfo> = {
  int32: new IInfo('int32', 32, 2 ** 31 - 1, -(2 ** 31)),
  int16: new IInfo('int16', 16, 2 ** 15 - 1, -(2 ** 15)),
  int8: new IInfo('int8', 8, 127, -128),
  uint8: new IInfo('uint8', 8, 255, 0),
};

/** The limits of a floating dtype (the default dtype, float32 unless setDefaultDtype changed it, when none is given). */
export function finfo(dtype: FloatDTypeName | DType = getDefaultDtype()): FInfo {
  const info = FLOATS[dtype as FloatDTypeName];
  if (info) return info;
  if (dtype in INTS || (isDType(dtype) && !isFloatingDType(dtype)))
    throw new TypeError(`finfo: ${String(dtype)} is not a floating point dtype; use iinfo for integers`);
  throw new TypeError(`finfo: unknown dtype '${String(dtype)}' (expected ${Object.keys(FLOATS).join(', ')})`);
}

/** The limits of an integer dtype. */
export function iinfo(dtype: IntDTypeName | DType): IInfo {
  const info = INTS[dtype as IntDTypeName];
  if (info) return info;
  if (dtype in FLOATS) throw new TypeError(`iinfo: ${String(dtype)} is a floating point dtype; use finfo`);
  if (dtype === 'bool') throw new TypeError('iinfo: bool is not an integer dtype');
  throw new TypeError(`iinfo: unknown dtype '${String(dtype)}' (expected ${Object.keys(INTS).join(', ')})`);
}
