// Tensor creation from data and by shape.
import { type DeviceLike, requireCpu } from './device.js';
import { allocate, type DType, type TypedArray, isDType } from './dtype.js';
import { checkShape, formatShape, numel, type Shape } from './shape.js';
import { Storage, Tensor } from './tensor.js';
import { recorded } from './trace.js';

export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** 'cpu' (or device('cpu')), the only device: accepted so that ported code runs unchanged. */
  device?: DeviceLike;
}

type Nested = number | boolean | readonly Nested[];

function finish(t: Tensor, opts: CreationOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function checkDType(op: string, dtype: unknown, device?: unknown): DType {
  if (device !== undefined) requireCpu(op, device);
  if (dtype === undefined) return 'float32';
  if (!isDType(dtype)) throw new TypeError(`${op}: dtype must be 'float32', 'int32' or 'bool', got ${String(dtype)}`);
  return dtype;
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

/** A tensor from nested arrays, a typed array (copied) or a scalar. */
export function tensor(data: Nested | TypedArray, opts?: CreationOptions): Tensor {
  if (ArrayBuffer.isView(data)) {
    const dtype =
      opts?.dtype ?? (data instanceof Int32Array ? 'int32' : data instanceof Uint8Array ? 'bool' : 'float32');
    const out = allocate(checkDType('tensor', dtype, opts?.device), data.length);
    out.set(data as ArrayLike<number>);
    return finish(Tensor.fromData(out, [data.length]), opts);
  }
  const shape = inferShape('tensor', data);
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as (number | boolean)[];
  const inferred: DType = flat.length > 0 && flat.every((x) => typeof x === 'boolean') ? 'bool' : 'float32';
  const dtype = checkDType('tensor', opts?.dtype ?? inferred, opts?.device);
  const out = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) out[i] = Number(flat[i]);
  return finish(Tensor.fromData(out, shape), opts);
}

export function full(shape: Shape, value: number | boolean, opts?: CreationOptions): Tensor {
  const s = checkShape('full', shape);
  const dtype = checkDType('full', opts?.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'), opts?.device);
  const data = allocate(dtype, numel(s));
  if (value) data.fill(Number(value));
  return finish(new Tensor(new Storage(data), s), opts);
}

export function zeros(shape: Shape, opts?: CreationOptions): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: Shape, opts?: CreationOptions): Tensor {
  return full(shape, 1, opts);
}

/** Uninitialised in PyTorch; zero-filled here (typed arrays always are). */
export function empty(shape: Shape, opts?: CreationOptions): Tensor {
  return full(shape, 0, opts);
}

export { formatShape };

/**
 * Values from start to end (exclusive) by step (torch.arange): arange(end), arange(start, end,
 * step?). int32 when every argument is an integer and no dtype is given, else float32.
 */
export function arange(start: number, end?: number, step = 1, opts?: CreationOptions): Tensor {
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
  if ((end - start) * step < 0)
    throw new RangeError(
      `arange: upper bound and lower bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`,
    );
  const dtype = checkDType(
    'arange',
    opts?.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32'),
    opts?.device,
  );
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(Tensor.fromData(data, [n]), opts);
}

/** `steps` evenly spaced values from start to end inclusive (torch.linspace), float32. */
export function linspace(start: number, end: number, steps: number, opts?: CreationOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = checkDType('linspace', opts?.dtype, opts?.device);
  const data = allocate(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Both halves count from their own end, as torch does, so the last value is exactly `end`.
  for (let i = 0; i < steps; i++) data[i] = i < steps / 2 ? start + i * step : end - (steps - 1 - i) * step;
  return finish(Tensor.fromData(data, [steps]), opts);
}

/** An n x m matrix with ones on the diagonal (torch.eye). */
export function eye(n: number, m = n, opts?: CreationOptions): Tensor {
  const t = zeros(checkShape('eye', [n, m]), opts);
  const data = t.storage.data;
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return t;
}

function likeOpts(t: Tensor, opts?: CreationOptions): CreationOptions {
  return { dtype: opts?.dtype ?? t.dtype, requiresGrad: opts?.requiresGrad, device: opts?.device };
}

/** t's shape filled with value: one op of a traced forward (onnx.export), so its shape follows t's. */
function filledLike(t: Tensor, value: number | boolean, opts?: CreationOptions): Tensor {
  const o = likeOpts(t, opts);
  return recorded('fullLike', [t, value, o.dtype], () => full(t.shape, value, o));
}

export function zerosLike(t: Tensor, opts?: CreationOptions): Tensor {
  return filledLike(t, 0, opts);
}
export function onesLike(t: Tensor, opts?: CreationOptions): Tensor {
  return filledLike(t, 1, opts);
}
export function fullLike(t: Tensor, value: number | boolean, opts?: CreationOptions): Tensor {
  return filledLike(t, value, opts);
}
export function emptyLike(t: Tensor, opts?: CreationOptions): Tensor {
  return filledLike(t, 0, opts);
}
