// Padding layers over pad(): ConstantPad1d/2d/3d, ZeroPad1d/2d/3d, ReflectionPad1d/2d/3d,
// ReplicationPad1d/2d/3d. padding is one number for every side or (left, right[, top, bottom
// [, front, back]]) as torch; reprs match PyTorch's.
import { show } from '../../errors.js';
import { pad, type PadMode } from '../../ops/pad.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { pyFloat, pyTuple } from '../repr.js';

type Pad1 = number | readonly [number, number];
type Pad2 = number | readonly [number, number, number, number];
type Pad3 = number | readonly [number, number, number, number, number, number];

function sides(name: string, padding: number | readonly number[], dims: number): number[] {
  const n = 2 * dims;
  const a =
    typeof padding === 'number' ? new Array<number>(n).fill(padding) : Array.isArray(padding) ? [...padding] : null;
  if (!a || a.length !== n || !a.every((p) => Number.isInteger(p))) {
    throw new RangeError(`${name}: padding must be an integer or ${n} integers, got ${show(padding)}`);
  }
  return a;
}

abstract class PadNd extends Module {
  /** The padding of each side. */
  readonly padding: number[];

  constructor(
    name: string,
    padding: number | readonly number[],
    dims: number,
    private readonly mode: PadMode,
    /** The fill value of the padding (0 except for ConstantPad). */
    readonly value = 0,
  ) {
    super();
    this.padding = sides(name, padding, dims);
    if (typeof value !== 'number') throw new TypeError(`${name}: value must be a number, got ${typeof value}`);
  }

  forward(x: Tensor): Tensor {
    return this.mode === 'constant' ? pad(x, this.padding, 'constant', this.value) : pad(x, this.padding, this.mode);
  }

  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}

abstract class ConstantPadNd extends PadNd {
  /** PyTorch's extra_repr: the padding and the value. */
  override extraRepr(): string {
    return `padding=${pyTuple(this.padding)}, value=${pyFloat(this.value)}`;
  }
}

/** Pads the last dim of [N, C, L] (or any input) with a constant. */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: Pad1, value: number) {
    super('ConstantPad1d', padding, 1, 'constant', value);
  }
}
/** Pads the last two dims with a constant: padding (left, right, top, bottom). */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: Pad2, value: number) {
    super('ConstantPad2d', padding, 2, 'constant', value);
  }
}
/** Pads the last three dims with a constant: padding (left, right, top, bottom, front, back). */
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: Pad3, value: number) {
    super('ConstantPad3d', padding, 3, 'constant', value);
  }
}
/** Pads the last dim with zeros: padding (left, right). */
export class ZeroPad1d extends PadNd {
  constructor(padding: Pad1) {
    super('ZeroPad1d', padding, 1, 'constant', 0);
  }
}
/** Pads the last two dims with zeros: padding (left, right, top, bottom). */
export class ZeroPad2d extends PadNd {
  constructor(padding: Pad2) {
    super('ZeroPad2d', padding, 2, 'constant', 0);
  }
}
/** Pads the last three dims with zeros: padding (left, right, top, bottom, front, back). */
export class ZeroPad3d extends PadNd {
  constructor(padding: Pad3) {
    super('ZeroPad3d', padding, 3, 'constant', 0);
  }
}
/** Mirrors [N, C, L] / [C, L] at its ends, the edge not repeated: (left, right) < L. */
export class ReflectionPad1d extends PadNd {
  constructor(padding: Pad1) {
    super('ReflectionPad1d', padding, 1, 'reflect');
  }
}
/** Mirrors the last two dims at their edges, the edge not repeated: (left, right, top, bottom). */
export class ReflectionPad2d extends PadNd {
  constructor(padding: Pad2) {
    super('ReflectionPad2d', padding, 2, 'reflect');
  }
}
/** Mirrors the last three dims at their edges, the edge not repeated. */
export class ReflectionPad3d extends PadNd {
  constructor(padding: Pad3) {
    super('ReflectionPad3d', padding, 3, 'reflect');
  }
}
/** Repeats the edge values of [N, C, L] / [C, L]. */
export class ReplicationPad1d extends PadNd {
  constructor(padding: Pad1) {
    super('ReplicationPad1d', padding, 1, 'replicate');
  }
}
/** Repeats the edge values of the last two dims: (left, right, top, bottom). */
export class ReplicationPad2d extends PadNd {
  constructor(padding: Pad2) {
    super('ReplicationPad2d', padding, 2, 'replicate');
  }
}
/** Repeats the edge values of the last three dims. */
export class ReplicationPad3d extends PadNd {
  constructor(padding: Pad3) {
    super('ReplicationPad3d', padding, 3, 'replicate');
  }
}
