// Flatten / Unflatten: reshape views as modules.
import { flatten, unflatten } from '../../ops/view.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { pyTuple } from '../repr.js';

/** Flattens dims startDim..endDim into one (default: all but the batch dim). */
export class Flatten extends Module {
  /** The first dim flattened. */
  readonly startDim: number;
  /** The last dim flattened. */
  readonly endDim: number;
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Expands dim into unflattenedSize. */
export class Unflatten extends Module {
  /** The dim the function is computed along. */
  readonly dim: number;
  /** The sizes the dim is split into. */
  readonly unflattenedSize: readonly number[];
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Array.isArray(unflattenedSize) || unflattenedSize.some((s) => !Number.isInteger(s))) {
      throw new TypeError(`Unflatten: unflattenedSize must be an array of integers, got ${String(unflattenedSize)}`);
    }
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }
  forward(x: Tensor): Tensor {
    return unflatten(x, this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
