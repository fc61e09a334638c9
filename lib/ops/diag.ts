// Diagonals and triangles: diagonal (a view), diagEmbed, diag, trace, tril, triu, as torch's.
// Each backward is written with these same differentiable ops (diagonal <-> diagEmbed, tril's
// gradient is tril of it), so higher-order gradients work.
import { widenedForFloat32List } from '../lowp/autocast_state.js';
import { refuseBfloat16, refuseStorageOnly } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { FLOATING_DTYPES } from '../dtype.js';
import { zeros } from '../creation.js';
import { formatShape, normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { sum } from './reduce.js';
import { copyRaw, writeInto } from '../raw/strided.js';
import { asView, clone, stridedView } from './view.js';

function checkTensor(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  return refuseStorageOnly(op, x);
}

function checkOffset(op: string, name: string, v: number): number {
  if (!Number.isInteger(v)) throw new TypeError(`${op}: ${name} must be an integer, got ${String(v)}`);
  return v;
}

/** The two dims a diagonal runs over, normalised and checked distinct. */
function diagDims(op: string, ndim: number, dim1: number, dim2: number): [number, number] {
  if (ndim < 2)
    throw new RangeError(`${op}: expected a tensor of at least 2 dims, got ${ndim} dim${ndim === 1 ? '' : 's'}`);
  const d1 = normalizeDim(op, dim1, ndim);
  const d2 = normalizeDim(op, dim2, ndim);
  if (d1 === d2) throw new RangeError(`${op}: diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  return [d1, d2];
}

/** The view of x's diagonal `offset` over dims d1, d2 (appended as the last dim). */
function diagonalOf(t: Tensor, offset: number, d1: number, d2: number): Tensor {
  const n1 = t.shape[d1];
  const n2 = t.shape[d2];
  const length = Math.max(offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2), 0);
  const start = length === 0 ? 0 : offset >= 0 ? offset * t.strides[d2] : -offset * t.strides[d1];
  const keep = t.shape.map((_, d) => d).filter((d) => d !== d1 && d !== d2);
  return asView(
    t,
    [...keep.map((d) => t.shape[d]), length],
    [...keep.map((d) => t.strides[d]), t.strides[d1] + t.strides[d2]],
    t.offset + start,
  );
}

/**
 * The diagonal `offset` (above the main one when positive) of the matrices spanned by dims dim1
 * and dim2, as a view appended as the last dim (torch.diagonal).
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  checkTensor('diagonal', x);
  checkOffset('diagonal', 'offset', offset);
  const [d1, d2] = diagDims('diagonal', x.ndim, dim1, dim2);
  return stridedView('diagonal')(x, (t) => diagonalOf(t, offset, d1, d2), { offset, dim1: d1, dim2: d2 });
}

const diagEmbedOp = defineOp({
  name: 'diagEmbed',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(
    ctx: OpContext<{ offset: number; d1: number; d2: number }>,
    x: Tensor,
    offset: number,
    d1: number,
    d2: number,
  ) {
    ctx.offset = offset;
    ctx.d1 = d1;
    ctx.d2 = d2;
    const n = x.shape[x.ndim - 1] + Math.abs(offset);
    const shape = [...x.shape.slice(0, -1)];
    const [lo, hi] = d1 < d2 ? [d1, d2] : [d2, d1];
    shape.splice(lo, 0, n);
    shape.splice(hi, 0, n);
    const out = zeros(shape, { dtype: x.dtype });
    writeInto(diagonalOf(out, offset, d1, d2), x);
    return out;
  },
  backward(ctx, g) {
    return [diagonal(g, ctx.offset, ctx.d1, ctx.d2)];
  },
});

/**
 * Matrices whose diagonal `offset` (over the new dims dim1, dim2 of the result) holds x's last
 * dim, zeros elsewhere (torch.diag_embed).
 */
export function diagEmbed(x: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor {
  checkTensor('diagEmbed', x);
  checkOffset('diagEmbed', 'offset', offset);
  const ndim = x.ndim + 1;
  const d1 = normalizeDim('diagEmbed', dim1, ndim);
  const d2 = normalizeDim('diagEmbed', dim2, ndim);
  if (d1 === d2) throw new RangeError(`diagEmbed: diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  if (x.ndim === 0) throw new RangeError('diagEmbed: expected a tensor of at least 1 dim, got a 0-d tensor');
  return diagEmbedOp(x, offset, d1, d2);
}

/**
 * torch.diag: a vector becomes a square matrix with it on diagonal `diagonal`; a matrix gives
 * (a copy of) that diagonal.
 */
export function diag(x: Tensor, diagonalIndex = 0): Tensor {
  checkTensor('diag', x);
  checkOffset('diag', 'diagonal', diagonalIndex);
  if (x.ndim === 1) return diagEmbedOp(x, diagonalIndex, 0, 1);
  if (x.ndim === 2) return clone(diagonal(x, diagonalIndex));
  throw new RangeError(`diag: expected a vector or a matrix, got a tensor of shape ${formatShape(x.shape)}`);
}

/** The sum of a matrix's main diagonal (torch.trace; int32 and bool sum to int32). */
export function trace(x: Tensor): Tensor {
  checkTensor('trace', x);
  // PyTorch's autocast float32 list: a bfloat16 matrix is widened, the trace is float32.
  const wide = widenedForFloat32List(x);
  if (wide) return trace(wide[0]);
  refuseBfloat16('trace', x);
  if (x.ndim !== 2) throw new RangeError(`trace: expected a matrix, got a tensor of shape ${formatShape(x.shape)}`);
  return sum(diagonal(x));
}

// ---- tril / triu --------------------------------------------------------------------------

/** A copy of x with the elements on the wrong side of diagonal k of each matrix set to 0. */
function triangleRaw(x: Tensor, k: number, lower: boolean): Tensor {
  const out = copyRaw(x);
  const data = out.storage.data;
  const rows = x.shape[x.ndim - 2];
  const cols = x.shape[x.ndim - 1];
  const size = rows * cols;
  for (let base = 0; base < data.length; base += size) {
    for (let i = 0; i < rows; i++) {
      // tril keeps j - i <= k; triu keeps j - i >= k.
      const from = lower ? Math.max(i + k + 1, 0) : 0;
      const to = lower ? cols : Math.min(Math.max(i + k, 0), cols);
      data.fill(0, base + i * cols + Math.min(from, cols), base + i * cols + to);
    }
  }
  return out;
}

function defineTriangle(name: 'tril' | 'triu') {
  const op: (x: Tensor, k: number) => Tensor = defineOp({
    name,
    dtypes: FLOATING_DTYPES,
    jvp: 'fromBackward',
    forward(ctx: OpContext<{ k: number }>, x: Tensor, k: number) {
      ctx.k = k;
      return triangleRaw(x, k, name === 'tril');
    },
    backward(ctx, g) {
      return [op(g, ctx.k)];
    },
  });
  return (x: Tensor, diagonalIndex = 0): Tensor => {
    checkTensor(name, x);
    checkOffset(name, 'diagonal', diagonalIndex);
    if (x.ndim < 2)
      throw new RangeError(
        `${name}: expected a tensor of at least 2 dims (a matrix or a batch of them), got shape ${formatShape(x.shape)}`,
      );
    return op(x, diagonalIndex);
  };
}

/** The lower triangle of each matrix (last two dims): elements with j - i <= diagonal, 0 above. */
export const tril = defineTriangle('tril');
/** The upper triangle of each matrix (last two dims): elements with j - i >= diagonal, 0 below. */
export const triu = defineTriangle('triu');

declare module '../tensor.js' {
  interface Tensor {
    /** `diagonal(this, ...)` as a method (`torch.Tensor.diagonal`): see `diagonal`. */
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    /** `diagEmbed(this, ...)` as a method (`torch.Tensor.diag_embed`): see `diagEmbed`. */
    diagEmbed(offset?: number, dim1?: number, dim2?: number): Tensor;
    /** `diag(this, ...)` as a method (`torch.Tensor.diag`): see `diag`. */
    diag(diagonal?: number): Tensor;
    /** `trace(this)` as a method (`torch.Tensor.trace`): see `trace`. */
    trace(): Tensor;
    /** `tril(this, ...)` as a method (`torch.Tensor.tril`): see `tril`. */
    tril(diagonal?: number): Tensor;
    /** `triu(this, ...)` as a method (`torch.Tensor.triu`): see `triu`. */
    triu(diagonal?: number): Tensor;
  }
}

const methods: Record<string, (x: Tensor, ...args: number[]) => Tensor> = {
  diagonal,
  diagEmbed,
  diag,
  trace,
  tril,
  triu,
};
for (const [name, fn] of Object.entries(methods)) {
  (Tensor.prototype as unknown as Record<string, unknown>)[name] = function (this: Tensor, ...args: number[]) {
    return fn(this, ...args);
  };
}
