// embedding(indices, weight): rows of weight looked up by int32 indices. The backward is a
// scatter-add of the output gradient into a zero [numEmbeddings, dim] gradient (rows at
// paddingIdx get none), written as plain loops over contiguous rows.
import { checkOptions, describe } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { formatShape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { floatElements } from '../raw/elementwise.js';
import { FLOATING_DTYPES, isFloatingDType } from '../dtype.js';
import { widen } from '../raw/round_bf16.js';
import { valuesAs } from '../raw/strided.js';
import { recorded } from '../trace.js';
import { mul } from './binary.js';

/** The index values (row-major), each checked to lie in [0, rows). */
function checkedIndices(op: string, indices: Tensor, rows: number): Int32Array {
  const v = valuesAs(indices, indices.shape) as Int32Array;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0 || v[i] >= rows)
      throw new RangeError(`${op}: index ${v[i]} is out of range for an embedding of ${rows} rows`);
  }
  return v;
}

const embeddingOp: (weight: Tensor, indices: Tensor, idx: Int32Array, paddingIdx: number) => Tensor = defineOp({
  name: 'embedding',
  dtypes: FLOATING_DTYPES,
  forward(
    ctx: OpContext<{ indices: Tensor; idx: Int32Array; rows: number; dim: number; paddingIdx: number }>,
    weight: Tensor,
    indices: Tensor,
    idx: Int32Array,
    paddingIdx: number,
  ) {
    const shape = indices.shape;
    const [rows, dim] = weight.shape;
    const wd = floatElements(weight);
    const out = weight.dtype === 'float64' ? new Float64Array(idx.length * dim) : new Float32Array(idx.length * dim);
    for (let i = 0; i < idx.length; i++) out.set(wd.subarray(idx[i] * dim, (idx[i] + 1) * dim), i * dim);
    // idx may be a view of the indices' storage: keeping the tensor lets the backward refuse
    // indices modified in place since (the gradient would go to the wrong rows).
    ctx.indices = indices;
    ctx.idx = idx;
    ctx.rows = rows;
    ctx.dim = dim;
    ctx.paddingIdx = paddingIdx;
    return new Tensor(new Storage(out), [...shape, dim]);
  },
  // The gradient through embeddingBackwardOp: recorded only while a graph is being built.
  backward: (ctx, grad) => [embeddingBackwardOp(grad, ctx.indices, ctx.idx, ctx.rows, ctx.paddingIdx), null],
  // Linear in the weight: the same rows of the tangent.
  jvp: (ctx, tw) => embeddingOp(tw!, ctx.indices, ctx.idx, ctx.paddingIdx),
});

type EmbeddingBackward = (grad: Tensor, indices: Tensor, idx: Int32Array, rows: number, paddingIdx: number) => Tensor;

/**
 * embedding's backward as an op of its own: the scatter-add, linear in the gradient. Its
 * derivative looks up the same rows (none for paddingIdx), so under createGraph the weight's
 * gradient is recorded.
 */
const embeddingBackwardOp: EmbeddingBackward = defineOp({
  name: 'embeddingBackward',
  dtypes: FLOATING_DTYPES,
  forward(
    ctx: OpContext<{ indices: Tensor; idx: Int32Array; rows: number; paddingIdx: number }>,
    grad: Tensor,
    indices: Tensor,
    idx: Int32Array,
    rows: number,
    pad: number,
  ) {
    ctx.indices = indices;
    ctx.idx = idx;
    ctx.rows = rows;
    ctx.paddingIdx = pad;
    const dim = grad.shape[grad.ndim - 1];
    const gd = floatElements(grad);
    const dw = grad.dtype === 'float64' ? new Float64Array(rows * dim) : new Float32Array(rows * dim);
    for (let i = 0; i < idx.length; i++) {
      if (idx[i] === pad) continue;
      const src = i * dim;
      const dst = idx[i] * dim;
      for (let j = 0; j < dim; j++) dw[dst + j] += gd[src + j];
    }
    return new Tensor(new Storage(dw), [rows, dim]);
  },
  backward(ctx, gg) {
    const { idx, paddingIdx: pad } = ctx;
    const looked = embeddingOp(gg, ctx.indices, idx, pad);
    if (!idx.includes(pad)) return [looked, null];
    const keep = gg.dtype === 'float64' ? new Float64Array(idx.length) : new Float32Array(idx.length);
    for (let i = 0; i < idx.length; i++) keep[i] = idx[i] === pad ? 0 : 1;
    return [mul(looked, new Tensor(new Storage(keep), [...ctx.indices.shape, 1])), null];
  },
  jvp: (ctx, t) => embeddingBackwardOp(t!, ctx.indices, ctx.idx, ctx.rows, ctx.paddingIdx),
});

/** The options of embedding (PyTorch's keyword arguments, in camelCase). */
export interface EmbeddingOptions {
  /** This row's gradient is always zero (negative values count from the end). */
  paddingIdx?: number | null;
  /** Looked-up rows whose normType-norm exceeds maxNorm are rescaled in place in weight. */
  maxNorm?: number | null;
  /** The p of the p-norm for maxNorm (default 2). */
  normType?: number;
}

/** Rescales (in place, no history) the rows of weight at idx whose norm exceeds maxNorm, as torch.embedding_renorm_. */
function renorm(weight: Tensor, idx: Int32Array, maxNorm: number, normType: number): void {
  if (!weight.isContiguous()) throw new RangeError('embedding: maxNorm needs a contiguous weight');
  const [, dim] = weight.shape;
  const wd = weight.storage.data as Float32Array | Float64Array | Uint16Array;
  let changed = false;
  for (const r of new Set(idx)) {
    // A bfloat16 weight holds bit patterns: its rows are read widened and written back rounded.
    const row = widen(wd, weight.offset + r * dim, dim);
    const v = row.values;
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += Math.abs(v[j]) ** normType;
    norm = norm ** (1 / normType);
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-7);
      for (let j = 0; j < dim; j++) v[j] *= scale;
      row.store();
      changed = true;
    }
  }
  if (changed) weight.storage.version++;
}

/** torch.nn.functional.embedding(input, weight, padding_idx, max_norm, norm_type). */
export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  checkOptions('embedding', options, { paddingIdx: 'integer', maxNorm: 'number', normType: 'number' });
  // One op of a traced forward (onnx.export): its index checks and maxNorm's renorm read the indices.
  return recorded('embedding', [indices, weight, options], () => {
    if (!(indices instanceof Tensor))
      throw new TypeError(`embedding: indices must be a Tensor, got ${indices === null ? 'null' : typeof indices}`);
    if (!(weight instanceof Tensor))
      throw new TypeError(`embedding: weight must be a Tensor, got ${weight === null ? 'null' : typeof weight}`);
    if (indices.dtype !== 'int32')
      throw new TypeError(`embedding: indices must be an int32 tensor, got ${indices.dtype}`);
    if (!isFloatingDType(weight.dtype))
      throw new TypeError(`embedding: weight must be float32 or float64, got ${weight.dtype}`);
    if (weight.ndim !== 2)
      throw new RangeError(
        `embedding: weight must be 2-D [numEmbeddings, embeddingDim], got shape ${formatShape(weight.shape)}`,
      );
    const rows = weight.shape[0];
    let pad = options.paddingIdx ?? -1;
    if (options.paddingIdx !== undefined && options.paddingIdx !== null) {
      if (!Number.isInteger(pad) || pad < -rows || pad >= rows)
        throw new RangeError(`embedding: paddingIdx ${pad} must be within [${-rows}, ${rows})`);
      if (pad < 0) pad += rows;
    }
    const idx = checkedIndices('embedding', indices, rows);
    if (options.maxNorm !== undefined && options.maxNorm !== null) {
      if (!(options.maxNorm > 0))
        throw new RangeError(`embedding: maxNorm must be positive, got ${describe(options.maxNorm)}`);
      renorm(weight, idx, options.maxNorm, options.normType ?? 2);
    }
    return embeddingOp(weight, indices, idx, pad);
  });
}
