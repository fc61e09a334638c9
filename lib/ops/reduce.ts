// Reductions over any set of dims with keepdim, with autograd: sum, mean, prod, amax/amin,
// max/min (values and indices), argmax/argmin, all/any. float32 goes through native.reduce /
// native.argReduce, float64 through native.reduce (sum, mean, prod, amax, amin, max and min of
// every element; max/min along a dim and the arg-reductions are float32 only so far); int32/bool
// inputs take TypeScript loops.
import { widenedForFloat32List } from '../lowp/autocast_state.js';
import { refuseBfloat16, refuseStorageOnly } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { hasTangent } from '../autograd/dual_state.js';
import { zeros } from '../creation.js';
import {
  allocate,
  type DType,
  dtypeOf,
  FLOATING_DTYPES,
  type FloatDType,
  isFloatingDType,
  type TypedArray,
} from '../dtype.js';
import { ArgReduceOp, native, ReduceOp, type ReduceOpCode } from '../native.js';
import { contiguousStrides, formatShape, normalizeDim, normalizeDims, numel, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { recorded, traced } from '../trace.js';
import { add, div, mul } from './binary.js';
import { where } from './pointwise.js';
import { copyRaw, elementOffsets, valuesAs, widenBf16, writeInto } from '../raw/strided.js';
import { scatterAddOp } from './indexing.js';
import { expand, permute, reshape } from './view.js';

/**
 * One dim or several (negative dims count from the end); omitted: every dim.
 */
export type Dims = number | readonly number[];

/** The result shape of reducing `dims` (sorted, distinct). */
export function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, d) => {
    if (!dims.includes(d)) out.push(s);
    else if (keepdim) out.push(1);
  });
  return out;
}

/**
 * The elements of x laid out as rows: one row per kept position (row-major over the kept
 * dims), holding the reduced elements (row-major over `dims`).
 */
export function rowsOf(x: Tensor, dims: readonly number[]) {
  const kept = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const perm = [...kept, ...dims];
  const offs = elementOffsets(
    perm.map((d) => x.shape[d]),
    perm.map((d) => x.strides[d]),
    x.offset,
  );
  const src = x.storage.data;
  const vals = allocate(x.dtype, offs.length);
  for (let i = 0; i < offs.length; i++) vals[i] = src[offs[i]];
  const cols = numel(dims.map((d) => x.shape[d]));
  return { vals, rows: numel(kept.map((d) => x.shape[d])), cols, perm };
}

/** The inverse of rowsOf: a contiguous tensor of `shape` from rows laid out by `perm`. */
export function fromRows(vals: TypedArray, shape: Shape, perm: readonly number[]): Tensor {
  const out = new Tensor(new Storage(allocate(dtypeOf(vals), numel(shape))), shape);
  const strides = contiguousStrides(shape);
  writeInto(
    new Tensor(
      out.storage,
      perm.map((d) => shape[d]),
      perm.map((d) => strides[d]),
      0,
    ),
    new Tensor(
      new Storage(vals),
      perm.map((d) => shape[d]),
    ),
  );
  return out;
}

/**
 * Native reduction of a float32 or float64 tensor, in its dtype (the float64 kernels sum
 * pairwise in the same blocks as the float32 ones).
 */
export function reduceRaw(
  op: string,
  code: ReduceOpCode,
  x: Tensor,
  dims: readonly number[],
  keepdim: boolean,
): Tensor {
  const shape = reducedShape(x.shape, dims, keepdim);
  if ((code === ReduceOp.max || code === ReduceOp.min) && dims.some((d) => x.shape[d] === 0)) {
    throw new RangeError(
      `${op}: cannot reduce over a zero-size dim of shape ${formatShape(x.shape)} (the operation has no identity)`,
    );
  }
  const out = x.dtype === 'float64' ? new Float64Array(numel(shape)) : new Float32Array(numel(shape));
  native.reduce(code, x.shape, x.storage.data as Float32Array | Float64Array, x.offset, x.strides, dims, out);
  return new Tensor(new Storage(out), shape);
}

/**
 * A reduction of int32/bool x in TypeScript (recorded as the op `op` for tracing). The running
 * value is a double, exact for sums and products (a sum of at most 2^32 int32 values stays below
 * 2^53; a product's magnitude only grows until a zero); an int32 result out of int32's range is
 * an error rather than wrapped around, since PyTorch gives int64 there and myelin has none.
 */
function reduceInts(
  op: string,
  x: Tensor,
  dims: number[],
  keepdim: boolean,
  dtype: DType,
  init: number,
  f: (acc: number, v: number) => number,
): Tensor {
  return recorded(op, [x, dims, keepdim], () => {
    const { vals, rows, cols } = rowsOf(widenBf16(x), dims);
    const out = allocate(dtype, rows);
    for (let r = 0; r < rows; r++) {
      let acc = init;
      for (let c = 0; c < cols; c++) acc = f(acc, vals[r * cols + c]);
      if (Number.isNaN(acc)) acc = 0; // an overflowed product times a zero
      if (dtype === 'int32' && acc !== (acc | 0)) throw int32Overflow(op, acc);
      out[r] = acc;
    }
    return new Tensor(new Storage(out), reducedShape(x.shape, dims, keepdim));
  });
}

/** The error for an int32 result out of int32's range. */
export function int32Overflow(op: string, value: number): RangeError {
  return new RangeError(
    `${op}: the result ${value} does not fit in int32 (PyTorch would give int64, which myelin does not have); ` +
      'convert the input with .float() first',
  );
}

function checkTensor(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  return refuseStorageOnly(op, x);
}

/** g (the reduced gradient) broadcast back to the input's shape. */
function expandBack(g: Tensor, inShape: Shape, dims: readonly number[]): Tensor {
  return expand(reshape(g, reducedShape(inShape, dims, true)), inShape);
}

// ---- sum / mean -------------------------------------------------------------------------

const sumOp: (x: Tensor, dims: number[], keepdim: boolean) => Tensor = defineOp({
  name: 'sum',
  dtypes: ['float32', 'float64'],
  forward(
    ctx: OpContext<{ inShape: Shape; dims: number[]; keepdim: boolean }>,
    x: Tensor,
    dims: number[],
    keepdim: boolean,
  ) {
    ctx.inShape = x.shape;
    ctx.dims = dims;
    ctx.keepdim = keepdim;
    return reduceRaw('sum', ReduceOp.sum, x, dims, keepdim);
  },
  backward(ctx, g) {
    return [expandBack(g, ctx.inShape, ctx.dims)];
  },
  jvp: (ctx, t) => sumOp(t!, ctx.dims, ctx.keepdim),
});

const meanOp: (x: Tensor, dims: number[], keepdim: boolean) => Tensor = defineOp({
  name: 'mean',
  dtypes: ['float32', 'float64'],
  forward(
    ctx: OpContext<{ inShape: Shape; dims: number[]; keepdim: boolean }>,
    x: Tensor,
    dims: number[],
    keepdim: boolean,
  ) {
    ctx.inShape = x.shape;
    ctx.dims = dims;
    ctx.keepdim = keepdim;
    return reduceRaw('mean', ReduceOp.mean, x, dims, keepdim);
  },
  backward(ctx, g) {
    const { inShape: shape, dims } = ctx;
    return [div(expandBack(g, shape, dims), numel(dims.map((d) => shape[d])))];
  },
  jvp: (ctx, t) => meanOp(t!, ctx.dims, ctx.keepdim),
});

/** Sum over dims (all by default); int32/bool sum to int32. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor('sum', x);
  const dims = normalizeDims('sum', dim, x.ndim);
  if (!isFloatingDType(x.dtype)) return reduceInts('sum', x, dims, keepdim, 'int32', 0, (a, v) => a + v);
  return sumOp(x, dims, keepdim);
}

/**
 * The mean over dims (all by default) (`torch.mean`); float32 (int32 and bool are promoted).
 * keepdim keeps the reduced dims with size 1.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range or repeats.
 */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor<'float32'> {
  checkTensor('mean', x);
  if (!isFloatingDType(x.dtype))
    throw new TypeError(`mean: input dtype must be floating point, got ${x.dtype}; cast with .float()`);
  return meanOp(x, normalizeDims('mean', dim, x.ndim), keepdim) as Tensor<'float32'>;
}

/** Sums a broadcast gradient back to `shape` (differentiable; the inverse of expand). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (g.ndim === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < g.ndim; d++) if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  return reshape(sum(g, dims), shape);
}

// ---- prod -------------------------------------------------------------------------------

const prodOp: (x: Tensor, dims: number[], keepdim: boolean) => Tensor = defineOp({
  name: 'prod',
  dtypes: ['float32', 'float64'],
  forward(ctx: OpContext<{ dims: number[]; keepdim: boolean }>, x: Tensor, dims: number[], keepdim: boolean) {
    ctx.save(x);
    ctx.dims = dims;
    ctx.keepdim = keepdim;
    return reduceRaw('prod', ReduceOp.prod, x, dims, keepdim);
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    const dims = ctx.dims;
    if ((isGradEnabled() && (x.requiresGrad || g.requiresGrad)) || hasTangent(x, g)) {
      // createGraph: the product of the others as recorded ops, so the gradient has a
      // derivative of its own: prod / x_j, or where x has zeros (the quotient is 0/0 there)
      // each product of the others multiplied out.
      const others = (x.toTypedArray() as Float32Array).includes(0)
        ? productOfOthersRecorded(x, dims)
        : div(expand(prodOp(x, dims, true), x.shape), x);
      return [mul(expandBack(g, x.shape, dims), others)];
    }
    return [mul(expandBack(g, x.shape, dims), productOfOthers(x, dims))];
  },
  // d prod = sum_j t_j * (product of the others), right at inputs with zeros too.
  jvp(ctx, t) {
    const [x] = ctx.saved;
    return sumOp(mul(t!, productOfOthers(x, ctx.dims)), ctx.dims, ctx.keepdim);
  },
});

/**
 * d prod / d x_j as recorded ops, right at inputs with zeros: each reduced row of K elements
 * as K copies, copy j with element j replaced by 1, each multiplied out (K^2 work: only under
 * createGraph, at an input with zeros).
 */
function productOfOthersRecorded(x: Tensor, dims: number[]): Tensor {
  const kept = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const perm = [...kept, ...dims];
  const xp = permute(x, perm);
  const K = dims.reduce((n, d) => n * x.shape[d], 1);
  const rows = reshape(xp, [xp.numel() / Math.max(K, 1), 1, K]);
  const eye = new Float32Array(K * K);
  const offDiagonal = new Float32Array(K * K).fill(1);
  for (let i = 0; i < K; i++) [eye[i * K + i], offDiagonal[i * K + i]] = [1, 0];
  const copies = add(mul(rows, new Tensor(new Storage(offDiagonal), [K, K])), new Tensor(new Storage(eye), [K, K]));
  const others = reshape(prodOp(copies, [2], false), xp.shape);
  return permute(
    others,
    perm.map((_, d) => perm.indexOf(d)),
  );
}

/** d prod / d x_j = the product of the other elements: prefix * suffix products (right with zeros). */
function productOfOthers(x: Tensor, dims: number[]): Tensor {
  const { vals, rows, cols, perm } = rowsOf(x, dims);
  const others = allocate(x.dtype, vals.length);
  for (let r = 0; r < rows; r++) {
    let prefix = 1;
    for (let c = 0; c < cols; c++) {
      others[r * cols + c] = prefix;
      prefix *= vals[r * cols + c];
    }
    let suffix = 1;
    for (let c = cols - 1; c >= 0; c--) {
      others[r * cols + c] *= suffix;
      suffix *= vals[r * cols + c];
    }
  }
  return fromRows(others, x.shape, perm);
}

/**
 * The product over dims (all by default) (`torch.prod`); int32/bool give int32, exact.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range or an int32 result
 *   does not fit.
 */
export function prod(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor('prod', x);
  // PyTorch's autocast float32 list: a bfloat16 input is widened, the product is float32.
  const wide = widenedForFloat32List(x);
  if (wide) return prod(wide[0], dim, keepdim);
  refuseBfloat16('prod', x);
  const dims = normalizeDims('prod', dim, x.ndim);
  if (!isFloatingDType(x.dtype)) return reduceInts('prod', x, dims, keepdim, 'int32', 1, (a, v) => a * v);
  return prodOp(x, dims, keepdim);
}

// ---- amax / amin ------------------------------------------------------------------------

function defineAExtreme(name: 'amax' | 'amin') {
  return defineOp({
    name,
    dtypes: ['float32', 'float64'],
    jvp: 'fromBackward',
    forward(ctx: OpContext<{ dims: number[] }>, x: Tensor, dims: number[], keepdim: boolean) {
      const out = reduceRaw(name, name === 'amax' ? ReduceOp.max : ReduceOp.min, x, dims, keepdim);
      ctx.save(x, out);
      ctx.dims = dims;
      return out;
    },
    backward(ctx, g) {
      const [x, out] = ctx.saved;
      const dims = ctx.dims;
      // The gradient is shared evenly between the elements equal to the extreme, as torch.
      const { vals, rows, cols, perm } = rowsOf(x, dims);
      const best = out.data;
      const share = allocate(x.dtype, vals.length);
      for (let r = 0; r < rows; r++) {
        let count = 0;
        for (let c = 0; c < cols; c++) if (sameValue(vals[r * cols + c], best[r])) count++;
        for (let c = 0; c < cols; c++) if (sameValue(vals[r * cols + c], best[r])) share[r * cols + c] = 1 / count;
      }
      return [mul(expandBack(g, x.shape, dims), fromRows(share, x.shape, perm))];
    },
  });
}

function sameValue(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

const amaxOp = defineAExtreme('amax');
const aminOp = defineAExtreme('amin');

function extremeInts(x: Tensor, dims: number[], keepdim: boolean, isMax: boolean, op: 'amax' | 'amin'): Tensor {
  if (dims.some((d) => x.shape[d] === 0))
    throw new RangeError(`${op}: cannot reduce over a zero-size dim of shape ${formatShape(x.shape)}`);
  return reduceInts(op, x, dims, keepdim, x.dtype, isMax ? -Infinity : Infinity, isMax ? Math.max : Math.min);
}

/**
 * The maximum over dims (all by default), values only (`torch.amax`); NaN propagates; the
 * gradient is shared evenly between tied maxima.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range or repeats.
 */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor('amax', x);
  const dims = normalizeDims('amax', dim, x.ndim);
  return isFloatingDType(x.dtype) ? amaxOp(x, dims, keepdim) : extremeInts(x, dims, keepdim, true, 'amax');
}

/**
 * The minimum over dims (all by default), values only (`torch.amin`); NaN propagates; the
 * gradient is shared evenly between tied minima.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range or repeats.
 */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor('amin', x);
  const dims = normalizeDims('amin', dim, x.ndim);
  return isFloatingDType(x.dtype) ? aminOp(x, dims, keepdim) : extremeInts(x, dims, keepdim, false, 'amin');
}

// ---- max / min with indices, argmax / argmin --------------------------------------------

/** values and indices, also destructurable as [values, indices] (torch's namedtuple). */
export class ValuesIndices {
  constructor(
    /** The values found. */
    readonly values: Tensor,
    /** Their int32 indices along the dim. */
    readonly indices: Tensor,
  ) {}
  /** Yields values, then indices: `const [values, indices] = max(x, 1)`. */
  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}

function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return new ValuesIndices(values, indices);
}

/** Values and int32 indices of the first extreme along dim (NaN counts as the extreme). */
function argRaw(
  op: string,
  isMax: boolean,
  x: Tensor,
  dim: number,
  keepdim: boolean,
  wantValues: boolean,
): [Tensor | null, Tensor] {
  if (x.shape[dim] === 0)
    throw new RangeError(`${op}: cannot reduce over dim ${dim} of size 0 (shape ${formatShape(x.shape)})`);
  if (x.dtype === 'bfloat16') {
    // On the float32 values; the values found are bfloat16 ones, so they convert back exactly.
    const [values, indices] = argRaw(op, isMax, widenBf16(x), dim, keepdim, wantValues);
    return [values && copyRaw(values, 'bfloat16'), indices];
  }
  const shape = reducedShape(x.shape, [dim], keepdim);
  const n = numel(shape);
  const indices = new Int32Array(n);
  if (x.dtype === 'float32') {
    const values = wantValues ? new Float32Array(n) : null;
    native.argReduce(
      isMax ? ArgReduceOp.argmax : ArgReduceOp.argmin,
      x.shape,
      x.storage.data as Float32Array,
      x.offset,
      x.strides,
      dim,
      values,
      indices,
    );
    return [values ? new Tensor(new Storage(values), shape) : null, new Tensor(new Storage(indices), shape)];
  }
  // float64 and integers: the first extreme wins, and the first NaN wins over every number (as
  // the float32 kernel and torch).
  const { vals, rows, cols } = rowsOf(x, [dim]);
  const values = allocate(x.dtype, n);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let b = vals[r * cols];
    for (let c = 1; c < cols && b === b; c++) {
      const v = vals[r * cols + c];
      if (v !== v || (isMax ? v > b : v < b)) {
        best = c;
        b = v;
      }
    }
    indices[r] = best;
    values[r] = b;
  }
  return [new Tensor(new Storage(values), shape), new Tensor(new Storage(indices), shape)];
}

function defineMaxDim(name: 'max' | 'min') {
  return defineOp({
    name,
    dtypes: FLOATING_DTYPES,
    jvp: 'fromBackward',
    // `found` holds the values and indices, computed once by the caller.
    forward(
      ctx: OpContext<{ indices: Tensor; inShape: Shape; dim: number }>,
      x: Tensor,
      dim: number,
      found: [Tensor, Tensor],
    ) {
      ctx.indices = found[1];
      ctx.inShape = x.shape;
      ctx.dim = dim;
      return found[0];
    },
    backward(ctx, g) {
      const { inShape: shape, dim } = ctx;
      if ((isGradEnabled() && g.requiresGrad) || hasTangent(g)) {
        // createGraph: the same placement as a recorded scatter, so the second derivative
        // reaches g (the one in x is 0).
        const kept = shape.map((s, d) => (d === dim ? 1 : s));
        const index = new Tensor(ctx.indices.storage, kept, undefined, ctx.indices.offset);
        return [scatterAddOp(zeros(shape, { dtype: g.dtype as FloatDType }), dim, index, reshape(g, kept))];
      }
      const idx = ctx.indices.storage.data as Int32Array;
      const gv = g.data;
      const cols = shape[dim];
      const grad = allocate(g.dtype, idx.length * cols);
      for (let r = 0; r < idx.length; r++) grad[r * cols + idx[r]] = gv[r];
      const kept = shape.map((_, d) => d).filter((d) => d !== dim);
      return [fromRows(grad, shape, [...kept, dim])];
    },
  });
}

const maxDimOp = defineMaxDim('max');
const minDimOp = defineMaxDim('min');

// torch's max() and min() of all elements (evenly_distribute_backward): g / count is selected
// into the elements equal to the extreme (the NaNs when the extreme is NaN), zero elsewhere.
// amax/amin multiply by a mask instead (an infinite g gives NaN off the extreme), as torch's do.
function defineFullExtreme(name: 'max' | 'min') {
  return defineOp({
    name,
    dtypes: ['float32', 'float64'],
    jvp: 'fromBackward',
    forward(ctx, x: Tensor) {
      const dims = x.shape.map((_, d) => d);
      const out = reduceRaw(name, name === 'max' ? ReduceOp.max : ReduceOp.min, x, dims, false);
      ctx.save(x, out);
      return out;
    },
    backward(ctx, g) {
      const [x, out] = ctx.saved;
      const best = out.data[0];
      // A bool mask of the elements equal to the extreme: the gradient is shared among them.
      const values = valuesAs(x, x.shape);
      const picked = new Uint8Array(values.length);
      let count = 0;
      for (let i = 0; i < values.length; i++)
        if (sameValue(values[i], best)) {
          picked[i] = 1;
          count++;
        }
      const mask = new Tensor(new Storage(picked, 'bool'), x.shape);
      return [where(mask, div(g, count), 0)];
    },
  });
}

const maxAllOp = defineFullExtreme('max');
const minAllOp = defineFullExtreme('min');

function maxMin(name: 'max' | 'min', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor | ValuesIndices {
  checkTensor(name, x);
  if (dim === undefined) {
    if (x.numel() === 0)
      throw new RangeError(
        `${name}: expected a non-empty tensor for a full reduction (shape ${formatShape(x.shape)}); pass a dim`,
      );
    if (!isFloatingDType(x.dtype)) return name === 'max' ? amax(x) : amin(x);
    return name === 'max' ? maxAllOp(x) : minAllOp(x);
  }
  const d = normalizeDim(name, dim, x.ndim);
  if (x.ndim === 0) return valuesIndices(x, new Tensor(new Storage(new Int32Array(1)), []));
  // One op of the trace with both results (the values' op below is inside it).
  const [values, indices] = recorded(name, [x, d, keepdim], () => {
    const [v, i] = argRaw(name, name === 'max', x, d, keepdim, true);
    return [isFloatingDType(x.dtype) ? (name === 'max' ? maxDimOp : minDimOp)(x, d, [v!, i]) : v!, i];
  });
  return valuesIndices(values, indices);
}

/**
 * The maximum (`torch.max`): of every element (a 0-d tensor), or along dim as { values, indices }
 * (the first maximum's index). NaN propagates.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range.
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return maxMin('max', x, dim, keepdim);
}

/**
 * The minimum (`torch.min`): of every element (a 0-d tensor), or along dim as { values, indices }
 * (the first minimum's index). NaN propagates.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range.
 */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return maxMin('min', x, dim, keepdim);
}

function argExtreme(name: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  checkTensor(name, x);
  if (dim === undefined) {
    const flat = reshape(x.detach(), [x.numel()]);
    const [, i] = argRaw(name, name === 'argmax', flat, 0, false, false);
    return keepdim
      ? reshape(
          i,
          x.shape.map(() => 1),
        )
      : i;
  }
  const d = normalizeDim(name, dim, x.ndim);
  if (x.ndim === 0) return new Tensor(new Storage(new Int32Array(1)), []);
  return argRaw(name, name === 'argmax', x, d, keepdim, false)[1];
}

/** Index of the first maximum (int32), over the flattened tensor or along dim. */
export const argmax: (x: Tensor, dim?: number, keepdim?: boolean) => Tensor = traced(
  'argmax',
  (x: Tensor, dim?: number, keepdim?: boolean) => argExtreme('argmax', x, dim, keepdim ?? false),
);

/**
 * Index of the first minimum (int32), over the flattened tensor or along dim (`torch.argmin`).
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range.
 */
export const argmin: (x: Tensor, dim?: number, keepdim?: boolean) => Tensor = traced(
  'argmin',
  (x: Tensor, dim?: number, keepdim?: boolean) => argExtreme('argmin', x, dim, keepdim ?? false),
);

// ---- all / any --------------------------------------------------------------------------

/**
 * Whether every element is nonzero, over dims (all by default) (`torch.all`); a bool tensor.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range or repeats.
 */
export function all(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor('all', x);
  return reduceInts('all', x, normalizeDims('all', dim, x.ndim), keepdim, 'bool', 1, (a, v) => (a && v !== 0 ? 1 : 0));
}

/**
 * Whether some element is nonzero, over dims (all by default) (`torch.any`); a bool tensor.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range or repeats.
 */
export function any(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor('any', x);
  return reduceInts('any', x, normalizeDims('any', dim, x.ndim), keepdim, 'bool', 0, (a, v) => (a || v !== 0 ? 1 : 0));
}
