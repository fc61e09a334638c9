// Element types and their typed-array storage. Each dtype is one row of DTYPES: its storage
// array, its category (bool < integer < floating, torch's promotion order) and its width within
// the category. A new dtype is a new row here, a name in the DType union, and its kernels.

/**
 * The element types a Tensor holds: float32 (the default floating dtype), float64 (double
 * precision), bfloat16 (16-bit brain floating point: float32's range, 8 significant bits; its
 * storage is a Uint16Array of bit patterns; ops widen it to float32 and round their results back,
 * as PyTorch's CPU kernels, and refuse it where PyTorch 1.13 has no bfloat16 kernel), the integer
 * dtypes int32 (indices, counts; it stands in for torch's int64), int8 and uint8 (8-bit integers
 * that wrap modulo 2^8, as torch's; also the integers of a quantized tensor, `intRepr()`), bool
 * (masks), and the quantized qint8 and quint8 (integers with a scale and zero point,
 * `quantizePerTensor`), which are storage and conversion only: an op other than the views,
 * copies, casts and the quantization functions refuses them (a TypeError naming the op and the
 * dtype).
 */
export type DType = 'float32' | 'float64' | 'bfloat16' | 'int32' | 'bool' | 'int8' | 'uint8' | 'qint8' | 'quint8';
/** The quantized dtypes (`torch.qint8`, `torch.quint8`): 8-bit integers with a scale and a zero point. */
export type QuantizedDType = 'qint8' | 'quint8';
/** The floating dtypes: the ones that can require gradients. */
export type FloatDType = 'float32' | 'float64' | 'bfloat16';
/** The floating dtypes that have kernels of their own, and that `setDefaultDtype` accepts. */
export type ComputeFloatDType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Uint16Array;

type ArrayCtor = {
  new (n: number): TypedArray;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray;
};

/**
 * The storage array of uint8 elements: a Uint8Array of its own class, so that every array made for
 * a uint8 result (`allocate`, a copy, a subarray) says it holds uint8 and not bool, whose storage
 * is a plain Uint8Array. A uint8 Storage made over a plain Uint8Array views its memory as one.
 */
export class Uint8Elements extends Uint8Array {}

interface DTypeRow {
  /** The typed array that stores the elements. */
  readonly array: ArrayCtor;
  /** torch's promotion categories: a higher category wins whatever the widths (quantized never promotes). */
  readonly category: 'bool' | 'integer' | 'floating' | 'quantized';
  /** Bits per element: within a category the wider dtype wins. */
  readonly bits: number;
  /** Storage and conversion only: every op but the views, copies and casts refuses it. */
  readonly storageOnly?: true;
}

/** Every dtype, in promotion order within each category. */
export const DTYPES: Readonly<Record<DType, DTypeRow>> = {
  bool: { array: Uint8Array, category: 'bool', bits: 8 },
  int32: { array: Int32Array, category: 'integer', bits: 32 },
  float32: { array: Float32Array, category: 'floating', bits: 32 },
  float64: { array: Float64Array, category: 'floating', bits: 64 },
  bfloat16: { array: Uint16Array, category: 'floating', bits: 16 },
  int8: { array: Int8Array, category: 'integer', bits: 8 },
  uint8: { array: Uint8Elements, category: 'integer', bits: 8 },
  qint8: { array: Int8Array, category: 'quantized', bits: 8, storageOnly: true },
  quint8: { array: Uint8Array, category: 'quantized', bits: 8, storageOnly: true },
};

const DTYPE_NAMES = Object.keys(DTYPES) as DType[];
const CATEGORY_RANK = { bool: 0, integer: 1, floating: 2, quantized: 3 } as const;

/** The dtypes tensors are created in and cast to, as a list for messages (the quantized ones are neither). */
export const DTYPE_LIST = `'float32', 'float64', 'bfloat16', 'int32', 'int8', 'uint8' or 'bool'`;

// One float32 viewed as its 32-bit pattern: a bfloat16 is the top half of one.
const bf16Word = new Uint32Array(1);
const bf16Float = new Float32Array(bf16Word.buffer);

/**
 * The bfloat16 bit pattern of a number as torch converts a Python number: to float32 (nearest),
 * then to nearest even; a NaN is 0x7fc0 (c10::BFloat16's scalar conversion; tensor casts,
 * vectorized, give 0xffff).
 */
export function bfloat16BitsOf(v: number): number {
  bf16Float[0] = v;
  const w = bf16Word[0];
  if ((w & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  return ((w + 0x7fff + ((w >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The number a bfloat16 bit pattern stands for (exact: every bfloat16 is a float32). */
export function bfloat16BitsToNumber(bits: number): number {
  bf16Word[0] = bits << 16;
  return bf16Float[0];
}

/** The bfloat16 at or toward zero from v as a float32 (its low 16 bits cleared: truncation, not rounding). */
export function truncToBfloat16(v: number): number {
  bf16Float[0] = v;
  return bfloat16BitsToNumber(bf16Word[0] >>> 16);
}

export function allocate(dtype: DType, n: number): TypedArray {
  return new DTYPES[dtype].array(n);
}

/**
 * The dtype a typed array stores (a Uint8Array is 'bool', an Int8Array 'int8': the other dtypes of
 * those arrays are named to Storage; a Uint16Array holds bfloat16 bit patterns); any other kind of
 * array is an error.
 */
export function dtypeOf(data: TypedArray): DType {
  for (const d of DTYPE_NAMES) if (data?.constructor === DTYPES[d].array) return d;
  const what = ArrayBuffer.isView(data) ? `a ${data.constructor.name}` : data === null ? 'null' : typeof data;
  throw new TypeError(
    `Storage: data must be a Float32Array (float32), a Float64Array (float64), a Uint16Array (bfloat16 bits), an Int32Array (int32), a Uint8Array (bool) or an Int8Array (int8), got ${what}; ` +
      'copy other data with tensor(...), which converts it',
  );
}

/**
 * Whether a typed array can be the storage of `dtype`: its own kind, or for the byte dtypes (bool,
 * uint8, quint8) any Uint8Array (a Storage views a plain one as uint8's Uint8Elements).
 */
export function arrayHolds(dtype: DType, data: TypedArray): boolean {
  const want = DTYPES[dtype].array;
  return want === data.constructor || (data instanceof Uint8Array && (want === Uint8Array || want === Uint8Elements));
}

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.hasOwn(DTYPES, x);
}

/**
 * Whether a dtype is floating point (`torch.dtype.is_floating_point`).
 * @throws TypeError if d is not a dtype.
 */
export function isFloatingDType(d: DType): d is FloatDType {
  return rowOf('isFloatingDType', d).category === 'floating';
}

/**
 * Whether a dtype is an integer dtype (int32, int8, uint8: `not is_floating_point` and not bool):
 * its arithmetic stays in the dtype and wraps, as torch's.
 */
export function isIntegerDType(d: DType): boolean {
  return DTYPES[d]?.category === 'integer';
}

/**
 * v as torch converts a number argument of an op on an int8 or uint8 tensor (`fill_`,
 * `maskedFill`, `where`, `clamp`): truncated toward zero and wrapped to 8 bits, or a RangeError
 * where c10 sees an overflow: outside [-128, 127] for int8, outside [-255, 255] for uint8 (c10
 * lets a negative integer through to an unsigned type down to -max: uint8 -1 is 255; a fraction
 * must lie in [lowest, max] before truncating: uint8 -0.5 and 255.9, int8 127.5 overflow). v itself
 * for the other dtypes. Arithmetic takes its number unchecked (int8 + 300 wraps), as torch.
 */
export function byteScalar(op: string, dtype: DType, v: number): number {
  if (dtype !== 'int8' && dtype !== 'uint8') return v;
  if (!byteFits(dtype, v)) throw new RangeError(`${op}: value ${v} cannot be converted to ${dtype} without overflow`);
  return wrapByte(dtype, Math.trunc(v));
}

/**
 * Whether c10 converts the number v to int8 or uint8 without an overflow error (`fill_`, `full`,
 * `tensor`): an integer in [-128, 127] for int8, [-255, 255] for uint8 (an unsigned type takes a
 * negative integer down to -max: uint8 -1 wraps to 255); a fraction (a double there) in [lowest,
 * max] before truncating (uint8 -0.5 and int8 127.5 overflow); never NaN or an infinity.
 */
export function byteFits(dtype: 'int8' | 'uint8', v: number): boolean {
  if (Number.isInteger(v)) return dtype === 'int8' ? v >= -128 && v <= 127 : v >= -255 && v <= 255;
  return dtype === 'int8' ? v >= -128 && v <= 127 : v >= 0 && v <= 255;
}

/** The integer t wrapped to int8 or uint8 (its low 8 bits), as a C cast. */
export function wrapByte(dtype: 'int8' | 'uint8', t: number): number {
  return dtype === 'int8' ? (t << 24) >> 24 : t & 255;
}

/**
 * Whether a dtype is storage and conversion only (qint8, quint8): ops refuse it.
 * @throws TypeError if d is not a dtype.
 */
export function isStorageOnlyDType(d: DType): boolean {
  return rowOf('isStorageOnlyDType', d).storageOnly === true;
}

/** Whether a dtype is quantized (qint8, quint8: `torch.Tensor.is_quantized` of its tensors). */
export function isQuantizedDType(d: unknown): d is QuantizedDType {
  return d === 'qint8' || d === 'quint8';
}

/** The DTYPES row of d, or a TypeError naming the function and the value. */
function rowOf(fn: string, d: unknown): DTypeRow {
  if (!isDType(d))
    throw new TypeError(
      `${fn}: expected a dtype (${DTYPE_NAMES.map((n) => `'${n}'`).join(', ')}), got ${typeof d === 'string' ? `'${d}'` : typeof d}`,
    );
  return DTYPES[d];
}

/**
 * The dtype two operands promote to, as torch's `promote_types`: the higher category (bool <
 * integer < floating), then the wider dtype (float32 with float64 gives float64). int8 with uint8
 * gives int32: torch gives int16, which myelin does not have (int32 holds every value of both).
 * @throws TypeError if a or b is not a dtype.
 */
export function promoteTypes(a: DType, b: DType): DType {
  const ra = rowOf('promoteTypes', a);
  const rb = rowOf('promoteTypes', b);
  if (ra.category === 'quantized' || rb.category === 'quantized')
    throw new TypeError(`promoteTypes: quantized dtypes do not promote (got ${a} and ${b}); dequantize() first`);
  if (ra.category === 'integer' && rb.category === 'integer' && ra.bits === 8 && rb.bits === 8 && a !== b)
    return 'int32';
  if (ra.category !== rb.category) return CATEGORY_RANK[ra.category] > CATEGORY_RANK[rb.category] ? a : b;
  return ra.bits >= rb.bits ? a : b;
}

/**
 * Every floating dtype: the `dtypes` of an op that is generic over its storage (a view, a copy,
 * a cast), which a new floating dtype joins without a kernel.
 */
export const FLOATING_DTYPES: readonly FloatDType[] = ['float32', 'float64'];

/**
 * The floating dtypes of the ops that never read an element as a number (reshape, view, clone,
 * contiguous, casts): FLOATING_DTYPES and bfloat16, which they move as it is (the other ops widen
 * bfloat16 to float32 and round their results: defineOp).
 */
export const STORAGE_FLOATING_DTYPES: readonly FloatDType[] = [...FLOATING_DTYPES, 'bfloat16'];

let defaultDtype: ComputeFloatDType = 'float32';

/**
 * The floating dtype that creation functions give when no dtype is asked for and the values
 * do not imply one (`torch.get_default_dtype`): float32 unless `setDefaultDtype` changed it.
 */
export function getDefaultDtype(): ComputeFloatDType {
  return defaultDtype;
}

/**
 * Sets the default floating dtype (`torch.set_default_dtype`): `tensor()` of JS numbers,
 * `zeros`, `ones`, `full` of a number, `arange` with a fraction, `linspace`, `eye`, `randn` and
 * the other floating creation functions follow it. Integer-valued `arange` and booleans keep
 * their dtypes, as in torch.
 * @throws TypeError unless dtype is 'float32' or 'float64' (torch also takes bfloat16).
 */
export function setDefaultDtype(dtype: ComputeFloatDType): void {
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new TypeError(
      `setDefaultDtype: only floating dtypes 'float32' and 'float64' can be the default (not bfloat16 yet), got ${typeof dtype === 'string' ? `'${dtype}'` : typeof dtype}`,
    );
  defaultDtype = dtype;
}

/**
 * The error of an op that has no path in a dtype yet: never a silent computation in another
 * dtype, never a crash in a kernel that reads the wrong width.
 */
export function unsupportedDtype(op: string, dtype: DType): TypeError {
  const fix = isQuantizedDType(dtype) ? 'dequantize() first' : 'convert with .float() first';
  return new TypeError(`${op}: ${dtype} tensors are not supported yet (no ${dtype} implementation of ${op}); ${fix}`);
}
