// BatchNorm1d/2d, LayerNorm and GroupNorm. Buffers are registered under PyTorch's state-dict names
// (running_mean, running_var, num_batches_tracked); camelCase getters read them.
import { ones, zeros } from '../../creation.js';
import { checkNumbers, checkOptions, describe } from '../../errors.js';
import { batchNorm, groupNorm, layerNorm } from '../../ops/normalization.js';
import { fillRaw } from '../../raw/strided.js';
import { formatShape } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyBool, pyFloat, pyTuple } from '../repr.js';

/** The options of nn.BatchNorm1d and nn.BatchNorm2d (PyTorch's keyword arguments, in camelCase). */
export interface BatchNormOptions {
  /** Added to the variance for numerical stability. */
  eps?: number;
  /** Weight of the newest batch in the running statistics; null: a cumulative average. */
  momentum?: number | null;
  /** Learnable per-channel scale (weight) and shift (bias). */
  affine?: boolean;
  /** Keep running statistics (used in eval mode); false: batch statistics in both modes. */
  trackRunningStats?: boolean;
}

/** The shared part of BatchNorm1d/2d/3d: input [N, C, *]. */
export abstract class BatchNormBase extends Module {
  /** The number of features (channels) C. */
  readonly numFeatures: number;
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** The weight of the batch in the running statistics' update; null: a cumulative average. */
  momentum: number | null;
  /** Whether the module has a learnable per-channel scale and shift. */
  readonly affine: boolean;
  /** Whether the module keeps running statistics (used in eval mode). */
  readonly trackRunningStats: boolean;
  /** The learnable weight (PyTorch's `weight`). */
  weight: Parameter | null;
  /** The learnable bias (PyTorch's `bias`), or null without one. */
  bias: Parameter | null;
  /** The running mean buffer, under PyTorch's state-dict name. */
  declare running_mean: Tensor | null;
  /** The running variance buffer, under PyTorch's state-dict name. */
  declare running_var: Tensor | null;
  /** The batch count buffer, under PyTorch's state-dict name. */
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const name = this.constructor.name;
    checkOptions(`nn.${name}`, options, {
      eps: 'number',
      momentum: 'number',
      affine: 'boolean',
      trackRunningStats: 'boolean',
    });
    if (!Number.isInteger(numFeatures) || numFeatures <= 0)
      throw new RangeError(`${name}: numFeatures must be a positive integer, got ${describe(numFeatures)}`);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.weight = this.affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures])) : null;
    this.registerBuffer('running_mean', this.trackRunningStats ? zeros([numFeatures]) : null);
    this.registerBuffer('running_var', this.trackRunningStats ? ones([numFeatures]) : null);
    this.registerBuffer('num_batches_tracked', this.trackRunningStats ? zeros([], { dtype: 'int32' }) : null);
  }

  /** The running mean (the `running_mean` buffer), or null. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** The running variance (the `running_var` buffer), or null. */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** Batches seen in training (the `num_batches_tracked` buffer), or null. */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Resets the running statistics: mean 0, variance 1, batches tracked 0. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    fillRaw(this.running_mean!, 0);
    fillRaw(this.running_var!, 1);
    fillRaw(this.num_batches_tracked!, 0);
    for (const t of [this.running_mean!, this.running_var!, this.num_batches_tracked!]) t.storage.version++;
  }

  /** Re-initialises the parameters as PyTorch's constructor does. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      fillRaw(this.weight!, 1);
      fillRaw(this.bias!, 0);
      this.weight!.storage.version++;
      this.bias!.storage.version++;
    }
  }

  /** Throws when x's rank does not suit this layer. */
  protected abstract checkInputDim(x: Tensor): void;

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new TypeError(`${this.constructor.name}: expected a Tensor, got ${typeof x}`);
    this.checkInputDim(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(
        `${this.constructor.name}: expected ${this.numFeatures} channels (dim 1), got input of shape ${formatShape(x.shape)}`,
      );
    }
    // torch's _BatchNorm.forward: the cumulative average when momentum is null.
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      const nbt = this.num_batches_tracked;
      (nbt.storage.data as Int32Array)[nbt.offset] += 1;
      nbt.storage.version++;
      if (this.momentum === null) factor = 1 / (nbt.item() as number);
    }
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const track = !this.training || this.trackRunningStats;
    return batchNorm(x, track ? this.running_mean : null, track ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Batch normalisation over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3)
      throw new RangeError(
        `BatchNorm1d: expected 2D or 3D input (got ${x.ndim}D input of shape ${formatShape(x.shape)})`,
      );
  }
}

/** Batch normalisation over [N, C, H, W], per channel. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4)
      throw new RangeError(`BatchNorm2d: expected 4D input (got ${x.ndim}D input of shape ${formatShape(x.shape)})`);
  }
}

/** The options of nn.LayerNorm (PyTorch's keyword arguments, in camelCase). */
export interface LayerNormOptions {
  /** Added to the variance for numerical stability. */
  eps?: number;
  /** Learnable per-element weight (ones) and bias (zeros) of normalizedShape. */
  elementwiseAffine?: boolean;
}

/** Layer normalisation over the trailing normalizedShape dims. */
export class LayerNorm extends Module {
  /** The trailing shape normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** Whether the module has a learnable elementwise scale and shift. */
  readonly elementwiseAffine: boolean;
  /** The learnable weight (PyTorch's `weight`). */
  weight: Parameter | null;
  /** The learnable bias (PyTorch's `bias`), or null without one. */
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkOptions('nn.LayerNorm', options, { eps: 'number', elementwiseAffine: 'boolean' });
    const shape =
      typeof normalizedShape === 'number'
        ? [normalizedShape]
        : checkNumbers('nn.LayerNorm', 'normalizedShape', normalizedShape);
    if (shape.length === 0 || shape.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new RangeError(`LayerNorm: normalizedShape must be positive sizes, got ${formatShape(shape)}`);
    }
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(shape)) : null;
    this.bias = this.elementwiseAffine ? new Parameter(zeros(shape)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** The options of nn.GroupNorm (PyTorch's keyword arguments, in camelCase). */
export interface GroupNormOptions {
  /** Added to the variance for numerical stability. */
  eps?: number;
  /** Learnable per-channel weight (ones) and bias (zeros). */
  affine?: boolean;
}

/** Group normalisation of [N, C, *]: numChannels split into numGroups groups (torch.nn.GroupNorm). */
export class GroupNorm extends Module {
  /** Groups the channels are divided into. */
  readonly numGroups: number;
  /** Channels of the input. */
  readonly numChannels: number;
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** Whether the module has a learnable per-channel scale and shift. */
  readonly affine: boolean;
  /** The learnable weight (PyTorch's `weight`). */
  weight: Parameter | null;
  /** The learnable bias (PyTorch's `bias`), or null without one. */
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    checkOptions('nn.GroupNorm', options, { eps: 'number', affine: 'boolean' });
    if (!Number.isInteger(numGroups) || numGroups <= 0)
      throw new RangeError(`GroupNorm: numGroups must be a positive integer, got ${describe(numGroups)}`);
    if (!Number.isInteger(numChannels) || numChannels <= 0)
      throw new RangeError(`GroupNorm: numChannels must be a positive integer, got ${describe(numChannels)}`);
    if (numChannels % numGroups !== 0)
      throw new RangeError(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = options.eps ?? 1e-5;
    this.affine = options.affine ?? true;
    this.weight = this.affine ? new Parameter(ones([numChannels])) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels])) : null;
  }

  /** Re-initialises the parameters as PyTorch's constructor does. */
  resetParameters(): void {
    if (!this.affine) return;
    fillRaw(this.weight!, 1);
    fillRaw(this.bias!, 0);
    this.weight!.storage.version++;
    this.bias!.storage.version++;
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new TypeError(`GroupNorm: expected a Tensor, got ${typeof x}`);
    if (x.ndim < 2)
      throw new RangeError(
        `GroupNorm: expected input of shape [N, C, *] (got ${x.ndim}D input of shape ${formatShape(x.shape)})`,
      );
    if (x.shape[1] !== this.numChannels) {
      throw new RangeError(
        `GroupNorm: expected ${this.numChannels} channels (dim 1), got input of shape ${formatShape(x.shape)}`,
      );
    }
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
