// Collation: a list of samples to one batch (torch's default_collate). Tensors are stacked along
// a new first dimension; numbers become a 1-d tensor (int32 when every one is an integer that
// fits, else float32); booleans a bool tensor; arrays and plain objects are collated element by
// element; strings stay a string array.
import { describe } from '../errors.js';
import { allocate, type TypedArray } from '../dtype.js';
import { formatShape, numel, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** The batch type defaultCollate makes from samples of type T. */
export type Collated<T> = T extends Tensor | number | boolean
  ? Tensor
  : T extends string
    ? string[]
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Collated<T[K]> }
      : T extends object
        ? { [K in keyof T]: Collated<T[K]> }
        : T;

/** Copies `t`'s elements (row-major) into `out` at `at`. */
function copyTensor(t: Tensor, out: TypedArray, at: number): void {
  const n = t.numel();
  if (t.isContiguous()) out.set(t.storage.data.subarray(t.offset, t.offset + n), at);
  else out.set(t.toTypedArray(), at);
}

export function stackTensors(op: string, tensors: readonly Tensor[]): Tensor {
  const first = tensors[0];
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, first.shape) || t.dtype !== first.dtype) {
      throw new RangeError(
        `${op}: cannot stack sample ${i} (${t.dtype} ${formatShape(t.shape)}) with sample 0 (${first.dtype} ${formatShape(first.shape)}); every sample must have the same shape and dtype`,
      );
    }
  });
  const size = numel(first.shape);
  const out = allocate(first.dtype, size * tensors.length);
  tensors.forEach((t, i) => copyTensor(t, out, i * size));
  return Tensor.fromData(out, [tensors.length, ...first.shape], { dtype: first.dtype });
}

function kindOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  if (x instanceof Tensor) return 'Tensor';
  return typeof x;
}

/**
 * A list of samples as one batch (`torch.utils.data.default_collate`): tensors stacked along a
 * new first dim, numbers as a 1-D tensor (int32 when every one is an int32 integer, else
 * float32), booleans as a bool tensor, arrays and plain objects collated field by field, strings
 * kept as an array.
 * @throws TypeError if samples is not an array or its samples differ in kind; RangeError if
 *   there are none, or tensors (or arrays) differ in shape, dtype (or length).
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (!Array.isArray(samples))
    throw new TypeError(`defaultCollate: samples must be an array of samples, got ${describe(samples)}`);
  return collate(samples as readonly unknown[], 'defaultCollate') as Collated<T>;
}

function collate(samples: readonly unknown[], where: string): unknown {
  if (samples.length === 0) throw new RangeError('defaultCollate: no samples to collate');
  const first = samples[0];
  const kind = kindOf(first);
  samples.forEach((s, i) => {
    if (kindOf(s) !== kind) throw new TypeError(`${where}: sample ${i} is a ${kindOf(s)}, sample 0 a ${kind}`);
  });
  if (first instanceof Tensor) return stackTensors(where, samples as Tensor[]);
  if (typeof first === 'number') {
    const nums = samples as number[];
    const isInt = nums.every((v) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647);
    const out = allocate(isInt ? 'int32' : 'float32', nums.length);
    out.set(nums);
    return Tensor.fromData(out, [nums.length]);
  }
  if (typeof first === 'boolean')
    return Tensor.fromData(Uint8Array.from(samples as boolean[], Number), [samples.length]);
  if (typeof first === 'string') return [...(samples as string[])];
  if (Array.isArray(first)) {
    const len = first.length;
    samples.forEach((s, i) => {
      if ((s as unknown[]).length !== len)
        throw new RangeError(
          `${where}: sample ${i} has ${(s as unknown[]).length} elements, sample 0 has ${len}; each sample must have the same number of fields`,
        );
    });
    return Array.from({ length: len }, (_, k) =>
      collate(
        samples.map((s) => (s as unknown[])[k]),
        `${where}[${k}]`,
      ),
    );
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      out[key] = collate(
        samples.map((s, i) => {
          if (!(key in (s as object))) throw new TypeError(`${where}: sample ${i} has no field '${key}'`);
          return (s as Record<string, unknown>)[key];
        }),
        `${where}.${key}`,
      );
    }
    return out;
  }
  throw new TypeError(`${where}: cannot collate a ${kind}; give the DataLoader a collateFn`);
}
