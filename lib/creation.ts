// Tensor creation from data and by shape.
import { type DeviceLike, requireCpu } from './device.js';
import {
  allocate,
  bfloat16BitsOf,
  bfloat16BitsToNumber,
  DTYPE_LIST,
  type DType,
  getDefaultDtype,
  isDType,
  isFloatingDType,
  isIntegerDType,
  isQuantizedDType,
  isStorageOnlyDType,
  type TypedArray,
  unsupportedDtype,
  wrapByte,
  byteFits,
} from './dtype.js';
import { checkAnyTensor, checkElementCount, checkOptions, describe, optionKeys, refuseStorageOnly } from './errors.js';
import { checkShape, formatShape, numel, type Shape } from './shape.js';
import { Storage, Tensor } from './tensor.js';
import { recorded } from './trace.js';

/**
 * The options of the creation functions (PyTorch's `dtype=`, `requires_grad=`, `device=`).
 */
export interface CreationOptions {
  /** The result's dtype (default: the default dtype (float32 unless setDefaultDtype changed it), or what the values or the like tensor imply). */
  dtype?: DType;
  /** Make the result a leaf that requires grad (default false; floating dtypes only). */
  requiresGrad?: boolean;
  /** 'cpu' (or device('cpu')), the only device: accepted so that ported code runs unchanged. */
  device?: DeviceLike;
}

type Nested = number | boolean | readonly Nested[];

const CREATION_OPTIONS = optionKeys<CreationOptions>({ dtype: true, requiresGrad: 'boolean', device: true });

/** Checks the options of a creation function (first thing each one does). */
function creationOptions(op: string, opts: CreationOptions | undefined): CreationOptions {
  return checkOptions(op, opts, CREATION_OPTIONS);
}

/**
 * Writes values into storage of `dtype` with PyTorch's conversions: the integer dtypes truncate
 * toward zero (an error for NaN, infinities and values outside the dtype's range, which a typed
 * array would silently wrap), bool is nonzero-is-true.
 */
function convertInto(op: string, dtype: DType, out: TypedArray, values: ArrayLike<number | boolean>): void {
  if (dtype === 'bfloat16') {
    for (let i = 0; i < values.length; i++) out[i] = bfloat16BitsOf(Number(values[i]));
  } else if (isFloatingDType(dtype)) {
    for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  } else if (dtype === 'bool') {
    for (let i = 0; i < values.length; i++) out[i] = Number(values[i]) !== 0 ? 1 : 0;
  } else {
    const intDtype = dtype as IntDType; // the quantized dtypes were refused by checkDType
    for (let i = 0; i < values.length; i++) out[i] = toIntRange(op, Number(values[i]), i, intDtype);
  }
}

/** The integer dtypes that creation and casts fill by truncation. */
type IntDType = 'int32' | 'int8' | 'uint8';

/**
 * v truncated toward zero, or a RangeError naming the op, the value and (when given) its element
 * when `dtype` cannot hold it (NaN and infinities included): a typed array would wrap it silently.
 * int8 and uint8 take what c10 takes and wrap it, as torch.tensor and torch.full (uint8 -1 is 255;
 * int8 200 and uint8 -0.5 are errors): see byteFits.
 */
function toIntRange(op: string, v: number, index: number | undefined, dtype: IntDType): number {
  if (dtype !== 'int32') {
    if (!byteFits(dtype, v))
      throw new RangeError(
        `${op}: value ${v}${index === undefined ? '' : ` (element ${index})`} cannot be converted to ${dtype} without overflow`,
      );
    return wrapByte(dtype, Math.trunc(v));
  }
  const t = Math.trunc(v);
  if (!(t >= -2147483648 && t <= 2147483647)) {
    throw new RangeError(
      `${op}: value ${v}${index === undefined ? '' : ` (element ${index})`} is out of range for int32 [-2^31, 2^31 - 1]`,
    );
  }
  return t;
}

/** v truncated toward zero, or a RangeError when int32 cannot hold it. */
export function toInt32(op: string, v: number, index?: number): number {
  return toIntRange(op, v, index, 'int32');
}

function finish(t: Tensor, opts: CreationOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * The dtype a creation function makes (bfloat16 from any of them: values computed as numbers,
 * rounded through float32, as torch's); the quantized ones only from quantizePerTensor.
 */
function checkDType(op: string, dtype: unknown, device?: unknown, bytesAllowed = false): DType {
  if (device !== undefined) requireCpu(op, device);
  if (dtype === undefined) return getDefaultDtype();
  if (!isDType(dtype)) throw new TypeError(`${op}: dtype must be ${DTYPE_LIST}, got ${describe(dtype)}`);
  if (isQuantizedDType(dtype))
    throw new TypeError(`${op}: ${dtype} tensors come from quantizePerTensor or quantizePerChannel, not from ${op}`);
  if (isStorageOnlyDType(dtype) && dtype !== 'bfloat16' && !bytesAllowed) throw unsupportedDtype(op, dtype);
  return dtype;
}

/** A contiguous 1-D or n-D tensor over `out`, which holds elements of `dtype` (uint8 too, not taken for bool). */
function over(out: TypedArray, dtype: DType, shape: Shape): Tensor {
  return new Tensor(new Storage(out, dtype), shape);
}

function inferShape(op: string, data: Nested): number[] {
  const shape: number[] = [];
  let level: Nested = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  // Every sub-array must have the same length at its depth.
  const check = (x: Nested, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(x)) throw new RangeError(`${op}: ragged nested array (expected a number at depth ${dim})`);
      if (typeof x !== 'number' && typeof x !== 'boolean')
        throw new TypeError(`${op}: elements must be numbers or booleans, got ${typeof x}`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new RangeError(
        `${op}: ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(x) ? x.length : typeof x}`,
      );
    }
    for (const e of x) check(e, dim + 1);
  };
  check(data, 0);
  return shape;
}

/**
 * A tensor from nested arrays, a typed array (copied) or a scalar (`torch.tensor`). Its dtype:
 * opts.dtype, else bool for booleans, int32 for an Int32Array, and the default dtype
 * (`getDefaultDtype`, float32 unless changed) for numbers and other typed arrays, a Float64Array
 * included (JS numbers are doubles either way: ask for float64 to keep them) and a Uint8Array
 * (bytes such as pixels keep their values; ask for `{ dtype: 'bool' }` for a mask, nonzero is
 * true, or `{ dtype: 'uint8' }` to keep a byte each: uint8 and int8 are storage dtypes that
 * convert (`.float()`) but that ops refuse).
 * @throws RangeError if a value does not fit an integer dtype asked for (int32, int8, uint8).
 */
export function tensor(data: Nested | TypedArray, opts?: CreationOptions): Tensor {
  creationOptions('tensor', opts);
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView || typeof (data as { length?: unknown }).length !== 'number') {
      throw new TypeError(
        `tensor: data must be a number, a boolean, a nested array or a typed array, got ${describe(data)}`,
      );
    }
    if (data instanceof BigInt64Array || data instanceof BigUint64Array)
      throw new TypeError(`tensor: ${describe(data)} holds bigints; convert them to numbers first`);
    const dtype = checkDType(
      'tensor',
      opts?.dtype ?? (data instanceof Int32Array ? 'int32' : undefined),
      opts?.device,
      true,
    );
    const out = allocate(dtype, data.length);
    convertInto('tensor', dtype, out, data as ArrayLike<number>);
    return finish(over(out, dtype, [data.length]), opts);
  }
  if (typeof data !== 'number' && typeof data !== 'boolean' && !Array.isArray(data))
    throw new TypeError(
      `tensor: data must be a number, a boolean, a nested array or a typed array, got ${describe(data)}`,
    );
  const shape = inferShape('tensor', data);
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as (number | boolean)[];
  const inferred: DType = flat.length > 0 && flat.every((x) => typeof x === 'boolean') ? 'bool' : getDefaultDtype();
  const dtype = checkDType('tensor', opts?.dtype ?? inferred, opts?.device, true);
  const out = allocate(dtype, flat.length);
  convertInto('tensor', dtype, out, flat);
  return finish(over(out, dtype, shape), opts);
}

/**
 * A tensor of `shape` filled with `value` (`torch.full`); the default dtype (float32 unless
 * setDefaultDtype changed it) for a number, bool for a boolean, unless opts.dtype says.
 * @throws RangeError on a bad shape or an int32 value out of range; TypeError on an unknown option.
 */
export function full(shape: Shape, value: number | boolean, opts?: CreationOptions): Tensor {
  return fill('full', shape, value, opts);
}

function fill(op: string, shape: Shape, value: number | boolean, opts: CreationOptions | undefined): Tensor {
  creationOptions(op, opts);
  if (typeof value !== 'number' && typeof value !== 'boolean')
    throw new TypeError(`${op}: fill value must be a number or a boolean, got ${describe(value)}`);
  const dtype = checkDType(op, opts?.dtype ?? (typeof value === 'boolean' ? 'bool' : getDefaultDtype()), opts?.device);
  const s = checkShape(op, shape, dtype === 'bool' ? 1 : 4);
  const data = allocate(dtype, checkElementCount(op, numel(s)));
  const v = Number(value);
  const stored = isIntegerDType(dtype)
    ? toIntRange(op, v, undefined, dtype as IntDType)
    : dtype === 'bool'
      ? v !== 0
        ? 1
        : 0
      : v;
  if (dtype === 'bfloat16') data.fill(bfloat16BitsOf(stored));
  else if (stored !== 0) data.fill(stored);
  return finish(new Tensor(new Storage(data), s), opts);
}

/**
 * A tensor of `shape` filled with 0 (`torch.zeros`), in the default dtype unless opts.dtype says.
 * @throws RangeError on a bad shape; TypeError on an unknown option.
 */
export function zeros(shape: Shape, opts?: CreationOptions): Tensor {
  return fill('zeros', shape, 0, opts);
}

/**
 * A tensor of `shape` filled with 1 (`torch.ones`), in the default dtype unless opts.dtype says.
 * @throws RangeError on a bad shape; TypeError on an unknown option.
 */
export function ones(shape: Shape, opts?: CreationOptions): Tensor {
  return fill('ones', shape, 1, opts);
}

/** Uninitialised in PyTorch; zero-filled here (typed arrays always are). */
export function empty(shape: Shape, opts?: CreationOptions): Tensor {
  return fill('empty', shape, 0, opts);
}

export { formatShape };

/**
 * Values from start to end (exclusive) by step (torch.arange): arange(end), arange(start, end,
 * step?). int32 when every argument is an integer and no dtype is given, else the default dtype.
 */
export function arange(start: number, end?: number, step = 1, opts?: CreationOptions): Tensor {
  creationOptions('arange', opts);
  if (end === undefined) [start, end] = [0, start];
  for (const [name, v] of [
    ['start', start],
    ['end', end],
    ['step', step],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new TypeError(`arange: ${name} must be a finite number, got ${String(v)}`);
  }
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  const dtype = checkDType(
    'arange',
    opts?.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : getDefaultDtype()),
    opts?.device,
  );
  refuseBool('arange', dtype);
  // torch counts an integer arange in int64 from the truncated start and step (and checks the
  // bounds' order on the truncated values); the count comes from the numbers as given.
  const integer = isIntegerDType(dtype);
  const [a, s] = integer ? [Math.trunc(start), Math.trunc(step)] : [start, step];
  if (((integer ? Math.trunc(end) : end) - a) * s < 0)
    throw new RangeError(
      `arange: upper bound and lower bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`,
    );
  if (s === 0) throw new RangeError(`arange: step must be nonzero (step ${step} truncates to 0 for ${dtype})`);
  const count = Math.ceil((end - start) / step);
  if (count < 0)
    throw new RangeError(
      `arange: invalid size ${count} (ceil((end - start) / step) with start ${start}, end ${end}, step ${step}; ${dtype})`,
    );
  const n = checkElementCount('arange', count + 0);
  if (dtype === 'int32' && n > 0) {
    // Both ends in range means every value is (the values run monotonically between them).
    toIntRange('arange', a, undefined, dtype);
    toIntRange('arange', a + (n - 1) * s, undefined, dtype);
  }
  const data = allocate(dtype === 'bfloat16' ? 'float32' : dtype, n);
  if (dtype === 'int8' || dtype === 'uint8') {
    // Each value wrapped to 8 bits (uint8 arange(-1, 3) is 255, 0, 1, 2).
    for (let i = 0; i < n; i++) data[i] = wrapByte(dtype, a + i * s);
  } else if (dtype === 'bfloat16') {
    // torch computes a bfloat16 arange in float32 (its accumulate type), then rounds.
    const [a, s] = [Math.fround(start), Math.fround(step)];
    for (let i = 0; i < n; i++) data[i] = a + Math.fround(s * i);
  } else for (let i = 0; i < n; i++) data[i] = a + i * s;
  return finish(Tensor.fromData(asDtype(dtype, data), [n], { dtype }), opts);
}

/** `steps` evenly spaced values from start to end inclusive (torch.linspace), in the default dtype unless opts.dtype says. */
export function linspace(start: number, end: number, steps: number, opts?: CreationOptions): Tensor {
  creationOptions('linspace', opts);
  for (const [name, v] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new TypeError(`linspace: ${name} must be a finite number, got ${describe(v)}`);
  }
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`linspace: steps must be a non-negative integer, got ${describe(steps)}`);
  const dtype = checkDType('linspace', opts?.dtype, opts?.device);
  refuseBool('linspace', dtype);
  if (isIntegerDType(dtype)) {
    // torch converts the ends to the dtype first (checked as any conversion: a negative uint8 end
    // wraps, -1 to 255), steps from one to the other in double, counts each half from its own
    // end (the first steps / 2 values, rounded down, from the start) and truncates each value.
    // One step is the start alone: the end is not converted. (torch's x86 build fuses the
    // multiply-adds, so a value due on an integer can fall just below it and truncate one lower:
    // int32 -880 to 984 in 7 steps has 51 there, 52 here; and its AVX2 loop, from 16 int32 or 64
    // 8-bit steps, counts each run of 8 or 32 values from a truncated base: int32 0 to 10 in 16
    // steps ends at 9 there.)
    const data = allocate(dtype, checkElementCount('linspace', steps));
    if (steps > 0) {
      const a = toIntRange('linspace', start, undefined, dtype as IntDType);
      const b = steps > 1 ? toIntRange('linspace', end, undefined, dtype as IntDType) : a;
      const step = steps > 1 ? (b - a) / (steps - 1) : 0;
      const half = Math.floor(steps / 2);
      for (let i = 0; i < steps; i++) data[i] = i < half ? a + step * i : b - step * (steps - 1 - i);
    }
    return finish(Tensor.fromData(data, [steps], { dtype }), opts);
  }
  const data = allocate(dtype === 'bfloat16' ? 'float32' : dtype, checkElementCount('linspace', steps));
  // torch computes a bfloat16 linspace in bfloat16: each operation rounded (r), as its scalar
  // path does (its vector path, from 16 steps, counts in chunks of the CPU's vector width).
  const r = dtype === 'bfloat16' ? roundBf16 : (v: number) => v;
  [start, end] = [r(start), r(end)];
  const step = steps > 1 ? r(r(end - start) / (steps - 1)) : 0;
  // Both halves count from their own end, as torch does, so the last value is exactly `end`.
  for (let i = 0; i < steps; i++) data[i] = i < steps / 2 ? r(start + r(i * step)) : r(end - r((steps - 1 - i) * step));
  return finish(Tensor.fromData(asDtype(dtype, data), [steps], { dtype }), opts);
}

/** A range of bools: torch has no such kernel, and stepping values in a 0/1 byte array is no mask. */
function refuseBool(op: string, dtype: DType): void {
  if (dtype === 'bool')
    throw new TypeError(
      `${op}: dtype bool is not supported (torch.${op} has no bool kernel either); make int32 and call .bool()`,
    );
}

/** v rounded to the nearest bfloat16 (through float32, as torch's scalar conversion). */
function roundBf16(v: number): number {
  return bfloat16BitsToNumber(bfloat16BitsOf(v));
}

/** Values computed in `dtype`'s array, or in a float32 one for bfloat16, as dtype's storage. */
function asDtype(dtype: DType, data: TypedArray): TypedArray {
  return dtype === 'bfloat16' ? Uint16Array.from(data, bfloat16BitsOf) : data;
}

/** An n x m matrix with ones on the diagonal (torch.eye). */
export function eye(n: number, m = n, opts?: CreationOptions): Tensor {
  const t = fill('eye', [n, m], 0, opts);
  const data = t.storage.data;
  const one = t.dtype === 'bfloat16' ? 0x3f80 : 1; // bfloat16's bits of 1
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = one;
  return t;
}

function likeOpts(op: string, t: Tensor, opts?: CreationOptions): CreationOptions {
  if (checkAnyTensor(op, 'input', t).dtype !== 'bfloat16') refuseStorageOnly(op, t);
  creationOptions(op, opts);
  return { dtype: opts?.dtype ?? t.dtype, requiresGrad: opts?.requiresGrad, device: opts?.device };
}

/** t's shape filled with value: one op of a traced forward (onnx.export), so its shape follows t's. */
function filledLike(op: string, t: Tensor, value: number | boolean, opts?: CreationOptions): Tensor {
  const o = likeOpts(op, t, opts);
  return recorded('fullLike', [t, value, o.dtype], () => fill(op, t.shape, value, o));
}

/**
 * Zeros of t's shape and dtype (or opts.dtype) (`torch.zeros_like`).
 * @throws TypeError if t is not a Tensor, or on an unknown option.
 */
export function zerosLike(t: Tensor, opts?: CreationOptions): Tensor {
  return filledLike('zerosLike', t, 0, opts);
}
/**
 * Ones of t's shape and dtype (or opts.dtype) (`torch.ones_like`).
 * @throws TypeError if t is not a Tensor, or on an unknown option.
 */
export function onesLike(t: Tensor, opts?: CreationOptions): Tensor {
  return filledLike('onesLike', t, 1, opts);
}
/**
 * `value` in t's shape and dtype (or opts.dtype) (`torch.full_like`).
 * @throws TypeError if t is not a Tensor, or on an unknown option.
 */
export function fullLike(t: Tensor, value: number | boolean, opts?: CreationOptions): Tensor {
  return filledLike('fullLike', t, value, opts);
}
/**
 * A tensor of t's shape and dtype (`torch.empty_like`); zero-filled here.
 * @throws TypeError if t is not a Tensor, or on an unknown option.
 */
export function emptyLike(t: Tensor, opts?: CreationOptions): Tensor {
  return filledLike('emptyLike', t, 0, opts);
}
