// Tensor methods for the view, join, pointwise, comparison, reduction, in-place and cast ops
// (the functions live in their own files; this file only attaches them).
import { checkTensor } from '../errors.js';
import { inspect } from 'node:util';
import type { DType } from '../dtype.js';
import { isDType } from '../dtype.js';
import { cpuDevice, Device, type DeviceLike, isDeviceString, requireCpu } from '../device.js';
import { checkOptions } from '../errors.js';
import { formatTensor } from '../print.js';
import type { Generator } from '../random.js';
import { Tensor } from '../tensor.js';
import type { TensorLike } from './binary.js';
import type { SoftmaxOutOptions } from './softmax.js';
import * as cmp from './compare.js';
import * as ip from './inplace.js';
import * as j from './join.js';
import * as pw from './pointwise.js';
import * as r from './reduce.js';
import * as st from './reduce_stats.js';
import { cast } from './cast.js';
import * as v from './view.js';

type Sizes = (number | readonly number[])[];

export interface ToOptions {
  dtype?: DType;
  device?: DeviceLike;
  /** A new tensor even when dtype and device are already this tensor's. */
  copy?: boolean;
  /** Accepted for PyTorch's signature; copies on the CPU are synchronous. */
  nonBlocking?: boolean;
}

function isOptions(v: unknown): v is ToOptions {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function toDTypeOrDevice(x: Tensor, args: unknown[]): Tensor {
  const opts: ToOptions = args.length > 0 && isOptions(args[args.length - 1]) ? (args.pop() as ToOptions) : {};
  checkOptions('to', opts, ['dtype', 'device', 'copy', 'nonBlocking']);
  if (args.length > 2) throw new TypeError(`to: expected at most 2 positional arguments, got ${args.length}`);
  let dtype = opts.dtype;
  if (opts.device !== undefined) requireCpu('to', opts.device);
  for (const a of args) {
    if (a instanceof Tensor) dtype = a.dtype;
    else if (typeof a === 'string' && isDType(a)) dtype = a;
    else if (typeof a === 'string' && !isDeviceString(a))
      throw new TypeError(`to: dtype must be 'float32', 'int32' or 'bool' (or a device: 'cpu'), got ${a}`);
    else if (typeof a === 'string' || a instanceof Device) requireCpu('to', a);
    else if (typeof a === 'number')
      requireCpu('to', `cuda:${a}`); // torch reads an int as a CUDA index
    else
      throw new TypeError(
        `to: expected a dtype ('float32', 'int32', 'bool'), a device ('cpu') or a Tensor, got ${a === null ? 'null' : typeof a}`,
      );
  }
  if (dtype !== undefined && !isDType(dtype))
    throw new TypeError(`to: dtype must be 'float32', 'int32' or 'bool', got ${String(dtype)}`);
  if (dtype !== undefined && dtype !== x.dtype) return cast(x, dtype);
  return opts.copy ? v.clone(x) : x;
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    // views and shape ops
    reshape(...shape: Sizes): Tensor;
    view(...shape: Sizes): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    permute(...dims: Sizes): Tensor;
    t(): Tensor;
    readonly T: Tensor;
    readonly mT: Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    expand(...sizes: Sizes): Tensor;
    expandAs(other: Tensor): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    select(dim: number, index: number): Tensor;
    split(sizeOrSections: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    unbind(dim?: number): Tensor[];
    repeat(...sizes: Sizes): Tensor;
    flip(dims: number | readonly number[]): Tensor;
    // pointwise
    pow(exponent: TensorLike): Tensor;
    clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    clip(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    where(condition: Tensor, other: TensorLike): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor;
    logicalOr(other: TensorLike): Tensor;
    logicalXor(other: TensorLike): Tensor;
    logicalNot(): Tensor;
    isnan(): Tensor;
    isfinite(): Tensor;
    isinf(): Tensor;
    equal(other: Tensor): boolean;
    allclose(other: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean;
    // reductions
    sum(dim?: r.Dims, keepdim?: boolean): Tensor;
    mean(dim?: r.Dims, keepdim?: boolean): Tensor<'float32'>;
    prod(dim?: r.Dims, keepdim?: boolean): Tensor;
    amax(dim?: r.Dims, keepdim?: boolean): Tensor;
    amin(dim?: r.Dims, keepdim?: boolean): Tensor;
    max(): Tensor;
    max(dim: number, keepdim?: boolean): r.ValuesIndices;
    max(other: Tensor): Tensor;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): r.ValuesIndices;
    min(other: Tensor): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    var(dim?: r.Dims, opts?: st.VarOptions): Tensor;
    std(dim?: r.Dims, opts?: st.VarOptions): Tensor;
    norm(p?: number | 'fro', dim?: r.Dims, keepdim?: boolean): Tensor;
    logsumexp(dim: r.Dims, keepdim?: boolean, options?: SoftmaxOutOptions): Tensor;
    cumsum(dim: number): Tensor;
    all(dim?: r.Dims, keepdim?: boolean): Tensor;
    any(dim?: r.Dims, keepdim?: boolean): Tensor;
    // in place
    add_(other: TensorLike): this;
    sub_(other: TensorLike): this;
    mul_(other: TensorLike): this;
    div_(other: TensorLike): this;
    pow_(exponent: TensorLike): this;
    clamp_(min?: TensorLike | null, max?: TensorLike | null): this;
    copy_(src: TensorLike): this;
    fill_(value: number | boolean | Tensor): this;
    zero_(): this;
    neg_(): this;
    abs_(): this;
    exp_(): this;
    log_(): this;
    sqrt_(): this;
    relu_(): this;
    sigmoid_(): this;
    tanh_(): this;
    normal_(mean?: number, std?: number, opts?: { generator?: Generator }): this;
    uniform_(from?: number, to?: number, opts?: { generator?: Generator }): this;
    // casts and devices
    /**
     * torch's Tensor.to: to(dtype), to(device, dtype?), to(other) (other's dtype), each with an
     * optional last { dtype, device, copy, nonBlocking }. The device must be the CPU. Returns
     * this tensor when nothing changes and copy is not set.
     */
    to(...args: (DType | DeviceLike | Tensor | ToOptions)[]): Tensor;
    /** This tensor (every tensor is on the CPU). */
    cpu(): Tensor;
    /** An error: myelin has no CUDA backend. */
    cuda(device?: DeviceLike | number): Tensor;
    /** device(type='cpu'). */
    readonly device: Device;
    readonly isCpu: boolean;
    /** false. */
    readonly isCuda: boolean;
    float(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    toString(): string;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const sizes = (args: Sizes) => v.sizesArg(args);

Object.assign(P, {
  reshape(this: Tensor, ...shape: Sizes) {
    return v.reshape(this, sizes(shape));
  },
  view(this: Tensor, ...shape: Sizes) {
    return v.view(this, sizes(shape));
  },
  flatten(this: Tensor, s?: number, e?: number) {
    return v.flatten(this, s, e);
  },
  unflatten(this: Tensor, dim: number, s: readonly number[]) {
    return v.unflatten(this, dim, s);
  },
  transpose(this: Tensor, a: number, b: number) {
    return v.transpose(this, a, b);
  },
  permute(this: Tensor, ...dims: Sizes) {
    return v.permute(this, sizes(dims));
  },
  t(this: Tensor) {
    if (this.ndim > 2) throw new RangeError(`t: expects a tensor with <= 2 dims, got shape [${this.shape.join(',')}]`);
    return this.ndim < 2 ? this : v.transpose(this, 0, 1);
  },
  squeeze(this: Tensor, dim?: number | readonly number[]) {
    return v.squeeze(this, dim);
  },
  unsqueeze(this: Tensor, dim: number) {
    return v.unsqueeze(this, dim);
  },
  expand(this: Tensor, ...s: Sizes) {
    return v.expand(this, sizes(s));
  },
  expandAs(this: Tensor, o: Tensor) {
    return v.expand(this, checkTensor('expandAs', 'other', o).shape);
  },
  broadcastTo(this: Tensor, s: readonly number[]) {
    return v.broadcastTo(this, s);
  },
  contiguous(this: Tensor) {
    return v.contiguous(this);
  },
  clone(this: Tensor) {
    return v.clone(this);
  },
  narrow(this: Tensor, d: number, s: number, l: number) {
    return v.narrow(this, d, s, l);
  },
  slice(this: Tensor, d: number, s?: number, e?: number, step?: number) {
    return v.slice(this, d, s, e, step);
  },
  select(this: Tensor, d: number, i: number) {
    return v.select(this, d, i);
  },
  split(this: Tensor, s: number | readonly number[], d?: number) {
    return j.split(this, s, d);
  },
  chunk(this: Tensor, c: number, d?: number) {
    return j.chunk(this, c, d);
  },
  unbind(this: Tensor, d?: number) {
    return j.unbind(this, d);
  },
  repeat(this: Tensor, ...s: Sizes) {
    return j.repeat(this, sizes(s));
  },
  flip(this: Tensor, dims: number | readonly number[]) {
    return j.flip(this, dims);
  },

  pow(this: Tensor, e: TensorLike) {
    return pw.pow(this, e);
  },
  clamp(this: Tensor, lo?: TensorLike | null, hi?: TensorLike | null) {
    return pw.clamp(this, lo, hi);
  },
  clip(this: Tensor, lo?: TensorLike | null, hi?: TensorLike | null) {
    return pw.clamp(this, lo, hi);
  },
  maximum(this: Tensor, o: TensorLike) {
    return pw.maximum(this, o);
  },
  minimum(this: Tensor, o: TensorLike) {
    return pw.minimum(this, o);
  },
  where(this: Tensor, c: Tensor, o: TensorLike) {
    return pw.where(c, this, o);
  },
  eq(this: Tensor, o: TensorLike) {
    return cmp.eq(this, o);
  },
  ne(this: Tensor, o: TensorLike) {
    return cmp.ne(this, o);
  },
  lt(this: Tensor, o: TensorLike) {
    return cmp.lt(this, o);
  },
  le(this: Tensor, o: TensorLike) {
    return cmp.le(this, o);
  },
  gt(this: Tensor, o: TensorLike) {
    return cmp.gt(this, o);
  },
  ge(this: Tensor, o: TensorLike) {
    return cmp.ge(this, o);
  },
  logicalAnd(this: Tensor, o: TensorLike) {
    return cmp.logicalAnd(this, o);
  },
  logicalOr(this: Tensor, o: TensorLike) {
    return cmp.logicalOr(this, o);
  },
  logicalXor(this: Tensor, o: TensorLike) {
    return cmp.logicalXor(this, o);
  },
  logicalNot(this: Tensor) {
    return cmp.logicalNot(this);
  },
  isnan(this: Tensor) {
    return cmp.isnan(this);
  },
  isfinite(this: Tensor) {
    return cmp.isfinite(this);
  },
  isinf(this: Tensor) {
    return cmp.isinf(this);
  },
  equal(this: Tensor, o: Tensor) {
    return cmp.equal(this, o);
  },
  allclose(this: Tensor, o: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }) {
    return cmp.allclose(this, o, opts);
  },

  sum(this: Tensor, d?: r.Dims, k?: boolean) {
    return r.sum(this, d, k);
  },
  mean(this: Tensor, d?: r.Dims, k?: boolean) {
    return r.mean(this, d, k);
  },
  prod(this: Tensor, d?: r.Dims, k?: boolean) {
    return r.prod(this, d, k);
  },
  amax(this: Tensor, d?: r.Dims, k?: boolean) {
    return r.amax(this, d, k);
  },
  amin(this: Tensor, d?: r.Dims, k?: boolean) {
    return r.amin(this, d, k);
  },
  max(this: Tensor, d?: number | Tensor, k?: boolean) {
    if (d instanceof Tensor) return pw.maximum(this, d);
    return d === undefined ? r.max(this) : r.max(this, d, k);
  },
  min(this: Tensor, d?: number | Tensor, k?: boolean) {
    if (d instanceof Tensor) return pw.minimum(this, d);
    return d === undefined ? r.min(this) : r.min(this, d, k);
  },
  argmax(this: Tensor, d?: number, k?: boolean) {
    return r.argmax(this, d, k);
  },
  argmin(this: Tensor, d?: number, k?: boolean) {
    return r.argmin(this, d, k);
  },
  var(this: Tensor, d?: r.Dims, o?: st.VarOptions) {
    return st.variance(this, d, o);
  },
  std(this: Tensor, d?: r.Dims, o?: st.VarOptions) {
    return st.std(this, d, o);
  },
  norm(this: Tensor, p?: number | 'fro', d?: r.Dims, k?: boolean) {
    return st.norm(this, p, d, k);
  },
  logsumexp(this: Tensor, d: r.Dims, k?: boolean, o?: SoftmaxOutOptions) {
    return st.logsumexp(this, d, k, o);
  },
  cumsum(this: Tensor, d: number) {
    return st.cumsum(this, d);
  },
  all(this: Tensor, d?: r.Dims, k?: boolean) {
    return r.all(this, d, k);
  },
  any(this: Tensor, d?: r.Dims, k?: boolean) {
    return r.any(this, d, k);
  },

  add_(this: Tensor, o: TensorLike) {
    return ip.add_(this, o);
  },
  sub_(this: Tensor, o: TensorLike) {
    return ip.sub_(this, o);
  },
  mul_(this: Tensor, o: TensorLike) {
    return ip.mul_(this, o);
  },
  div_(this: Tensor, o: TensorLike) {
    return ip.div_(this, o);
  },
  pow_(this: Tensor, e: TensorLike) {
    return ip.unaryInplace('pow_', this, (x) => pw.pow(x, e));
  },
  clamp_(this: Tensor, lo?: TensorLike | null, hi?: TensorLike | null) {
    return ip.clamp_(this, lo, hi);
  },
  copy_(this: Tensor, s: TensorLike) {
    return ip.copy_(this, s);
  },
  fill_(this: Tensor, value: number | boolean | Tensor) {
    return ip.fill_(this, value);
  },
  zero_(this: Tensor) {
    return ip.zero_(this);
  },
  normal_(this: Tensor, m?: number, s?: number, o?: { generator?: Generator }) {
    return ip.normal_(this, m, s, o);
  },
  uniform_(this: Tensor, a?: number, b?: number, o?: { generator?: Generator }) {
    return ip.uniform_(this, a, b, o);
  },

  to(this: Tensor, ...args: unknown[]) {
    return toDTypeOrDevice(this, args);
  },
  cpu(this: Tensor) {
    return this;
  },
  cuda(this: Tensor, dev: DeviceLike | number = 'cuda') {
    requireCpu('cuda', typeof dev === 'number' ? `cuda:${dev}` : dev);
    return this;
  },
  float(this: Tensor) {
    return (this as Tensor).to('float32');
  },
  int(this: Tensor) {
    return (this as Tensor).to('int32');
  },
  bool(this: Tensor) {
    return (this as Tensor).to('bool');
  },
  toString(this: Tensor) {
    return formatTensor(this);
  },
  [inspect.custom](this: Tensor) {
    return formatTensor(this);
  },
});

// Unary in-place variants: t <- op(t) through the out-of-place method.
for (const name of ['neg', 'abs', 'exp', 'log', 'sqrt', 'relu', 'sigmoid', 'tanh'] as const) {
  P[`${name}_`] = function (this: Tensor) {
    return ip.unaryInplace(`${name}_`, this, (x) => (x[name] as () => Tensor).call(x));
  };
}

Object.defineProperty(Tensor.prototype, 'device', {
  get: () => cpuDevice,
  configurable: true,
});
Object.defineProperty(Tensor.prototype, 'isCpu', { get: () => true, configurable: true });
Object.defineProperty(Tensor.prototype, 'isCuda', { get: () => false, configurable: true });
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return v.T(this);
  },
  configurable: true,
});
Object.defineProperty(Tensor.prototype, 'mT', {
  get(this: Tensor) {
    return v.mT(this);
  },
  configurable: true,
});
