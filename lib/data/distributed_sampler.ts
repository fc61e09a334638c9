// DistributedSampler (torch.utils.data.distributed.DistributedSampler): each of numReplicas
// processes visits its own share of the dataset's indices, so one epoch over all of them covers
// the dataset once. Every rank draws the same permutation (seed + epoch) and takes every
// numReplicas-th index from its rank on; the epoch is padded with indices from its start
// (dropLast: false) or cut (dropLast: true) to a multiple of numReplicas.
import { getRank, getWorldSize } from '../distributed/process_group.js';
import { checkOptions, describe } from '../errors.js';
import { Generator } from '../random.js';
import { randperm } from './dataset.js';
import type { Sampler } from './sampler.js';

/** The options of DistributedSampler (PyTorch's keyword arguments, in camelCase). */
export interface DistributedSamplerOptions {
  /** Processes sharing the dataset; the default group's world size when absent. */
  numReplicas?: number;
  /** This process's share, in [0, numReplicas); the default group's rank when absent. */
  rank?: number;
  /** A new permutation every epoch (seed + epoch), the same on every rank. Default true. */
  shuffle?: boolean;
  /** The permutations' seed: the same on every rank. Default 0. */
  seed?: number;
  /** Drop the tail that does not divide evenly instead of padding with repeated indices. */
  dropLast?: boolean;
}

/**
 * Each process's share of a dataset's indices (`torch.utils.data.distributed.DistributedSampler`):
 * pass it as the DataLoader's sampler in each rank, and call `setEpoch(e)` before every epoch.
 * @throws TypeError if dataset is neither a dataset nor a count, or on an unknown option;
 *   RangeError on a numReplicas, rank or seed out of range.
 */
export class DistributedSampler implements Sampler {
  /** Processes sharing the dataset. */
  readonly numReplicas: number;
  /** This process's share, in [0, numReplicas). */
  readonly rank: number;
  /** Whether each epoch draws a new permutation. */
  readonly shuffle: boolean;
  /** The permutations' seed. */
  readonly seed: number;
  /** Whether the uneven tail is dropped rather than padded. */
  readonly dropLast: boolean;
  /** Indices this rank visits per epoch. */
  readonly numSamples: number;
  /** Indices all ranks visit per epoch (numSamples * numReplicas). */
  readonly totalSize: number;
  private readonly n: number;
  private epoch = 0;

  constructor(dataset: number | { readonly length: number }, options: DistributedSamplerOptions = {}) {
    const op = 'DistributedSampler';
    checkOptions(op, options, ['numReplicas', 'rank', 'shuffle', 'seed', 'dropLast']);
    const n = typeof dataset === 'number' ? dataset : dataset?.length;
    if (!Number.isInteger(n) || n < 0) {
      throw new TypeError(`${op}: expected a dataset or a non-negative sample count, got ${String(n)}`);
    }
    this.n = n;
    this.numReplicas = options.numReplicas ?? getWorldSize();
    this.rank = options.rank ?? getRank();
    if (!Number.isInteger(this.numReplicas) || this.numReplicas < 1) {
      throw new RangeError(`${op}: numReplicas must be a positive integer, got ${String(this.numReplicas)}`);
    }
    if (!Number.isInteger(this.rank) || this.rank < 0 || this.rank >= this.numReplicas) {
      throw new RangeError(`${op}: rank must be in [0, ${this.numReplicas}), got ${String(this.rank)}`);
    }
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
    if (!Number.isSafeInteger(this.seed)) throw new RangeError(`${op}: seed must be a safe integer, got ${this.seed}`);
    this.numSamples =
      this.dropLast && n % this.numReplicas !== 0
        ? Math.ceil((n - this.numReplicas) / this.numReplicas)
        : Math.ceil(n / this.numReplicas);
    this.totalSize = this.numSamples * this.numReplicas;
  }

  get length(): number {
    return this.numSamples;
  }

  /** Sets the epoch the next pass draws its permutation for (call it before every epoch). */
  setEpoch(epoch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) {
      throw new RangeError(`DistributedSampler.setEpoch: epoch must be a non-negative integer, got ${describe(epoch)}`);
    }
    this.epoch = epoch;
  }

  /** This rank's indices for the current epoch. */
  *[Symbol.iterator](): Iterator<number> {
    let indices: number[];
    if (this.shuffle) indices = randperm(this.n, new Generator().manualSeed(this.seed + this.epoch));
    else indices = Array.from({ length: this.n }, (_, i) => i);
    if (this.dropLast) {
      indices = indices.slice(0, this.totalSize);
    } else {
      // Pad with indices from the start (the whole list again as often as needed).
      for (let i = 0; indices.length < this.totalSize; i++) indices.push(indices[i % this.n]);
    }
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) yield indices[i];
  }
}
