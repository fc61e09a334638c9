// Tensor methods for the view, join, pointwise, comparison, reduction, in-place and cast ops
// (the functions live in their own files; this file only attaches them).
import { checkTensor } from '../errors.js';
import { inspect } from 'node:util';
import type { DType } from '../dtype.js';
import { DTYPE_LIST, isDType } from '../dtype.js';
import { cpuDevice, Device, type DeviceLike, isDeviceString, requireCpu } from '../device.js';
import { checkOptions } from '../errors.js';
import { formatTensor } from '../print.js';
import type { Generator } from '../random.js';
import { Tensor } from '../tensor.js';
import { div, type RoundingMode, type TensorLike } from './binary.js';
import type { SoftmaxOutOptions } from './softmax.js';
import * as cmp from './compare.js';
import * as bw from './bitwise.js';
import type { BitwiseOperand } from './bitwise.js';
import * as dv from './division.js';
import * as ip from './inplace.js';
import * as j from './join.js';
import * as pw from './pointwise.js';
import * as r from './reduce.js';
import * as st from './reduce_stats.js';
import { cast } from './cast.js';
import * as v from './view.js';
import * as qz from '../quantization/quantize.js';

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
      throw new TypeError(`to: dtype must be ${DTYPE_LIST} (or a device: 'cpu'), got ${a}`);
    else if (typeof a === 'string' || a instanceof Device) requireCpu('to', a);
    else if (typeof a === 'number')
      requireCpu('to', `cuda:${a}`); // torch reads an int as a CUDA index
    else
      throw new TypeError(
        `to: expected a dtype (${DTYPE_LIST}), a device ('cpu') or a Tensor, got ${a === null ? 'null' : typeof a}`,
      );
  }
  if (dtype !== undefined && !isDType(dtype))
    throw new TypeError(`to: dtype must be ${DTYPE_LIST}, got ${String(dtype)}`);
  if (dtype !== undefined && dtype !== x.dtype) return cast(x, dtype);
  return opts.copy ? v.clone(x) : x;
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    // views and shape ops
    /** `reshape(this, ...)` as a method (`torch.Tensor.reshape`): see `reshape`. */
    reshape(...shape: Sizes): Tensor;
    /** `view(this, ...)` as a method (`torch.Tensor.view`): see `view`. */
    view(...shape: Sizes): Tensor;
    /** `flatten(this, ...)` as a method (`torch.Tensor.flatten`): see `flatten`. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** `unflatten(this, ...)` as a method (`torch.Tensor.unflatten`): see `unflatten`. */
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    /** `transpose(this, ...)` as a method (`torch.Tensor.transpose`): see `transpose`. */
    transpose(dim0: number, dim1: number): Tensor;
    /** `permute(this, ...)` as a method (`torch.Tensor.permute`): see `permute`. */
    permute(...dims: Sizes): Tensor;
    /**
     * The transpose of a matrix (`torch.Tensor.t`): a view; a 0-d or 1-D tensor is returned as is.
     * @throws RangeError on more than 2 dims.
     */
    t(): Tensor;
    /** The dims in reverse order (`torch.Tensor.T`): a view. */
    readonly T: Tensor;
    /**
     * The last two dims swapped (`torch.Tensor.mT`): a view.
     * @throws RangeError on fewer than 2 dims.
     */
    readonly mT: Tensor;
    /** `squeeze(this, ...)` as a method (`torch.Tensor.squeeze`): see `squeeze`. */
    squeeze(dim?: number | readonly number[]): Tensor;
    /** `unsqueeze(this, ...)` as a method (`torch.Tensor.unsqueeze`): see `unsqueeze`. */
    unsqueeze(dim: number): Tensor;
    /**
     * This tensor broadcast to `sizes` without copying (`torch.Tensor.expand`): a view with stride 0 on
     * the expanded dims; -1 keeps a size.
     * @throws RangeError if a size is not 1 and differs.
     */
    expand(...sizes: Sizes): Tensor;
    /**
     * `expand` to other's shape (`torch.Tensor.expand_as`): a view.
     * @throws RangeError if this shape does not broadcast to other's.
     */
    expandAs(other: Tensor): Tensor;
    /** `broadcastTo(this, ...)` as a method (`torch.Tensor.broadcast_to`): see `broadcastTo`. */
    broadcastTo(shape: readonly number[]): Tensor;
    /** `contiguous(this)` as a method (`torch.Tensor.contiguous`): see `contiguous`. */
    contiguous(): Tensor;
    /** `clone(this)` as a method (`torch.Tensor.clone`): see `clone`. */
    clone(): Tensor;
    /** `narrow(this, ...)` as a method (`torch.Tensor.narrow`): see `narrow`. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** `slice(this, dim, start, end, step)` as a method: PyTorch's `x[start:end:step]` along dim. */
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    /** `select(this, ...)` as a method (`torch.Tensor.select`): see `select`. */
    select(dim: number, index: number): Tensor;
    /** `split(this, ...)` as a method (`torch.Tensor.split`): see `split`. */
    split(sizeOrSections: number | readonly number[], dim?: number): Tensor[];
    /** `chunk(this, ...)` as a method (`torch.Tensor.chunk`): see `chunk`. */
    chunk(chunks: number, dim?: number): Tensor[];
    /** `unbind(this, ...)` as a method (`torch.Tensor.unbind`): see `unbind`. */
    unbind(dim?: number): Tensor[];
    /** `repeat(this, ...)` as a method (`torch.Tensor.repeat`): see `repeat`. */
    repeat(...sizes: Sizes): Tensor;
    /** `flip(this, ...)` as a method (`torch.Tensor.flip`): see `flip`. */
    flip(dims: number | readonly number[]): Tensor;
    // pointwise
    /** `pow(this, ...)` as a method (`torch.Tensor.pow`): see `pow`. */
    pow(exponent: TensorLike): Tensor;
    /** `clamp(this, ...)` as a method (`torch.Tensor.clamp`): see `clamp`. */
    clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    /** `clamp` under NumPy's name (`torch.Tensor.clip`). */
    clip(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    /** `maximum(this, ...)` as a method (`torch.Tensor.maximum`): see `maximum`. */
    maximum(other: TensorLike): Tensor;
    /** `minimum(this, ...)` as a method (`torch.Tensor.minimum`): see `minimum`. */
    minimum(other: TensorLike): Tensor;
    /**
     * `where(condition, this, other)` (`torch.Tensor.where`): this tensor's elements where condition
     * is true, other's elsewhere.
     */
    where(condition: Tensor, other: TensorLike): Tensor;
    /** `eq(this, ...)` as a method (`torch.Tensor.eq`): see `eq`. */
    eq(other: TensorLike): Tensor;
    /** `ne(this, ...)` as a method (`torch.Tensor.ne`): see `ne`. */
    ne(other: TensorLike): Tensor;
    /** `lt(this, ...)` as a method (`torch.Tensor.lt`): see `lt`. */
    lt(other: TensorLike): Tensor;
    /** `le(this, ...)` as a method (`torch.Tensor.le`): see `le`. */
    le(other: TensorLike): Tensor;
    /** `gt(this, ...)` as a method (`torch.Tensor.gt`): see `gt`. */
    gt(other: TensorLike): Tensor;
    /** `ge(this, ...)` as a method (`torch.Tensor.ge`): see `ge`. */
    ge(other: TensorLike): Tensor;
    /** `logicalAnd(this, ...)` as a method (`torch.Tensor.logical_and`): see `logicalAnd`. */
    logicalAnd(other: TensorLike): Tensor;
    /** `logicalOr(this, ...)` as a method (`torch.Tensor.logical_or`): see `logicalOr`. */
    logicalOr(other: TensorLike): Tensor;
    /** `logicalXor(this, ...)` as a method (`torch.Tensor.logical_xor`): see `logicalXor`. */
    logicalXor(other: TensorLike): Tensor;
    /** `logicalNot(this)` as a method (`torch.Tensor.logical_not`): see `logicalNot`. */
    logicalNot(): Tensor;
    /** `isnan(this)` as a method (`torch.Tensor.isnan`): see `isnan`. */
    isnan(): Tensor;
    /** `isfinite(this)` as a method (`torch.Tensor.isfinite`): see `isfinite`. */
    isfinite(): Tensor;
    /** `isinf(this)` as a method (`torch.Tensor.isinf`): see `isinf`. */
    isinf(): Tensor;
    /** `equal(this, ...)` as a method (`torch.Tensor.equal`): see `equal`. */
    equal(other: Tensor): boolean;
    /** `allclose(this, ...)` as a method (`torch.Tensor.allclose`): see `allclose`. */
    allclose(other: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean;
    // reductions
    /** `sum(this, ...)` as a method (`torch.Tensor.sum`): see `sum`. */
    sum(dim?: r.Dims, keepdim?: boolean): Tensor;
    /** `mean(this, ...)` as a method (`torch.Tensor.mean`): see `mean`. */
    mean(dim?: r.Dims, keepdim?: boolean): Tensor<'float32'>;
    /** `prod(this, ...)` as a method (`torch.Tensor.prod`): see `prod`. */
    prod(dim?: r.Dims, keepdim?: boolean): Tensor;
    /** `amax(this, ...)` as a method (`torch.Tensor.amax`): see `amax`. */
    amax(dim?: r.Dims, keepdim?: boolean): Tensor;
    /** `amin(this, ...)` as a method (`torch.Tensor.amin`): see `amin`. */
    amin(dim?: r.Dims, keepdim?: boolean): Tensor;
    /**
     * `max(this)`, `max(this, dim, keepdim)` (values and indices), or `maximum(this, other)`
     * (`torch.Tensor.max`).
     */
    max(): Tensor;
    /** Along dim: the values and their indices (`torch.Tensor.max(dim)`). */
    max(dim: number, keepdim?: boolean): r.ValuesIndices;
    /** The elementwise maximum of this tensor and other (`torch.Tensor.max(other)`). */
    max(other: Tensor): Tensor;
    /**
     * `min(this)`, `min(this, dim, keepdim)` (values and indices), or `minimum(this, other)`
     * (`torch.Tensor.min`).
     */
    min(): Tensor;
    /** Along dim: the values and their indices (`torch.Tensor.min(dim)`). */
    min(dim: number, keepdim?: boolean): r.ValuesIndices;
    /** The elementwise minimum of this tensor and other (`torch.Tensor.min(other)`). */
    min(other: Tensor): Tensor;
    /** `argmax(this, ...)` as a method (`torch.Tensor.argmax`): see `argmax`. */
    argmax(dim?: number, keepdim?: boolean): Tensor;
    /** `argmin(this, ...)` as a method (`torch.Tensor.argmin`): see `argmin`. */
    argmin(dim?: number, keepdim?: boolean): Tensor;
    /**
     * `var(this, dim, opts)` as a method (`torch.Tensor.var`): the variance, unbiased by default.
     */
    var(dim?: r.Dims, opts?: st.VarOptions): Tensor;
    /** `std(this, ...)` as a method (`torch.Tensor.std`): see `std`. */
    std(dim?: r.Dims, opts?: st.VarOptions): Tensor;
    /** `norm(this, ...)` as a method (`torch.Tensor.norm`): see `norm`. */
    norm(p?: number | 'fro', dim?: r.Dims, keepdim?: boolean): Tensor;
    /** `logsumexp(this, ...)` as a method (`torch.Tensor.logsumexp`): see `logsumexp`. */
    logsumexp(dim: r.Dims, keepdim?: boolean, options?: SoftmaxOutOptions): Tensor;
    /** `cumsum(this, ...)` as a method (`torch.Tensor.cumsum`): see `cumsum`. */
    cumsum(dim: number): Tensor;
    /** `all(this, ...)` as a method (`torch.Tensor.all`): see `all`. */
    all(dim?: r.Dims, keepdim?: boolean): Tensor;
    /** `any(this, ...)` as a method (`torch.Tensor.any`): see `any`. */
    any(dim?: r.Dims, keepdim?: boolean): Tensor;
    // in place
    /**
     * In-place `add`: writes the result into this tensor and returns it (`torch.Tensor.add_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    add_(other: TensorLike): this;
    /**
     * In-place `sub`: writes the result into this tensor and returns it (`torch.Tensor.sub_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    sub_(other: TensorLike): this;
    /**
     * In-place `mul`: writes the result into this tensor and returns it (`torch.Tensor.mul_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    mul_(other: TensorLike): this;
    /**
     * In-place `div`: writes the result into this tensor and returns it (`torch.Tensor.div_`);
     * `{ roundingMode }` as `div`'s (an integer tensor takes a rounded quotient in place).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    div_(other: TensorLike, options?: { roundingMode?: RoundingMode | null }): this;
    /**
     * In-place `pow`: writes the result into this tensor and returns it (`torch.Tensor.pow_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    pow_(exponent: TensorLike): this;
    /**
     * In-place `remainder`: writes the result into this tensor and returns it (`torch.Tensor.remainder_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    remainder_(other: TensorLike): this;
    /**
     * In-place `fmod`: writes the result into this tensor and returns it (`torch.Tensor.fmod_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    fmod_(other: TensorLike): this;
    /**
     * In-place `floorDivide`: writes the result into this tensor and returns it (`torch.Tensor.floor_divide_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    floorDivide_(other: TensorLike): this;
    /**
     * In-place `bitwiseAnd`: writes the result into this tensor and returns it (`torch.Tensor.bitwise_and_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    bitwiseAnd_(other: BitwiseOperand): this;
    /**
     * In-place `bitwiseOr`: writes the result into this tensor and returns it (`torch.Tensor.bitwise_or_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    bitwiseOr_(other: BitwiseOperand): this;
    /**
     * In-place `bitwiseXor`: writes the result into this tensor and returns it (`torch.Tensor.bitwise_xor_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    bitwiseXor_(other: BitwiseOperand): this;
    /**
     * In-place `bitwiseLeftShift`: writes the result into this tensor and returns it (`torch.Tensor.bitwise_left_shift_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    bitwiseLeftShift_(other: BitwiseOperand): this;
    /**
     * In-place `bitwiseRightShift`: writes the result into this tensor and returns it (`torch.Tensor.bitwise_right_shift_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    bitwiseRightShift_(other: BitwiseOperand): this;
    /**
     * In-place `bitwiseNot`: writes the result into this tensor and returns it (`torch.Tensor.bitwise_not_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    bitwiseNot_(): this;
    /**
     * In-place `clamp`: writes the result into this tensor and returns it (`torch.Tensor.clamp_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    clamp_(min?: TensorLike | null, max?: TensorLike | null): this;
    /**
     * Copies src's values into this tensor, broadcasting and casting (`torch.Tensor.copy_`); returns this.
     * @throws Error on a leaf that requires grad (outside noGrad); RangeError if src does not broadcast
     *  to this shape.
     */
    copy_(src: TensorLike): this;
    /**
     * Fills this tensor with value (`torch.Tensor.fill_`); returns this.
     * @throws Error on a leaf that requires grad (outside noGrad); TypeError if value is not a number,
     *  a boolean or a one-element tensor.
     */
    fill_(value: number | boolean | Tensor): this;
    /**
     * Fills this tensor with zeros (`torch.Tensor.zero_`); returns this.
     * @throws Error on a leaf that requires grad (outside noGrad).
     */
    zero_(): this;
    /**
     * In-place `neg`: writes the result into this tensor and returns it (`torch.Tensor.neg_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    neg_(): this;
    /**
     * In-place `abs`: writes the result into this tensor and returns it (`torch.Tensor.abs_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    abs_(): this;
    /**
     * In-place `exp`: writes the result into this tensor and returns it (`torch.Tensor.exp_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    exp_(): this;
    /**
     * In-place `log`: writes the result into this tensor and returns it (`torch.Tensor.log_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    log_(): this;
    /**
     * In-place `sqrt`: writes the result into this tensor and returns it (`torch.Tensor.sqrt_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    sqrt_(): this;
    /**
     * In-place `relu`: writes the result into this tensor and returns it (`torch.Tensor.relu_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    relu_(): this;
    /**
     * In-place `sigmoid`: writes the result into this tensor and returns it (`torch.Tensor.sigmoid_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    sigmoid_(): this;
    /**
     * In-place `tanh`: writes the result into this tensor and returns it (`torch.Tensor.tanh_`).
     * @throws Error on a leaf that requires grad (outside noGrad), or a view of a tensor that requires
     *  grad; TypeError if the result's dtype cannot be written to this tensor's; RangeError if it
     *  does not fit this shape.
     */
    tanh_(): this;
    /**
     * Fills this float32 tensor with normal samples (`torch.Tensor.normal_`); returns this.
     * @throws TypeError if it is not float32; RangeError on a negative std.
     */
    normal_(mean?: number, std?: number, opts?: { generator?: Generator }): this;
    /**
     * Fills this float32 tensor with uniform samples in [from, to) (`torch.Tensor.uniform_`);
     * returns this.
     * @throws TypeError if it is not float32; RangeError if from > to.
     */
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
    /** true (`torch.Tensor.is_cpu`): every tensor is on the CPU. */
    readonly isCpu: boolean;
    /** false. */
    readonly isCuda: boolean;
    /** This tensor as float32 (`torch.Tensor.float`); itself if it is float32 already. */
    float(): Tensor;
    /** A float64 copy (this itself when already float64) (`torch.Tensor.double`). */
    double(): Tensor;
    /**
     * This tensor as bfloat16 (`torch.Tensor.bfloat16`): rounded to nearest even, as PyTorch's
     * (float64 through float32); itself if it is bfloat16 already.
     */
    bfloat16(): Tensor;
    /**
     * This tensor as int32 (`torch.Tensor.int`), floats truncated toward zero; itself if it is
     * int32 already.
     */
    int(): Tensor;
    /**
     * This tensor as int8 (`torch.Tensor.char`): the low 8 bits of each value, floats truncated
     * toward zero first; itself if it is int8 already.
     */
    char(): Tensor;
    /**
     * This tensor as uint8 (`torch.Tensor.byte`): the low 8 bits of each value, floats truncated
     * toward zero first; itself if it is uint8 already.
     */
    byte(): Tensor;
    /**
     * This tensor as bool (`torch.Tensor.bool`): true where nonzero; itself if it is bool already.
     */
    bool(): Tensor;
    /**
     * PyTorch's repr: `tensor([...])` with the values, and the dtype and gradient function where
     * PyTorch shows them.
     */
    toString(): string;
    // quantized tensors
    /** `dequantize(this)` as a method (`torch.Tensor.dequantize`): see `dequantize`. */
    dequantize(): Tensor;
    /** `intRepr(this)` as a method (`torch.Tensor.int_repr`): see `intRepr`. */
    intRepr(): Tensor;
    /** The scale of a per-tensor quantized tensor (`torch.Tensor.q_scale`). @throws TypeError otherwise. */
    qScale(): number;
    /** The zero point of a per-tensor quantized tensor (`torch.Tensor.q_zero_point`). @throws TypeError otherwise. */
    qZeroPoint(): number;
    /** The scales of a per-channel quantized tensor, float64 (`torch.Tensor.q_per_channel_scales`). */
    qPerChannelScales(): Tensor;
    /** The zero points of a per-channel quantized tensor, int32 (`torch.Tensor.q_per_channel_zero_points`). */
    qPerChannelZeroPoints(): Tensor;
    /** The channel dim of a per-channel quantized tensor (`torch.Tensor.q_per_channel_axis`). */
    qPerChannelAxis(): number;
    /** 'per_tensor_affine' or 'per_channel_affine' (`torch.Tensor.qscheme`). */
    qscheme(): 'per_tensor_affine' | 'per_channel_affine';
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const sizes = (args: Sizes) => v.sizesArg(args);

Object.assign(P, {
  dequantize(this: Tensor) {
    return qz.dequantize(this);
  },
  intRepr(this: Tensor) {
    return qz.intRepr(this);
  },
  qScale(this: Tensor) {
    return qz.qScale(this);
  },
  qZeroPoint(this: Tensor) {
    return qz.qZeroPoint(this);
  },
  qPerChannelScales(this: Tensor) {
    return qz.qPerChannelScales(this);
  },
  qPerChannelZeroPoints(this: Tensor) {
    return qz.qPerChannelZeroPoints(this);
  },
  qPerChannelAxis(this: Tensor) {
    return qz.qPerChannelAxis(this);
  },
  qscheme(this: Tensor) {
    return qz.qscheme(this);
  },
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
  div_(this: Tensor, o: TensorLike, options?: { roundingMode?: RoundingMode | null }) {
    checkOptions('div_', options, ['roundingMode']);
    if (options?.roundingMode) return ip.unaryInplace('div_', this, (x) => div(x, o, options));
    return ip.div_(this, o);
  },
  pow_(this: Tensor, e: TensorLike) {
    return ip.unaryInplace('pow_', this, (x) => pw.pow(x, e));
  },
  remainder_(this: Tensor, o: TensorLike) {
    return ip.unaryInplace('remainder_', this, (x) => dv.remainder(x, o));
  },
  fmod_(this: Tensor, o: TensorLike) {
    return ip.unaryInplace('fmod_', this, (x) => dv.fmod(x, o));
  },
  floorDivide_(this: Tensor, o: TensorLike) {
    return ip.unaryInplace('floorDivide_', this, (x) => dv.floorDivide(x, o));
  },
  bitwiseAnd_(this: Tensor, o: BitwiseOperand) {
    return ip.unaryInplace('bitwiseAnd_', this, (x) => bw.bitwiseAnd(x, o));
  },
  bitwiseOr_(this: Tensor, o: BitwiseOperand) {
    return ip.unaryInplace('bitwiseOr_', this, (x) => bw.bitwiseOr(x, o));
  },
  bitwiseXor_(this: Tensor, o: BitwiseOperand) {
    return ip.unaryInplace('bitwiseXor_', this, (x) => bw.bitwiseXor(x, o));
  },
  bitwiseLeftShift_(this: Tensor, o: BitwiseOperand) {
    return ip.unaryInplace('bitwiseLeftShift_', this, (x) => bw.bitwiseLeftShift(x, o));
  },
  bitwiseRightShift_(this: Tensor, o: BitwiseOperand) {
    return ip.unaryInplace('bitwiseRightShift_', this, (x) => bw.bitwiseRightShift(x, o));
  },
  bitwiseNot_(this: Tensor) {
    return ip.unaryInplace('bitwiseNot_', this, (x) => bw.bitwiseNot(x));
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
  double(this: Tensor) {
    return (this as Tensor).to('float64');
  },
  bfloat16(this: Tensor) {
    return (this as Tensor).to('bfloat16');
  },
  int(this: Tensor) {
    return (this as Tensor).to('int32');
  },
  char(this: Tensor) {
    return (this as Tensor).to('int8');
  },
  byte(this: Tensor) {
    return (this as Tensor).to('uint8');
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
