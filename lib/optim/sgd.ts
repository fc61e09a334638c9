// SGD with momentum, dampening, Nesterov and weight decay (torch.optim.SGD), one fused native
// kernel per parameter.
import { checkOptions, given, optionKeys } from '../errors.js';
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';
import { FusedStep } from './fused.js';
import { checkHyper, Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';

/** The options of `optim.SGD` (PyTorch's keyword arguments, in camelCase). */
export interface SGDOptions {
  /** Learning rate (required, >= 0). */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs a momentum and zero dampening). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const SGD_OPTIONS = optionKeys<SGDOptions>({
  lr: 'number',
  momentum: 'number',
  dampening: 'number',
  weightDecay: 'number',
  nesterov: 'boolean',
  maximize: 'boolean',
});

/**
 * Stochastic gradient descent with momentum, as `torch.optim.SGD`; one fused native kernel per
 * parameter.
 * @throws RangeError without `lr`, or on a negative lr, momentum or weightDecay, or Nesterov
 *   without momentum or with dampening; TypeError on an unknown option.
 */
export class SGD extends Optimizer {
  constructor(params: ParamsInput, options: SGDOptions) {
    const opts = checkOptions('optim.SGD', options, SGD_OPTIONS);
    if (opts.lr === undefined) throw new RangeError('optim.SGD: lr is required');
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...given(opts) });
  }

  protected validateGroup(g: ParamGroup): void {
    checkHyper('SGD', 'learning rate', g.lr, { min: 0 });
    checkHyper('SGD', 'momentum value', g.momentum, { min: 0 });
    checkHyper('SGD', 'dampening', g.dampening);
    checkHyper('SGD', 'weight_decay value', g.weightDecay, { min: 0 });
    if (g.nesterov && ((g.momentum as number) <= 0 || g.dampening !== 0)) {
      throw new RangeError('SGD: Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected updateParameter(p: Tensor, grad: Tensor, g: ParamGroup): void {
    const state = this.state.get(p) ?? {};
    this.state.set(p, state);
    const s = new FusedStep('SGD', p);
    const momentum = g.momentum as number;
    const firstStep = momentum !== 0 && !('momentumBuffer' in state);
    const buf = momentum !== 0 ? s.state(state, 'momentumBuffer') : null;
    native.sgdStep(s.param(), s.grad(grad), buf, {
      lr: g.lr,
      momentum,
      dampening: g.dampening as number,
      weightDecay: g.weightDecay as number,
      nesterov: g.nesterov as boolean,
      maximize: g.maximize as boolean,
      firstStep,
    });
    s.done();
  }
}
