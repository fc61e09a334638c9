// tensor.backward() and autograd.grad().
import type { DType } from '../dtype.js';
import { checkFunction, checkOptions, checkTensor, optionKeys } from '../errors.js';
import { ones } from '../creation.js';
import { copyRaw } from '../raw/strided.js';
import { Tensor } from '../tensor.js';
import { formatShape, sameShape } from '../shape.js';
import { runBackward } from './engine.js';

/** The options of backward (PyTorch's keyword arguments, in camelCase). */
export interface BackwardOptions {
  /** Keep the graph's saved tensors so that it can be backpropagated again (default: createGraph's value, as PyTorch). */
  retainGraph?: boolean;
  /** Record the backward itself, so that the gradients can be differentiated again (default false). */
  createGraph?: boolean;
}

const BACKWARD_OPTIONS = optionKeys<BackwardOptions>({ retainGraph: 'boolean', createGraph: 'boolean' });

function defaultGrad(op: string, out: Tensor, given: Tensor | undefined): Tensor {
  checkTensor(op, 'output', out);
  if (given !== undefined && given !== null) {
    checkTensor(op, 'gradient', given);
    if (!sameShape(given.shape, out.shape)) {
      throw new RangeError(
        `${op}: gradient of shape ${formatShape(given.shape)} does not match output of shape ${formatShape(out.shape)}`,
      );
    }
    return given;
  }
  if (out.numel() !== 1) {
    throw new Error(
      `${op}: grad can be implicitly created only for scalar outputs; pass a gradient for shape ${formatShape(out.shape)}`,
    );
  }
  // In the output's dtype (torch's ones_like): a float64 loss seeds float64 gradients.
  return ones(out.shape, { dtype: out.dtype === 'float64' ? 'float64' : 'float32' });
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    /** Accumulates d(this)/d(leaf) into every leaf's .grad (torch.Tensor.backward). */
    backward(gradient?: Tensor, options?: BackwardOptions): void;
    /** Keeps .grad of this non-leaf tensor after backward. */
    retainGrad(): void;
    /** Runs hook(grad) when this tensor's gradient is computed; a returned tensor replaces it. */
    registerHook(hook: (grad: Tensor) => Tensor | void): () => void;
    /**
     * Runs hook(this) after this leaf's gradient has been accumulated into .grad during a
     * backward pass (PyTorch's register_post_accumulate_grad_hook). Returns a remover.
     */
    registerPostAccumulateGradHook(hook: (leaf: Tensor) => void): () => void;
  }
}

Tensor.prototype.backward = function (this: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  checkOptions('backward', options, BACKWARD_OPTIONS);
  // As PyTorch, a backward that builds a graph keeps the one it walks unless told otherwise.
  const retainGraph = options.retainGraph ?? options.createGraph;
  runBackward([this], [defaultGrad('backward', this, gradient)], { ...options, retainGraph });
};

Tensor.prototype.retainGrad = function (this: Tensor): void {
  if (this.isLeaf) return;
  if (!this.gradFn) return;
  this.gradFn.outputHooks.push((g) => {
    // A copy, as torch's retain_grad: g itself goes on to the inputs (add's backward hands it
    // to both), and a leaf may keep it as its .grad.
    this.grad = this.grad ? this.grad : copyRaw(g);
  });
};

Tensor.prototype.registerHook = function (this: Tensor, hook: (grad: Tensor) => Tensor | void): () => void {
  checkFunction('registerHook', 'hook', hook);
  if (!this.requiresGrad)
    throw new Error("registerHook: cannot register a hook on a tensor that doesn't require gradient");
  const list = this.gradFn ? this.gradFn.outputHooks : this._hooks;
  list.push(hook);
  return () => {
    const i = list.indexOf(hook);
    if (i >= 0) list.splice(i, 1);
  };
};

Tensor.prototype.registerPostAccumulateGradHook = function (this: Tensor, hook: (leaf: Tensor) => void): () => void {
  if (!this.requiresGrad) {
    throw new Error("registerPostAccumulateGradHook: cannot register a hook on a tensor that doesn't require gradient");
  }
  if (!this.isLeaf) throw new Error('registerPostAccumulateGradHook: only leaf tensors accumulate a gradient');
  const list = (this._postAccumulateHooks ??= []);
  list.push(hook);
  return () => {
    const i = list.indexOf(hook);
    if (i >= 0) list.splice(i, 1);
  };
};

/** The options of autograd.grad (PyTorch's keyword arguments, in camelCase). */
export interface GradOptions extends BackwardOptions {
  /** The gradient of each output (default: ones, for scalar outputs). */
  gradOutputs?: (Tensor | undefined)[];
  /** Return null for an input the outputs do not depend on, instead of an error (default false). */
  allowUnused?: boolean;
}

/** d(outputs)/d(inputs), without touching .grad (torch.autograd.grad). */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  checkOptions('grad', options, { ...BACKWARD_OPTIONS, gradOutputs: true, allowUnused: 'boolean' });
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gradOutputs = outs.map((o, i) => defaultGrad('grad', o, options.gradOutputs?.[i]));
  return runBackward(outs, gradOutputs, {
    retainGraph: options.retainGraph ?? options.createGraph,
    createGraph: options.createGraph,
    inputs: ins,
    allowUnused: options.allowUnused,
  });
}
