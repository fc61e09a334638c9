// Unfold / Fold: F.unfold (im2col) and F.fold (col2im) as modules, with torch's reprs.
import { fold, geometry, unfold, type UnfoldOptions } from '../../ops/fold.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { pyTuple } from '../repr.js';

type Pair = number | readonly [number, number];

const pyPair = (v: Pair) => (typeof v === 'number' ? String(v) : pyTuple(v));

abstract class Blocks extends Module {
  /** The size of the kernel (or window). */
  readonly kernelSize: Pair;
  /** The spacing between kernel elements. */
  readonly dilation: Pair;
  /** The padding of each side. */
  readonly padding: Pair;
  /** The step of the kernel (or window). */
  readonly stride: Pair;
  constructor(name: string, kernelSize: Pair, options: UnfoldOptions) {
    super();
    geometry(name, kernelSize, options); // unknown keys and bad sizes fail here, not at the first call
    this.kernelSize = kernelSize;
    this.dilation = options.dilation ?? 1;
    this.padding = options.padding ?? 0;
    this.stride = options.stride ?? 1;
  }
  /** @internal the options, as unfold and fold take them. */
  protected get options(): UnfoldOptions {
    return { dilation: this.dilation, padding: this.padding, stride: this.stride };
  }
  /** @internal the repr of the block geometry. */
  protected blocksRepr(): string {
    return `kernel_size=${pyPair(this.kernelSize)}, dilation=${pyPair(this.dilation)}, padding=${pyPair(this.padding)}, stride=${pyPair(this.stride)}`;
  }
}

/** Sliding blocks of an image as columns: [N, C, H, W] -> [N, C * kh * kw, L] (torch.nn.Unfold). */
export class Unfold extends Blocks {
  constructor(kernelSize: Pair, options: UnfoldOptions = {}) {
    super('Unfold', kernelSize, options);
  }
  forward(x: Tensor): Tensor {
    return unfold(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return this.blocksRepr();
  }
}

/** Columns summed back into an image: [N, C * kh * kw, L] -> [N, C, H, W] (torch.nn.Fold). */
export class Fold extends Blocks {
  /** The output's spatial size. */
  readonly outputSize: Pair;
  constructor(outputSize: Pair, kernelSize: Pair, options: UnfoldOptions = {}) {
    super('Fold', kernelSize, options);
    geometry('Fold', outputSize, {}); // the same check for outputSize's shape
    this.outputSize = outputSize;
  }
  forward(x: Tensor): Tensor {
    return fold(x, this.outputSize, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return `output_size=${pyPair(this.outputSize)}, ${this.blocksRepr()}`;
  }
}
