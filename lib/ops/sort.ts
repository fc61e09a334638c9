// sort / argsort / topk along a dim: a stable sort of every line (NaN above every number, as
// torch). The values are differentiable through the indices: their gradient is a scatter-add
// of the output gradient into the input's shape.
import type { DType } from '../dtype.js';
import { checkInt, checkOptions, optionKeys, refuseStorageOnly } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { allocate, FLOATING_DTYPES, isFloatingDType, type TypedArray } from '../dtype.js';
import { contiguousStrides, formatShape, normalizeDim, numel, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { scatterAddOp } from './indexing.js';
import { ValuesIndices } from './reduce.js';
import { copyRaw, elementOffsets, widenBf16 } from '../raw/strided.js';
import { recorded } from '../trace.js';

function checkTensor(op: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor))
    throw new TypeError(`${op}: input must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  refuseStorageOnly(op, t);
}

/** The options of `sort` and `argsort` (PyTorch's keyword arguments, in camelCase). */
export interface SortOptions {
  /** The dim to sort along (default -1, the last). */
  dim?: number;
  /** Largest first (default false: ascending). */
  descending?: boolean;
  /** Equal elements keep their order. Always true here (the sort is stable). */
  stable?: boolean;
}

/** The options of `topk` (PyTorch's keyword arguments, in camelCase). */
export interface TopkOptions {
  /** The dim to search along (default -1, the last). */
  dim?: number;
  /** The k largest (the default) or, false, the k smallest. */
  largest?: boolean;
  /** Return them in order (default true). */
  sorted?: boolean;
}

/** Orders of index i before j for values a, b: NaN sorts above every number, as torch. */
function comparator(descending: boolean): (a: number, b: number) => number {
  if (descending) {
    return (a, b) => (a !== a ? (b !== b ? 0 : -1) : b !== b ? 1 : a > b ? -1 : a < b ? 1 : 0);
  }
  return (a, b) => (a !== a ? (b !== b ? 0 : 1) : b !== b ? -1 : a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Sorts every line of x along dim (stably) and keeps the first k: contiguous values (x's
 * dtype) and int32 indices with dim of size k.
 */
function sortLines(x: Tensor, dim: number, k: number, descending: boolean): [Tensor, Tensor] {
  if (x.dtype === 'bfloat16') {
    // Sorted as float32 values; they are bfloat16 ones, so they convert back exactly.
    const [values, indices] = sortLines(widenBf16(x), dim, k, descending);
    return [copyRaw(values, 'bfloat16'), indices];
  }
  const n = x.ndim ? x.shape[dim] : 1;
  const step = x.ndim ? x.strides[dim] : 0;
  const outShape = x.ndim ? x.shape.map((s, d) => (d === dim ? k : s)) : [];
  const lineShape = x.shape.filter((_, d) => d !== dim);
  const starts = elementOffsets(
    lineShape,
    x.strides.filter((_, d) => d !== dim),
    x.offset,
  );
  const outStrides = contiguousStrides(outShape);
  const outStarts = elementOffsets(
    lineShape,
    outStrides.filter((_, d) => d !== dim),
    0,
  );
  const outStep = x.ndim ? outStrides[dim] : 0;
  const values = allocate(x.dtype, numel(outShape));
  const indices = new Int32Array(values.length);
  const src = x.storage.data;
  const line = new Float64Array(n);
  const order = new Array<number>(n);
  const cmp = comparator(descending);
  const byValue = (i: number, j: number) => cmp(line[i], line[j]);
  for (let l = 0; l < starts.length; l++) {
    for (let i = 0; i < n; i++) {
      line[i] = src[starts[l] + i * step];
      order[i] = i;
    }
    order.sort(byValue); // Array.prototype.sort is stable
    for (let i = 0; i < k; i++) {
      values[outStarts[l] + i * outStep] = line[order[i]];
      indices[outStarts[l] + i * outStep] = order[i];
    }
  }
  return [new Tensor(new Storage(values as TypedArray), outShape), new Tensor(new Storage(indices), outShape)];
}

/** values = the gathered input, differentiable through the indices (a scatter-add of the grad). */
const takeAlongOp: (x: Tensor, values: Tensor, dim: number, indices: Tensor) => Tensor = defineOp({
  name: 'sort',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(
    ctx: OpContext<{ dim: number; indices: Tensor; inShape: Shape }>,
    x: Tensor,
    values: Tensor,
    dim: number,
    indices: Tensor,
  ) {
    ctx.dim = dim;
    ctx.indices = indices;
    ctx.inShape = x.shape;
    return new Tensor(values.storage, values.shape, values.strides, values.offset);
  },
  backward(ctx, g) {
    const shape = ctx.inShape;
    const zeros = new Tensor(new Storage(allocate(g.dtype, numel(shape))), shape);
    return [scatterAddOp(zeros, ctx.dim, ctx.indices, g), null];
  },
});

const SORT_OPTIONS = optionKeys<SortOptions>({ dim: 'integer', descending: 'boolean', stable: 'boolean' });
const TOPK_OPTIONS = optionKeys<TopkOptions>({ dim: 'integer', largest: 'boolean', sorted: 'boolean' });

function sortArgs(
  op: string,
  x: Tensor,
  dimOrOptions: number | SortOptions | undefined,
  options: SortOptions,
): [number, boolean] {
  checkTensor(op, x);
  const opts =
    typeof dimOrOptions === 'object' && dimOrOptions !== null
      ? checkOptions(op, dimOrOptions, SORT_OPTIONS)
      : { ...checkOptions(op, options, SORT_OPTIONS), dim: dimOrOptions ?? options.dim };
  return [normalizeDim(op, opts.dim ?? -1, x.ndim), opts.descending ?? false];
}

/**
 * The first k of every line sorted along dim, values (differentiable) and indices: one op of a
 * traced forward (onnx.export), with its arguments (x, dim, k, largest first, k is the whole dim).
 */
function topLines(x: Tensor, dim: number, k: number, descending: boolean): [Tensor, Tensor] {
  const all = k === (x.ndim ? x.shape[dim] : 1);
  return recorded('topk', [x, dim, k, descending, all], () => {
    const [values, indices] = sortLines(x, dim, k, descending);
    const v = x.requiresGrad && isFloatingDType(x.dtype) ? takeAlongOp(x, values, dim, indices) : values;
    return [v, indices];
  });
}

/** Sorted values and their int32 indices along dim (torch.sort; always stable). */
export function sort(x: Tensor, dim?: number | SortOptions, options: SortOptions = {}): ValuesIndices {
  const [d, descending] = sortArgs('sort', x, dim, options);
  const [values, indices] = topLines(x, d, x.ndim ? x.shape[d] : 1, descending);
  return new ValuesIndices(values, indices);
}

/** The int32 indices that sort x along dim (torch.argsort). */
export function argsort(x: Tensor, dim?: number | SortOptions, options: SortOptions = {}): Tensor {
  const [d, descending] = sortArgs('argsort', x, dim, options);
  return topLines(x, d, x.ndim ? x.shape[d] : 1, descending)[1];
}

/** The k largest (or smallest) elements along dim and their int32 indices, sorted (torch.topk). */
export function topk(x: Tensor, k: number, dim?: number | TopkOptions, options: TopkOptions = {}): ValuesIndices {
  checkTensor('topk', x);
  const opts =
    typeof dim === 'object' && dim !== null
      ? checkOptions('topk', dim, TOPK_OPTIONS)
      : { ...checkOptions('topk', options, TOPK_OPTIONS), dim: dim ?? options.dim };
  const d = normalizeDim('topk', opts.dim ?? -1, x.ndim);
  checkInt('topk', 'k', k, 0);
  const size = x.ndim ? x.shape[d] : 1;
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new RangeError(
      `topk: k (${k}) must be an integer in [0, ${size}] for dim ${d} of shape ${formatShape(x.shape)}`,
    );
  }
  const [values, indices] = topLines(x, d, k, opts.largest ?? true);
  return new ValuesIndices(values, indices);
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    /** `sort(this, ...)` as a method (`torch.Tensor.sort`): see `sort`. */
    sort(dim?: number | SortOptions, options?: SortOptions): ValuesIndices;
    /** `argsort(this, ...)` as a method (`torch.Tensor.argsort`): see `argsort`. */
    argsort(dim?: number | SortOptions, options?: SortOptions): Tensor;
    /** `topk(this, ...)` as a method (`torch.Tensor.topk`): see `topk`. */
    topk(k: number, dim?: number | TopkOptions, options?: TopkOptions): ValuesIndices;
  }
}

Tensor.prototype.sort = function (this: Tensor, dim?: number | SortOptions, options?: SortOptions) {
  return sort(this, dim, options);
};
Tensor.prototype.argsort = function (this: Tensor, dim?: number | SortOptions, options?: SortOptions) {
  return argsort(this, dim, options);
};
Tensor.prototype.topk = function (this: Tensor, k: number, dim?: number | TopkOptions, options?: TopkOptions) {
  return topk(this, k, dim, options);
};
