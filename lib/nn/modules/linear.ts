// Linear layers: Linear and Bilinear.
import { checkInt, checkOptions } from '../../errors.js';
import { empty } from '../../creation.js';
import { bilinear } from '../../ops/bilinear.js';
import { linear } from '../../ops/linear.js';
import type { Tensor } from '../../tensor.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

function positiveInt(op: string, name: string, v: number): number {
  return checkInt(op, name, v, 1);
}

/** y = x Wᵀ + b. Initialised as PyTorch does: W, b ~ U(-1/sqrt(in), 1/sqrt(in)). */
export class Linear extends Module {
  /** Size of each input sample. */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** The learnable weight (PyTorch's `weight`). */
  weight: Parameter;
  /** The learnable bias (PyTorch's `bias`), or null without one. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    checkOptions('nn.Linear', options, { bias: 'boolean' });
    this.inFeatures = positiveInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', outFeatures);
    this.weight = new Parameter(empty([outFeatures, inFeatures]));
    this.bias = options.bias === false ? null : new Parameter(empty([outFeatures]));
    this.resetParameters();
  }

  /** Re-initialises the parameters as PyTorch's constructor does. */
  resetParameters(): void {
    // kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}

/** y = x1ᵀ A x2 + b per output feature: weight [out, in1, in2], bias [out]. */
export class Bilinear extends Module {
  /** Size of each first input sample. */
  readonly in1Features: number;
  /** Size of each second input sample. */
  readonly in2Features: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** The learnable weight (PyTorch's `weight`). */
  weight: Parameter;
  /** The learnable bias (PyTorch's `bias`), or null without one. */
  bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    checkOptions('nn.Bilinear', options, { bias: 'boolean' });
    this.in1Features = positiveInt('Bilinear', 'in1Features', in1Features);
    this.in2Features = positiveInt('Bilinear', 'in2Features', in2Features);
    this.outFeatures = positiveInt('Bilinear', 'outFeatures', outFeatures);
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features]));
    this.bias = options.bias === false ? null : new Parameter(empty([outFeatures]));
    this.resetParameters();
  }

  /** Re-initialises the parameters as PyTorch's constructor does. */
  resetParameters(): void {
    // torch: U(-1/sqrt(in1), 1/sqrt(in1)) for both.
    const bound = 1 / Math.sqrt(this.weight.shape[1]);
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    return bilinear(x1, x2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}
