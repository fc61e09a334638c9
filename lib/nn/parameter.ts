// Parameter: a tensor a Module owns and an optimizer updates. Shares the given tensor's storage.
import { Tensor } from '../tensor.js';

export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TypeError(`Parameter: expected a Tensor, got ${typeof data}`);
    super(data.storage, data.shape, data.strides, data.offset);
    this.requiresGrad = requiresGrad;
  }
}

/** Whether x is a Parameter (a tensor a Module registers as trainable). */
export function isParameter(x: unknown): x is Parameter {
  return x instanceof Parameter;
}
