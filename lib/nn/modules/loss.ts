// Loss modules over lib/ops/loss.ts. As in torch, class/element weights are buffers
// ('weight', 'pos_weight'), so they travel with the state dict; the repr has no arguments.
import * as L from '../../ops/loss.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';

type Reduction = L.Reduction;

function checkReduction(name: string, r: string, extra: string[] = []): void {
  const ok = ['mean', 'sum', 'none', ...extra];
  if (!ok.includes(r))
    throw new RangeError(`${name}: reduction must be ${ok.map((s) => `'${s}'`).join(', ')}; got '${r}'`);
}

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(reduction: Reduction | undefined) {
    super();
    this.reduction = reduction ?? 'mean';
    checkReduction(this.constructor.name, this.reduction);
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

export class MSELoss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: { reduction?: Reduction; beta?: number } = {}) {
    super(options.reduction);
    this.beta = options.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: { reduction?: Reduction; delta?: number } = {}) {
    super(options.reduction);
    this.delta = options.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export class BCELoss extends Loss {
  declare weight: Tensor | null;
  constructor(options: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(options.reduction);
    this.registerBuffer('weight', options.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;
  constructor(options: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {}) {
    super(options.reduction);
    this.registerBuffer('weight', options.weight ?? null);
    this.registerBuffer('pos_weight', options.posWeight ?? null);
  }
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.pos_weight,
      reduction: this.reduction,
    });
  }
}

export interface CrossEntropyLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
  labelSmoothing?: number;
}

/** log-softmax + NLL over logits [N, C, *] (fused); targets are int32 classes or float32 probabilities. */
export class CrossEntropyLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(options: CrossEntropyLossOptions = {}) {
    super(options.reduction);
    this.registerBuffer('weight', options.weight ?? null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

export class NLLLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  constructor(options: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    super(options.reduction);
    this.registerBuffer('weight', options.weight ?? null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class KLDivLoss extends Module {
  readonly reduction: L.KLDivReduction;
  readonly logTarget: boolean;
  constructor(options: { reduction?: L.KLDivReduction; logTarget?: boolean } = {}) {
    super();
    this.reduction = options.reduction ?? 'mean';
    checkReduction('KLDivLoss', this.reduction, ['batchmean']);
    this.logTarget = options.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
