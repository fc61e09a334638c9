// ONNX mappings of the ops with several or data-dependent results: sort/argsort/topk, nonzero,
// oneHot, split/chunk and unbind, embedding.
import type { SplitSpec } from '../ops/join.js';
import type { Tensor } from '../tensor.js';
import type { OpContext, OpHandler } from './export.js';
import { castTo, floatScalar, floatTypeOf, INT64, onnxDType } from './ops_math.js';

/** Slice ends past any dim (ONNX clamps them). */
const END = Number.MAX_SAFE_INTEGER;

export function registerIndex(reg: (name: string, h: OpHandler) => void): void {
  reg('topk', (c) => topk(c));
  reg('nonzero', (c) => {
    const x = c.args[0] as Tensor;
    if (x.ndim === 0) c.fail('nonzero of a 0-d tensor cannot be exported (ONNX NonZero wants at least one dim)');
    const g = c.g;
    const nz = g.op('NonZero', [c.input(0)]); // [ndim, count] int64
    const int32 = onnxDType('int32');
    if (!c.static(1)) return g.op('Cast', [g.op('Transpose', [nz], { perm: [1, 0] })], { to: int32 });
    return Array.from({ length: x.ndim }, (_, d) =>
      g.op('Cast', [g.op('Gather', [nz, g.constant({ dtype: 'int64', shape: [], data: [d] }, 'row')], { axis: 0 })], {
        to: int32,
      }),
    );
  });
  reg('oneHot', (c) => {
    const g = c.g;
    const idx = g.op('Cast', [c.input(0)], { to: INT64 });
    const classes = c.static(1) as number;
    // numClasses -1: the largest index + 1, from the data as myelin does.
    const depth =
      classes === -1
        ? g.op('Add', [g.op('ReduceMax', [g.op('Reshape', [idx, g.ints([-1], 'shape')])], { keepdims: 0 }), one(c)])
        : g.constant({ dtype: 'int64', shape: [], data: [classes] }, 'depth');
    const values = g.constant({ dtype: 'int64', shape: [2], data: [0, 1] }, 'off_on');
    return g.op('Cast', [g.op('OneHot', [idx, depth, values], { axis: -1 })], { to: onnxDType('int32') });
  });
  reg('split', (c) => split(c));
  reg('embedding', (c) => embedding(c));
  reg('unbind', (c) => {
    const d = c.static(1) as number;
    const n = (c.args[0] as Tensor).shape[d];
    const x = c.input(0);
    return Array.from({ length: n }, (_, i) =>
      c.g.op('Gather', [x, c.g.constant({ dtype: 'int64', shape: [], data: [i] }, 'index')], { axis: d }),
    );
  });
}

function one(c: OpContext): string {
  return c.g.constant({ dtype: 'int64', shape: [], data: [1] }, 'one');
}

/** The size of dim d of value v, as a 1-element int64 tensor. */
function dimSize(c: OpContext, v: string, d: number): string {
  return c.g.op('Gather', [c.g.op('Shape', [v]), c.g.ints([d], 'dim')], { axis: 0 });
}

/**
 * sort/argsort/topk as ONNX TopK: both break ties by the lower index (myelin's sort is stable).
 * A sort takes the whole dim, which may follow a dynamic axis.
 */
function topk(c: OpContext): string[] {
  const x = c.args[0] as Tensor;
  const dim = c.static(1) as number;
  const descending = c.static(3) as boolean;
  const whole = c.static(4) as boolean;
  const g = c.g;
  if (x.ndim === 0) return [g.op('Identity', [c.input(0)]), g.constant({ dtype: 'int32', shape: [], data: [0] })];
  const sizes = [x.shape[dim], (c.args2[0] as Tensor).shape[dim]];
  // TopK takes int32 values as they are, bool ones as int32.
  const v = castTo(c, 0, x.dtype === 'bool' ? 'int32' : x.dtype);
  let k: string;
  if (whole && sizes[0] !== sizes[1]) k = dimSize(c, v, dim);
  else k = g.ints([c.static(2) as number], 'k');
  const [values, indices] = g.node('TopK', [v, k], { axis: dim, largest: descending ? 1 : 0, sorted: 1 }, 2);
  const out = x.dtype === 'bool' ? g.op('Cast', [values], { to: onnxDType('bool') }) : values;
  return [out, g.op('Cast', [indices], { to: onnxDType('int32') })];
}

/**
 * split/chunk: Slices whose bounds are fixed, fixed from the end, or (chunk along a dim that
 * follows a dynamic axis) computed from the dim's size as chunk computes them: pieces of
 * ceil(size / chunks).
 */
function split(c: OpContext): string[] {
  const d = c.static(1) as number;
  const s1 = c.args[2] as number[];
  const s2 = c.args2[2] as number[];
  const spec = c.static(3) as SplitSpec;
  const n = [(c.args[0] as Tensor).shape[d], (c.args2[0] as Tensor).shape[d]];
  const g = c.g;
  const x = c.input(0);
  const bounds = (sizes: number[]) => {
    let at = 0;
    return sizes.map((s) => {
      const b = [at, at + s];
      at += s;
      return b;
    });
  };
  const [b1, b2] = [bounds(s1), bounds(s2)];
  const fixed = (i: number): [number, number] | null => {
    const [start, end] = [b1[i][0], b1[i][1]];
    if (start !== b2[i][0]) return null;
    if (end === b2[i][1]) return [start, end];
    return end === n[0] && b2[i][1] === n[1] ? [start, END] : null;
  };
  const slice = (start: string, end: string) => g.op('Slice', [x, start, end, g.ints([d], 'axes')]);
  if (s1.every((_, i) => fixed(i) !== null)) {
    return s1.map((_, i) => {
      const [start, end] = fixed(i) as [number, number];
      return slice(g.ints([start], 'starts'), g.ints([end], 'ends'));
    });
  }
  if (!('chunks' in spec) || s1.length !== spec.chunks || s2.length !== spec.chunks)
    c.fail(
      `split sizes ${JSON.stringify(s1)} (${JSON.stringify(s2)} with other sizes of the dynamic axes) follow them in ` +
        'a way ONNX cannot express; chunk can where it gives all its pieces (a graph has a fixed number of them)',
    );
  const chunks = g.constant({ dtype: 'int64', shape: [1], data: [spec.chunks] }, 'chunks');
  const size = g.op('Div', [g.op('Add', [dimSize(c, x, d), g.op('Sub', [chunks, one(c)])]), chunks]);
  const at = (i: number) => g.op('Mul', [size, g.ints([i], 'piece')]);
  return s1.map((_, i) => slice(at(i), at(i + 1)));
}

/**
 * embedding(indices, weight, options): a Gather of the rows. With maxNorm, myelin (as torch)
 * rescales the looked-up rows of the weight in place to norm maxNorm / (norm + 1e-7); the graph
 * rescales the gathered rows the same way, which gives the same output (a row rescaled once
 * has a norm below maxNorm and is left alone), without writing to its weight.
 */
function embedding(c: OpContext): string {
  const g = c.g;
  const opts = (args: readonly unknown[]) => (args[2] ?? {}) as { maxNorm?: number | null; normType?: number };
  const maxNorm = c.same(opts(c.args).maxNorm ?? null, opts(c.args2).maxNorm ?? null, 'maxNorm');
  const p = c.same(opts(c.args).normType ?? 2, opts(c.args2).normType ?? 2, 'normType');
  const rows = g.op('Gather', [c.input(1), c.input(0)], { axis: 0 });
  const t = floatTypeOf(c, 1);
  if (maxNorm === null) return rows;
  const attrs = { axes: [-1], keepdims: 1 };
  let norm: string;
  if (p === 2) norm = g.op('ReduceL2', [rows], attrs);
  else if (p === 1) norm = g.op('ReduceL1', [rows], attrs);
  else {
    const powered = g.op('Pow', [g.op('Abs', [rows]), floatScalar(c, p, t)]);
    norm = g.op('Pow', [g.op('ReduceSum', [powered, g.ints([-1], 'axes')], { keepdims: 1 }), floatScalar(c, 1 / p, t)]);
  }
  const scale = g.op('Div', [floatScalar(c, maxNorm, t), g.op('Add', [norm, floatScalar(c, 1e-7, t)])]);
  return g.op('Mul', [
    rows,
    g.op('Where', [g.op('Greater', [norm, floatScalar(c, maxNorm, t)]), scale, floatScalar(c, 1, t)]),
  ]);
}
