// Dropout: active in training mode only; the mask comes from a seeded Generator.
import { dropout } from '../../ops/dropout.js';
import type { Generator } from '../../random.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { pyBool, pyFloat } from '../repr.js';

export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  /** The generator masks are drawn from (the default generator when not given). */
  generator: Generator | undefined;

  constructor(p = 0.5, options: { inplace?: boolean; generator?: Generator } = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`Dropout: probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = options.inplace ?? false;
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, inplace: this.inplace, generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
