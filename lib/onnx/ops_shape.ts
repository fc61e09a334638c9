// ONNX mappings of the view, join, indexing, padding and resampling ops. Integer arguments that
// follow the dynamic axes (a reshape target's batch dim, a slice to the end) become ONNX's
// shape-relative forms (0 = copy the input's dim, -1 = infer, negative indices, open ends);
// anything else that follows them is refused.
import type { DType } from '../dtype.js';
import type { FloatArray } from '../raw/elementwise.js';
import type { Tensor } from '../tensor.js';
import type { OpContext, OpHandler } from './export.js';
import { floatScalar, floatTypeOf, onnxDType, whereOf } from './ops_math.js';

/** Slice ends past any dim (ONNX clamps them). */
const END = Number.MAX_SAFE_INTEGER;

export function registerShape(reg: (name: string, h: OpHandler) => void): void {
  reg('view', (c) => {
    const x1 = c.args[0] as Tensor;
    const x2 = c.args2[0] as Tensor;
    const t1 = c.args[1] as number[];
    const t2 = c.args2[1] as number[];
    return c.g.op('Reshape', [c.input(0), c.g.ints(reshapeTarget(c, x1, x2, t1, t2), 'shape')]);
  });
  reg('permute', (c) => c.g.op('Transpose', [c.input(0)], { perm: c.static(1) as number[] }));
  reg('clone', (c) => c.g.op('Identity', [c.input(0)]));
  reg('expand', (c) => {
    const x1 = c.args[0] as Tensor;
    const x2 = c.args2[0] as Tensor;
    const s1 = c.args[1] as number[];
    const s2 = c.args2[1] as number[];
    const lead = s1.length - x1.ndim;
    // Expand broadcasts both ways: 1 keeps the input's (possibly dynamic) dim.
    const shape = s1.map((s, i) => {
      if (s === s2[i]) return s;
      const k = i - lead;
      if (k >= 0 && x1.shape[k] === s && x2.shape[k] === s2[i]) return 1;
      return c.fail(`expand to size ${s} at dim ${i} follows a dynamic axis the input does not have`);
    });
    return c.g.op('Expand', [c.input(0), c.g.ints(shape, 'shape')]);
  });
  reg('select', (c) => {
    const p1 = c.args[2] as { dim: number; index: number };
    const p2 = c.args2[2] as { dim: number; index: number };
    const dim = c.same(p1.dim, p2.dim, 'the dim');
    const index = relativeIndex(c, p1.index, p2.index, dimSize(c, dim), 'the index');
    return c.g.op('Gather', [c.input(0), c.g.constant({ dtype: 'int64', shape: [], data: [index] }, 'index')], {
      axis: dim,
    });
  });
  reg('slice', (c) => {
    const p1 = c.args[2] as { dim: number; start: number; end: number; step: number };
    const p2 = c.args2[2] as { dim: number; start: number; end: number; step: number };
    const dim = c.same(p1.dim, p2.dim, 'the dim');
    const step = c.same(p1.step, p2.step, 'the step');
    const sizes = dimSize(c, dim);
    const start = relativeIndex(c, p1.start, p2.start, sizes, 'the start');
    const end = p1.end === sizes[0] && p2.end === sizes[1] ? END : relativeIndex(c, p1.end, p2.end, sizes, 'the end');
    const g = c.g;
    return g.op('Slice', [
      c.input(0),
      g.ints([start], 'starts'),
      g.ints([end], 'ends'),
      g.ints([dim], 'axes'),
      g.ints([step], 'steps'),
    ]);
  });
  reg('cat', (c) => {
    const inputs = c.args.slice(1).map((_, k) => c.input(k + 1));
    return c.g.op('Concat', inputs, { axis: c.static(0) as number });
  });
  reg('flip', (c) => {
    const dims = c.static(1) as number[];
    const g = c.g;
    const n = dims.length;
    return g.op('Slice', [
      c.input(0),
      g.ints(new Array(n).fill(-1), 'starts'),
      g.ints(new Array(n).fill(-END), 'ends'),
      g.ints(dims, 'axes'),
      g.ints(new Array(n).fill(-1), 'steps'),
    ]);
  });
  reg('copy', (c) => {
    // t.copy_(src): src broadcast to t's shape, in t's float type.
    const t = floatTypeOf(c);
    const src = c.args[1] as Tensor;
    let v = c.input(1);
    if (src.dtype !== t) v = c.g.op('Cast', [v], { to: onnxDType(t) });
    return c.g.op('Expand', [v, c.g.op('Shape', [c.input(0)])]);
  });
  reg('gather', (c) => c.g.op('GatherElements', [c.input(0), c.input(2)], { axis: c.static(1) as number }));
  reg('indexSelect', (c) => c.g.op('Gather', [c.input(0), c.input(2)], { axis: c.static(1) as number }));
  const scatter = (reduction: string | null): OpHandler => {
    return (c) => {
      const x = c.args[0] as Tensor;
      let src: string;
      if (typeof c.args[3] === 'number') {
        src = c.g.op('Expand', [c.g.scalar(c.static(3) as number, x.dtype), c.g.op('Shape', [c.input(2)])]);
      } else {
        src = c.input(3);
      }
      const attrs: Record<string, number | string> = { axis: c.static(1) as number };
      if (reduction) attrs.reduction = reduction;
      return c.g.op('ScatterElements', [c.input(0), c.input(2), src], attrs);
    };
  };
  reg('scatter', scatter(null));
  reg('scatterAdd', scatter('add'));
  reg('maskedFill', (c) => {
    const x = c.args[0] as Tensor;
    const value = c.g.scalar(Number(c.static(2)), x.dtype);
    return whereOf(c, c.input(1), value, c.input(0), x.dtype);
  });
  reg('pad', (c) => padHandler(c));
  // zerosLike/onesLike/fullLike/emptyLike: the value over the input's (possibly dynamic) shape.
  reg('fullLike', (c) => {
    const value = { dtype: c.static(2) as DType, shape: [1], data: [Number(c.static(1))] };
    return c.g.op('ConstantOfShape', [c.g.op('Shape', [c.input(0)])], { value });
  });
  reg('interpolate', (c) => interpolateHandler(c));
}

/** The size of argument 0's dim in both traces. */
function dimSize(c: OpContext, dim: number): [number, number] {
  return [(c.args[0] as Tensor).shape[dim], (c.args2[0] as Tensor).shape[dim]];
}

/** An index that is fixed, or fixed relative to the end of a dim that follows a dynamic axis. */
function relativeIndex(c: OpContext, i1: number, i2: number, size: [number, number], what: string): number {
  if (i1 === i2) return i1;
  if (i1 - size[0] === i2 - size[1]) return i1 - size[0];
  return c.fail(
    `${what} (${i1}, and ${i2} with other sizes of the dynamic axes) follows them in a way ONNX cannot express`,
  );
}

/** A Reshape target: fixed dims as they are, dims following the dynamic axes as 0 (copy) or -1. */
function reshapeTarget(c: OpContext, x1: Tensor, x2: Tensor, t1: number[], t2: number[]): number[] {
  if (t1.length !== t2.length) c.fail('the reshape target has a different rank with other sizes');
  let inferred = false;
  return t1.map((v, i) => {
    if (v === t2[i]) {
      if (v === 0) c.fail('a reshape to an empty dim cannot be exported');
      return v;
    }
    if (i < x1.ndim && x1.shape[i] === v && x2.shape[i] === t2[i]) return 0;
    if (!inferred) {
      inferred = true;
      return -1;
    }
    return c.fail(
      `the reshape to ${JSON.stringify(t1)} (${JSON.stringify(t2)} with other sizes of the dynamic axes) has more than ` +
        'one dim that follows the dynamic axes and is not the input dim at the same place',
    );
  });
}

interface PadPlanLike {
  mode: 'constant' | 'reflect' | 'replicate' | 'circular';
  inShape: number[];
  outShape: number[];
  outStart: number[];
  inStart: number[];
  value: number;
}

function padHandler(c: OpContext): string {
  const p = c.args[1] as PadPlanLike;
  const p2 = c.args2[1] as PadPlanLike;
  const n = p.inShape.length;
  const begin = p.outStart.map((o, d) => o - p.inStart[d]);
  const end = p.outShape.map((o, d) => o - p.inShape[d] - begin[d]);
  c.same(
    begin,
    p2.outStart.map((o, d) => o - p2.inStart[d]),
    'the padding',
  );
  c.same(
    end,
    p2.outShape.map((o, d) => o - p2.inShape[d] - (p2.outStart[d] - p2.inStart[d])),
    'the padding',
  );
  const g = c.g;
  const x = c.input(0);
  if (p.mode === 'circular') {
    // Opset 17 has no 'wrap' mode: each padded dim is a Concat of the input's two ends around it.
    let v = x;
    for (let d = 0; d < n; d++) {
      if (begin[d] === 0 && end[d] === 0) continue;
      if (begin[d] < 0 || end[d] < 0) c.fail('circular padding with negative amounts cannot be exported');
      const parts = [];
      const slice = (s: number, e: number) =>
        g.op('Slice', [v, g.ints([s], 'starts'), g.ints([e], 'ends'), g.ints([d], 'axes')]);
      if (begin[d] > 0) parts.push(slice(-begin[d], END));
      parts.push(v);
      if (end[d] > 0) parts.push(slice(0, end[d]));
      v = g.op('Concat', parts, { axis: d });
    }
    return v;
  }
  const mode = p.mode === 'replicate' ? 'edge' : p.mode;
  const inputs = [x, g.ints([...begin, ...end], 'pads')];
  if (p.mode === 'constant') inputs.push(floatScalar(c, c.same(p.value, p2.value, 'the value')));
  return g.op('Pad', inputs, { mode });
}

interface InterpPlanLike {
  dims: number[];
  rows: { index: Int32Array; weight: FloatArray | null };
  cols: { index: Int32Array; weight: FloatArray | null };
  inShape: number[];
  outShape: number[];
}

/**
 * interpolate as the sampling tables it ran with: per axis a Gather of the source rows (nearest)
 * or two Gathers blended by the linear weights, columns first as myelin's kernel does. This
 * reproduces myelin's (and PyTorch's) coordinate rules exactly, for any mode.
 */
function interpolateHandler(c: OpContext): string {
  const p = c.args[1] as InterpPlanLike;
  const p2 = c.args2[1] as InterpPlanLike;
  c.same(p.inShape.slice(2), p2.inShape.slice(2), 'the spatial input size');
  c.same(p.outShape.slice(2), p2.outShape.slice(2), 'the spatial output size');
  const g = c.g;
  const spatial = p.inShape.length - 2;
  const axis = (v: string, table: InterpPlanLike['rows'], ax: number, outLen: number): string => {
    const idx = table.index;
    if (!table.weight)
      return g.op('Gather', [v, g.constant({ dtype: 'int64', shape: [outLen], data: Array.from(idx) }, 'index')], {
        axis: ax,
      });
    const i0 = Array.from({ length: outLen }, (_, o) => idx[2 * o]);
    const i1 = Array.from({ length: outLen }, (_, o) => idx[2 * o + 1]);
    const w0 = Array.from({ length: outLen }, (_, o) => (table.weight as FloatArray)[2 * o]);
    const w1 = Array.from({ length: outLen }, (_, o) => (table.weight as FloatArray)[2 * o + 1]);
    // The weights in the data's float type, as myelin's kernel takes them.
    const dtype = floatTypeOf(c);
    const wShape = ax === -1 ? [outLen] : [outLen, 1];
    const a = g.op('Gather', [v, g.constant({ dtype: 'int64', shape: [outLen], data: i0 }, 'index')], { axis: ax });
    const b = g.op('Gather', [v, g.constant({ dtype: 'int64', shape: [outLen], data: i1 }, 'index')], { axis: ax });
    return g.op('Add', [
      g.op('Mul', [a, g.constant({ dtype, shape: wShape, data: w0 }, 'weight')]),
      g.op('Mul', [b, g.constant({ dtype, shape: wShape, data: w1 }, 'weight')]),
    ]);
  };
  let v = axis(c.input(0), p.cols, -1, p.outShape[p.outShape.length - 1]);
  if (spatial === 2) v = axis(v, p.rows, -2, p.outShape[2]);
  return v;
}
