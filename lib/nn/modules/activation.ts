// Activation modules: thin wrappers over lib/ops/activation.ts with PyTorch's reprs.
import { checkNumber, checkOptions } from '../../errors.js';
import * as A from '../../ops/activation.js';
import { logSoftmax, softmax } from '../../ops/softmax.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { pyFloat } from '../repr.js';

/** The option of the activation modules that can work in place. */
export interface InplaceOptions {
  /** Whether the module writes its result into its input. */
  inplace?: boolean;
}

const inplaceRepr = (inplace: boolean) => (inplace ? 'inplace=True' : '');

export class ReLU extends Module {
  /** Whether the module writes its result into its input. */
  readonly inplace: boolean;
  constructor(options: InplaceOptions = {}) {
    super();
    checkOptions('nn.ReLU', options, { inplace: 'boolean' });
    this.inplace = options.inplace ?? false;
  }
  forward(x: Tensor): Tensor {
    return A.relu(x, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

export class LeakyReLU extends Module {
  /** The slope below zero. */
  readonly negativeSlope: number;
  /** Whether the module writes its result into its input. */
  readonly inplace: boolean;
  constructor(negativeSlope = 0.01, options: InplaceOptions = {}) {
    super();
    checkOptions('nn.LeakyReLU', options, { inplace: 'boolean' });
    this.negativeSlope = negativeSlope;
    this.inplace = options.inplace ?? false;
  }
  forward(x: Tensor): Tensor {
    return A.leakyRelu(x, this.negativeSlope, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class Hardtanh extends Module {
  /** The lower bound. */
  readonly minVal: number;
  /** The upper bound. */
  readonly maxVal: number;
  /** Whether the module writes its result into its input. */
  readonly inplace: boolean;
  constructor(minVal = -1, maxVal = 1, options: InplaceOptions = {}) {
    super();
    checkOptions('nn.Hardtanh', options, { inplace: 'boolean' });
    checkNumber('nn.Hardtanh', 'minVal', minVal);
    checkNumber('nn.Hardtanh', 'maxVal', maxVal);
    if (!(maxVal > minVal))
      throw new RangeError(`Hardtanh: maxVal (${maxVal}) must be greater than minVal (${minVal})`);
    this.minVal = minVal;
    this.maxVal = maxVal;
    this.inplace = options.inplace ?? false;
  }
  forward(x: Tensor): Tensor {
    return A.hardtanh(x, this.minVal, this.maxVal, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class ReLU6 extends Module {
  /** Whether the module writes its result into its input. */
  readonly inplace: boolean;
  constructor(options: InplaceOptions = {}) {
    super();
    checkOptions('nn.ReLU6', options, { inplace: 'boolean' });
    this.inplace = options.inplace ?? false;
  }
  forward(x: Tensor): Tensor {
    return A.relu6(x, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

export class ELU extends Module {
  /** The alpha of the activation. */
  readonly alpha: number;
  /** Whether the module writes its result into its input. */
  readonly inplace: boolean;
  constructor(alpha = 1, options: InplaceOptions = {}) {
    super();
    checkOptions('nn.ELU', options, { inplace: 'boolean' });
    this.alpha = alpha;
    this.inplace = options.inplace ?? false;
  }
  forward(x: Tensor): Tensor {
    return A.elu(x, this.alpha, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class SELU extends Module {
  /** Whether the module writes its result into its input. */
  readonly inplace: boolean;
  constructor(options: InplaceOptions = {}) {
    super();
    checkOptions('nn.SELU', options, { inplace: 'boolean' });
    this.inplace = options.inplace ?? false;
  }
  forward(x: Tensor): Tensor {
    return A.selu(x, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

export class GELU extends Module {
  /** 'none' (exact erf) or 'tanh'. */
  readonly approximate: 'none' | 'tanh';
  constructor(options: A.GeluOptions = {}) {
    super();
    checkOptions('nn.GELU', options, { approximate: 'string' });
    this.approximate = options.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new RangeError(`GELU: approximate must be 'none' or 'tanh', got '${String(this.approximate)}'`);
    }
  }
  forward(x: Tensor): Tensor {
    return A.gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x * sigmoid(x), also called Swish. */
export class SiLU extends Module {
  /** Whether the module writes its result into its input. */
  readonly inplace: boolean;
  constructor(options: InplaceOptions = {}) {
    super();
    checkOptions('nn.SiLU', options, { inplace: 'boolean' });
    this.inplace = options.inplace ?? false;
  }
  forward(x: Tensor): Tensor {
    return A.silu(x, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return A.sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return A.tanh(x);
  }
}

export class Softplus extends Module {
  /** The sharpness: log(1 + exp(beta * x)) / beta. */
  readonly beta: number;
  /** Above beta * x > threshold the function is linear. */
  readonly threshold: number;
  constructor(options: A.SoftplusOptions = {}) {
    super();
    checkOptions('nn.Softplus', options, { beta: 'number', threshold: 'number' });
    this.beta = options.beta ?? 1;
    this.threshold = options.threshold ?? 20;
  }
  forward(x: Tensor): Tensor {
    return A.softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** torch's implicit softmax dim (dim=None): 0 for 0-, 1- and 3-d inputs, else 1. */
function implicitDim(x: Tensor): number {
  return x.ndim === 0 || x.ndim === 1 || x.ndim === 3 ? 0 : 1;
}

export class Softmax extends Module {
  /** The dim the function is computed along. */
  readonly dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim ?? implicitDim(x));
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

export class LogSoftmax extends Module {
  /** The dim the function is computed along. */
  readonly dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim ?? implicitDim(x));
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** sin(w0 * x), the SIREN activation (w0 = 30 in the paper's first layer). */
export class Sine extends Module {
  /** The frequency factor: sin(w0 * x). */
  readonly w0: number;
  constructor(w0 = 1) {
    super();
    this.w0 = w0;
  }
  forward(x: Tensor): Tensor {
    return A.sine(x, this.w0);
  }
  override extraRepr(): string {
    return `w0=${pyFloat(this.w0)}`;
  }
}
