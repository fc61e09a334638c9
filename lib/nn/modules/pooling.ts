// Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d.
// Options keep the values as given, so the repr prints what PyTorch prints.
import { checkOptions, describe, optionKeys } from '../../errors.js';
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool2dWithIndices,
  type AdaptiveSize,
  avgPool1d,
  avgPool2d,
  maxPool1d,
  maxPool1dWithIndices,
  maxPool2d,
  maxPool2dWithIndices,
} from '../../ops/pool.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { pyBool, pyTuple } from '../repr.js';

type Pair = number | readonly [number, number];
type One = number | readonly [number];

function py(v: number | readonly (number | null)[] | null): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return String(v);
  return v.length === 1 ? `(${py(v[0])},)` : `(${v.map((e) => py(e)).join(', ')})`;
}

/** The options of nn.MaxPool1d and nn.MaxPool2d (PyTorch's keyword arguments). */
export interface MaxPoolOptions<S> {
  /** The step of the kernel (or window). */
  stride?: S | null;
  /** The padding of each side. */
  padding?: S;
  /** The spacing between kernel elements. */
  dilation?: S;
  /** Whether the forward also returns the indices of the maxima. */
  returnIndices?: boolean;
  /** Whether the output size is rounded up. */
  ceilMode?: boolean;
}

const MAX_POOL_OPTIONS = optionKeys<MaxPoolOptions<unknown>>({
  stride: true,
  padding: true,
  dilation: true,
  returnIndices: 'boolean',
  ceilMode: 'boolean',
});

abstract class MaxPoolNd<S extends Pair | One> extends Module {
  /** The size of the kernel (or window). */
  readonly kernelSize: S;
  /** The step of the kernel (or window). */
  readonly stride: S;
  /** The padding of each side. */
  readonly padding: S;
  /** The spacing between kernel elements. */
  readonly dilation: S;
  /** Whether the forward also returns the indices of the maxima. */
  readonly returnIndices: boolean;
  /** Whether the output size is rounded up. */
  readonly ceilMode: boolean;

  constructor(kernelSize: S, o: MaxPoolOptions<S>) {
    super();
    o = checkOptions(`nn.${new.target.name}`, o, MAX_POOL_OPTIONS);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? (0 as S);
    this.dilation = o.dilation ?? (1 as S);
    this.returnIndices = o.returnIndices ?? false;
    this.ceilMode = o.ceilMode ?? false;
  }

  /** @internal the pooling options, as the functional form takes them. */
  protected get opts() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, dilation=${py(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Max over windows of [N, C, H, W]; with returnIndices the forward returns [values, indices]. */
export class MaxPool2d extends MaxPoolNd<Pair> {
  constructor(kernelSize: Pair, options: MaxPoolOptions<Pair> = {}) {
    super(kernelSize, options);
  }

  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    const o = this.opts as Parameters<typeof maxPool2d>[2];
    return this.returnIndices ? maxPool2dWithIndices(x, this.kernelSize, o) : maxPool2d(x, this.kernelSize, o);
  }
}

/** Max pooling over [N, C, L], as `torch.nn.MaxPool1d`. */
export class MaxPool1d extends MaxPoolNd<One> {
  constructor(kernelSize: One, options: MaxPoolOptions<One> = {}) {
    super(kernelSize, options);
  }

  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    const o = this.opts as Parameters<typeof maxPool1d>[2];
    return this.returnIndices ? maxPool1dWithIndices(x, this.kernelSize, o) : maxPool1d(x, this.kernelSize, o);
  }
}

/** The options of nn.AvgPool1d and nn.AvgPool2d (PyTorch's keyword arguments). */
export interface AvgPoolOptions<S> {
  /** The step of the kernel (or window). */
  stride?: S | null;
  /** The padding of each side. */
  padding?: S;
  /** Whether the output size is rounded up. */
  ceilMode?: boolean;
  /** Whether the padding zeros count in the average's divisor. */
  countIncludePad?: boolean;
}

const AVG_POOL_OPTIONS = optionKeys<AvgPoolOptions<unknown>>({
  stride: true,
  padding: true,
  ceilMode: 'boolean',
  countIncludePad: 'boolean',
});

/** Mean over windows of [N, C, H, W]. */
export class AvgPool2d extends Module {
  /** The size of the kernel (or window). */
  readonly kernelSize: Pair;
  /** The step of the kernel (or window). */
  readonly stride: Pair;
  /** The padding of each side. */
  readonly padding: Pair;
  /** Whether the output size is rounded up. */
  readonly ceilMode: boolean;
  /** Whether the padding zeros count in the average's divisor. */
  readonly countIncludePad: boolean;

  constructor(kernelSize: Pair, o: AvgPoolOptions<Pair> = {}) {
    super();
    checkOptions('nn.AvgPool2d', o, AVG_POOL_OPTIONS);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

export class AvgPool1d extends Module {
  /** The size of the kernel (or window). */
  readonly kernelSize: [number];
  /** The step of the kernel (or window). */
  readonly stride: [number];
  /** The padding of each side. */
  readonly padding: [number];
  /** Whether the output size is rounded up. */
  readonly ceilMode: boolean;
  /** Whether the padding zeros count in the average's divisor. */
  readonly countIncludePad: boolean;

  constructor(kernelSize: One, o: AvgPoolOptions<One> = {}) {
    super();
    checkOptions('nn.AvgPool1d', o, AVG_POOL_OPTIONS);
    const one = (v: One): [number] => {
      if (typeof v === 'number') return [v];
      if (!Array.isArray(v))
        throw new TypeError(`nn.AvgPool1d: sizes must be a number or a 1-tuple, got ${describe(v)}`);
      return [v[0]];
    };
    this.kernelSize = one(kernelSize);
    this.stride = one(o.stride ?? kernelSize);
    this.padding = one(o.padding ?? 0);
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }

  forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    // torch's AvgPool1d stores 1-tuples.
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}

/** Average over an adaptive grid: outputSize a number or [h, w] (null keeps the input's size). */
export class AdaptiveAvgPool2d extends Module {
  constructor(
    /** The output's spatial size. */
    readonly outputSize: AdaptiveSize,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}

export class AdaptiveMaxPool2d extends Module {
  /** Whether the forward also returns the indices of the maxima. */
  readonly returnIndices: boolean;

  constructor(
    /** The output's spatial size. */
    readonly outputSize: AdaptiveSize,
    options: { returnIndices?: boolean } = {},
  ) {
    super();
    checkOptions('nn.AdaptiveMaxPool2d', options, { returnIndices: 'boolean' });
    this.returnIndices = options.returnIndices ?? false;
  }

  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return this.returnIndices
      ? adaptiveMaxPool2dWithIndices(x, this.outputSize)
      : adaptiveMaxPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}

export class AdaptiveAvgPool1d extends Module {
  constructor(
    /** The output's spatial size. */
    readonly outputSize: One,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}

export class AdaptiveMaxPool1d extends Module {
  constructor(
    /** The output's spatial size. */
    readonly outputSize: One,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveMaxPool1d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}
