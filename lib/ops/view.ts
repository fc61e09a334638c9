// View ops: new shape/strides/offset over the same storage, with autograd. A strided view's
// backward embeds the gradient into zeros of the input's shape through the same view; that
// embedding's own backward is the view again, so higher-order gradients work.
import { type DType, isStorageOnlyDType, STORAGE_FLOATING_DTYPES, unsupportedDtype } from '../dtype.js';
import { checkAnyTensor, checkInt, checkNumbers, checkTensor, describe } from '../errors.js';
import { storageCopy } from '../quantization/quantize.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { formatShape, normalizeDim, numel, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { sumTo } from './reduce.js';
import { copyRaw, writeInto } from '../raw/strided.js';
import { zeros } from '../creation.js';

/** Re-strides a tensor: pure metadata, valid for any tensor of the op's input shape. */
export type Restride = (t: Tensor) => Tensor;

/** A view of x's storage; its _base is the tensor that owns the storage. */
export function asView(x: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  const v = new Tensor(x.storage, shape, strides, offset);
  v._base = x._base ?? x;
  return v;
}

/** What a strided view took (its dim, index or bounds), for the ONNX exporter. */
export type ViewParams = Record<string, number>;

const viewOps = new Map<string, (x: Tensor, make: Restride, params?: ViewParams) => Tensor>();

/**
 * The recorded strided view op called `name` (SelectBackward, TransposeBackward, ...). The view
 * must not repeat an element (its backward writes the gradient through it, it does not add).
 */
export function stridedView(name: string): (x: Tensor, make: Restride, params?: ViewParams) => Tensor {
  let op = viewOps.get(name);
  if (!op) {
    op = defineOp({
      name,
      dtypes: STORAGE_FLOATING_DTYPES,
      forward(ctx: OpContext<{ inShape: Shape; make: Restride }>, x: Tensor, make: Restride, _params?: ViewParams) {
        ctx.inShape = x.shape;
        ctx.make = make;
        return make(x);
      },
      backward(ctx, g) {
        return [embed(g, ctx.inShape, ctx.make, name)];
      },
      // The same view of the tangent: a view of a dual shares its tangent's storage.
      jvp: (ctx, t) => stridedView(name)(t!, ctx.make),
    });
    viewOps.set(name, op);
  }
  return op;
}

const embedOp = defineOp({
  name: 'viewEmbed',
  dtypes: STORAGE_FLOATING_DTYPES,
  forward(
    ctx: OpContext<{ make: Restride; viewName: string; inShape: Shape }>,
    g: Tensor,
    inShape: Shape,
    make: Restride,
    viewName: string,
  ) {
    ctx.make = make;
    ctx.inShape = inShape;
    ctx.viewName = viewName;
    const z = zeros(inShape, { dtype: g.dtype });
    writeInto(make(z), g);
    return z;
  },
  backward(ctx, gg) {
    return [stridedView(ctx.viewName)(gg, ctx.make)];
  },
  jvp: (ctx, t) => embed(t!, ctx.inShape, ctx.make, ctx.viewName),
});

function embed(g: Tensor, inShape: Shape, make: Restride, viewName: string): Tensor {
  return embedOp(g, inShape, make, viewName);
}

// ---- reshape family ---------------------------------------------------------------------

/** Strides that view (shape, strides) as newShape without copying, or null (ATen's computeStride). */
export function viewStrides(shape: Shape, strides: readonly number[], newShape: Shape): number[] | null {
  const out = new Array<number>(newShape.length);
  if (shape.length === 0 || numel(shape) === 0) {
    let s = 1;
    for (let d = newShape.length - 1; d >= 0; d--) {
      out[d] = s;
      s *= Math.max(newShape[d], 1);
    }
    return out;
  }
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

/** Flattens varargs or one array of sizes. */
export function sizesArg(args: readonly (number | readonly number[])[]): number[] {
  return (args.length === 1 && (Array.isArray(args[0]) || args[0] instanceof Int32Array) ? args[0] : args) as number[];
}

/** Resolves one -1 and checks the element count. */
function inferShape(op: string, from: Shape, shape: readonly number[]): number[] {
  const n = numel(from);
  const out = checkNumbers(op, 'shape', shape);
  const free = out.indexOf(-1);
  if (free !== out.lastIndexOf(-1))
    throw new RangeError(`${op}: only one dimension can be inferred (-1), got ${formatShape(shape)}`);
  for (let i = 0; i < out.length; i++) {
    if (i !== free && (!Number.isInteger(out[i]) || out[i] < 0))
      throw new RangeError(`${op}: invalid shape ${formatShape(shape)}`);
  }
  if (free >= 0) {
    const rest = numel(out.filter((_, i) => i !== free));
    if (rest === 0 || n % rest !== 0)
      throw new RangeError(`${op}: shape ${formatShape(shape)} is invalid for input of size ${n}`);
    out[free] = n / rest;
  }
  if (numel(out) !== n)
    throw new RangeError(
      `${op}: shape ${formatShape(shape)} is invalid for input of size ${n} (shape ${formatShape(from)})`,
    );
  return out;
}

/** x as `shape`: a view where the strides allow, else a copy (made by `copy`) or, for view, an error. */
function reshapeRaw(x: Tensor, shape: number[], mustView: boolean, copy: (x: Tensor) => Tensor): Tensor {
  const strides = viewStrides(x.shape, x.strides, shape);
  if (strides) return asView(x, shape, strides, x.offset);
  if (mustView) {
    throw new RangeError(
      `view: shape ${formatShape(shape)} is not compatible with the input's size and strides ` +
        `(shape ${formatShape(x.shape)}, strides ${formatShape(x.strides)}); use reshape(...) instead`,
    );
  }
  return new Tensor(copy(x).storage, shape);
}

/** x, checked as a view's input: a Tensor, of any dtype but the quantized ones (bfloat16 included). */
function viewInput(op: string, x: Tensor): Tensor {
  if (outsideAutograd(checkAnyTensor(op, 'input', x).dtype)) throw unsupportedDtype(op, x.dtype);
  return x;
}

/** The storage-only dtypes (qint8, quint8): they never carry gradients. */
function outsideAutograd(dtype: DType): boolean {
  return isStorageOnlyDType(dtype) && dtype !== 'bfloat16';
}

/**
 * reshape and view of the storage-only dtypes (qint8, quint8), outside autograd; a
 * per-channel quantized tensor keeps its shape, since its channel axis would move.
 */
function reshapeStorageOnly(op: string, x: Tensor, shape: number[], mustView: boolean): Tensor {
  const q = x.storage.quantizer;
  if (q !== null && q.axis >= 0 && formatShape(shape) !== formatShape(x.shape))
    throw unsupportedDtype(`${op} of a per-channel quantized tensor`, x.dtype);
  return reshapeRaw(x, shape, mustView, storageCopy);
}

const reshapeOp: (x: Tensor, shape: number[], mustView: boolean) => Tensor = defineOp({
  name: 'view',
  dtypes: STORAGE_FLOATING_DTYPES,
  forward(ctx: OpContext<{ inShape: Shape; outShape: number[] }>, x: Tensor, shape: number[], mustView: boolean) {
    ctx.inShape = x.shape;
    ctx.outShape = shape;
    return reshapeRaw(x, shape, mustView, copyRaw);
  },
  backward(ctx, g) {
    return [reshape(g, ctx.inShape)];
  },
  jvp: (ctx, t) => reshapeOp(t!, ctx.outShape, false),
});

/**
 * x with a new shape of as many elements (`torch.reshape`): a view when the strides allow,
 * a copy otherwise. One size may be -1, inferred from the others.
 * @throws RangeError if the sizes do not hold x's element count or more than one is -1.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkAnyTensor('reshape', 'input', x);
  const to = inferShape('reshape', x.shape, shape);
  return outsideAutograd(x.dtype) ? reshapeStorageOnly('reshape', x, to, false) : reshapeOp(x, to, false);
}

/**
 * x with a new shape of as many elements, always a view sharing its storage (`torch.Tensor.view`).
 * One size may be -1.
 * @throws RangeError if the sizes do not fit, or if x's strides allow no such view (use reshape).
 */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  checkAnyTensor('view', 'input', x);
  const to = inferShape('view', x.shape, shape);
  return outsideAutograd(x.dtype) ? reshapeStorageOnly('view', x, to, true) : reshapeOp(x, to, true);
}

/**
 * Dims startDim..endDim (inclusive; all by default) merged into one (`torch.flatten`).
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range.
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  viewInput('flatten', x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/**
 * Dim `dim` split into `sizes` (`torch.unflatten`); one size may be -1.
 * @throws RangeError if dim is out of range or the sizes do not multiply to its size.
 */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  viewInput('unflatten', x);
  const d = normalizeDim('unflatten', dim, x.ndim);
  const inner = inferShape('unflatten', [x.shape[d]], sizes);
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/**
 * x without its size-1 dims, or only the given ones (`torch.squeeze`); a view. A given dim
 * whose size is not 1 is kept, as PyTorch.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range.
 */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  viewInput('squeeze', x);
  const dims =
    dim === undefined
      ? x.shape.map((_, i) => i)
      : (typeof dim === 'number' ? [dim] : checkNumbers('squeeze', 'dim', dim)).map((d) =>
          normalizeDim('squeeze', d, x.ndim),
        );
  const drop = new Set(dims.filter((d) => x.shape[d] === 1));
  if (drop.size === 0) return x.requiresGrad ? reshape(x, x.shape) : x;
  return reshape(
    x,
    x.shape.filter((_, i) => !drop.has(i)),
  );
}

/**
 * x with a size-1 dim inserted at `dim` (`torch.unsqueeze`); a view. dim may be -x.ndim-1..x.ndim.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range.
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  viewInput('unsqueeze', x);
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

// ---- permutations -----------------------------------------------------------------------

const permuteOp: (x: Tensor, dims: number[]) => Tensor = defineOp({
  name: 'permute',
  dtypes: STORAGE_FLOATING_DTYPES,
  forward(ctx: OpContext<{ dims: number[] }>, x: Tensor, dims: number[]) {
    ctx.dims = dims;
    return asView(
      x,
      dims.map((d) => x.shape[d]),
      dims.map((d) => x.strides[d]),
      x.offset,
    );
  },
  backward(ctx, g) {
    const dims = ctx.dims;
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [permuteOp(g, inverse)];
  },
  jvp: (ctx, t) => permuteOp(t!, ctx.dims),
});

/**
 * x with its dims reordered (`torch.permute`); a view.
 * @throws RangeError unless dims is a permutation of x's dims.
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  viewInput('permute', x);
  checkNumbers('permute', 'dims', dims);
  if (dims.length !== x.ndim)
    throw new RangeError(
      `permute: expected ${x.ndim} dims for a tensor of shape ${formatShape(x.shape)}, got ${formatShape(dims)}`,
    );
  const ds = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (new Set(ds).size !== ds.length) throw new RangeError(`permute: dims ${formatShape(dims)} repeat a dim`);
  return permuteOp(x, ds);
}

/**
 * x with dims dim0 and dim1 swapped (`torch.transpose`); a view.
 * @throws TypeError if x is not a Tensor; RangeError if a dim is out of range.
 */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  viewInput('transpose', x);
  if (x.ndim === 0) return x;
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permuteOp(x, dims);
}

// ---- strided views ----------------------------------------------------------------------

/**
 * The slice at `index` along `dim`, which is removed (`torch.select`, `x[..., index]`); a view.
 * Negative indices count from the end.
 * @throws RangeError if dim or index is out of range.
 */
export function select(x: Tensor, dim: number, index: number): Tensor {
  viewInput('select', x);
  if (x.ndim === 0) throw new RangeError('select: cannot select from a 0-d tensor');
  const d = normalizeDim('select', dim, x.ndim);
  const size = x.shape[d];
  checkInt('select', 'index', index);
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(
      `select: index ${index} is out of range for dim ${d} of size ${size} (shape ${formatShape(x.shape)})`,
    );
  }
  const i = index < 0 ? index + size : index;
  return stridedView('select')(
    x,
    (t) =>
      asView(
        t,
        t.shape.filter((_, k) => k !== d),
        t.strides.filter((_, k) => k !== d),
        t.offset + i * t.strides[d],
      ),
    { dim: d, index: i },
  );
}

/** Python-style slice x[start:end:step] along dim; negative and out-of-range bounds clamp. */
export function slice(x: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  viewInput('slice', x);
  const d = normalizeDim('slice', dim, x.ndim);
  checkInt('slice', 'step', step);
  if (!Number.isInteger(step) || step <= 0)
    throw new RangeError(`slice: step must be a positive integer, got ${describe(step)}`);
  const size = x.shape[d];
  const clampIdx = (v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    if (!Number.isInteger(v)) throw new TypeError(`slice: bounds must be integers, got ${describe(v)}`);
    const w = v < 0 ? v + size : v;
    return Math.min(Math.max(w, 0), size);
  };
  const s = clampIdx(start, 0);
  const e = Math.max(clampIdx(end, size), s);
  const count = Math.ceil((e - s) / step);
  return stridedView('slice')(
    x,
    (t) => {
      const shape = [...t.shape];
      const strides = [...t.strides];
      shape[d] = count;
      strides[d] = t.strides[d] * step;
      return asView(t, shape, strides, t.offset + (count > 0 ? s * t.strides[d] : 0));
    },
    { dim: d, start: s, end: e, step },
  );
}

/**
 * The `length` elements from `start` along `dim` (`torch.narrow`); a view.
 * @throws RangeError if dim is out of range or start..start+length leaves the dim.
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  viewInput('narrow', x);
  const d = normalizeDim('narrow', dim, x.ndim);
  const size = x.shape[d];
  checkInt('narrow', 'start', start);
  checkInt('narrow', 'length', length);
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new RangeError(
      `narrow: start ${start} and length ${length} exceed dim ${d} of size ${size} (shape ${formatShape(x.shape)})`,
    );
  }
  return slice(x, d, s, s + length);
}

/** Swaps the last two dims (torch's .mT). */
export function mT(x: Tensor): Tensor {
  viewInput('mT', x);
  if (x.ndim < 2) throw new RangeError(`mT: expected a tensor of at least 2 dims, got shape ${formatShape(x.shape)}`);
  return transpose(x, -2, -1);
}

/** Reverses every dim (torch's .T). */
export function T(x: Tensor): Tensor {
  viewInput('T', x);
  return permute(
    x,
    x.shape.map((_, i) => x.ndim - 1 - i),
  );
}

// ---- expand -----------------------------------------------------------------------------

const expandOp: (x: Tensor, shape: number[]) => Tensor = defineOp({
  name: 'expand',
  // A view: bfloat16 expands as it is (a bfloat16 gradient sums in float32, rounded once).
  dtypes: STORAGE_FLOATING_DTYPES,
  forward(ctx: OpContext<{ inShape: Shape; outShape: number[] }>, x: Tensor, shape: number[]) {
    ctx.inShape = x.shape;
    ctx.outShape = shape;
    const lead = shape.length - x.ndim;
    const strides = shape.map((s, i) => (i < lead ? 0 : x.shape[i - lead] === 1 && s !== 1 ? 0 : x.strides[i - lead]));
    return asView(x, shape, strides, x.offset);
  },
  backward(ctx, g) {
    return [sumTo(g, ctx.inShape)];
  },
  jvp: (ctx, t) => expandOp(t!, ctx.outShape),
});

/** A broadcast view with `sizes` (-1 keeps a dim); new dims are added in front. */
export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  checkTensor('expand', 'input', x);
  checkNumbers('expand', 'sizes', sizes);
  const lead = sizes.length - x.ndim;
  if (lead < 0)
    throw new RangeError(
      `expand: the number of sizes (${sizes.length}) must be at least the tensor's dims (${x.ndim}); shape ${formatShape(x.shape)}`,
    );
  const shape = sizes.map((s, i) => {
    const have = i < lead ? null : x.shape[i - lead];
    if (s === -1) {
      if (have === null)
        throw new RangeError(`expand: -1 is not allowed for a new leading dim (sizes ${formatShape(sizes)})`);
      return have;
    }
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`expand: invalid size ${s} in ${formatShape(sizes)}`);
    if (have !== null && have !== 1 && have !== s) {
      throw new RangeError(
        `expand: the size of dim ${i} (${have}) must match ${s} or be 1 (shape ${formatShape(x.shape)} to ${formatShape(sizes)})`,
      );
    }
    return s;
  });
  if (shape.length === x.ndim && shape.every((s, i) => s === x.shape[i])) return x;
  return expandOp(x, shape);
}

/**
 * x expanded to `shape` by broadcasting (`torch.broadcast_to`); a view with stride 0 on
 * the expanded dims.
 * @throws RangeError if x's shape does not broadcast to shape.
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', 'input', x);
  return expand(x, shape);
}

// ---- copies -----------------------------------------------------------------------------

const cloneOp: (x: Tensor) => Tensor = defineOp({
  name: 'clone',
  dtypes: STORAGE_FLOATING_DTYPES,
  forward(_ctx, x: Tensor) {
    return copyRaw(x);
  },
  backward(_ctx, g) {
    return [g];
  },
  // A copy of the tangent too: an in-place op on the clone must not reach the original's.
  jvp: (_ctx, t) => cloneOp(t!),
});

/** A copy with its own storage (differentiable). */
export function clone(x: Tensor): Tensor {
  checkAnyTensor('clone', 'input', x);
  return outsideAutograd(x.dtype) ? storageCopy(x) : cloneOp(x);
}

/**
 * x itself if its elements are laid out in row-major order, else a row-major copy
 * (`torch.Tensor.contiguous`). Differentiable.
 * @throws TypeError if x is not a Tensor.
 */
export function contiguous(x: Tensor): Tensor {
  checkAnyTensor('contiguous', 'input', x);
  if (x.isContiguous()) return x;
  return outsideAutograd(x.dtype) ? storageCopy(x) : cloneOp(x);
}
