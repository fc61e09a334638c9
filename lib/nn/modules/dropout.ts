// Dropout: active in training mode only; the mask comes from a seeded Generator.
import { checkOptions, describe, optionKeys } from '../../errors.js';
import { dropout, dropout1d, dropout2d, dropout3d } from '../../ops/dropout.js';
import type { Generator } from '../../random.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { pyBool, pyFloat } from '../repr.js';

type DropoutModuleOptions = { inplace?: boolean; generator?: Generator };
const DROPOUT_OPTIONS = optionKeys<DropoutModuleOptions>({ inplace: 'boolean', generator: 'object' });

export class Dropout extends Module {
  /** The probability of an element (or channel) being zeroed. */
  readonly p: number;
  /** Whether the module writes its result into its input. */
  readonly inplace: boolean;
  /** The generator masks are drawn from (the default generator when not given). */
  generator: Generator | undefined;

  constructor(p = 0.5, options: DropoutModuleOptions = {}) {
    super();
    checkOptions('nn.Dropout', options, DROPOUT_OPTIONS);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      throw new RangeError(`Dropout: probability has to be between 0 and 1, but got ${describe(p)}`);
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

type FeatureDropoutFn = typeof dropout2d;

/** What Dropout1d/2d/3d share: p, inplace, the generator and the repr. */
abstract class FeatureDropout extends Module {
  /** The probability of an element (or channel) being zeroed. */
  readonly p: number;
  /** Whether the module writes its result into its input. */
  readonly inplace: boolean;
  /** The generator drawing the masks (default: the process-wide one). */
  generator: Generator | undefined;

  constructor(
    name: string,
    private readonly fn: FeatureDropoutFn,
    p: number,
    options: DropoutModuleOptions,
  ) {
    super();
    checkOptions(`nn.${name}`, options, DROPOUT_OPTIONS);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      throw new RangeError(`${name}: probability has to be between 0 and 1, but got ${describe(p)}`);
    this.p = p;
    this.inplace = options.inplace ?? false;
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    return this.fn(x, this.p, { training: this.training, inplace: this.inplace, generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/** Zeroes whole channels of [N, C, L] / [C, L] in training mode (scaling the rest by 1 / (1 - p)). */
export class Dropout1d extends FeatureDropout {
  constructor(p = 0.5, options: { inplace?: boolean; generator?: Generator } = {}) {
    super('Dropout1d', dropout1d, p, options);
  }
}

/** Zeroes whole channels of [N, C, H, W] / [C, H, W] in training mode (scaling the rest by 1 / (1 - p)). */
export class Dropout2d extends FeatureDropout {
  constructor(p = 0.5, options: { inplace?: boolean; generator?: Generator } = {}) {
    super('Dropout2d', dropout2d, p, options);
  }
}

/** Zeroes whole channels of [N, C, D, H, W] / [C, D, H, W] in training mode. */
export class Dropout3d extends FeatureDropout {
  constructor(p = 0.5, options: { inplace?: boolean; generator?: Generator } = {}) {
    super('Dropout3d', dropout3d, p, options);
  }
}
