// Tensor creation from data and by shape.
import { allocate, type DType, type TypedArray, isDType } from './dtype.js';
import { checkShape, formatShape, numel, type Shape } from './shape.js';
import { Storage, Tensor } from './tensor.js';

export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

type Nested = number | boolean | readonly Nested[];

function finish(t: Tensor, opts: CreationOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function checkDType(op: string, dtype: unknown): DType {
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
      if (typeof x !== 'number' && typeof x !== 'boolean') throw new TypeError(`${op}: elements must be numbers or booleans, got ${typeof x}`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new RangeError(`${op}: ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(x) ? x.length : typeof x}`);
    }
    for (const e of x) check(e, dim + 1);
  };
  check(data, 0);
  return shape;
}

/** A tensor from nested arrays, a typed array (copied) or a scalar. */
export function tensor(data: Nested | TypedArray, opts?: CreationOptions): Tensor {
  if (ArrayBuffer.isView(data)) {
    const dtype = opts?.dtype ?? (data instanceof Int32Array ? 'int32' : data instanceof Uint8Array ? 'bool' : 'float32');
    const out = allocate(checkDType('tensor', dtype), data.length);
    out.set(data as ArrayLike<number>);
    return finish(Tensor.fromData(out, [data.length]), opts);
  }
  const shape = inferShape('tensor', data);
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as (number | boolean)[];
  const inferred: DType = flat.length > 0 && flat.every((x) => typeof x === 'boolean') ? 'bool' : 'float32';
  const dtype = checkDType('tensor', opts?.dtype ?? inferred);
  const out = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) out[i] = Number(flat[i]);
  return finish(Tensor.fromData(out, shape), opts);
}

export function full(shape: Shape, value: number | boolean, opts?: CreationOptions): Tensor {
  const s = checkShape('full', shape);
  const dtype = checkDType('full', opts?.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'));
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
