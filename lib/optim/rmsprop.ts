// RMSprop and Adagrad (torch.optim.RMSprop / Adagrad); one fused native kernel per parameter.
import { checkOptions, given, optionKeys } from '../errors.js';
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';
import { FusedStep } from './fused.js';
import { checkHyper, Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';

/** The options of `optim.RMSprop` (PyTorch's keyword arguments, in camelCase). */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Centered RMSprop: the gradient normalized by an estimate of its variance (default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const RMSPROP_OPTIONS = optionKeys<RMSpropOptions>({
  lr: 'number',
  alpha: 'number',
  eps: 'number',
  weightDecay: 'number',
  momentum: 'number',
  centered: 'boolean',
  maximize: 'boolean',
});

/**
 * RMSprop, as `torch.optim.RMSprop`; one fused native kernel per parameter.
 * @throws RangeError on a negative lr, eps, momentum, weightDecay or alpha; TypeError on an
 *   unknown option.
 */
export class RMSprop extends Optimizer {
  constructor(params: ParamsInput, options: RMSpropOptions = {}) {
    super(params, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...given(checkOptions('optim.RMSprop', options, RMSPROP_OPTIONS)),
    });
  }

  protected validateGroup(g: ParamGroup): void {
    checkHyper('RMSprop', 'learning rate', g.lr, { min: 0 });
    checkHyper('RMSprop', 'epsilon value', g.eps, { min: 0 });
    checkHyper('RMSprop', 'momentum value', g.momentum, { min: 0 });
    checkHyper('RMSprop', 'weight_decay value', g.weightDecay, { min: 0 });
    checkHyper('RMSprop', 'alpha value', g.alpha, { min: 0 });
  }

  protected updateParameter(p: Tensor, grad: Tensor, g: ParamGroup): void {
    const state = this.state.get(p) ?? { step: 0 };
    this.state.set(p, state);
    const s = new FusedStep('RMSprop', p);
    state.step = (state.step as number) + 1;
    native.rmspropStep(
      s.param(),
      s.grad(grad),
      s.state(state, 'squareAvg'),
      (g.momentum as number) > 0 ? s.state(state, 'momentumBuffer') : null,
      g.centered ? s.state(state, 'gradAvg') : null,
      {
        lr: g.lr,
        alpha: g.alpha as number,
        eps: g.eps as number,
        weightDecay: g.weightDecay as number,
        momentum: g.momentum as number,
        centered: g.centered as boolean,
        maximize: g.maximize as boolean,
      },
    );
    s.done();
  }
}

/** The options of `optim.Adagrad` (PyTorch's keyword arguments, in camelCase). */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Learning-rate decay per step: lr / (1 + (step - 1) * lrDecay) (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** The starting value of the squared-gradient sum (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const ADAGRAD_OPTIONS = optionKeys<AdagradOptions>({
  lr: 'number',
  lrDecay: 'number',
  weightDecay: 'number',
  initialAccumulatorValue: 'number',
  eps: 'number',
  maximize: 'boolean',
});

/**
 * Adagrad, as `torch.optim.Adagrad`.
 * @throws RangeError on a negative lr, lrDecay, weightDecay, initialAccumulatorValue or eps;
 *   TypeError on an unknown option.
 */
export class Adagrad extends Optimizer {
  constructor(params: ParamsInput, options: AdagradOptions = {}) {
    super(params, {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
      ...given(checkOptions('optim.Adagrad', options, ADAGRAD_OPTIONS)),
    });
  }

  protected validateGroup(g: ParamGroup): void {
    checkHyper('Adagrad', 'learning rate', g.lr, { min: 0 });
    checkHyper('Adagrad', 'lr_decay value', g.lrDecay, { min: 0 });
    checkHyper('Adagrad', 'weight_decay value', g.weightDecay, { min: 0 });
    checkHyper('Adagrad', 'initial_accumulator_value', g.initialAccumulatorValue, { min: 0 });
    checkHyper('Adagrad', 'epsilon value', g.eps, { min: 0 });
  }

  protected updateParameter(p: Tensor, grad: Tensor, g: ParamGroup): void {
    const state = this.state.get(p) ?? { step: 0 };
    this.state.set(p, state);
    const s = new FusedStep('Adagrad', p);
    const step = (state.step as number) + 1;
    state.step = step;
    native.adagradStep(s.param(), s.grad(grad), s.state(state, 'sum', g.initialAccumulatorValue as number), {
      lr: g.lr,
      lrDecay: g.lrDecay as number,
      weightDecay: g.weightDecay as number,
      eps: g.eps as number,
      maximize: g.maximize as boolean,
      step,
    });
    s.done();
  }
}
