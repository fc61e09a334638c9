// pad (torch.nn.functional.pad): 'constant' (any trailing dims, negative pads crop), 'reflect',
// 'replicate' and 'circular' (the last 1, 2 or 3 dims). Every padded dim gets a table from output
// position to source position (-1: the constant value). The part of the output that is the
// input unmoved (the interior) is one native strided copy; 'constant' fills the border slabs
// natively, the other modes gather their (small) border through the tables. The backward copies
// the grad's interior back and scatter-adds the border through the same tables (reflected or
// replicated pixels get several terms). float32 and float64 alike (the copies and fills are the
// native float64 kernels on Float64Arrays, the value kept in double).
import { widenedForFloat32List } from '../lowp/autocast_state.js';
import { checkOptions, describe, show } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { BinaryOp, native } from '../native.js';
import { checkAllocation, contiguousStrides, formatShape, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { contiguousOf, type FloatArray, floatElements, uninitOf, zerosOf } from '../raw/elementwise.js';
import { FLOATING_DTYPES, type FloatDType, isFloatingDType } from '../dtype.js';
import { clone } from './view.js';

/** How `pad` fills: a constant, the mirror image without the edge, the edge repeated, or wrapped around. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** The options of `pad` (PyTorch's keyword arguments). */
export interface PadOptions {
  /** Default 'constant'. */
  mode?: PadMode;
  /** The fill value of 'constant' (default 0). */
  value?: number;
}

const MODES: readonly string[] = ['constant', 'reflect', 'replicate', 'circular'];

interface PadPlan {
  mode: PadMode;
  inShape: number[];
  outShape: number[];
  /** Per dim: where the interior starts in the output and in the input, and its length. */
  outStart: number[];
  inStart: number[];
  kept: number[];
  /** The padded (trailing) dims' tables. */
  tables: Int32Array[];
  /** Non-constant modes: source element offset of every output row (last dim). */
  rowSrc: Int32Array | null;
  /** Non-constant modes: 1 where an output row lies in the interior of every outer dim. */
  rowInner: Uint8Array | null;
  value: number;
}

function sourceTable(mode: PadMode, n: number, left: number, outLen: number): Int32Array {
  const t = new Int32Array(outLen);
  // circular wraps within the part negative pads leave (as torch: crop first, then wrap).
  const start = Math.max(-left, 0);
  for (let o = 0; o < outLen; o++) {
    let s = o - left;
    if (mode === 'constant') {
      if (s < 0 || s >= n) s = -1;
    } else if (mode === 'reflect') {
      if (s < 0) s = -s;
      if (s >= n) s = 2 * (n - 1) - s;
    } else if (mode === 'replicate') {
      s = s < 0 ? 0 : s >= n ? n - 1 : s;
    } else {
      const kept = n + Math.min(left, 0) + Math.min(outLen - n - left, 0);
      s = start + ((((o - Math.max(left, 0)) % kept) + kept) % kept);
    }
    t[o] = s;
  }
  return t;
}

/** A one-element array of `value` of dst's element type (a native binary's scalar operand). */
const scalarLike = (dst: FloatArray, value: number): FloatArray =>
  dst instanceof Float64Array ? Float64Array.of(value) : Float32Array.of(value);

/** dst (shape, strides, offset) <- src view, natively (x * 1 is exact for every float). */
function copyView(
  shape: number[],
  dst: FloatArray,
  dstOffset: number,
  dstStrides: readonly number[],
  src: FloatArray,
  srcOffset: number,
  srcStrides: readonly number[],
): void {
  if (shape.some((s) => s === 0)) return;
  native.binary(
    BinaryOp.mul,
    shape,
    dst,
    dstOffset,
    dstStrides,
    src,
    srcOffset,
    srcStrides,
    scalarLike(dst, 1),
    0,
    shape.map(() => 0),
  );
}

/**
 * The block of shape `block` of src from index `srcStart` into dst (contiguous, of shape
 * `dstShape`) at index `dstStart`: the interior of pad (src x) and of its gradient (src grad).
 */
function copyBlock(
  block: number[],
  src: Tensor,
  srcStart: readonly number[],
  dst: FloatArray,
  dstShape: readonly number[],
  dstStart: readonly number[],
): void {
  const dstStrides = contiguousStrides(dstShape);
  copyView(
    block,
    dst,
    offsetOf(dstStart, dstStrides),
    dstStrides,
    src.storage.data as FloatArray,
    src.offset + offsetOf(srcStart, src.strides),
    src.strides,
  );
}

/** Every element of the view (shape, strides, offset) of dst <- value, natively. */
function fillView(shape: number[], dst: FloatArray, offset: number, strides: readonly number[], value: number): void {
  if (shape.some((s) => s === 0)) return;
  const zeros = shape.map(() => 0);
  native.binary(
    BinaryOp.mul,
    shape,
    dst,
    offset,
    strides,
    scalarLike(dst, value),
    0,
    zeros,
    scalarLike(dst, 1),
    0,
    zeros,
  );
}

function offsetOf(at: readonly number[], strides: readonly number[]): number {
  let off = 0;
  for (let d = 0; d < at.length; d++) off += at[d] * strides[d];
  return off;
}

/** The interior: the output region that is the input unmoved (null when it is empty). */
function interiorShape(p: PadPlan): number[] | null {
  return p.kept.some((k) => k <= 0) ? null : p.kept;
}

// 'constant': the border is, dim by dim, the slabs before and after the interior along that dim
// (outer dims restricted to their interior, inner dims whole): disjoint, and with the interior
// they tile the output.
function fillConstantBorder(p: PadPlan, y: FloatArray): void {
  const { outShape, outStart, kept } = p;
  const strides = contiguousStrides(outShape);
  const nd = outShape.length;
  const shape = [...outShape];
  const at = new Array<number>(nd).fill(0);
  for (let d = nd - p.tables.length; d < nd; d++) {
    const before = outStart[d];
    const after = outStart[d] + kept[d];
    shape[d] = before;
    at[d] = 0;
    fillView([...shape], y, offsetOf(at, strides), strides, p.value);
    shape[d] = outShape[d] - after;
    at[d] = after;
    fillView([...shape], y, offsetOf(at, strides), strides, p.value);
    shape[d] = kept[d];
    at[d] = before;
  }
}

// Other modes: the border goes through the last dim's table, row by row. Calls
// run(src, at, from, to) for each run [from, to) of border columns of the output row at `at`,
// whose source row starts at `src`: a whole row, or (an interior row) the columns before and
// after the kept ones.
function forEachBorderRun(p: PadPlan, run: (src: number, at: number, from: number, to: number) => void): void {
  const rowSrc = p.rowSrc!;
  const inner = p.rowInner!;
  const nd = p.outShape.length;
  const ow = p.tables[p.tables.length - 1].length;
  const lo = p.outStart[nd - 1];
  const hi = lo + p.kept[nd - 1];
  for (let r = 0, at = 0; r < rowSrc.length; r++, at += ow) {
    if (inner[r]) {
      run(rowSrc[r], at, 0, lo);
      run(rowSrc[r], at, hi, ow);
    } else {
      run(rowSrc[r], at, 0, ow);
    }
  }
}

function gatherBorder(p: PadPlan, x: FloatArray, y: FloatArray): void {
  const t = p.tables[p.tables.length - 1];
  forEachBorderRun(p, (src, at, from, to) => {
    for (let c = from; c < to; c++) y[at + c] = x[src + t[c]];
  });
}

function scatterBorder(p: PadPlan, g: FloatArray, dx: FloatArray): void {
  const t = p.tables[p.tables.length - 1];
  forEachBorderRun(p, (src, at, from, to) => {
    for (let c = from; c < to; c++) dx[src + t[c]] += g[at + c];
  });
}

const padOp: (x: Tensor, plan: PadPlan) => Tensor = defineOp({
  name: 'pad',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext<{ plan: PadPlan }>, x: Tensor, plan: PadPlan) {
    const y = uninitOf(x.dtype as FloatDType, plan.outShape); // interior + border cover every element
    ctx.plan = plan;
    if (y.numel() === 0) return y;
    const yd = floatElements(y);
    const inner = interiorShape(plan);
    // Constant mode copies x in place; the other modes' border indexes a contiguous copy.
    const src = plan.mode === 'constant' ? x : contiguousOf(x);
    if (inner) copyBlock(inner, src, plan.inStart, yd, plan.outShape, plan.outStart);
    if (plan.mode !== 'constant') gatherBorder(plan, floatElements(src), yd);
    else if (inner) fillConstantBorder(plan, yd);
    else fillView(plan.outShape, yd, 0, contiguousStrides(plan.outShape), plan.value);
    return y;
  },
  // The gradient through padBackwardOp: recorded only while a graph is being built.
  backward: (ctx, grad) => [padBackwardOp(grad, ctx.plan)],
  // Affine in the input: the tangent padded the same way, with zeros where the value is constant.
  jvp: (ctx, t) => padOp(t!, { ...ctx.plan, value: 0 }),
});

/** pad's gradient: the border's gradients summed back onto the input elements they copy. */
function padGradRaw(plan: PadPlan, grad: Tensor): Tensor {
  const inner = interiorShape(plan);
  // When the interior is the whole input the copy writes every element of dx.
  const full = inner !== null && plan.inStart.every((s) => s === 0) && inner.every((k, d) => k === plan.inShape[d]);
  const dtype = grad.dtype as FloatDType;
  const dx = full ? uninitOf(dtype, plan.inShape) : zerosOf(dtype, plan.inShape);
  if (dx.numel() === 0 || grad.numel() === 0) return dx;
  const dxd = floatElements(dx);
  // Constant mode reads the gradient in place; the other modes' border indexes a contiguous copy.
  const g = plan.mode === 'constant' ? grad : contiguousOf(grad);
  if (inner) copyBlock(inner, g, plan.outStart, dxd, plan.inShape, plan.inStart);
  if (plan.mode !== 'constant') scatterBorder(plan, floatElements(g), dxd);
  return dx;
}

/**
 * pad's backward as an op of its own, linear in the gradient: its derivative is pad with a fill
 * of 0 (the adjoint of the adjoint), so under createGraph pad's gradient is recorded.
 */
const padBackwardOp: (grad: Tensor, plan: PadPlan) => Tensor = defineOp({
  name: 'padBackward',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext<{ plan: PadPlan }>, grad: Tensor, plan: PadPlan) {
    ctx.plan = plan;
    return padGradRaw(plan, grad);
  },
  backward: (ctx, gg) => [padOp(gg, { ...ctx.plan, value: 0 })],
  jvp: (ctx, t) => padBackwardOp(t!, ctx.plan),
});

function buildPlan(
  mode: PadMode,
  shape: readonly number[],
  outShape: number[],
  pads: [number, number][],
  tables: Int32Array[],
  value: number,
): PadPlan {
  const nd = shape.length;
  const k = tables.length; // padded trailing dims
  const outStart = new Array<number>(nd).fill(0);
  const inStart = new Array<number>(nd).fill(0);
  const kept = [...shape];
  for (let j = 0; j < k; j++) {
    const d = nd - k + j;
    const [left, right] = pads[j];
    outStart[d] = Math.max(left, 0);
    inStart[d] = Math.max(-left, 0);
    kept[d] = shape[d] - Math.max(-left, 0) - Math.max(-right, 0);
  }
  const plan: PadPlan = {
    mode,
    inShape: [...shape],
    outShape,
    outStart,
    inStart,
    kept,
    tables,
    rowSrc: null,
    rowInner: null,
    value,
  };
  if (mode === 'constant') return plan;
  const strides = contiguousStrides(shape);
  // Row offsets: start with one per leading (unpadded) index, then expand by each padded dim
  // but the last.
  let planes = 1;
  for (let d = 0; d < nd - k; d++) planes *= shape[d];
  const planeSize = nd - k > 0 ? strides[nd - k - 1] : shape.reduce((a, b) => a * b, 1);
  let rows = new Int32Array(planes);
  let inner = new Uint8Array(planes).fill(1);
  for (let i = 0; i < planes; i++) rows[i] = i * planeSize;
  for (let j = 0; j < k - 1; j++) {
    const d = nd - k + j;
    const t = tables[j];
    const lo = outStart[d];
    const hi = lo + kept[d];
    const next = new Int32Array(rows.length * t.length);
    const nextInner = new Uint8Array(next.length);
    let at = 0;
    for (let r = 0; r < rows.length; r++) {
      for (let o = 0; o < t.length; o++, at++) {
        next[at] = rows[r] + t[o] * strides[d];
        nextInner[at] = inner[r] && o >= lo && o < hi ? 1 : 0;
      }
    }
    rows = next;
    inner = nextInner;
  }
  plan.rowSrc = rows;
  plan.rowInner = inner;
  return plan;
}

/**
 * torch.nn.functional.pad(input, pad, mode, value): pad lists (left, right) pairs from the last
 * dim backwards: [1, 2] pads the last dim, [1, 2, 3, 4] the last two. The third argument is the
 * mode or an options object { mode, value }.
 */
export function pad(
  input: Tensor,
  pad: readonly number[],
  modeOrOptions: PadMode | PadOptions = 'constant',
  value?: number,
): Tensor {
  const op = 'pad';
  if (!(input instanceof Tensor))
    throw new TypeError(`${op}: input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
  if (!isFloatingDType(input.dtype))
    throw new TypeError(`${op}: expected a float32 or float64 tensor, got ${input.dtype}`);
  const opts: PadOptions =
    typeof modeOrOptions === 'string'
      ? { mode: modeOrOptions, value }
      : {
          ...checkOptions(op, modeOrOptions, { mode: 'string', value: 'number' }),
          ...(value !== undefined ? { value } : {}),
        };
  const mode = opts.mode ?? 'constant';
  if (!MODES.includes(mode))
    throw new RangeError(`${op}: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${show(mode)}`);
  if (!Array.isArray(pad) || !pad.every((p) => Number.isInteger(p)))
    throw new TypeError(`${op}: pad must be an array of integers, got ${show(pad)}`);
  if (pad.length % 2 !== 0)
    throw new RangeError(`${op}: padding length must be divisible by 2, got ${pad.length} values ${show(pad)}`);
  const shape = input.shape;
  const nd = shape.length;
  const k = pad.length / 2;
  if (k > nd)
    throw new RangeError(
      `${op}: padding length ${pad.length} is too large for a ${nd}-D input ${formatShape(shape)} (at most ${2 * nd} values)`,
    );
  if (opts.value !== undefined && typeof opts.value !== 'number') {
    throw new TypeError(`${op}: value must be a number, got ${String(opts.value)}`);
  }
  // PyTorch's autocast float32 list holds the reflect and replicate pads: a bfloat16 input is
  // widened and the result is float32 (the constant and circular pads keep bfloat16).
  if (mode === 'reflect' || mode === 'replicate') {
    const wide = widenedForFloat32List(input);
    if (wide) return padWidened(wide[0], pad, opts);
  }
  if (mode !== 'constant') {
    if (opts.value !== undefined && opts.value !== 0)
      throw new RangeError(`${op}: padding mode '${mode}' doesn't take a value argument (got ${describe(opts.value)})`);
    if (k < 1 || k > 3 || nd < k + 1 || nd > k + 2) {
      throw new RangeError(
        `${op}: mode '${mode}' pads the last 1, 2 or 3 dims of a (batched or unbatched) input: ${pad.length} values need a ${k + 1}-D or ${k + 2}-D input, got shape ${formatShape(shape)}`,
      );
    }
  }
  if (k === 0) return clone(input);
  const outShape = [...shape];
  const tables: Int32Array[] = [];
  const pads: [number, number][] = [];
  for (let j = 0; j < k; j++) {
    const d = nd - k + j;
    const pi = 2 * (nd - 1 - d);
    const left = pad[pi];
    const right = pad[pi + 1];
    const n = shape[d];
    const out = n + left + right;
    const where = `dim ${d} of input ${formatShape(shape)}`;
    if (mode === 'constant') {
      if (out < 0)
        throw new RangeError(`${op}: padding (${left}, ${right}) of ${where} gives a negative output size ${out}`);
    } else {
      if (n === 0) throw new RangeError(`${op}: mode '${mode}' cannot pad the empty ${where}`);
      if (mode === 'reflect' && (left >= n || right >= n)) {
        throw new RangeError(`${op}: reflect padding (${left}, ${right}) must be less than the size ${n} of ${where}`);
      }
      if (mode === 'circular' && (left > n + Math.min(right, 0) || right > n + Math.min(left, 0))) {
        throw new RangeError(
          `${op}: circular padding (${left}, ${right}) of ${where} would wrap around more than once`,
        );
      }
      if (out <= 0)
        throw new RangeError(
          `${op}: padding (${left}, ${right}) of ${where} gives an output size ${out}, which must be positive`,
        );
    }
    outShape[d] = out;
    pads.push([left, right]);
  }
  checkAllocation(op, outShape);
  // The source tables grow with the output's size: none for an empty output (nothing to copy).
  const empty = numel(outShape) === 0;
  for (let j = 0; j < k; j++) {
    const d = nd - k + j;
    tables.push(empty ? new Int32Array(0) : sourceTable(mode, shape[d], pads[j][0], outShape[d]));
  }
  return padOp(input, buildPlan(mode, shape, outShape, pads, tables, opts.value ?? 0));
}

/** pad on an input autocast widened (inside pad, its name is the pad-widths argument). */
function padWidened(input: Tensor, widths: readonly number[], opts: PadOptions): Tensor {
  return pad(input, widths, opts);
}
