// Convolution layers: Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d. Initialised and printed
// as PyTorch does (kaiming_uniform(a = sqrt(5)) weights, U(±1/sqrt(fan_in)) bias).
import { empty } from '../../creation.js';
import { checkInt, checkOptions, describe, optionKeys, show } from '../../errors.js';
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from '../../ops/conv.js';
import type { Tensor } from '../../tensor.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyTuple } from '../repr.js';

type Size = number | readonly number[];

/** The options of nn.Conv1d and nn.Conv2d (PyTorch's keyword arguments). */
export interface ConvOptions<S extends Size = Size> {
  /** The step of the kernel (or window). */
  stride?: S;
  /** The padding of each side. */
  padding?: S | 'same' | 'valid';
  /** The spacing between kernel elements. */
  dilation?: S;
  /** Channel groups convolved separately. */
  groups?: number;
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Only 'zeros' is supported. */
  paddingMode?: 'zeros';
}
/** The options of nn.ConvTranspose1d and nn.ConvTranspose2d (PyTorch's keyword arguments). */
export interface ConvTransposeOptions<S extends Size = Size> {
  /** The step of the kernel (or window). */
  stride?: S;
  /** The padding of each side. */
  padding?: S;
  /** Size added to one side of each output dim (transposed convolutions; 0 otherwise). */
  outputPadding?: S;
  /** Channel groups convolved separately. */
  groups?: number;
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** The spacing between kernel elements. */
  dilation?: S;
}

const CONV_OPTIONS = optionKeys<ConvOptions>({
  stride: true,
  padding: true,
  dilation: true,
  groups: 'integer',
  bias: 'boolean',
  paddingMode: 'string',
});
const CONV_TRANSPOSE_OPTIONS = optionKeys<ConvTransposeOptions>({
  stride: true,
  padding: true,
  outputPadding: true,
  groups: 'integer',
  bias: 'boolean',
  dilation: true,
});

function tuple(name: string, what: string, v: Size | undefined, n: number, dflt: number, min: number): number[] {
  if (v !== undefined && typeof v !== 'number' && !Array.isArray(v))
    throw new TypeError(`${name}: ${what} must be an integer or ${n} of them, got ${describe(v)}`);
  const a =
    v === undefined ? new Array<number>(n).fill(dflt) : typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (a.length !== n || !a.every((e) => Number.isInteger(e) && e >= min)) {
    throw new RangeError(`${name}: ${what} must be an integer >= ${min} or ${n} of them, got ${show(v)}`);
  }
  return a;
}

function positiveInt(name: string, what: string, v: number): number {
  return checkInt(name, what, v, 1);
}

/** What _ConvNd shares: channels, geometry, parameters, init and repr. */
export abstract class ConvNd extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** The size of the kernel (or window). */
  readonly kernelSize: number[];
  /** The step of the kernel (or window). */
  readonly stride: number[];
  /** The padding of each side. */
  readonly padding: number[] | 'same' | 'valid';
  /** The spacing between kernel elements. */
  readonly dilation: number[];
  /** Size added to one side of each output dim (transposed convolutions; 0 otherwise). */
  readonly outputPadding: number[];
  /** Channel groups convolved separately. */
  readonly groups: number;
  /** Whether this is a transposed convolution. */
  readonly transposed: boolean;
  /** The learnable weight (PyTorch's `weight`). */
  weight: Parameter;
  /** The learnable bias (PyTorch's `bias`), or null without one. */
  bias: Parameter | null;

  constructor(
    name: string,
    n: number,
    transposed: boolean,
    inChannels: number,
    outChannels: number,
    kernelSize: Size,
    o: ConvOptions | ConvTransposeOptions,
  ) {
    super();
    if (transposed) checkOptions(`nn.${name}`, o as ConvTransposeOptions, CONV_TRANSPOSE_OPTIONS);
    else checkOptions(`nn.${name}`, o as ConvOptions, CONV_OPTIONS);
    o ??= {};
    this.inChannels = positiveInt(name, 'inChannels', inChannels);
    this.outChannels = positiveInt(name, 'outChannels', outChannels);
    this.groups = positiveInt(name, 'groups', o.groups ?? 1);
    if (inChannels % this.groups !== 0)
      throw new RangeError(`${name}: inChannels ${inChannels} must be divisible by groups ${this.groups}`);
    if (outChannels % this.groups !== 0)
      throw new RangeError(`${name}: outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    this.kernelSize = tuple(name, 'kernelSize', kernelSize, n, 1, 1);
    this.stride = tuple(name, 'stride', o.stride, n, 1, 1);
    this.dilation = tuple(name, 'dilation', o.dilation, n, 1, 1);
    this.transposed = transposed;
    const pad = o.padding;
    if (pad === 'same' || pad === 'valid') {
      if (transposed) throw new RangeError(`${name}: padding must be numbers, got '${pad}'`);
      if (pad === 'same' && this.stride.some((s) => s !== 1))
        throw new RangeError(`${name}: padding='same' is not supported for strided convolutions`);
      this.padding = pad;
    } else {
      this.padding = tuple(name, 'padding', pad, n, 0, 0);
    }
    this.outputPadding = tuple(name, 'outputPadding', (o as ConvTransposeOptions).outputPadding, n, 0, 0);
    if ('paddingMode' in o && o.paddingMode !== undefined && o.paddingMode !== 'zeros') {
      throw new RangeError(`${name}: paddingMode '${String(o.paddingMode)}' is not supported (only 'zeros')`);
    }
    const wShape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = new Parameter(empty(wShape));
    this.bias = o.bias === false ? null : new Parameter(empty([outChannels]));
    this.resetParameters();
  }

  /** Re-initialises the parameters as PyTorch's constructor does. */
  resetParameters(): void {
    // kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as torch's _ConvNd.
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}

/** 2-D convolution over [N, C, H, W] (or [C, H, W]): `new nn.Conv2d(3, 64, 3, { padding: 1 })`. */
export class Conv2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number, number],
    options: ConvOptions<number | readonly [number, number]> = {},
  ) {
    super('Conv2d', 2, false, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    const pad = this.padding;
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride as [number, number],
      padding: typeof pad === 'string' ? pad : (pad as [number, number]),
      dilation: this.dilation as [number, number],
      groups: this.groups,
    });
  }
}

/** 1-D convolution over [N, C, L] (or [C, L]). */
export class Conv1d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number],
    options: ConvOptions<number | readonly [number]> = {},
  ) {
    super('Conv1d', 1, false, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    const pad = this.padding;
    return conv1d(x, this.weight, this.bias, {
      stride: this.stride[0],
      padding: typeof pad === 'string' ? pad : pad[0],
      dilation: this.dilation[0],
      groups: this.groups,
    });
  }
}

/** 2-D transposed convolution: weight [in, out / groups, kH, kW]. */
export class ConvTranspose2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number, number],
    options: ConvTransposeOptions<number | readonly [number, number]> = {},
  ) {
    super('ConvTranspose2d', 2, true, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride as [number, number],
      padding: this.padding as [number, number],
      outputPadding: this.outputPadding as [number, number],
      dilation: this.dilation as [number, number],
      groups: this.groups,
    });
  }
}

/** 1-D transposed convolution: weight [in, out / groups, K]. */
export class ConvTranspose1d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number],
    options: ConvTransposeOptions<number | readonly [number]> = {},
  ) {
    super('ConvTranspose1d', 1, true, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return convTranspose1d(x, this.weight, this.bias, {
      stride: this.stride[0],
      padding: (this.padding as number[])[0],
      outputPadding: this.outputPadding[0],
      dilation: this.dilation[0],
      groups: this.groups,
    });
  }
}
