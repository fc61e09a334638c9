// Loss modules over lib/ops/loss.ts. As in torch, class/element weights are buffers
// ('weight', 'pos_weight'), so they travel with the state dict; the repr has no arguments.
import { checkOptions, optionKeys } from '../../errors.js';
import * as L from '../../ops/loss.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';

type Reduction = L.Reduction;

// The reduction's value is checked by checkReduction, with its own message.
const REDUCTION = 'string';
const REDUCTION_ONLY = optionKeys<{ reduction?: Reduction }>({ reduction: REDUCTION });
const WEIGHTED = optionKeys<{ weight?: Tensor | null; reduction?: Reduction }>({
  weight: 'tensor',
  reduction: REDUCTION,
});

function checkReduction(name: string, r: string, extra: string[] = []): void {
  const ok = ['mean', 'sum', 'none', ...extra];
  if (!ok.includes(r))
    throw new RangeError(`${name}: reduction must be ${ok.map((s) => `'${s}'`).join(', ')}; got '${r}'`);
}

abstract class Loss extends Module {
  /** 'mean', 'sum' or 'none'. */
  readonly reduction: Reduction;
  /** options: already checked by the subclass (checkOptions). */
  constructor(options: { reduction?: Reduction }) {
    super();
    this.reduction = options.reduction ?? 'mean';
    checkReduction(this.constructor.name, this.reduction);
  }
  /** The loss of input against target, reduced as `reduction` says. */
  abstract override forward(input: Tensor, target: Tensor): Tensor<'float32'>;
}

/**
 * The mean squared error, as `torch.nn.MSELoss`: forward(input, target) of the same shape.
 * @throws TypeError on an unknown option; RangeError on an unknown reduction.
 */
export class MSELoss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(checkOptions('nn.MSELoss', options, REDUCTION_ONLY));
  }
  forward(input: Tensor, target: Tensor): Tensor<'float32'> {
    return L.mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * The mean absolute error, as `torch.nn.L1Loss`: forward(input, target) of the same shape.
 * @throws TypeError on an unknown option; RangeError on an unknown reduction.
 */
export class L1Loss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(checkOptions('nn.L1Loss', options, REDUCTION_ONLY));
  }
  forward(input: Tensor, target: Tensor): Tensor<'float32'> {
    return L.l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * The smooth L1 loss, as `torch.nn.SmoothL1Loss`: quadratic below beta, linear above (divided by beta).
 * @throws TypeError on an unknown option; RangeError on an unknown reduction.
 */
export class SmoothL1Loss extends Loss {
  /** Where the loss turns from quadratic to linear (and its scale). */
  readonly beta: number;
  constructor(options: { reduction?: Reduction; beta?: number } = {}) {
    super(checkOptions('nn.SmoothL1Loss', options, { reduction: REDUCTION, beta: 'number' }));
    this.beta = options.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor<'float32'> {
    return L.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/**
 * The Huber loss, as `torch.nn.HuberLoss`: quadratic below delta, linear above.
 * @throws TypeError on an unknown option; RangeError on an unknown reduction.
 */
export class HuberLoss extends Loss {
  /** Where the loss turns from quadratic to linear. */
  readonly delta: number;
  constructor(options: { reduction?: Reduction; delta?: number } = {}) {
    super(checkOptions('nn.HuberLoss', options, { reduction: REDUCTION, delta: 'number' }));
    this.delta = options.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor<'float32'> {
    return L.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/**
 * Binary cross-entropy of probabilities in [0, 1], as `torch.nn.BCELoss` (each log clamped to >= -100).
 * @throws TypeError on an unknown option; RangeError on an unknown reduction.
 */
export class BCELoss extends Loss {
  /** The rescaling weight (a buffer, as PyTorch's `weight`), or null. */
  declare weight: Tensor | null;
  constructor(options: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(checkOptions('nn.BCELoss', options, WEIGHTED));
    this.registerBuffer('weight', options.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor<'float32'> {
    return L.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Sigmoid then binary cross-entropy in one stable expression, as `torch.nn.BCEWithLogitsLoss`.
 * @throws TypeError on an unknown option; RangeError on an unknown reduction.
 */
export class BCEWithLogitsLoss extends Loss {
  /** The rescaling weight (a buffer, as PyTorch's `weight`), or null. */
  declare weight: Tensor | null;
  /** The posWeight buffer, under PyTorch's state-dict name. */
  declare pos_weight: Tensor | null;
  constructor(options: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {}) {
    super(
      checkOptions('nn.BCEWithLogitsLoss', options, { weight: 'tensor', reduction: REDUCTION, posWeight: 'tensor' }),
    );
    this.registerBuffer('weight', options.weight ?? null);
    this.registerBuffer('pos_weight', options.posWeight ?? null);
  }
  /** The weight of the positive examples, per class, or null. */
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }
  forward(input: Tensor, target: Tensor): Tensor<'float32'> {
    return L.binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.pos_weight,
      reduction: this.reduction,
    });
  }
}

/** The options of nn.CrossEntropyLoss (PyTorch's keyword arguments, in camelCase). */
export interface CrossEntropyLossOptions {
  /** The learnable weight (PyTorch's `weight`). */
  weight?: Tensor | null;
  /** A target class index that contributes nothing. */
  ignoreIndex?: number;
  /** 'mean', 'sum' or 'none'. */
  reduction?: Reduction;
  /** The label smoothing amount, in [0, 1]. */
  labelSmoothing?: number;
}

const CROSS_ENTROPY_OPTIONS = optionKeys<CrossEntropyLossOptions>({
  weight: 'tensor',
  ignoreIndex: 'integer',
  reduction: REDUCTION,
  labelSmoothing: 'number',
});

/** log-softmax + NLL over logits [N, C, *] (fused); targets are int32 classes or float32 probabilities. */
export class CrossEntropyLoss extends Loss {
  /** The rescaling weight (a buffer, as PyTorch's `weight`), or null. */
  declare weight: Tensor | null;
  /** A target class index that contributes nothing. */
  readonly ignoreIndex: number;
  /** The label smoothing amount, in [0, 1]. */
  readonly labelSmoothing: number;
  constructor(options: CrossEntropyLossOptions = {}) {
    super(checkOptions('nn.CrossEntropyLoss', options, CROSS_ENTROPY_OPTIONS));
    this.registerBuffer('weight', options.weight ?? null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor<'float32'> {
    return L.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/**
 * The negative log-likelihood of log-probabilities [N, C] and int32 class targets, as `torch.nn.NLLLoss`.
 * @throws TypeError on an unknown option; RangeError on an unknown reduction.
 */
export class NLLLoss extends Loss {
  /** The rescaling weight (a buffer, as PyTorch's `weight`), or null. */
  declare weight: Tensor | null;
  /** A target class index that contributes nothing. */
  readonly ignoreIndex: number;
  constructor(options: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    super(checkOptions('nn.NLLLoss', options, { weight: 'tensor', ignoreIndex: 'integer', reduction: REDUCTION }));
    this.registerBuffer('weight', options.weight ?? null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor<'float32'> {
    return L.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class KLDivLoss extends Module {
  /** 'mean', 'batchmean', 'sum' or 'none'. */
  readonly reduction: L.KLDivReduction;
  /** Whether the target holds log-probabilities. */
  readonly logTarget: boolean;
  constructor(options: { reduction?: L.KLDivReduction; logTarget?: boolean } = {}) {
    super();
    checkOptions('nn.KLDivLoss', options, { reduction: REDUCTION, logTarget: 'boolean' });
    this.reduction = options.reduction ?? 'mean';
    checkReduction('KLDivLoss', this.reduction, ['batchmean']);
    this.logTarget = options.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor<'float32'> {
    return L.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
