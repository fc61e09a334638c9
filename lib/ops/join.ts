// Joining and splitting: cat, stack, split, chunk, unbind, repeat, flip.
import { checkElementCount, checkNumbers, checkTensor, describe } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { allocate, FLOATING_DTYPES, promoteTypes, type DType } from '../dtype.js';
import { cast } from './cast.js';
import { checkAllocation, formatShape, normalizeDim, normalizeDims, numel } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { elementOffsets, writeInto } from '../raw/strided.js';
import { expand, narrow, reshape, select, unsqueeze } from './view.js';
import { recorded } from '../trace.js';

const catOp = defineOp({
  name: 'cat',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ dim: number; sizes: number[]; dtypes: DType[] }>, dim: number, ...ts: Tensor[]) {
    ctx.dim = dim;
    ctx.sizes = ts.map((t) => t.shape[dim]);
    ctx.dtypes = ts.map((t) => t.dtype);
    const dtype = ts.map((t) => t.dtype).reduce(promoteTypes);
    const shape = [...ts[0].shape];
    shape[dim] = ts.reduce((n, t) => n + t.shape[dim], 0);
    const out = new Tensor(new Storage(allocate(dtype, numel(shape))), shape);
    let at = 0;
    for (const t of ts) {
      writeInto(narrowRaw(out, dim, at, t.shape[dim]), t);
      at += t.shape[dim];
    }
    return out;
  },
  backward(ctx, g) {
    const dim = ctx.dim;
    let at = 0;
    return ctx.sizes.map((n, i) => {
      // Each input's gradient in its own dtype (float32 and float64 inputs give a float64 result).
      const piece = ctx.needsInputGrad[i] ? cast(narrow(g, dim, at, n), ctx.dtypes[i]) : null;
      at += n;
      return piece;
    });
  },
});

/** A narrow view without history (for writing into a fresh result). */
function narrowRaw(t: Tensor, dim: number, start: number, length: number): Tensor {
  const shape = [...t.shape];
  shape[dim] = length;
  return new Tensor(t.storage, shape, t.strides, t.offset + start * t.strides[dim]);
}

/** Concatenates along dim; every other dim must match (torch.cat). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new RangeError(`cat: expected a non-empty array of tensors, got ${describe(tensors)}`);
  tensors.forEach((t, i) => checkTensor('cat', `tensors[${i}]`, t));
  const first = tensors[0];
  if (first.ndim === 0) throw new RangeError('cat: zero-dimensional tensors cannot be concatenated');
  const d = normalizeDim('cat', dim, first.ndim);
  tensors.forEach((t, i) => {
    const ok = t.ndim === first.ndim && t.shape.every((s: number, k: number) => k === d || s === first.shape[k]);
    if (!ok) {
      throw new RangeError(
        `cat: sizes of tensors must match except in dim ${d}: tensor 0 has shape ${formatShape(first.shape)}, tensor ${i} has shape ${formatShape(t.shape)}`,
      );
    }
  });
  return catOp(d, ...tensors);
}

/** Joins along a new dim (torch.stack). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new RangeError(`stack: expected a non-empty array of tensors, got ${describe(tensors)}`);
  const first = tensors[0];
  tensors.forEach((t, i) => {
    checkTensor('stack', `tensors[${i}]`, t);
    if (t.ndim !== first.ndim || t.shape.some((s: number, k: number) => s !== first.shape[k])) {
      throw new RangeError(
        `stack: expects each tensor to be equal size, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`,
      );
    }
  });
  const d = normalizeDim('stack', dim, first.ndim + 1);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** Pieces of `size` along dim (the last may be smaller), or of the given sizes (torch.split). */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  checkTensor('split', 'input', x);
  const d = normalizeDim('split', dim, x.ndim);
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0)
      throw new RangeError(`split: split size must be a positive integer, got ${describe(sizeOrSections)}`);
    sizes = [];
    for (let at = 0; at < n; at += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - at));
    if (n === 0) sizes.push(0);
  } else {
    sizes = checkNumbers('split', 'sizeOrSections', sizeOrSections);
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n)
      throw new RangeError(`split: sizes ${formatShape(sizes)} sum to ${total}, but dim ${d} has size ${n}`);
  }
  return pieces(x, d, sizes, typeof sizeOrSections === 'number' ? { size: sizeOrSections } : { sections: sizes });
}

/** How a split was asked for: what its pieces follow when the dim's size changes (onnx.export). */
export type SplitSpec = { size: number } | { sections: number[] } | { chunks: number };

/** x cut along dim d into pieces of `sizes`: one op of a traced forward. */
function pieces(x: Tensor, d: number, sizes: number[], spec: SplitSpec): Tensor[] {
  return recorded('split', [x, d, sizes, spec], () => {
    let at = 0;
    return sizes.map((s) => {
      const piece = narrow(x, d, at, s);
      at += s;
      return piece;
    });
  });
}

/** `chunks` pieces of ceil(size / chunks) along dim (fewer when they run out), as torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', 'input', x);
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new RangeError(`chunk: chunks must be a positive integer, got ${describe(chunks)}`);
  const d = normalizeDim('chunk', dim, x.ndim);
  const n = x.shape[d];
  const size = Math.max(1, Math.ceil(n / chunks));
  const sizes: number[] = [];
  for (let at = 0; at < n; at += size) sizes.push(Math.min(size, n - at));
  if (n === 0) sizes.push(0);
  return pieces(x, d, sizes, { chunks });
}

/** The slices of x along dim, each without that dim (torch.unbind). */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensor('unbind', 'input', x);
  const d = normalizeDim('unbind', dim, x.ndim);
  return recorded('unbind', [x, d], () => Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i)));
}

/** Tiles x: sizes has at least x.ndim entries; extra ones add leading dims (torch.Tensor.repeat). */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  checkTensor('repeat', 'input', x);
  checkNumbers('repeat', 'sizes', sizes);
  if (sizes.length < x.ndim) {
    throw new RangeError(
      `repeat: number of repeat dims (${sizes.length}) can not be smaller than the tensor's dims (${x.ndim})`,
    );
  }
  sizes.forEach((s) => {
    if (!Number.isInteger(s) || s < 0)
      throw new RangeError(`repeat: invalid repeat count ${s} in ${formatShape(sizes)}`);
  });
  const lead = sizes.length - x.ndim;
  const shape = [...new Array<number>(lead).fill(1), ...x.shape];
  const repeated = shape.map((s, i) => s * sizes[i]);
  checkAllocation('repeat', repeated, x.dtype === 'bool' ? 1 : 4);
  checkElementCount('repeat', numel(repeated));
  // [a, b] -> [1, a, 1, b] -> expand [r0, a, r1, b] -> reshape [r0*a, r1*b]
  const inter = shape.flatMap((s) => [1, s]);
  const expanded = shape.flatMap((s, i) => [sizes[i], s]);
  return reshape(expand(reshape(x, inter), expanded), repeated);
}

function flipRaw(x: Tensor, dims: number[]): Tensor {
  const strides = [...x.strides];
  let offset = x.offset;
  for (const d of dims) {
    if (x.shape[d] > 0) offset += (x.shape[d] - 1) * x.strides[d];
    strides[d] = -strides[d];
  }
  const offs = elementOffsets(x.shape, strides, offset);
  const src = x.storage.data;
  const out = allocate(x.dtype as DType, offs.length);
  for (let i = 0; i < offs.length; i++) out[i] = src[offs[i]];
  return new Tensor(new Storage(out), x.shape);
}

const flipOp: (x: Tensor, dims: number[]) => Tensor = defineOp({
  name: 'flip',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ dims: number[] }>, x: Tensor, dims: number[]) {
    ctx.dims = dims;
    return flipRaw(x, dims);
  },
  backward(ctx, g) {
    return [flipOp(g, ctx.dims)];
  },
});

/** Reverses the order of elements along dims (a copy, as torch.flip). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  checkTensor('flip', 'input', x);
  return flipOp(x, normalizeDims('flip', dims, x.ndim));
}
