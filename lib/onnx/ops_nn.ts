// ONNX mappings of the layer ops: convolutions, pooling, normalisation, dropout, bilinear, and
// the modules mapped as a whole (recurrent layers and cells).
import type { ConvShape, PoolShape } from '../native.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import type { OpContext, OpHandler } from './export.js';
import { floatScalar, floatTypeOf, refuseFloat64 } from './ops_math.js';

export function registerNn(reg: (name: string, h: OpHandler) => void): void {
  reg('conv2d', (c) => conv(c, false));
  reg('convTranspose2d', (c) => conv(c, true));
  for (const name of ['maxPool2d', 'avgPool2d', 'adaptiveAvgPool2d', 'adaptiveMaxPool2d'])
    reg(name, (c) => pool(c, name, false));
  // The max pools' values and int32 indices (flat h * W + w in each plane, as torch's).
  reg('maxPool2dWithIndices', (c) => pool(c, 'maxPool2d', true));
  reg('adaptiveMaxPool2dWithIndices', (c) => pool(c, 'adaptiveMaxPool2d', true));
  reg('batchNorm', (c) => batchNorm(c));
  reg('layerNorm', (c) => {
    const plan = c.static(1) as { hasWeight: boolean; hasBias: boolean; eps: number; paramDims: number };
    const x = c.args[0] as Tensor;
    const shape = x.shape.slice(x.ndim - plan.paramDims);
    const [w, b] = affine(c, plan, shape);
    if (x.dtype !== 'float64')
      return c.g.op('LayerNormalization', [c.input(0), w, b], { axis: -plan.paramDims, epsilon: { float: plan.eps } });
    // float64: epsilon is a float32 attribute (1e-5 moves by 2.5e-13, which a small variance
    // feels), so the normalisation is written out with a float64 eps.
    const axes = Array.from({ length: plan.paramDims }, (_, i) => x.ndim - plan.paramDims + i);
    return c.g.op('Add', [c.g.op('Mul', [normalized(c, c.input(0), axes, plan.eps), w]), b]);
  });
  reg('groupNorm', (c) => groupNorm(c));
  // Dropout in eval mode (or with p = 0) is the identity and records nothing: a recorded dropout
  // draws random masks, which a graph cannot reproduce.
  reg('dropout', (c) =>
    c.fail('dropout ran in training mode (a module outside the model, or training: true): call eval() on it'),
  );
}

function conv(c: OpContext, transpose: boolean): string {
  // The native convolution's shape; a transposed convolution's is that of the convolution whose
  // grad-input it is (its c, h, w are our output's, its oc, oh, ow our input's).
  const d = c.args[3] as ConvShape;
  const d2 = c.args2[3] as ConvShape;
  const geometry = (s: ConvShape) => [
    s.kh,
    s.kw,
    s.strideH,
    s.strideW,
    s.padH,
    s.padW,
    s.dilationH,
    s.dilationW,
    s.groups,
  ];
  const [kh, kw, sh, sw, ph, pw, dh, dw, groups] = geometry(d);
  refuseFloat64(c, `onnxruntime has no float64 kernel for ${transpose ? 'ConvTranspose' : 'Conv'}`);
  c.same(geometry(d), geometry(d2), 'the kernel geometry');
  const inputs = [c.input(0), c.input(1)];
  if (c.args[2]) inputs.push(c.input(2));
  const attrs: Record<string, number[] | number> = {
    kernel_shape: [kh, kw],
    strides: [sh, sw],
    dilations: [dh, dw],
    group: groups,
  };
  if (transpose) {
    const [oh, ow, h, w] = [d.h, d.w, d.oh, d.ow];
    const outPad = [oh - ((h - 1) * sh - 2 * ph + dh * (kh - 1) + 1), ow - ((w - 1) * sw - 2 * pw + dw * (kw - 1) + 1)];
    attrs.pads = [ph, pw, ph, pw];
    attrs.output_padding = outPad;
  } else {
    const [h, w, oh, ow] = [d.h, d.w, d.oh, d.ow];
    // 'same' padding with an even kernel pads more at the end: the ends follow from the output size.
    const endPad = (size: number, out: number, k: number, s: number, p: number, dil: number) => {
      const floorOut = Math.floor((size + 2 * p - dil * (k - 1) - 1) / s) + 1;
      return floorOut === out ? p : (out - 1) * s + dil * (k - 1) + 1 - size - p;
    };
    const pads = [ph, pw, endPad(h, oh, kh, sh, ph, dh), endPad(w, ow, kw, sw, pw, dw)];
    const pads2 = [ph, pw, endPad(d2.h, d2.oh, kh, sh, ph, dh), endPad(d2.w, d2.ow, kw, sw, pw, dw)];
    attrs.pads = c.same(pads, pads2, 'the padding');
  }
  return c.g.op(transpose ? 'ConvTranspose' : 'Conv', inputs, attrs);
}

function pool(c: OpContext, name: string, withIndices: boolean): string | string[] {
  const plan = c.args[1] as { shape: PoolShape; outShape: number[] };
  const s = plan.shape;
  const s2 = (c.args2[1] as { shape: PoolShape }).shape;
  const x = c.args[0] as Tensor;
  const [h, w, oh, ow] = [s.h, s.w, s.oh, s.ow];
  const geometry = (p: PoolShape) => [p.kh, p.kw, p.strideH, p.strideW, p.padH, p.padW, p.dilationH, p.dilationW];
  const [kh, kw, sh, sw, ph, pw, dh, dw] = geometry(s);
  // A 3-D input is [N, C, L] for the 1-D pools (height 1) and [C, H, W] for the 2-D ones.
  const twoD =
    h === x.shape[x.ndim - 2] &&
    !(h === 1 && x.ndim === 3 && kh === 1 && plan.outShape.length === 3 && oh === 1 && x.shape[1] !== 1);
  const spatial = twoD ? 2 : 1;
  const batched = x.ndim === spatial + 2;
  const g = c.g;
  let v = c.input(0);
  if (!batched) v = g.op('Unsqueeze', [v, g.ints([0], 'axes')]);
  const pick = <T>(pair: [T, T]): T[] => (spatial === 2 ? pair : [pair[1]]);
  const adaptive = name.startsWith('adaptive');
  const max = name === 'maxPool2d' || name === 'adaptiveMaxPool2d';
  let y: string;
  let indices = '';
  if (adaptive) {
    c.same([h, w, oh, ow], [s2.h, s2.w, s2.oh, s2.ow], 'the spatial sizes of an adaptive pool');
    if (withIndices) [y, indices] = adaptiveMaxIndices(c, v, pick([h, w]), pick([oh, ow]));
    else y = adaptivePool(c, v, max, pick([h, w]), pick([oh, ow]), spatial);
  } else {
    c.same(geometry(s), geometry(s2), 'the window geometry');
    // ceil_mode: the output is one longer than the floor formula gives.
    const floorOut = (size: number, k: number, s: number, p: number, dil: number) =>
      Math.floor((size + 2 * p - dil * (k - 1) - 1) / s) + 1;
    const ceil = floorOut(h, kh, sh, ph, dh) !== oh || floorOut(w, kw, sw, pw, dw) !== ow ? 1 : 0;
    const attrs: Record<string, number | number[]> = {
      kernel_shape: pick([kh, kw]),
      strides: pick([sh, sw]),
      pads: [...pick([ph, pw]), ...pick([ph, pw])],
      ceil_mode: ceil,
    };
    if (max) attrs.dilations = pick([dh, dw]);
    else {
      refuseFloat64(c, 'onnxruntime has no float64 kernel for AveragePool');
      if (dh !== 1 || dw !== 1) c.fail('average pooling with dilation cannot be exported');
      attrs.count_include_pad = s.countIncludePad ? 1 : 0;
    }
    if (withIndices) [y, indices] = planeIndices(c, v, g.node('MaxPool', [v], attrs, 2));
    else y = g.op(max ? 'MaxPool' : 'AveragePool', [v], attrs);
  }
  if (!batched) y = g.op('Squeeze', [y, g.ints([0], 'axes')]);
  if (!withIndices) return y;
  if (!batched) indices = g.op('Squeeze', [indices, g.ints([0], 'axes')]);
  return [y, g.op('Cast', [indices], { to: 6 })];
}

/**
 * MaxPool's [values, indices] with the indices made torch's: ONNX counts over the whole
 * [N, C, H, W] input, torch within each plane, so the flat index modulo H * W.
 */
function planeIndices(c: OpContext, v: string, [y, flat]: string[]): [string, string] {
  const g = c.g;
  const spatial = g.op('Slice', [g.op('Shape', [v]), g.ints([2], 'starts'), g.ints([Number.MAX_SAFE_INTEGER], 'ends')]);
  return [y, g.op('Mod', [flat, g.op('ReduceProd', [spatial], { keepdims: 1 })])];
}

/**
 * adaptiveMaxPool with indices: one MaxPool when the windows tile the input, else a MaxPool
 * over each output cell's window (PyTorch's floor/ceil bounds) whose index within the window
 * becomes (h0 + i) * W + (w0 + j).
 */
function adaptiveMaxIndices(c: OpContext, v: string, size: number[], out: number[]): [string, string] {
  const g = c.g;
  if (size.every((s, i) => s % out[i] === 0)) {
    const k = size.map((s, i) => s / out[i]);
    return planeIndices(c, v, g.node('MaxPool', [v], { kernel_shape: k, strides: k }, 2));
  }
  const [H, W] = size.length === 2 ? size : [1, size[0]];
  const [OH, OW] = out.length === 2 ? out : [1, out[0]];
  const twoD = size.length === 2;
  const bounds = (o: number, n: number, s: number) => [Math.floor((o * s) / n), Math.ceil(((o + 1) * s) / n)];
  const int64 = (x: number) => g.constant({ dtype: 'int64', shape: [], data: [x] }, 'int');
  const rows: [string[], string[]] = [[], []];
  for (let i = 0; i < OH; i++) {
    const cells: [string[], string[]] = [[], []];
    for (let j = 0; j < OW; j++) {
      const [h0, h1] = bounds(i, OH, H);
      const [w0, w1] = bounds(j, OW, W);
      const piece = twoD
        ? g.op('Slice', [v, g.ints([h0, w0], 'starts'), g.ints([h1, w1], 'ends'), g.ints([2, 3], 'axes')])
        : g.op('Slice', [v, g.ints([w0], 'starts'), g.ints([w1], 'ends'), g.ints([2], 'axes')]);
      const kernel = twoD ? [h1 - h0, w1 - w0] : [w1 - w0];
      const [y, flat] = g.node('MaxPool', [piece], { kernel_shape: kernel }, 2);
      const local = g.op('Mod', [flat, int64((h1 - h0) * (w1 - w0))]);
      const ww = int64(w1 - w0);
      const hh = g.op('Add', [g.op('Div', [local, ww]), int64(h0)]);
      const col = g.op('Add', [g.op('Mod', [local, ww]), int64(w0)]);
      cells[0].push(y);
      cells[1].push(g.op('Add', [g.op('Mul', [hh, int64(W)]), col]));
    }
    const axis = twoD ? 3 : 2;
    for (const k of [0, 1] as const)
      rows[k].push(cells[k].length === 1 ? cells[k][0] : g.op('Concat', cells[k], { axis }));
  }
  const join = (list: string[]) => (list.length === 1 ? list[0] : g.op('Concat', list, { axis: 2 }));
  return [join(rows[0]), join(rows[1])];
}

/**
 * Adaptive pooling: global pooling for an output of 1, a plain pool when the input divides
 * evenly, otherwise each output cell's window (PyTorch's floor/ceil bounds) pooled and concatenated.
 */
function adaptivePool(c: OpContext, v: string, max: boolean, size: number[], out: number[], spatial: number): string {
  const g = c.g;
  // onnxruntime has no float64 GlobalAveragePool, GlobalMaxPool or AveragePool: a float64 mean
  // takes ReduceMean, a float64 global max ReduceMax.
  const float32 = floatTypeOf(c) === 'float32';
  const poolOps = max || float32;
  if (out.every((o) => o === 1)) {
    if (float32) return g.op(max ? 'GlobalMaxPool' : 'GlobalAveragePool', [v]);
    return g.op(max ? 'ReduceMax' : 'ReduceMean', [v], { axes: size.map((_, i) => 2 + i), keepdims: 1 });
  }
  if (poolOps && size.every((s, i) => s % out[i] === 0)) {
    const k = size.map((s, i) => s / out[i]);
    return g.op(max ? 'MaxPool' : 'AveragePool', [v], { kernel_shape: k, strides: k });
  }
  const reduce = max ? 'ReduceMax' : 'ReduceMean';
  const axesBase = 2;
  const cells = (src: string, d: number): string => {
    const axis = axesBase + d;
    const parts = [];
    for (let o = 0; o < out[d]; o++) {
      const start = Math.floor((o * size[d]) / out[d]);
      const end = Math.ceil(((o + 1) * size[d]) / out[d]);
      const piece = g.op('Slice', [src, g.ints([start], 'starts'), g.ints([end], 'ends'), g.ints([axis], 'axes')]);
      parts.push(g.op(reduce, [piece], { axes: [axis], keepdims: 1 }));
    }
    return g.op('Concat', parts, { axis });
  };
  // Separable: pooling the last axis then the one before gives each cell's window reduction
  // for max; for the mean, equal-length windows per axis make it the mean of means, so the
  // 2-D mean reduces each cell at once instead.
  if (spatial === 1 || max) {
    let r = v;
    for (let d = spatial - 1; d >= 0; d--) r = cells(r, d);
    return r;
  }
  const rows = [];
  for (let i = 0; i < out[0]; i++) {
    const [h0, h1] = [Math.floor((i * size[0]) / out[0]), Math.ceil(((i + 1) * size[0]) / out[0])];
    const cols = [];
    for (let j = 0; j < out[1]; j++) {
      const [w0, w1] = [Math.floor((j * size[1]) / out[1]), Math.ceil(((j + 1) * size[1]) / out[1])];
      const piece = g.op('Slice', [v, g.ints([h0, w0], 'starts'), g.ints([h1, w1], 'ends'), g.ints([2, 3], 'axes')]);
      cols.push(g.op('ReduceMean', [piece], { axes: [2, 3], keepdims: 1 }));
    }
    rows.push(g.op('Concat', cols, { axis: 3 }));
  }
  return g.op('Concat', rows, { axis: 2 });
}

/** Scale and bias values for a normalisation (ones and zeros where the module has none). */
function affine(
  c: OpContext,
  plan: { hasWeight: boolean; hasBias: boolean },
  shape: readonly number[],
): [string, string] {
  const n = shape.reduce((a, b) => a * b, 1);
  const dtype = floatTypeOf(c);
  const w = plan.hasWeight ? c.input(2) : c.g.constant({ dtype, shape, data: new Array(n).fill(1) }, 'ones');
  const b = plan.hasBias
    ? c.input(plan.hasWeight ? 3 : 2)
    : c.g.constant({ dtype, shape, data: new Array(n).fill(0) }, 'zeros');
  return [w, b];
}

/** (x - mean) / sqrt(var + eps) over `axes` (the biased variance), eps of x's float type. */
function normalized(c: OpContext, x: string, axes: number[], eps: number): string {
  const g = c.g;
  const centered = g.op('Sub', [x, g.op('ReduceMean', [x], { axes, keepdims: 1 })]);
  const variance = g.op('ReduceMean', [g.op('Mul', [centered, centered])], { axes, keepdims: 1 });
  return g.op('Div', [centered, g.op('Sqrt', [g.op('Add', [variance, floatScalar(c, eps)])])]);
}

function batchNorm(c: OpContext): string {
  const plan = c.args[1] as {
    useBatchStats: boolean;
    runningMean: Tensor | null;
    runningVar: Tensor | null;
    eps: number;
    hasWeight: boolean;
    hasBias: boolean;
  };
  const x = c.args[0] as Tensor;
  const C = x.shape[1];
  const [w, b] = affine(c, plan, [C]);
  const g = c.g;
  const shape = [C, ...new Array(x.ndim - 2).fill(1)];
  if (!plan.useBatchStats && plan.runningMean && plan.runningVar) {
    const mean = c.value(plan.runningMean, (c.args2[1] as typeof plan).runningMean as Tensor);
    const variance = c.value(plan.runningVar, (c.args2[1] as typeof plan).runningVar as Tensor);
    // BatchNormalization wants [N, C, ...]: a 2-D [N, C] input is too.
    if (x.dtype !== 'float64')
      return g.op('BatchNormalization', [c.input(0), w, b, mean, variance], { epsilon: { float: plan.eps } });
    // float64: epsilon is a float32 attribute, so written out with a float64 eps, as layerNorm.
    const perChannel = (v: string) => g.op('Reshape', [v, g.ints(shape, 'shape')]);
    const std = g.op('Sqrt', [g.op('Add', [perChannel(variance), floatScalar(c, plan.eps)])]);
    const norm = g.op('Div', [g.op('Sub', [c.input(0), perChannel(mean)]), std]);
    return g.op('Add', [g.op('Mul', [norm, perChannel(w)]), perChannel(b)]);
  }
  // No running statistics (trackRunningStats: false): the batch's own, as PyTorch computes them in eval too.
  const axes = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const norm = normalized(c, c.input(0), axes, plan.eps);
  const ws = g.op('Reshape', [w, g.ints(shape, 'shape')]);
  const bs = g.op('Reshape', [b, g.ints(shape, 'shape')]);
  return g.op('Add', [g.op('Mul', [norm, ws]), bs]);
}

function groupNorm(c: OpContext): string {
  // Opset 17 has no GroupNormalization: normalise [N, G, rest] over its last axis.
  const plan = c.static(1) as { groups: number; eps: number; hasWeight: boolean; hasBias: boolean };
  const x = c.args[0] as Tensor;
  const C = x.shape[1];
  const g = c.g;
  const xin = c.input(0);
  const grouped = g.op('Reshape', [xin, g.ints([0, plan.groups, -1], 'shape')]);
  const norm = normalized(c, grouped, [2], plan.eps);
  const back = g.op('Reshape', [norm, g.op('Shape', [xin])]);
  const [w, b] = affine(c, plan, [C]);
  const shape = [C, ...new Array(x.ndim - 2).fill(1)];
  return g.op('Add', [
    g.op('Mul', [back, g.op('Reshape', [w, g.ints(shape, 'shape')])]),
    g.op('Reshape', [b, g.ints(shape, 'shape')]),
  ]);
}

// ---- modules mapped as a whole ----

interface RecurrentModule extends Module {
  mode: 'tanh' | 'relu' | 'lstm' | 'gru';
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  bidirectional: boolean;
  projSize?: number;
}

// Why a float64 recurrent layer is refused.
const RECURRENT_FLOAT32 =
  "its weights are written as float32 initializers, and onnxruntime's RNN has no float64 kernel";

/** PyTorch's gate blocks in ONNX's order: LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h. */
const GATE_ORDER: Record<string, number[]> = { lstm: [0, 3, 1, 2], gru: [1, 0, 2], tanh: [0], relu: [0] };

export function registerModules(reg: (name: string, h: OpHandler) => void): void {
  for (const name of ['RNN', 'LSTM', 'GRU']) reg(name, (c) => recurrent(c));
  for (const name of ['RNNCell', 'LSTMCell', 'GRUCell']) reg(name, (c) => cell(c));
}

/** A parameter's rows regrouped into ONNX's gate order, as a constant of shape [1, ...]. */
function gates(t: Tensor | null, mode: string, H: number, cols: number): Float32Array {
  const out = new Float32Array(GATE_ORDER[mode].length * H * cols);
  if (!t) return out;
  const src = t.toTypedArray() as Float32Array;
  GATE_ORDER[mode].forEach((blk, k) => out.set(src.subarray(blk * H * cols, (blk + 1) * H * cols), k * H * cols));
  return out;
}

function param(m: Module, name: string): Tensor | null {
  return ((m as unknown as Record<string, Tensor | null | undefined>)[name] ?? null) as Tensor | null;
}

/** W, R, B of layer l (both directions stacked) as initializers. */
function layerWeights(c: OpContext, m: RecurrentModule, l: number, inSize: number): [string, string, string] {
  const D = m.bidirectional ? 2 : 1;
  const H = m.hiddenSize;
  const G = GATE_ORDER[m.mode].length;
  const W = new Float32Array(D * G * H * inSize);
  const R = new Float32Array(D * G * H * H);
  const B = new Float32Array(D * 2 * G * H);
  for (let d = 0; d < D; d++) {
    const sfx = `_l${l}${d ? '_reverse' : ''}`;
    W.set(gates(param(m, `weight_ih${sfx}`), m.mode, H, inSize), d * G * H * inSize);
    R.set(gates(param(m, `weight_hh${sfx}`), m.mode, H, H), d * G * H * H);
    B.set(gates(param(m, `bias_ih${sfx}`), m.mode, H, 1), d * 2 * G * H);
    B.set(gates(param(m, `bias_hh${sfx}`), m.mode, H, 1), d * 2 * G * H + G * H);
  }
  const g = c.g;
  return [
    g.constant({ dtype: 'float32', shape: [D, G * H, inSize], data: W }, `W${l}`),
    g.constant({ dtype: 'float32', shape: [D, G * H, H], data: R }, `R${l}`),
    g.constant({ dtype: 'float32', shape: [D, 2 * G * H], data: B }, `B${l}`),
  ];
}

function rnnNode(
  c: OpContext,
  m: RecurrentModule,
  x: string,
  w: string[],
  lens: string,
  h0: string,
  c0: string,
): string[] {
  const attrs: Record<string, number | string | string[]> = {
    hidden_size: m.hiddenSize,
    direction: m.bidirectional ? 'bidirectional' : 'forward',
  };
  if (m.mode === 'tanh' || m.mode === 'relu')
    attrs.activations = m.bidirectional ? [cap(m.mode), cap(m.mode)] : [cap(m.mode)];
  if (m.mode === 'gru') attrs.linear_before_reset = 1;
  const op = m.mode === 'lstm' ? 'LSTM' : m.mode === 'gru' ? 'GRU' : 'RNN';
  const inputs = [x, ...w, lens, h0];
  if (m.mode === 'lstm') inputs.push(c0);
  while (inputs[inputs.length - 1] === '') inputs.pop();
  return c.g.node(op, inputs, attrs, m.mode === 'lstm' ? 3 : 2);
}

function cap(s: string): string {
  return s === 'tanh' ? 'Tanh' : 'Relu';
}

function recurrent(c: OpContext): string[] {
  const m = c.module<RecurrentModule>();
  refuseFloat64(c, RECURRENT_FLOAT32);
  if (m.projSize) c.fail("an LSTM with projSize (h_t projected by weight_hr) has no equivalent in ONNX's LSTM op");
  const [input, hx, options] = c.args as [
    Tensor,
    Tensor | Tensor[] | null | undefined,
    { lengths?: unknown } | undefined,
  ];
  const [, hx2, options2] = c.args2 as [
    Tensor,
    Tensor | Tensor[] | null | undefined,
    { lengths?: unknown } | undefined,
  ];
  const g = c.g;
  const D = m.bidirectional ? 2 : 1;
  const L = m.numLayers;
  const batched = input.ndim === 3;
  let x = c.input(0);
  if (!batched) x = g.op('Unsqueeze', [x, g.ints([1], 'axes')]);
  else if (m.batchFirst) x = g.op('Transpose', [x], { perm: [1, 0, 2] });
  let lens = '';
  if (options?.lengths !== undefined && options.lengths !== null) {
    const l1 = options.lengths;
    const l2 = options2?.lengths;
    if (l1 instanceof Object && 'shape' in (l1 as object)) {
      lens = g.op('Cast', [c.value(l1 as Tensor, l2 as Tensor)], { to: 6 });
    } else {
      const vals = Array.from(l1 as ArrayLike<number>);
      c.same(vals, Array.from(l2 as ArrayLike<number>), 'the lengths');
      lens = g.constant({ dtype: 'int32', shape: [vals.length], data: vals }, 'lengths');
    }
  }
  const states: string[] = [];
  const states2 = Array.isArray(hx2) ? hx2 : hx2 ? [hx2] : [];
  (Array.isArray(hx) ? hx : hx ? [hx] : []).forEach((s, k) => {
    let v = c.value(s, states2[k]);
    if (!batched) v = g.op('Unsqueeze', [v, g.ints([1], 'axes')]);
    states.push(v);
  });
  const layerState = (k: number, l: number) =>
    states[k]
      ? g.op('Slice', [states[k], g.ints([l * D], 'starts'), g.ints([(l + 1) * D], 'ends'), g.ints([0], 'axes')])
      : '';
  const finals: string[][] = [[], []];
  let inSize = input.shape[input.ndim - 1];
  for (let l = 0; l < L; l++) {
    const w = layerWeights(c, m, l, inSize);
    const outs = rnnNode(c, m, x, w, lens, layerState(0, l), layerState(1, l));
    // Y [T, D, B, H] → [T, B, D*H]
    x = g.op('Reshape', [g.op('Transpose', [outs[0]], { perm: [0, 2, 1, 3] }), g.ints([0, 0, -1], 'shape')]);
    finals[0].push(outs[1]);
    if (m.mode === 'lstm') finals[1].push(outs[2]);
    inSize = D * m.hiddenSize;
  }
  let y = x;
  if (!batched) y = g.op('Squeeze', [y, g.ints([1], 'axes')]);
  else if (m.batchFirst) y = g.op('Transpose', [y], { perm: [1, 0, 2] });
  const final = (list: string[]) => {
    let h = list.length === 1 ? list[0] : g.op('Concat', list, { axis: 0 });
    if (!batched) h = g.op('Squeeze', [h, g.ints([1], 'axes')]);
    return h;
  };
  return m.mode === 'lstm' ? [y, final(finals[0]), final(finals[1])] : [y, final(finals[0])];
}

/** The cells: one step of the layer, ONNX's op over a sequence of length 1. */
function cell(c: OpContext): string[] | string {
  const m = c.module<Module & { mode: RecurrentModule['mode']; hiddenSize: number }>();
  refuseFloat64(c, RECURRENT_FLOAT32);
  const [input, hx] = c.args as [Tensor, Tensor | Tensor[] | null | undefined];
  const [, hx2] = c.args2 as [Tensor, Tensor | Tensor[] | null | undefined];
  const g = c.g;
  const batched = input.ndim === 2;
  let x = c.input(0);
  if (!batched) x = g.op('Unsqueeze', [x, g.ints([0], 'axes')]);
  x = g.op('Unsqueeze', [x, g.ints([0], 'axes')]); // [1, B, I]
  const H = m.hiddenSize;
  const G = GATE_ORDER[m.mode].length;
  const inSize = input.shape[input.ndim - 1];
  const W = g.constant(
    { dtype: 'float32', shape: [1, G * H, inSize], data: gates(param(m, 'weight_ih'), m.mode, H, inSize) },
    'W',
  );
  const R = g.constant(
    { dtype: 'float32', shape: [1, G * H, H], data: gates(param(m, 'weight_hh'), m.mode, H, H) },
    'R',
  );
  const B = new Float32Array(2 * G * H);
  B.set(gates(param(m, 'bias_ih'), m.mode, H, 1), 0);
  B.set(gates(param(m, 'bias_hh'), m.mode, H, 1), G * H);
  const Bn = g.constant({ dtype: 'float32', shape: [1, 2 * G * H], data: B }, 'B');
  const states2 = Array.isArray(hx2) ? hx2 : hx2 ? [hx2] : [];
  const states = (Array.isArray(hx) ? hx : hx ? [hx] : []).map((s, k) => {
    let v = c.value(s, states2[k]);
    if (!batched) v = g.op('Unsqueeze', [v, g.ints([0], 'axes')]);
    return g.op('Unsqueeze', [v, g.ints([0], 'axes')]); // [1, B, H]
  });
  const mm = { ...m, bidirectional: false, hiddenSize: H, mode: m.mode } as unknown as RecurrentModule;
  const outs = rnnNode(c, mm, x, [W, R, Bn], '', states[0] ?? '', states[1] ?? '');
  const squeeze = (v: string) => {
    let s = g.op('Squeeze', [v, g.ints([0], 'axes')]);
    if (!batched) s = g.op('Squeeze', [s, g.ints([0], 'axes')]);
    return s;
  };
  return m.mode === 'lstm' ? [squeeze(outs[1]), squeeze(outs[2])] : squeeze(outs[1]);
}
