// Tensor: metadata (shape, strides, offset, dtype) over a shared typed-array storage, plus the
// autograd fields. Ops live in lib/ops/*.ts and add their methods to Tensor.prototype.
import type { Node } from './autograd/node.js';
import { type DType, type TypedArray, dtypeOf } from './dtype.js';
import { contiguousStrides, formatShape, isContiguous, numel, type Shape } from './shape.js';
import { activeTracer } from './trace.js';

/** The buffer views share. `version` counts in-place writes, to catch stale saved tensors. */
export class Storage {
  version = 0;
  constructor(readonly data: TypedArray) {}
  get dtype(): DType {
    return dtypeOf(this.data);
  }
}

export type GradHook = (grad: Tensor) => Tensor | void;

export class Tensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly storage: Storage;
  /** Accumulated gradient (leaves, and non-leaves after retainGrad()). */
  grad: Tensor | null = null;
  /** The node that produced this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** @internal hooks of a leaf, run on its gradient before accumulation. */
  _hooks: GradHook[] = [];
  /** @internal hooks of a leaf, run after its gradient was accumulated into .grad (made on first use). */
  _postAccumulateHooks: ((leaf: Tensor) => void)[] | null = null;
  /** @internal the AccumulateGrad node of a leaf, made on first use. */
  _accumulator: Node | null = null;
  /** @internal the tensor whose storage this view shares (null unless made by a view op). */
  _base: Tensor | null = null;
  private _requiresGrad = false;

  constructor(storage: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    if (activeTracer !== null) activeTracer.created(this);
  }

  /** A new contiguous tensor over `data` (not copied). */
  static fromData(data: TypedArray, shape: Shape): Tensor {
    if (numel(shape) !== data.length) {
      throw new RangeError(
        `tensor: shape ${formatShape(shape)} needs ${numel(shape)} elements, data has ${data.length}`,
      );
    }
    return new Tensor(new Storage(data), shape);
  }

  get dtype(): DType {
    return this.storage.dtype;
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    return numel(this.shape);
  }
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    const d = dim < 0 ? dim + this.ndim : dim;
    if (d < 0 || d >= this.ndim) throw new RangeError(`size: dim ${dim} out of range for ${this.ndim} dims`);
    return this.shape[d];
  }
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(value: boolean) {
    if (value && this.dtype !== 'float32') {
      throw new TypeError(`requiresGrad: only float32 tensors can require gradients, got ${this.dtype}`);
    }
    if (!value && this.gradFn) {
      throw new Error('requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()');
    }
    this._requiresGrad = value;
  }
  /** Sets requiresGrad in place and returns this (torch's requires_grad_). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** @internal marks an op result as produced by `node`. */
  _setGradFn(node: Node): void {
    this.gradFn = node;
    this._requiresGrad = true;
  }

  /** A view of the same storage with no history. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  /**
   * The elements as a typed array in row-major order: the storage itself (a live view, no
   * copy) when this tensor is contiguous and spans it exactly, otherwise a fresh copy.
   */
  get data(): TypedArray {
    if (activeTracer !== null) activeTracer.read(this, 'data');
    const n = this.numel();
    const d = this.storage.data;
    if (this.isContiguous()) {
      if (this.offset === 0 && n === d.length) return d;
      return d.subarray(this.offset, this.offset + n) as TypedArray;
    }
    return this.toTypedArray();
  }

  /** A fresh row-major copy of the elements. */
  toTypedArray(): TypedArray {
    if (activeTracer !== null) activeTracer.read(this, 'toTypedArray()');
    const n = this.numel();
    const src = this.storage.data;
    const out = new (src.constructor as new (n: number) => TypedArray)(n);
    const nd = this.ndim;
    if (n === 0) return out;
    const idx = new Array<number>(nd).fill(0);
    let off = this.offset;
    for (let i = 0; i < n; i++) {
      out[i] = src[off];
      for (let d = nd - 1; d >= 0; d--) {
        off += this.strides[d];
        if (++idx[d] < this.shape[d]) break;
        off -= idx[d] * this.strides[d];
        idx[d] = 0;
      }
    }
    return out;
  }

  /** The value of a one-element tensor. */
  item(): number | boolean {
    if (this.numel() !== 1)
      throw new RangeError(`item: a tensor with ${this.numel()} elements cannot be converted to a scalar`);
    if (activeTracer !== null) activeTracer.read(this, 'item()');
    const v = this.storage.data[this.offset];
    return this.dtype === 'bool' ? v !== 0 : v;
  }

  /** Nested arrays of numbers (booleans for bool tensors). */
  tolist(): unknown {
    const flat = Array.from(this.toTypedArray() as ArrayLike<number>, (v) => (this.dtype === 'bool' ? v !== 0 : v));
    if (this.ndim === 0) return flat[0];
    const build = (dim: number, start: number): unknown[] => {
      const size = this.shape[dim];
      const step = numel(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < size; i++)
        out.push(dim === this.ndim - 1 ? flat[start + i] : build(dim + 1, start + i * step));
      return out;
    };
    return build(0, 0);
  }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
