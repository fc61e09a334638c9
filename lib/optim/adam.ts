// Adam and AdamW (torch.optim.Adam / AdamW), with AMSGrad; one fused native kernel per parameter.
import { checkOptions, given, optionKeys } from '../errors.js';
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';
import { FusedStep } from './fused.js';
import { checkHyper, Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';

/** The options of `optim.Adam` and `optim.AdamW` (PyTorch's keyword arguments, in camelCase). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay: an L2 penalty for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay?: number;
  /** The AMSGrad variant: the maximum of past second moments (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const ADAM_OPTIONS = optionKeys<AdamOptions>({
  lr: 'number',
  betas: true,
  eps: 'number',
  weightDecay: 'number',
  amsgrad: 'boolean',
  maximize: 'boolean',
});

abstract class AdamBase extends Optimizer {
  /** True for AdamW: the weight decay scales the parameter instead of adding to the gradient. */
  protected abstract readonly decoupled: boolean;

  protected validateGroup(g: ParamGroup): void {
    const name = this.constructor.name;
    checkHyper(name, 'learning rate', g.lr, { min: 0 });
    checkHyper(name, 'epsilon value', g.eps, { min: 0 });
    const betas = g.betas as number[];
    if (!Array.isArray(betas) || betas.length !== 2)
      throw new TypeError(`${name}: betas must be [beta1, beta2], got ${String(betas)}`);
    checkHyper(name, 'beta parameter at index 0', betas[0], { min: 0, max: 1, maxExclusive: true });
    checkHyper(name, 'beta parameter at index 1', betas[1], { min: 0, max: 1, maxExclusive: true });
    checkHyper(name, 'weight_decay value', g.weightDecay, { min: 0 });
  }

  protected updateParameter(p: Tensor, grad: Tensor, g: ParamGroup): void {
    const name = this.constructor.name;
    const state = this.state.get(p) ?? { step: 0 };
    this.state.set(p, state);
    const s = new FusedStep(name, p);
    const step = (state.step as number) + 1;
    state.step = step;
    const [beta1, beta2] = g.betas as number[];
    native.adamStep(
      s.param(),
      s.grad(grad),
      s.state(state, 'expAvg'),
      s.state(state, 'expAvgSq'),
      g.amsgrad ? s.state(state, 'maxExpAvgSq') : null,
      {
        lr: g.lr,
        beta1,
        beta2,
        eps: g.eps as number,
        weightDecay: g.weightDecay as number,
        decoupled: this.decoupled,
        amsgrad: g.amsgrad as boolean,
        maximize: g.maximize as boolean,
        step,
      },
    );
    s.done();
  }
}

/**
 * Adam, as `torch.optim.Adam` (with AMSGrad); one fused native kernel per parameter.
 * @throws RangeError on a negative lr or eps, betas outside [0, 1) or a negative weightDecay;
 *   TypeError on an unknown option.
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsInput, options: AdamOptions = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      ...given(checkOptions('optim.Adam', options, ADAM_OPTIONS)),
    });
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter): param *= 1 - lr * weightDecay. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsInput, options: AdamOptions = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
      ...given(checkOptions('optim.AdamW', options, ADAM_OPTIONS)),
    });
  }
}
