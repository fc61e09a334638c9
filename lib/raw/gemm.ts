// Batched matrix products on raw tensors (no history): the one place matmul and einsum call the
// native GEMM. Transposed views become transA/transB flags, broadcast batch dims stride 0;
// only operands whose last two dims no GEMM layout can describe are copied.
import { allocate } from '../dtype.js';
import { native } from '../native.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, formatShape, numel } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { emptyFloat, uninitOf } from './elementwise.js';
import { copyRaw, writeInto } from './strided.js';

/** How a rows x cols matrix with strides (rs, cs) is handed to the GEMM. */
interface MatrixLayout {
  trans: boolean;
  ld: number;
}

/** The GEMM layout of a strided matrix, or null when it needs a copy. */
export function matrixLayout(rows: number, cols: number, rs: number, cs: number): MatrixLayout | null {
  // Row-major: unit column stride (any stride when there is one column), rows ld apart.
  if (cols === 1 || cs === 1) {
    if (rows === 1) return { trans: false, ld: Math.max(cols, 1) };
    if (rs >= Math.max(cols, 1)) return { trans: false, ld: rs };
  }
  // Column-major (a transposed row-major view): unit row stride, columns ld apart.
  if (rows === 1 || rs === 1) {
    if (cols === 1) return { trans: true, ld: Math.max(rows, 1) };
    if (cs >= Math.max(rows, 1)) return { trans: true, ld: cs };
  }
  return null;
}

interface GemmOperand {
  t: Tensor;
  layout: MatrixLayout;
}

function operand(t: Tensor): GemmOperand {
  const nd = t.ndim;
  const rows = t.shape[nd - 2];
  const cols = t.shape[nd - 1];
  const layout = matrixLayout(rows, cols, t.strides[nd - 2], t.strides[nd - 1]);
  if (layout) return { t, layout };
  const c = copyRaw(t);
  return { t: c, layout: { trans: false, ld: Math.max(cols, 1) } };
}

/**
 * Merges batch dims whose strides line up in every operand, so most products are one
 * gemmBatched call. Returns [sizes, stridesPerOperand] with size-1 dims dropped.
 */
function mergeBatchDims(shape: readonly number[], strides: number[][]): [number[], number[][]] {
  const sizes: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = sizes.length - 1;
    if (last >= 0 && strides.every((s, i) => out[i][last] === s[d] * shape[d])) {
      sizes[last] *= shape[d];
      strides.forEach((s, i) => (out[i][last] = s[d]));
    } else {
      sizes.push(shape[d]);
      strides.forEach((s, i) => out[i].push(s[d]));
    }
  }
  return [sizes, out];
}

/**
 * How a product multiplies: 'float32' (the fp32 GEMM) or 'bfloat16' (each operand element
 * rounded to bf16, products summed in fp32: the bf16 GEMM).
 */
export type GemmPrecision = 'float32' | 'bfloat16';

/** The sizes of a: [...batchA, m, k] times b: [...batchB, k, n]; an error when the k differ. */
function productShape(op: string, a: Tensor, b: Tensor): { m: number; k: number; n: number; batch: number[] } {
  const m = a.shape[a.ndim - 2];
  const k = a.shape[a.ndim - 1];
  const n = b.shape[b.ndim - 1];
  if (b.shape[b.ndim - 2] !== k) {
    throw new RangeError(
      `${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${k} != ${b.shape[b.ndim - 2]})`,
    );
  }
  return { m, k, n, batch: broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2)) };
}

/**
 * The GEMM's accumulate, C := alpha * AB + beta * C with C first `input` broadcast to the
 * result (addmm's beta * input + alpha * product in one pass); input null or beta 0: C is
 * overwritten, input unread (NaN in it does not propagate).
 */
export interface GemmAccumulate {
  input: Tensor | null;
  alpha: number;
  beta: number;
}

/**
 * a: [...batchA, m, k] times b: [...batchB, k, n], batch dims broadcast: a new contiguous
 * [...batch, m, n] tensor of their dtype, scaled and accumulated onto an input as `acc` says
 * (floating dtypes only). Both operands must be at least 2-D with matching k, and both float32,
 * both float64 (the dgemm: every product and sum in double) or both int32 (exact modulo 2^32, as
 * torch's CPU integer kernels); precision is float32's only.
 */
export function bmmRaw(
  op: string,
  a: Tensor,
  b: Tensor,
  precision: GemmPrecision = 'float32',
  acc: GemmAccumulate = { input: null, alpha: 1, beta: 0 },
): Tensor {
  const { m, k, n, batch: batchShape } = productShape(op, a, b);
  const dtype = a.dtype;
  const outShape = [...batchShape, m, n];
  const empty = numel(batchShape) === 0 || m === 0 || n === 0 || k === 0;
  // A floating product writes every element of C (beta 0: C unread), so its buffer is not
  // zero-filled first; an empty product's result is zeros (or beta * input).
  const out =
    !empty && (dtype === 'float32' || dtype === 'float64')
      ? uninitOf(dtype, outShape)
      : dtype === 'float32'
        ? emptyFloat(outShape)
        : new Tensor(new Storage(allocate(dtype, numel(outShape))), outShape);
  const beta = acc.input === null ? 0 : acc.beta;
  if (beta !== 0) writeInto(out, acc.input as Tensor);
  if (empty) {
    // An empty product is zeros: the result is beta * input.
    const d = out.storage.data;
    const scale = dtype === 'float32' ? Math.fround(beta) : beta; // as the kernel's float32 beta
    if (beta !== 0 && beta !== 1) for (let i = 0; i < d.length; i++) d[i] *= scale;
    return out;
  }
  const A = operand(a);
  const B = operand(b);
  const outStrides = contiguousStrides(out.shape).slice(0, -2);
  const [sizes, [sa, sb, sc]] = mergeBatchDims(batchShape, [
    broadcastStrides(A.t.shape.slice(0, -2), A.t.strides.slice(0, -2), batchShape),
    broadcastStrides(B.t.shape.slice(0, -2), B.t.strides.slice(0, -2), batchShape),
    outStrides,
  ]);
  const inner = sizes.length ? sizes[sizes.length - 1] : 1;
  const last = sizes.length - 1;
  // The innermost merged batch dim runs inside one native call.
  const [strideA, strideB, strideC] = inner === 1 ? [0, 0, 0] : [sa[last], sb[last], sc[last]];
  const outer = sizes.slice(0, -1);
  const outerCount = numel(outer);
  const idx = new Array<number>(outer.length).fill(0);
  for (let i = 0; i < outerCount; i++) {
    let ao = A.t.offset,
      bo = B.t.offset,
      co = 0;
    for (let d = 0; d < outer.length; d++) {
      ao += idx[d] * sa[d];
      bo += idx[d] * sb[d];
      co += idx[d] * sc[d];
    }
    const layout = {
      transA: A.layout.trans,
      transB: B.layout.trans,
      m,
      n,
      k,
      aOffset: ao,
      lda: A.layout.ld,
      bOffset: bo,
      ldb: B.layout.ld,
      cOffset: co,
      ldc: n,
    };
    const [ad, bd, cd] = [A.t.storage.data, B.t.storage.data, out.storage.data];
    const batched = { batch: inner, strideA, strideB, strideC };
    if (dtype === 'float64') {
      const [a64, b64, c64] = [ad as Float64Array, bd as Float64Array, cd as Float64Array];
      native.gemmFloat64({ ...layout, ...batched, alpha: acc.alpha, a: a64, b: b64, beta, c: c64 });
    } else if (dtype === 'int32') {
      native.gemmInt32({
        ...layout,
        a: ad as Int32Array,
        b: bd as Int32Array,
        c: cd as Int32Array,
        batch: inner,
        strideA,
        strideB,
        strideC,
      });
    } else {
      const args = {
        ...layout,
        alpha: acc.alpha,
        a: ad as Float32Array,
        b: bd as Float32Array,
        beta,
        c: cd as Float32Array,
      };
      if (precision === 'bfloat16')
        native.gemmBf16({ ...args, batch: inner, strideA, strideB, strideC, rowBias: null, colBias: null });
      else if (inner === 1) native.gemm(args);
      else native.gemmBatched({ ...args, batch: inner, strideA, strideB, strideC });
    }
    for (let d = outer.length - 1; d >= 0; d--) {
      if (++idx[d] < outer[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}
