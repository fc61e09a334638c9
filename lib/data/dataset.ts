// Datasets: anything with a length and getItem(i) (torch.utils.data.Dataset's map style).
import { checkIterable, checkOptions, describe } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * A map-style dataset (`torch.utils.data.Dataset`): a length and `getItem(i)` (PyTorch's
 * `__len__` and `__getitem__`). Subclass it, or use TensorDataset.
 */
export abstract class Dataset<T = unknown> {
  /** The number of samples (PyTorch's `len(dataset)`). */
  abstract readonly length: number;
  /**
   * Sample `index` (PyTorch's `dataset[index]`); negative indices count from the end.
   * @throws TypeError if index is not an integer; RangeError if it is out of range.
   */
  abstract getItem(index: number): T;

  /** Every sample in order. */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.getItem(i);
  }
}

export function checkIndex(op: string, index: number, length: number): number {
  if (!Number.isInteger(index)) throw new TypeError(`${op}: index must be an integer, got ${String(index)}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length)
    throw new RangeError(`${op}: index ${index} is out of range for a dataset of ${length} samples`);
  return i;
}

/** Row `i` of `t` along its first dimension, as a view (no copy). */
export function row(t: Tensor, i: number): Tensor {
  return new Tensor(t.storage, t.shape.slice(1), t.strides.slice(1), t.offset + i * t.strides[0]);
}

/** Samples are the rows of the given tensors (which share their first dimension): [x[i], y[i], ...]. */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The tensors whose rows are the samples. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new RangeError('TensorDataset: needs at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} must be a Tensor, got ${typeof t}`);
      if (t.ndim === 0)
        throw new RangeError(
          `TensorDataset: argument ${i} is a 0-d tensor; every tensor needs a first (sample) dimension`,
        );
    });
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.shape[0] !== n) {
        throw new RangeError(
          `TensorDataset: size mismatch between tensors: tensor 0 has ${n} samples (shape ${formatShape(tensors[0].shape)}), tensor ${i} has ${t.shape[0]} (shape ${formatShape(t.shape)})`,
        );
      }
    });
    this.tensors = Object.freeze([...tensors]);
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex('TensorDataset', index, this.length);
    return this.tensors.map((t) => row(t, i));
  }
}

/** Checks that `dataset` is one (a length and a getItem), as the classes here need. */
export function checkDataset(op: string, dataset: unknown, name = 'dataset'): void {
  const d = dataset as { getItem?: unknown; length?: unknown } | null | undefined;
  if (typeof d !== 'object' || d === null || typeof d.getItem !== 'function' || !Number.isInteger(d.length))
    throw new TypeError(`${op}: ${name} must be a Dataset (with length and getItem), got ${describe(dataset)}`);
}

/** The samples of `dataset` at `indices`, in that order. */
export class Subset<T = unknown> extends Dataset<T> {
  /** The indices into `dataset`, in this subset's order. */
  readonly indices: readonly number[];

  constructor(
    /** The dataset the samples come from. */
    readonly dataset: Dataset<T>,
    indices: Iterable<number>,
  ) {
    super();
    checkDataset('data.Subset', dataset);
    const list = [...checkIterable<number>('data.Subset', 'indices', indices, 'an iterable of integers')];
    const n = dataset.length;
    list.forEach((idx, j) => {
      if (!Number.isInteger(idx) || idx < -n || idx >= n)
        throw new RangeError(`Subset: index ${idx} (position ${j}) is out of range for a dataset of ${n} samples`);
    });
    this.indices = Object.freeze(list.map((i) => (i < 0 ? i + n : i)));
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    return this.dataset.getItem(this.indices[checkIndex('Subset', index, this.length)]);
  }
}

/** Concatenates datasets: indices run through the first, then the second, ... */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  private readonly ends: number[] = [];
  /** The datasets, in order. */
  readonly datasets: readonly Dataset<T>[];

  constructor(datasets: Iterable<Dataset<T>>) {
    super();
    this.datasets = Object.freeze([
      ...checkIterable<Dataset<T>>('data.ConcatDataset', 'datasets', datasets, 'an iterable of Datasets'),
    ]);
    this.datasets.forEach((d, i) => checkDataset('data.ConcatDataset', d, `datasets[${i}]`));
    if (this.datasets.length === 0) throw new RangeError('ConcatDataset: needs at least one dataset');
    let end = 0;
    for (const d of this.datasets) this.ends.push((end += d.length));
  }

  get length(): number {
    return this.ends[this.ends.length - 1];
  }

  getItem(index: number): T {
    const i = checkIndex('ConcatDataset', index, this.length);
    let d = 0;
    while (this.ends[d] <= i) d++;
    return this.datasets[d].getItem(i - (d ? this.ends[d - 1] : 0));
  }
}

/** A random permutation of 0..n-1 (Fisher-Yates) drawn from `generator`. */
export function randperm(n: number, generator: Generator = defaultGenerator): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = generator.nextInt(0, i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Splits a dataset into non-overlapping random subsets (torch.utils.data.random_split).
 * `lengths` are sample counts summing to the dataset's length, or fractions summing to 1; any
 * remainder left by flooring the fractions goes one by one to the first subsets.
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  options: { generator?: Generator } = {},
): Subset<T>[] {
  checkOptions('data.randomSplit', options, { generator: 'object' });
  checkDataset('data.randomSplit', dataset);
  const n = dataset.length;
  if (!Array.isArray(lengths) || lengths.length === 0)
    throw new TypeError('randomSplit: lengths must be a non-empty array');
  let sizes: number[];
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every((l) => Number.isInteger(l) && l >= 0) && total === n) {
    sizes = [...lengths];
  } else if (lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) < 1e-9) {
    sizes = lengths.map((f) => Math.floor(n * f));
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]++;
  } else {
    throw new RangeError(
      `randomSplit: lengths [${lengths.join(', ')}] must be non-negative counts summing to the dataset's length (${n}) or fractions summing to 1`,
    );
  }
  const perm = randperm(n, options.generator);
  const out: Subset<T>[] = [];
  let start = 0;
  for (const size of sizes) {
    out.push(new Subset(dataset, perm.slice(start, start + size)));
    start += size;
  }
  return out;
}
