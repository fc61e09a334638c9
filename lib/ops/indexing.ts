// Indexing by int32 index tensors: gather/scatter/scatterAdd, indexSelect, maskedFill, oneHot,
// nonzero (sort/argsort/topk are in sort.ts). Plain loops over precomputed element offsets.
// Every gradient is another op of this file (gather <-> scatterAdd, indexSelect <-> indexAdd,
// maskedFill), so gradients of any order work. Indices are bounds-checked before any write.
import type { DType } from '../dtype.js';
import { checkOptions, describe, refuseStorageOnly } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { allocate, byteScalar, FLOATING_DTYPES } from '../dtype.js';
import { broadcastShapes, formatShape, normalizeDim, numel, sameShape, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { copyRaw, elementOffsets, valuesAs, widenBf16 } from '../raw/strided.js';
import { recorded } from '../trace.js';

type Offsets = Int32Array | Float64Array;

function checkTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor))
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  refuseStorageOnly(op, t);
}

function checkIndex(op: string, index: unknown, name = 'index'): asserts index is Tensor {
  checkTensor(op, name, index);
  if (index.dtype !== 'int32') throw new TypeError(`${op}: ${name} must be an int32 tensor, got ${index.dtype}`);
}

/** The index values (row-major), each checked to lie in [0, size). */
function indexValues(op: string, index: Tensor, size: number, dim: number): Int32Array {
  const v = valuesAs(index, index.shape) as Int32Array;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0 || v[i] >= size)
      throw new RangeError(`${op}: index ${v[i]} is out of bounds for dim ${dim} with size ${size}`);
  }
  return v;
}

/** Offsets of x's elements at the positions of `shape`, with dim `dim`'s stride zeroed. */
function offsetsAlong(x: Tensor, shape: Shape, dim: number): Offsets {
  const strides = x.strides.map((s, d) => (d === dim ? 0 : s));
  return elementOffsets(shape, strides, x.offset);
}

// ---- gather / scatter / scatterAdd ------------------------------------------------------

/** The checks torch makes on (x, dim, index[, src]) for gather and scatter. */
function checkScatterShapes(op: string, x: Tensor, dim: number, index: Tensor, src?: Tensor): void {
  if (index.ndim !== x.ndim && !(index.numel() === 0)) {
    throw new RangeError(
      `${op}: index ${formatShape(index.shape)} must have as many dims as the input ${formatShape(x.shape)}`,
    );
  }
  index.shape.forEach((s, d) => {
    if (d !== dim && s > x.shape[d]) {
      throw new RangeError(
        `${op}: index shape ${formatShape(index.shape)} exceeds input shape ${formatShape(x.shape)} at dim ${d} (${s} > ${x.shape[d]})`,
      );
    }
    if (src && s > src.shape[d]) {
      throw new RangeError(
        `${op}: index shape ${formatShape(index.shape)} exceeds src shape ${formatShape(src.shape)} at dim ${d} (${s} > ${src.shape[d]})`,
      );
    }
  });
  if (src && src.ndim !== x.ndim)
    throw new RangeError(
      `${op}: src ${formatShape(src.shape)} must have as many dims as the input ${formatShape(x.shape)}`,
    );
}

function gatherRaw(x: Tensor, dim: number, index: Tensor): Tensor {
  const idx = indexValues('gather', index, x.ndim ? x.shape[dim] : 1, dim);
  const out = allocate(x.dtype, idx.length);
  const offs = offsetsAlong(x, index.shape, dim);
  const step = x.ndim ? x.strides[dim] : 0;
  const src = x.storage.data;
  for (let i = 0; i < idx.length; i++) out[i] = src[offs[i] + idx[i] * step];
  return new Tensor(new Storage(out), index.shape);
}

/** A copy of x with src's elements written (add: added) at index along dim. */
function scatterRaw(op: string, x: Tensor, dim: number, index: Tensor, src: Tensor | number, add: boolean): Tensor {
  const idx = indexValues(op, index, x.ndim ? x.shape[dim] : 1, dim);
  const out = copyRaw(x);
  const o = out.storage.data;
  const offs = offsetsAlong(out, index.shape, dim);
  const step = out.ndim ? out.strides[dim] : 0;
  if (typeof src === 'number') {
    for (let i = 0; i < idx.length; i++) o[offs[i] + idx[i] * step] = add ? o[offs[i] + idx[i] * step] + src : src;
  } else {
    const s = src.storage.data;
    const so = elementOffsets(index.shape, src.strides, src.offset);
    if (add) for (let i = 0; i < idx.length; i++) o[offs[i] + idx[i] * step] += s[so[i]];
    else for (let i = 0; i < idx.length; i++) o[offs[i] + idx[i] * step] = s[so[i]];
  }
  return out;
}

/** g (index's shape) placed into the leading block of zeros of `shape` (for src larger than index). */
const padToOp: (g: Tensor, shape: Shape) => Tensor = defineOp({
  name: 'padTo',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ gShape: Shape }>, g: Tensor, shape: Shape) {
    ctx.gShape = g.shape;
    const out = new Tensor(new Storage(allocate(g.dtype, numel(shape))), shape);
    const block = new Tensor(out.storage, g.shape, out.strides, 0);
    const dst = elementOffsets(block.shape, block.strides, 0);
    const v = valuesAs(g, g.shape);
    for (let i = 0; i < dst.length; i++) out.storage.data[dst[i]] = v[i];
    return out;
  },
  backward(ctx, gg) {
    const shape = ctx.gShape;
    return [copyRaw(new Tensor(gg.storage, shape, gg.strides, gg.offset))];
  },
});

function gradForSrc(g: Tensor, dim: number, index: Tensor, srcShape: Shape): Tensor {
  const gathered = gatherOp(g, dim, index);
  return sameShape(gathered.shape, srcShape) ? gathered : padToOp(gathered, srcShape);
}

const gatherOp: (x: Tensor, dim: number, index: Tensor) => Tensor = defineOp({
  name: 'gather',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ dim: number; index: Tensor; inShape: Shape }>, x: Tensor, dim: number, index: Tensor) {
    ctx.dim = dim;
    ctx.index = index;
    ctx.inShape = x.shape;
    return gatherRaw(x, dim, index);
  },
  backward(ctx, g) {
    const zeros = new Tensor(new Storage(allocate(g.dtype, numel(ctx.inShape))), ctx.inShape);
    return [scatterAddOp(zeros, ctx.dim, ctx.index, g), null];
  },
});

export const scatterAddOp: (x: Tensor, dim: number, index: Tensor, src: Tensor) => Tensor = defineOp({
  name: 'scatterAdd',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(
    ctx: OpContext<{ dim: number; index: Tensor; srcShape: Shape }>,
    x: Tensor,
    dim: number,
    index: Tensor,
    src: Tensor,
  ) {
    ctx.dim = dim;
    ctx.index = index;
    ctx.srcShape = src.shape;
    return scatterRaw('scatterAdd', x, dim, index, src, true);
  },
  backward(ctx, g) {
    const { dim, index } = ctx;
    return [g, null, ctx.needsInputGrad[2] ? gradForSrc(g, dim, index, ctx.srcShape) : null];
  },
});

const scatterOp: (x: Tensor, dim: number, index: Tensor, src: Tensor | number) => Tensor = defineOp({
  name: 'scatter',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(
    ctx: OpContext<{ dim: number; index: Tensor; srcShape: Shape | null }>,
    x: Tensor,
    dim: number,
    index: Tensor,
    src: Tensor | number,
  ) {
    ctx.dim = dim;
    ctx.index = index;
    ctx.srcShape = src instanceof Tensor ? src.shape : null;
    return scatterRaw('scatter', x, dim, index, src, false);
  },
  backward(ctx, g) {
    const { dim, index } = ctx;
    // Overwritten positions get no gradient; src gets the gradient of where it went.
    const gx = ctx.needsInputGrad[0] ? scatterOp(g, dim, index, 0) : null;
    const gsrc = ctx.srcShape && ctx.needsInputGrad[2] ? gradForSrc(g, dim, index, ctx.srcShape) : null;
    return [gx, null, gsrc];
  },
});

/** out[i][j] = x[index[i][j]][j] for dim 0, and so on (torch.gather). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', 'input', x);
  checkIndex('gather', index);
  const d = normalizeDim('gather', dim, x.ndim);
  checkScatterShapes('gather', x, d, index);
  return gatherOp(x, d, index);
}

function scatterArgs(op: string, x: Tensor, dim: number, index: Tensor, src: Tensor | number): number {
  checkTensor(op, 'input', x);
  checkIndex(op, index);
  const d = normalizeDim(op, dim, x.ndim);
  if (src instanceof Tensor) {
    if (src.dtype !== x.dtype)
      throw new TypeError(`${op}: src dtype ${src.dtype} does not match the input's ${x.dtype}`);
    checkScatterShapes(op, x, d, index, src);
  } else if (typeof src === 'number' || typeof src === 'boolean') {
    checkScatterShapes(op, x, d, index);
  } else {
    throw new TypeError(`${op}: src must be a Tensor or a number, got ${src === null ? 'null' : typeof src}`);
  }
  return d;
}

/** A copy of x with src (or a value) written at index along dim (torch.scatter, out of place). */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  const d = scatterArgs('scatter', x, dim, index, src);
  return scatterOp(x, d, index, typeof src === 'boolean' ? Number(src) : src);
}

/** A copy of x with src added at index along dim; repeated indices accumulate (torch.scatter_add). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  if (!(src instanceof Tensor))
    throw new TypeError(`scatterAdd: src must be a Tensor, got ${src === null ? 'null' : typeof src}`);
  const d = scatterArgs('scatterAdd', x, dim, index, src);
  return scatterAddOp(x, d, index, src);
}

// ---- indexSelect / indexAdd -------------------------------------------------------------

function indexSelectRaw(x: Tensor, dim: number, index: Tensor): Tensor {
  const idx = indexValues('indexSelect', index, x.ndim ? x.shape[dim] : 1, dim);
  const shape = x.ndim ? x.shape.map((s, d) => (d === dim ? idx.length : s)) : [];
  const offs = offsetsAlong(x, shape, dim);
  const out = allocate(x.dtype, offs.length);
  const src = x.storage.data;
  const step = x.ndim ? x.strides[dim] : 0;
  const inner = x.ndim ? numel(shape.slice(dim + 1)) : 1;
  const outer = idx.length * inner;
  for (let i = 0; i < out.length; i++) out[i] = src[offs[i] + idx[Math.floor((i % outer) / inner)] * step];
  return new Tensor(new Storage(out), shape);
}

/** zeros(shape) with src's slices added at index along dim (index_add into zeros). */
const indexAddOp: (shape: Shape, dim: number, index: Tensor, src: Tensor) => Tensor = defineOp({
  name: 'indexAdd',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ dim: number; index: Tensor }>, shape: Shape, dim: number, index: Tensor, src: Tensor) {
    ctx.dim = dim;
    ctx.index = index;
    const idx = valuesAs(index, index.shape) as Int32Array;
    const out = allocate(src.dtype, numel(shape));
    const outT = new Tensor(new Storage(out), shape);
    const offs = offsetsAlong(outT, src.shape, dim);
    const s = valuesAs(src, src.shape);
    const step = shape.length ? outT.strides[dim] : 0;
    const inner = shape.length ? numel(src.shape.slice(dim + 1)) : 1;
    const outer = idx.length * inner;
    for (let i = 0; i < s.length; i++) out[offs[i] + idx[Math.floor((i % outer) / inner)] * step] += s[i];
    return outT;
  },
  backward(ctx, g) {
    return [null, indexSelectOp(g, ctx.dim, ctx.index)]; // (index, src)
  },
});

const indexSelectOp: (x: Tensor, dim: number, index: Tensor) => Tensor = defineOp({
  name: 'indexSelect',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ dim: number; index: Tensor; inShape: Shape }>, x: Tensor, dim: number, index: Tensor) {
    ctx.dim = dim;
    ctx.index = index;
    ctx.inShape = x.shape;
    return indexSelectRaw(x, dim, index);
  },
  backward(ctx, g) {
    return [indexAddOp(ctx.inShape, ctx.dim, ctx.index, g), null];
  },
});

/** The slices of x at the given indices along dim (torch.index_select); index is 1-D int32. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('indexSelect', 'input', x);
  checkIndex('indexSelect', index);
  if (index.ndim > 1) throw new RangeError(`indexSelect: index must be 1-D, got shape ${formatShape(index.shape)}`);
  const d = normalizeDim('indexSelect', dim, x.ndim);
  return indexSelectOp(x, d, index.ndim === 0 ? new Tensor(index.storage, [1], [1], index.offset) : index);
}

// ---- maskedFill ---------------------------------------------------------------------------

const maskedFillOp: (x: Tensor, mask: Tensor, value: number) => Tensor = defineOp({
  name: 'maskedFill',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ mask: Tensor }>, x: Tensor, mask: Tensor, value: number) {
    ctx.mask = mask;
    const out = copyRaw(x);
    const m = valuesAs(mask, x.shape);
    const o = out.storage.data;
    for (let i = 0; i < m.length; i++) if (m[i]) o[i] = value;
    return out;
  },
  backward(ctx, g) {
    return [maskedFillOp(g, ctx.mask, 0), null];
  },
});

/** A copy of x with `value` where mask (bool, broadcast to x's shape) is true (torch.masked_fill). */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean): Tensor {
  checkTensor('maskedFill', 'input', x);
  checkTensor('maskedFill', 'mask', mask);
  if (mask.dtype !== 'bool') throw new TypeError(`maskedFill: mask must be a bool tensor, got ${mask.dtype}`);
  if (typeof value !== 'number' && typeof value !== 'boolean')
    throw new TypeError(`maskedFill: value must be a number, got ${typeof value}`);
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) {
    throw new RangeError(
      `maskedFill: mask of shape ${formatShape(mask.shape)} does not broadcast to the input's shape ${formatShape(x.shape)}`,
    );
  }
  return maskedFillOp(x, mask, byteScalar('maskedFill', x.dtype, Number(value)));
}

// ---- oneHot / nonzero ---------------------------------------------------------------------

/** [..., numClasses] int32 one-hot rows (torch.nn.functional.one_hot); -1: max + 1 classes. */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  checkIndex('oneHot', indices, 'input');
  return recorded('oneHot', [indices, numClasses], () => oneHotRaw(indices, numClasses));
}

function oneHotRaw(indices: Tensor, numClasses: number): Tensor {
  const v = valuesAs(indices, indices.shape) as Int32Array;
  let classes = numClasses;
  if (classes === -1) {
    if (v.length === 0)
      throw new RangeError('oneHot: cannot infer the number of classes from an empty tensor; pass numClasses');
    classes = 0;
    for (let i = 0; i < v.length; i++) classes = Math.max(classes, v[i] + 1);
  } else if (!Number.isInteger(classes) || classes < 0) {
    throw new RangeError(`oneHot: numClasses must be -1 or a non-negative integer, got ${describe(numClasses)}`);
  }
  const out = new Int32Array(v.length * classes);
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0 || v[i] >= classes)
      throw new RangeError(`oneHot: class value ${v[i]} is out of range [0, ${classes})`);
    out[i * classes + v[i]] = 1;
  }
  return new Tensor(new Storage(out), [...indices.shape, classes]);
}

/** [count, ndim] int32 coordinates of the nonzero elements in row-major order (torch.nonzero). */
export function nonzero(x: Tensor): Tensor;
export function nonzero(x: Tensor, options: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, options?: { asTuple?: boolean }): Tensor | Tensor[] {
  checkTensor('nonzero', 'input', x);
  checkOptions('nonzero', options, { asTuple: 'boolean' });
  const asTuple = options?.asTuple ?? false;
  return recorded('nonzero', [x, asTuple], () => nonzeroRaw(widenBf16(x), asTuple));
}

function nonzeroRaw(x: Tensor, asTuple: boolean): Tensor | Tensor[] {
  const v = valuesAs(x, x.shape);
  const nd = x.ndim;
  const coords: number[] = [];
  const idx = new Array<number>(nd).fill(0);
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) coords.push(...idx); // NaN !== 0: nonzero, as torch
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < x.shape[d]) break;
      idx[d] = 0;
    }
  }
  const count = nd === 0 ? (v[0] !== 0 ? 1 : 0) : coords.length / nd;
  const all = new Tensor(new Storage(Int32Array.from(coords)), [count, nd]);
  if (!asTuple) return all;
  if (nd === 0) return [new Tensor(new Storage(new Int32Array(count)), [count])];
  return Array.from({ length: nd }, (_, d) => copyRaw(new Tensor(all.storage, [count], [nd], d)));
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    /** `gather(this, ...)` as a method (`torch.Tensor.gather`): see `gather`. */
    gather(dim: number, index: Tensor): Tensor;
    /** `scatter(this, ...)` as a method (`torch.Tensor.scatter`): see `scatter`. */
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    /** `scatterAdd(this, ...)` as a method (`torch.Tensor.scatter_add`): see `scatterAdd`. */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** `indexSelect(this, ...)` as a method (`torch.Tensor.index_select`): see `indexSelect`. */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** `maskedFill(this, ...)` as a method (`torch.Tensor.masked_fill`): see `maskedFill`. */
    maskedFill(mask: Tensor, value: number | boolean): Tensor;
    /** `nonzero(this)` as a method (`torch.Tensor.nonzero`): see `nonzero`. */
    nonzero(): Tensor;
  }
}

Tensor.prototype.gather = function (this: Tensor, dim: number, index: Tensor) {
  return gather(this, dim, index);
};
Tensor.prototype.scatter = function (this: Tensor, dim: number, index: Tensor, src: Tensor | number) {
  return scatter(this, dim, index, src);
};
Tensor.prototype.scatterAdd = function (this: Tensor, dim: number, index: Tensor, src: Tensor) {
  return scatterAdd(this, dim, index, src);
};
Tensor.prototype.indexSelect = function (this: Tensor, dim: number, index: Tensor) {
  return indexSelect(this, dim, index);
};
Tensor.prototype.maskedFill = function (this: Tensor, mask: Tensor, value: number | boolean) {
  return maskedFill(this, mask, value);
};
Tensor.prototype.nonzero = function (this: Tensor) {
  return nonzero(this);
};
