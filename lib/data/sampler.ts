// Samplers: the order in which a DataLoader visits indices.
import { checkIterable, checkOptions, describe } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import { randperm } from './dataset.js';

/** An order of sample indices for a DataLoader (`torch.utils.data.Sampler`): iterable, with a length. */
export interface Sampler extends Iterable<number> {
  /** Number of indices one pass yields. */
  readonly length: number;
}

type Sized = number | { readonly length: number };

function sizeOf(op: string, source: Sized): number {
  const n = typeof source === 'number' ? source : source?.length;
  if (!Number.isInteger(n) || n < 0)
    throw new TypeError(`${op}: expected a dataset or a non-negative sample count, got ${String(n)}`);
  return n;
}

/** 0, 1, ..., n-1. */
export class SequentialSampler implements Sampler {
  private readonly n: number;
  constructor(dataSource: Sized) {
    this.n = sizeOf('SequentialSampler', dataSource);
  }
  get length(): number {
    return this.n;
  }
  /** One pass: the indices. */
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
}

/** The options of RandomSampler (PyTorch's keyword arguments, in camelCase). */
export interface RandomSamplerOptions {
  /** Draw with replacement (then numSamples may exceed the dataset's length). */
  replacement?: boolean;
  /** Indices per pass; the dataset's length by default. */
  numSamples?: number;
  /** Source of randomness; the default generator when absent. Each pass draws anew from it. */
  generator?: Generator;
}

/**
 * A random order: a fresh permutation each pass (or draws with replacement). Reproducible from
 * the generator's seed, so `manualSeed(s)` before training fixes every epoch's order.
 */
export class RandomSampler implements Sampler {
  /** Whether indices are drawn with replacement. */
  readonly replacement: boolean;
  private readonly n: number;
  private readonly numSamples: number;
  private readonly generator?: Generator;

  constructor(dataSource: Sized, options: RandomSamplerOptions = {}) {
    checkOptions('data.RandomSampler', options, {
      replacement: 'boolean',
      numSamples: 'integer',
      generator: 'object',
    });
    this.n = sizeOf('RandomSampler', dataSource);
    this.replacement = options.replacement ?? false;
    this.numSamples = options.numSamples ?? this.n;
    this.generator = options.generator;
    if (!Number.isInteger(this.numSamples) || this.numSamples < 0)
      throw new RangeError(
        `RandomSampler: numSamples must be a non-negative integer, got ${describe(options.numSamples)}`,
      );
    if (this.replacement && this.n === 0 && this.numSamples > 0)
      throw new RangeError('RandomSampler: cannot draw from an empty dataset');
  }

  get length(): number {
    return this.numSamples;
  }

  /** One pass: the indices. */
  *[Symbol.iterator](): Iterator<number> {
    const g = this.generator ?? defaultGenerator;
    if (this.replacement) {
      for (let i = 0; i < this.numSamples; i++) yield g.nextInt(0, this.n);
      return;
    }
    // numSamples beyond n: whole permutations back to back, as torch does.
    let left = this.numSamples;
    while (left > 0) {
      const perm = randperm(this.n, g);
      for (let i = 0; i < Math.min(left, this.n); i++) yield perm[i];
      left -= this.n;
    }
  }
}

/** The given indices in a random order each pass. */
export class SubsetRandomSampler implements Sampler {
  private readonly indices: readonly number[];
  constructor(
    indices: Iterable<number>,
    private readonly options: { generator?: Generator } = {},
  ) {
    checkOptions('data.SubsetRandomSampler', options, { generator: 'object' });
    this.indices = [
      ...checkIterable<number>('data.SubsetRandomSampler', 'indices', indices, 'an iterable of integers'),
    ];
  }
  get length(): number {
    return this.indices.length;
  }
  /** One pass: the indices. */
  *[Symbol.iterator](): Iterator<number> {
    for (const i of randperm(this.indices.length, this.options.generator)) yield this.indices[i];
  }
}

/** Groups another sampler's indices into batches of `batchSize` (the last one shorter unless dropLast). */
export class BatchSampler implements Iterable<number[]> {
  /** @throws RangeError if batchSize is not a positive integer. */
  constructor(
    /** The sampler whose indices are grouped. */
    readonly sampler: Sampler,
    /** Indices per batch. */
    readonly batchSize: number,
    /** Drop the last batch when it is short (default false). */
    readonly dropLast = false,
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new RangeError(`BatchSampler: batchSize must be a positive integer, got ${describe(batchSize)}`);
  }

  /** Batches per pass. */
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One pass: the batches of indices. */
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
