// Tensor: metadata (shape, strides, offset, dtype) over a shared typed-array storage, plus the
// autograd fields. Ops live in lib/ops/*.ts and add their methods to Tensor.prototype.
import type { Node } from './autograd/node.js';
import {
  bfloat16BitsToNumber,
  arrayHolds,
  DTYPES,
  Uint8Elements,
  type DType,
  dtypeOf,
  isFloatingDType,
  isQuantizedDType,
  type TypedArray,
} from './dtype.js';
import { checkOptions } from './errors.js';
import { contiguousStrides, formatShape, isContiguous, numel, type Shape } from './shape.js';
import { activeTracer } from './trace.js';

/**
 * The quantization parameters of a quantized storage (`torch.Tensor.qscheme()` and its values):
 * value = (q - zeroPoints[c]) * scales[c], with c the index along `axis` (per channel), or
 * scales[0] and zeroPoints[0] for every element (per tensor, axis -1).
 */
export interface Quantizer {
  /** One scale and zero point, or one per index along `axis` (`torch.Tensor.qscheme()`). */
  readonly scheme: 'per_tensor_affine' | 'per_channel_affine';
  /** The scales, each finite and > 0 (one per channel, or one). */
  readonly scales: Float64Array;
  /** The zero points, in the dtype's range (one per channel, or one). */
  readonly zeroPoints: Int32Array;
  /** The channel dim; -1 per tensor. */
  readonly axis: number;
}

/** 'a Float32Array', 'an Int32Array': a typed array's kind with its article. */
function anArray(data: ArrayBufferView): string {
  const name = data.constructor.name;
  return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;
}

/**
 * The buffer views share. `version` counts in-place writes, to catch stale saved tensors.
 * The typed array must be one of the dtypes' kinds (DTYPES in dtype.ts), and must keep its length: an
 * ArrayBuffer transferred away (postMessage, structuredClone with transfer) or a resizable one
 * shrunk under it would otherwise read as NaN or zeros, so reading `data` then throws.
 */
export class Storage {
  /** In-place writes so far: a tensor saved for backward records it, and a change is an error there. */
  version = 0;
  readonly #data: TypedArray;
  readonly #length: number;
  /** The dtype of the elements: the typed array's kind unless named (uint8 and quint8 over a Uint8Array, qint8 over an Int8Array). */
  readonly dtype: DType;
  /** The scales and zero points of a quantized storage (qint8, quint8); null for the others. */
  readonly quantizer: Quantizer | null;
  constructor(data: TypedArray, dtype?: DType, quantizer: Quantizer | null = null) {
    // A bool storage over a uint8 tensor's array would otherwise copy to uint8 (the array's kind).
    if (dtype === 'bool' && data instanceof Uint8Elements)
      data = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.length);
    this.dtype = dtypeOf(data);
    if (dtype !== undefined && dtype !== this.dtype) {
      if (!Object.hasOwn(DTYPES, dtype) || !arrayHolds(dtype, data))
        throw new TypeError(`Storage: ${anArray(data)} cannot hold ${String(dtype)} elements`);
      this.dtype = dtype;
      if (dtype === 'uint8' && !(data instanceof Uint8Elements))
        data = new Uint8Elements(data.buffer as ArrayBuffer, data.byteOffset, data.length);
    }
    if (isQuantizedDType(this.dtype) !== (quantizer !== null))
      throw new TypeError(`Storage: a quantizer goes with a quantized dtype (qint8, quint8), got ${this.dtype}`);
    this.quantizer = quantizer;
    this.#data = data;
    this.#length = data.length;
  }
  /**
   * The typed array itself (shared, not a copy).
   * @throws RangeError if its ArrayBuffer was transferred away or shrunk.
   */
  get data(): TypedArray {
    const d = this.#data;
    if (d.length !== this.#length) {
      throw new RangeError(
        `Tensor: its storage was ${d.length === 0 ? 'detached (its ArrayBuffer transferred away) or shrunk to nothing' : 'shrunk'}: ` +
          `it held ${this.#length} elements, it now holds ${d.length}`,
      );
    }
    return d;
  }
  /** Elements the storage holds (as made: the tensors over it were checked against this). */
  get length(): number {
    return this.#length;
  }
}

export type GradHook = (grad: Tensor) => Tensor | void;

/** What item() gives for a dtype: a boolean for bool, a number for the others (either, when the dtype is not known). */
export type ItemOf<D extends DType> = D extends 'bool' ? boolean : number;

/**
 * A tensor. `D` is its dtype where the type checker knows it (`Tensor<'float32'>` from a loss or
 * a mean), so that `loss.item().toFixed(3)` compiles; a plain `Tensor` is of any dtype.
 */
export class Tensor<D extends DType = DType> {
  /** The size of each dim (`torch.Tensor.shape`). */
  readonly shape: readonly number[];
  /** Elements to step in the storage per index of each dim (`torch.Tensor.stride()`). */
  readonly strides: readonly number[];
  /** The storage index of the first element (`torch.Tensor.storage_offset()`). */
  readonly offset: number;
  /** The buffer this tensor and its views share. */
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
  /** @internal forward-mode tangent, valid while dual level `_fwLevel` is open (autograd/dual_state.ts). */
  _fwGrad: Tensor | null = null;
  /** @internal the dual level `_fwGrad` belongs to (-1: none). */
  _fwLevel = -1;
  private _requiresGrad = false;

  /**
   * A view of `storage`: element i0, i1, ... sits at offset + i0 * strides[0] + i1 * strides[1] + ...
   * Every element must lie in the storage (checked here, so no op reads past it).
   */
  constructor(storage: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
    if (!(storage instanceof Storage)) throw new TypeError(`Tensor: storage must be a Storage, got ${typeof storage}`);
    this.storage = storage;
    this.shape = Object.freeze(checkSizes('shape', shape, 0));
    this.strides = Object.freeze(strides === undefined ? contiguousStrides(shape) : checkSizes('strides', strides));
    if (this.strides.length !== this.shape.length)
      throw new RangeError(
        `Tensor: shape ${formatShape(this.shape)} and strides ${formatShape(this.strides)} differ in length`,
      );
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new RangeError(`Tensor: offset must be a non-negative integer, got ${String(offset)}`);
    this.offset = offset;
    checkExtent(this.shape, this.strides, offset, storage.length);
    if (activeTracer !== null) activeTracer.created(this);
  }

  /**
   * A new contiguous tensor over `data` (not copied), of the typed array's dtype (a Uint8Array is
   * a bool mask), or of `opts.dtype` where that array holds it: a Uint16Array is bfloat16 bit
   * patterns only with `{ dtype: 'bfloat16' }` (16-bit values such as image data are numbers to
   * copy: `tensor(data)`), a Uint8Array is bytes with `{ dtype: 'uint8' }`.
   * @throws RangeError if the shape does not hold data.length elements, or a Uint8Array taken as a
   * mask holds a byte other than 0 and 1 (bytes that are not a mask: `tensor(data)` copies them to
   * float32, `tensor(data, { dtype: 'uint8' })` keeps them); TypeError for a Uint16Array without
   * `{ dtype: 'bfloat16' }`, a dtype the array does not hold, a quantized dtype (fromData takes no
   * scale and zero point: `quantizePerTensor`), or an array of a kind no dtype is stored in.
   */
  static fromData(data: TypedArray, shape: Shape, opts?: { dtype?: DType }): Tensor {
    if (!ArrayBuffer.isView(data))
      throw new TypeError(`Tensor.fromData: data must be a typed array, got ${typeof data}`);
    checkSizes('shape', shape, 0);
    const dtype = checkOptions('Tensor.fromData', opts, { dtype: 'string' }).dtype;
    if (dtype !== undefined && !Object.hasOwn(DTYPES, dtype))
      throw new TypeError(`Tensor.fromData: opts.dtype must be a dtype, got ${String(dtype)}`);
    // Checked here rather than by Storage, so the messages name fromData and what to call instead.
    if (!Object.values(DTYPES).some((row) => row.array === data.constructor))
      throw new TypeError(
        `Tensor.fromData: data must be a Float32Array, Float64Array, Int32Array, Uint16Array (bfloat16 bits), Uint8Array or Int8Array, got ${anArray(data)}; ` +
          'tensor(data) copies other arrays, converting them',
      );
    if (dtype !== undefined && isQuantizedDType(dtype))
      throw new TypeError(
        `Tensor.fromData: a ${dtype} tensor needs a scale and a zero point, which fromData does not take: ` +
          `quantizePerTensor(x, scale, zeroPoint, '${dtype}') quantizes a float tensor`,
      );
    if (dtype !== undefined && !arrayHolds(dtype, data) && !(data instanceof Uint16Array))
      throw new TypeError(
        `Tensor.fromData: ${anArray(data)} cannot hold ${dtype} elements; ` +
          `tensor(data, { dtype: '${dtype}' }) copies and converts it`,
      );
    if (data instanceof Uint16Array && dtype !== 'bfloat16')
      throw new TypeError(
        `Tensor.fromData: a Uint16Array is taken as bfloat16 bit patterns only when asked: pass { dtype: 'bfloat16' } ` +
          `(for 16-bit values such as image data, tensor(data) copies them to float32)`,
      );
    if (data instanceof Uint8Array && (dtype === 'bool' || (dtype === undefined && !(data instanceof Uint8Elements)))) {
      // Every op reads a bool element as its byte: 200 would count as 200 in a sum. A uint8 tensor's
      // own array (Uint8Elements) is uint8 already and holds any byte.
      let at = 0;
      while (at < data.length && data[at] <= 1) at++;
      if (at < data.length)
        throw new RangeError(
          `Tensor.fromData: a Uint8Array is taken as a bool mask, whose elements are 0 or 1; element ${at} is ${data[at]} ` +
            `(for bytes, tensor(data) copies them to float32 and tensor(data, { dtype: 'uint8' }) keeps them)`,
        );
    }
    if (numel(shape) !== data.length) {
      throw new RangeError(
        `Tensor.fromData: shape ${formatShape(shape)} needs ${numel(shape)} elements, data has ${data.length}`,
      );
    }
    return new Tensor(new Storage(data, dtype), shape);
  }

  /** The element type: 'float32', 'float64', 'bfloat16', 'int32', 'bool', 'int8', 'uint8', 'qint8' or 'quint8' (`torch.Tensor.dtype`). */
  get dtype(): D {
    return this.storage.dtype as D;
  }
  /** The number of dims (`torch.Tensor.ndim`). */
  get ndim(): number {
    return this.shape.length;
  }
  /** The number of dims (`torch.Tensor.dim()`). */
  dim(): number {
    return this.shape.length;
  }
  /** The number of elements (`torch.Tensor.numel()`). */
  numel(): number {
    return numel(this.shape);
  }
  /**
   * The shape, or the size of one dim (negative counts from the end) (`torch.Tensor.size`).
   * @throws TypeError if dim is not an integer; RangeError if it is out of range.
   */
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    if (!Number.isInteger(dim))
      throw new TypeError(`size: dim must be an integer, got ${typeof dim === 'number' ? dim : typeof dim}`);
    const d = dim < 0 ? dim + this.ndim : dim;
    if (d < 0 || d >= this.ndim) throw new RangeError(`size: dim ${dim} out of range for ${this.ndim} dims`);
    return this.shape[d];
  }
  /** Whether the elements lie in row-major order without gaps (`torch.Tensor.is_contiguous()`). */
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /**
   * Whether operations on this tensor are recorded for backward (`torch.Tensor.requires_grad`).
   * Setting it: only floating tensors (float32, float64) may require grad (a TypeError), and a non-leaf tensor cannot
   * stop (an Error: use detach()).
   */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  /** Sets whether operations on this tensor are recorded (see the getter for the errors). */
  set requiresGrad(value: boolean) {
    if (value && !isFloatingDType(this.dtype)) {
      throw new TypeError(
        `requiresGrad: only floating point tensors (float32, float64, bfloat16) can require gradients, got ${this.dtype}`,
      );
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
  /** Whether this tensor was made by the user rather than by a recorded op (`torch.Tensor.is_leaf`). */
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
   * copy) when this tensor is contiguous and spans it exactly, otherwise a fresh copy. A
   * bfloat16 tensor's is a Uint16Array of bit patterns (each the top half of a float32's;
   * `.float().data` gives the values).
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
  item(): ItemOf<D> {
    if (this.numel() !== 1)
      throw new RangeError(`item: a tensor with ${this.numel()} elements cannot be converted to a scalar`);
    if (activeTracer !== null) activeTracer.read(this, 'item()');
    if (this.isQuantized) return (this as unknown as { dequantize(): Tensor }).dequantize().item() as ItemOf<D>;
    const v = this.storage.data[this.offset];
    return (this.dtype === 'bool' ? v !== 0 : this.dtype === 'bfloat16' ? bfloat16BitsToNumber(v) : v) as ItemOf<D>;
  }

  /** Whether this tensor is quantized: qint8 or quint8 (`torch.Tensor.is_quantized`). */
  get isQuantized(): boolean {
    return isQuantizedDType(this.dtype);
  }

  /** Nested arrays of numbers (booleans for bool tensors; the dequantized values of a quantized tensor, as torch's). */
  tolist(): unknown {
    const src = this.isQuantized ? (this as unknown as { dequantize(): Tensor }).dequantize() : this;
    const value = (v: number) =>
      this.dtype === 'bool' ? v !== 0 : this.dtype === 'bfloat16' ? bfloat16BitsToNumber(v) : v;
    const flat = Array.from(src.toTypedArray() as ArrayLike<number>, value);
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

/** A copy of a shape or strides array, each entry a safe integer (>= min). */
function checkSizes(name: string, values: readonly number[], min = -Infinity): number[] {
  if (!Array.isArray(values)) throw new TypeError(`Tensor: ${name} must be an array of integers, got ${typeof values}`);
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isSafeInteger(v) || v < min)
      throw new RangeError(
        `Tensor: ${name} must hold ${min === 0 ? 'non-negative ' : ''}integers, got ${formatShape(values)}`,
      );
    out[i] = v;
  }
  return out;
}

/** Throws unless every element of the view lies within a storage of `length` elements. */
function checkExtent(shape: readonly number[], strides: readonly number[], offset: number, length: number): void {
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 0) return; // no elements: nothing is read
    const span = (shape[d] - 1) * strides[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  if (lo < 0 || hi >= length) {
    throw new RangeError(
      `Tensor: shape ${formatShape(shape)} with strides ${formatShape(strides)} and offset ${offset} reaches ` +
        `elements ${lo} to ${hi}, outside the storage's ${length}`,
    );
  }
}

/** Whether x is a Tensor (`torch.is_tensor`). */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
