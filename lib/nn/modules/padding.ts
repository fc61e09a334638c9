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
  readonly padding: number[];

  constructor(
    name: string,
    padding: number | readonly number[],
    dims: number,
    private readonly mode: PadMode,
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
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: Pad3, value: number) {
    super('ConstantPad3d', padding, 3, 'constant', value);
  }
}
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
export class ReflectionPad2d extends PadNd {
  constructor(padding: Pad2) {
    super('ReflectionPad2d', padding, 2, 'reflect');
  }
}
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
export class ReplicationPad2d extends PadNd {
  constructor(padding: Pad2) {
    super('ReplicationPad2d', padding, 2, 'replicate');
  }
}
export class ReplicationPad3d extends PadNd {
  constructor(padding: Pad3) {
    super('ReplicationPad3d', padding, 3, 'replicate');
  }
}
