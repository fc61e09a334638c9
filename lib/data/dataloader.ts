// DataLoader: batches of samples, in sampler order, collated. Iterate it once per epoch:
//   for (const [x, y] of loader) { ... }
// With shuffle, each pass draws a new order from the generator (the default one unless given),
// so seeding it (manualSeed, or generator.manualSeed) makes the whole run's order reproducible.
// A TensorDataset (or Subsets of one) with the default collate takes a fast path that gathers
// the batch's rows straight from the storage with typed-array copies.
import { checkNumbers, checkOptions, checkTensor, describe, optionKeys } from '../errors.js';
import { allocate } from '../dtype.js';
import type { Generator } from '../random.js';
import { numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { type Collated, defaultCollate } from './collate.js';
import { type Dataset, row, Subset, TensorDataset } from './dataset.js';
import { BatchSampler, RandomSampler, type Sampler, SequentialSampler } from './sampler.js';

/** The options of DataLoader (PyTorch's keyword arguments, in camelCase). */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** A new random order each pass (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Custom order of sample indices (excludes shuffle). */
  sampler?: Sampler;
  /** Custom batches of indices (excludes batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Iterable<number[]> & {
    /** Batches per pass. */
    readonly length: number;
  };
  /** Merges a list of samples into a batch (default: defaultCollate). */
  collateFn?: (samples: T[]) => B;
  /** Randomness for shuffle. */
  generator?: Generator;
}

const DATALOADER_OPTIONS = optionKeys<DataLoaderOptions<unknown, unknown>>({
  batchSize: 'integer',
  shuffle: 'boolean',
  dropLast: 'boolean',
  sampler: 'object',
  batchSampler: 'object',
  collateFn: 'function',
  generator: 'object',
});

/** Gathers rows `indices` of `t` into a new contiguous [indices.length, ...rest] tensor. */
export function gatherRows(t: Tensor, indices: readonly number[]): Tensor {
  checkTensor('gatherRows', 'input', t);
  if (t.ndim === 0)
    throw new RangeError('gatherRows: the tensor must have a first dim to gather rows of, got a scalar');
  checkNumbers('gatherRows', 'indices', indices).forEach((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= t.shape[0])
      throw new RangeError(`gatherRows: index ${i} is out of range for ${t.shape[0]} rows`);
  });
  const rest = t.shape.slice(1);
  const size = numel(rest);
  const out = allocate(t.dtype, size * indices.length);
  const src = t.storage.data;
  const contiguousRows = rest.length === 0 || new Tensor(t.storage, rest, t.strides.slice(1), 0).isContiguous();
  if (!contiguousRows) {
    indices.forEach((i, j) => out.set(row(t, i).toTypedArray(), j * size));
  } else if (size < 16) {
    // Short rows (labels): an element loop beats subarray + set.
    const stride0 = t.strides[0];
    for (let j = 0; j < indices.length; j++) {
      const from = t.offset + indices[j] * stride0;
      for (let k = 0; k < size; k++) out[j * size + k] = src[from + k];
    }
  } else {
    const stride0 = t.strides[0];
    for (let j = 0; j < indices.length; j++) {
      const from = t.offset + indices[j] * stride0;
      out.set(src.subarray(from, from + size), j * size);
    }
  }
  return Tensor.fromData(out, [indices.length, ...rest], { dtype: t.dtype });
}

/** The TensorDataset under a chain of Subsets, and a map from outer to inner indices. */
function tensorSource(dataset: Dataset<unknown>): { base: TensorDataset; map: (indices: number[]) => number[] } | null {
  const chain: Subset<unknown>[] = [];
  let d: Dataset<unknown> = dataset;
  while (d instanceof Subset) {
    chain.push(d);
    d = d.dataset;
  }
  if (!(d instanceof TensorDataset)) return null;
  return {
    base: d,
    map: (indices) => {
      let idx = indices;
      for (const s of chain) idx = idx.map((i) => s.indices[i]);
      return idx;
    },
  };
}

/**
 * Batches of a dataset, as `torch.utils.data.DataLoader`: iterate it once per epoch. Samples are
 * drawn in the sampler's order (sequential, or random with shuffle), grouped by batchSize and
 * merged by collateFn (defaultCollate stacks tensors). Batches of a TensorDataset (or Subsets of
 * one) are gathered row by row without making each sample.
 * @throws TypeError if dataset is not a Dataset, or on an unknown option; RangeError on a
 *   batchSize that is not a positive integer or options that exclude each other.
 */
export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B> {
  /** The dataset batched. */
  readonly dataset: Dataset<T>;
  /** Samples per batch (null when a batchSampler was given). */
  readonly batchSize: number | null;
  /** Whether a short last batch is dropped. */
  readonly dropLast: boolean;
  /** The order of sample indices (null when a batchSampler was given). */
  readonly sampler: Sampler | null;
  /** The batches of indices. */
  readonly batchSampler: Iterable<number[]> & {
    /** Batches per pass. */
    readonly length: number;
  };
  /** Merges a list of samples into a batch. */
  readonly collateFn: (samples: T[]) => B;
  private readonly fast: ReturnType<typeof tensorSource>;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    if (!dataset || typeof dataset.getItem !== 'function' || !Number.isInteger(dataset.length)) {
      throw new TypeError('DataLoader: expected a Dataset (with length and getItem)');
    }
    this.dataset = dataset;
    checkOptions('data.DataLoader', options, DATALOADER_OPTIONS);
    const { shuffle = false, dropLast = false } = options;
    if (options.batchSampler) {
      if (options.batchSize !== undefined || shuffle || options.sampler || dropLast) {
        throw new RangeError(
          'DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast',
        );
      }
      this.batchSize = null;
      this.sampler = null;
      this.batchSampler = options.batchSampler;
    } else {
      if (options.sampler && shuffle)
        throw new RangeError('DataLoader: sampler option is mutually exclusive with shuffle');
      const batchSize = options.batchSize ?? 1;
      if (!Number.isInteger(batchSize) || batchSize <= 0)
        throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${describe(batchSize)}`);
      this.batchSize = batchSize;
      this.sampler =
        options.sampler ??
        (shuffle ? new RandomSampler(dataset, { generator: options.generator }) : new SequentialSampler(dataset));
      this.batchSampler = new BatchSampler(this.sampler, batchSize, dropLast);
    }
    this.dropLast = dropLast;
    this.collateFn = options.collateFn ?? (defaultCollate as unknown as (samples: T[]) => B);
    this.fast = options.collateFn ? null : tensorSource(dataset as Dataset<unknown>);
  }

  /** Number of batches per pass. */
  get length(): number {
    return this.batchSampler.length;
  }

  /** The batch made of the samples at `indices`. */
  fetch(indices: number[]): B {
    if (!Array.isArray(indices))
      throw new TypeError(
        `data.DataLoader.fetch: indices must be an array of sample indices, got ${describe(indices)}`,
      );
    if (this.fast) {
      const n = this.dataset.length;
      for (const i of indices) {
        if (!Number.isInteger(i) || i < 0 || i >= n)
          throw new RangeError(`DataLoader: sampler index ${i} is out of range for a dataset of ${n} samples`);
      }
      const inner = this.fast.map(indices);
      return this.fast.base.tensors.map((t) => gatherRows(t, inner)) as unknown as B;
    }
    return this.collateFn(indices.map((i) => this.dataset.getItem(i)));
  }

  /** One epoch: every batch, in the sampler's order (a new order each pass with shuffle). */
  *[Symbol.iterator](): Iterator<B> {
    for (const indices of this.batchSampler) yield this.fetch(indices);
  }
}
