// For backwards that call kernels directly: when a second derivative is being built, their
// gradients come instead from the op written with recorded ops, so they have derivatives of
// their own. Without a graph the kernels keep running (same numbers, faster).
import { zeros, zerosLike } from '../creation.js';
import { type DType, FLOATING_DTYPES } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { defineOp, type OpContext } from './define_op.js';
import { grad as autogradGrad } from './backward.js';
import { hasTangent } from './dual_state.js';
import { enableGrad, isGradEnabled } from './grad_mode.js';

/**
 * Whether a backward must record its gradients: createGraph (grad mode is on inside the
 * backward), or a backward in a dual level where the gradient or a saved input carries a
 * tangent (forward over reverse).
 */
export function buildsGraph(...ts: (Tensor | null | undefined)[]): boolean {
  return isGradEnabled() || hasTangent(...ts.filter((t): t is Tensor => t != null));
}

/**
 * The gradients of `composite` (the op, written with recorded ops) at `inputs` with `grad` as
 * its output's gradient, recorded (createGraph): one per input, null where `need` is false
 * (an input that is null, or needs no gradient, enters the composite as it is).
 */
export function compositeGradients(
  inputs: readonly (Tensor | null)[],
  need: readonly boolean[],
  grad: Tensor,
  composite: (...xs: (Tensor | null)[]) => Tensor,
): (Tensor | null)[] {
  const wrt = inputs.filter((t, i): t is Tensor => t !== null && need[i]);
  if (wrt.length === 0) return inputs.map(() => null);
  const out = enableGrad(() => composite(...inputs));
  const gs = autogradGrad(out, wrt, { gradOutputs: [grad], createGraph: true, allowUnused: true });
  let k = 0;
  return inputs.map((t, i) => {
    if (t === null || !need[i]) return null;
    const g = gs[k++];
    // An input the composite does not reach has a zero gradient.
    return g ?? zerosLike(t);
  });
}

/**
 * `value`, a function of x that is constant between breakpoints (a piecewise-linear
 * activation's slope, a max pool's routing), as an op of x whose derivative is zero. A recorded
 * gradient written grad * slope then reaches x with zeros, as PyTorch's threshold_backward,
 * leaky_relu_backward, hardtanh_backward and max_pool2d_with_indices_backward do: a parameter
 * reached only through the slope gets a zero gradient, not none.
 */
export const piecewiseConstant: (x: Tensor, value: Tensor) => Tensor = defineOp({
  name: 'piecewiseConstant',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext<{ shape: readonly number[]; dtype: DType }>, x: Tensor, value: Tensor) {
    ctx.shape = x.shape;
    ctx.dtype = x.dtype;
    return new Tensor(value.storage, value.shape, value.strides, value.offset);
  },
  backward: (ctx) => [ctx.needsInputGrad[0] ? zeros(ctx.shape, { dtype: ctx.dtype }) : null, null],
  // Constant in x: a tangent of x moves it by nothing.
  jvp: (ctx) => zeros(ctx.shape, { dtype: ctx.dtype }),
});
