// einsum's forward on raw tensors (no history). Subscripts are integer labels. Per operand:
// size-1 dims that broadcast are dropped, repeated labels become a diagonal (a strided view),
// labels no one else needs are summed; then operands are contracted pairwise, left to right,
// each contraction one batched GEMM over [batch, m, k] x [batch, k, n] views (products with
// nothing to contract, and per-batch dot products, take one elementwise pass instead).
import { allocate, type DType } from '../dtype.js';
import { BinaryOp, native, ReduceOp } from '../native.js';
import { contiguousStrides, numel } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { bmmRaw } from './gemm.js';
import { mulInt32, sumInt32 } from './int32_products.js';
import { emptyFloat } from './elementwise.js';
import { copyRaw } from './strided.js';
import { roundToBf16InPlace } from './round_bf16.js';

export type Label = number;

/** A new zero-filled contiguous tensor of a floating dtype (float32 or float64). */
export function emptyFloating(dtype: DType, shape: readonly number[]): Tensor {
  return dtype === 'float32' ? emptyFloat(shape) : new Tensor(new Storage(allocate(dtype, numel(shape))), shape);
}

/** An equation over integer labels: one label list per operand, and the output's. */
export interface EinsumSpec {
  inputs: Label[][];
  output: Label[];
  /**
   * Under autocast: the contractions that run as batched GEMMs multiply in bf16 (fp32 sums) and
   * round their results to bf16, as torch's einsum's bmm calls do.
   */
  bf16?: boolean;
}

/** A raw tensor whose dims carry distinct labels; `fresh` when it owns its storage. */
interface Labelled {
  t: Tensor;
  labels: Label[];
  fresh: boolean;
}

/** Each label's size over all operands: size-1 dims broadcast against the others. */
export function labelSizes(spec: EinsumSpec, ts: readonly Tensor[]): Map<Label, number> {
  const sizes = new Map<Label, number>();
  spec.inputs.forEach((labels, i) => {
    labels.forEach((l, d) => {
      const s = ts[i].shape[d];
      const seen = sizes.get(l);
      if (seen === undefined || seen === 1) sizes.set(l, s);
    });
  });
  return sizes;
}

/** The dims of operand i that broadcast (size 1 against a larger size): they carry no label. */
export function broadcastDims(labels: Label[], shape: readonly number[], sizes: Map<Label, number>): boolean[] {
  return labels.map((l, d) => shape[d] === 1 && sizes.get(l) !== 1);
}

/** Drops broadcast dims and folds repeated labels into one diagonal dim (a view). */
function prepare(t: Tensor, labels: Label[], sizes: Map<Label, number>): Labelled {
  const skip = broadcastDims(labels, t.shape, sizes);
  const out: Label[] = [];
  const shape: number[] = [];
  const strides: number[] = [];
  labels.forEach((l, d) => {
    if (skip[d]) return;
    const at = out.indexOf(l);
    if (at >= 0) {
      strides[at] += t.strides[d];
    } else {
      out.push(l);
      shape.push(t.shape[d]);
      strides.push(t.strides[d]);
    }
  });
  return { t: new Tensor(t.storage, shape, strides, t.offset), labels: out, fresh: false };
}

/**
 * Sums x over the labels not in `keep` (a new contiguous tensor), or returns x when none. int32:
 * modulo 2^32 when the sum contracts a product (`wraps`), else exact (an error past int32).
 */
function sumExcept(x: Labelled, keep: (l: Label) => boolean, wraps = false): Labelled {
  const axes = x.labels.map((l, d) => (keep(l) ? -1 : d)).filter((d) => d >= 0);
  if (axes.length === 0) return x;
  const labels = x.labels.filter((l) => keep(l));
  if (x.t.dtype === 'int32') return { t: sumInt32('einsum', x.t, axes, wraps), labels, fresh: true };
  const out = emptyFloating(
    x.t.dtype,
    labels.map((l) => x.t.shape[x.labels.indexOf(l)]),
  );
  native.reduce(
    ReduceOp.sum,
    x.t.shape,
    x.t.storage.data as Float32Array | Float64Array,
    x.t.offset,
    x.t.strides,
    axes,
    out.storage.data as Float32Array | Float64Array,
  );
  return { t: out, labels, fresh: true };
}

/** The dims of x in `order` (labels), as a view. */
function permuted(x: Labelled, order: Label[]): Tensor {
  const dims = order.map((l) => x.labels.indexOf(l));
  return new Tensor(
    x.t.storage,
    dims.map((d) => x.t.shape[d]),
    dims.map((d) => x.t.strides[d]),
    x.t.offset,
  );
}

/** One (size, stride) for consecutive dims [from, to) of t, or null when they do not line up. */
function mergeDims(t: Tensor, from: number, to: number): [number, number] | null {
  let size = 1;
  let stride = 1;
  let started = false;
  for (let d = from; d < to; d++) {
    const s = t.shape[d];
    if (s === 1) continue;
    if (!started) {
      [size, stride, started] = [s, t.strides[d], true];
    } else if (stride === t.strides[d] * s) {
      size *= s;
      stride = t.strides[d];
    } else {
      return null;
    }
  }
  return [size, stride];
}

/** t with dims [0, nb) kept and [nb, nb+g1), [nb+g1, end) merged into two: a GEMM operand. */
function asBatchedMatrix(t: Tensor, nb: number, g1: number): Tensor {
  const end = t.ndim;
  let rows = mergeDims(t, nb, nb + g1);
  let cols = mergeDims(t, nb + g1, end);
  if (!rows || !cols) {
    t = copyRaw(t);
    rows = mergeDims(t, nb, nb + g1)!;
    cols = mergeDims(t, nb + g1, end)!;
  }
  return new Tensor(
    t.storage,
    [...t.shape.slice(0, nb), rows[0], cols[0]],
    [...t.strides.slice(0, nb), rows[1], cols[1]],
    t.offset,
  );
}

/** sum over `summed` of a * b broadcast over the labels [...kept, ...summed]: a new tensor over kept. */
function multiplyAndSum(a: Labelled, b: Labelled, kept: Label[], summed: Label[]): Labelled {
  const all = [...kept, ...summed];
  const size = (l: Label) => (a.labels.includes(l) ? a.t.shape[a.labels.indexOf(l)] : b.t.shape[b.labels.indexOf(l)]);
  const shape = all.map(size);
  const stridesOf = (x: Labelled) => all.map((l) => (x.labels.includes(l) ? x.t.strides[x.labels.indexOf(l)] : 0));
  if (a.t.dtype === 'int32') {
    const p = mulInt32(shape, a.t, stridesOf(a), b.t, stridesOf(b));
    return sumExcept({ t: p, labels: all, fresh: true }, (l) => !summed.includes(l), true);
  }
  const product = emptyFloating(a.t.dtype, shape);
  if (numel(shape) > 0) {
    native.binary(
      BinaryOp.mul,
      shape,
      product.storage.data as Float32Array | Float64Array,
      0,
      contiguousStrides(shape),
      a.t.storage.data as Float32Array | Float64Array,
      a.t.offset,
      stridesOf(a),
      b.t.storage.data as Float32Array | Float64Array,
      b.t.offset,
      stridesOf(b),
    );
  }
  return sumExcept({ t: product, labels: all, fresh: true }, (l) => !summed.includes(l));
}

/** Contracts a and b over their shared labels that `keep` does not need. */
function contract(a: Labelled, b: Labelled, keep: Set<Label>, bf16: boolean): Labelled {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  a = sumExcept(a, (l) => inB.has(l) || keep.has(l));
  b = sumExcept(b, (l) => inA.has(l) || keep.has(l));
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const rowsL = a.labels.filter((l) => !inB.has(l));
  const colsL = b.labels.filter((l) => !inA.has(l));
  // No contraction (a broadcast product), or only dot products per batch element: one
  // elementwise pass (and a sum) beats many 1x1 GEMMs.
  if (summed.length === 0 || (rowsL.length === 0 && colsL.length === 0))
    return multiplyAndSum(a, b, [...batch, ...rowsL, ...colsL], summed);
  const A = asBatchedMatrix(permuted(a, [...batch, ...rowsL, ...summed]), batch.length, rowsL.length);
  const B = asBatchedMatrix(permuted(b, [...batch, ...summed, ...colsL]), batch.length, summed.length);
  const c = bmmRaw('einsum', A, B, bf16 ? 'bfloat16' : 'float32');
  if (bf16) roundToBf16InPlace(c.storage.data as Float32Array);
  const labels = [...batch, ...rowsL, ...colsL];
  const size = (l: Label) => (a.labels.includes(l) ? a.t.shape[a.labels.indexOf(l)] : b.t.shape[b.labels.indexOf(l)]);
  const shape = labels.map(size);
  return { t: new Tensor(c.storage, shape, contiguousStrides(shape), 0), labels, fresh: true };
}

/** The einsum of `ts` by `spec`: a new contiguous tensor (float32, float64 or int32) over the output labels. */
export function einsumRaw(spec: EinsumSpec, ts: readonly Tensor[]): Tensor {
  const sizes = labelSizes(spec, ts);
  const ops = ts.map((t, i) => prepare(t, spec.inputs[i], sizes));
  const out = new Set(spec.output);
  // Labels in no other operand and not in the output are summed right away.
  const uses = new Map<Label, number>();
  for (const o of ops) for (const l of o.labels) uses.set(l, (uses.get(l) ?? 0) + 1);
  let cur = sumExcept(ops[0], (l) => out.has(l) || uses.get(l)! > 1);
  for (let i = 1; i < ops.length; i++) {
    const next = sumExcept(ops[i], (l) => out.has(l) || uses.get(l)! > 1);
    const keep = new Set(spec.output);
    for (let j = i + 1; j < ops.length; j++) for (const l of ops[j].labels) keep.add(l);
    cur = contract(cur, next, keep, spec.bf16 === true);
  }
  cur = sumExcept(cur, (l) => out.has(l));
  const inOrder = cur.labels.every((l, d) => l === spec.output[d]);
  if (cur.fresh && inOrder && cur.t.isContiguous())
    return new Tensor(cur.t.storage, cur.t.shape, cur.t.strides, cur.t.offset);
  return copyRaw(permuted(cur, spec.output));
}
