// pad (torch.nn.functional.pad): 'constant' (any trailing dims, negative pads crop), 'reflect',
// 'replicate' and 'circular' (the last 1, 2 or 3 dims). Every padded dim gets a table from output
// position to source position (-1: the constant value), so one gather serves every mode; the
// backward scatter-adds through the same tables (reflected/replicated pixels get several terms).
import { defineOp } from '../../lib/autograd/define_op.js';
import { formatShape } from '../../lib/shape.js';
import { Tensor } from '../../lib/tensor.js';
import { contiguousRaw, emptyFloat, requireFloat } from '../../lib/ops/raw.js';
import { clone } from '../../lib/ops/view.js';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export interface PadOptions {
  /** Default 'constant'. */
  mode?: PadMode;
  /** The fill value of 'constant' (default 0). */
  value?: number;
}

const MODES: readonly string[] = ['constant', 'reflect', 'replicate', 'circular'];

interface PadPlan {
  inShape: number[];
  outShape: number[];
  /** Source element offset of every output row (last dim), -1 where the row is all fill. */
  rowSrc: Int32Array;
  /** Source position along the last dim of each output column, -1 for fill. */
  lastTable: Int32Array;
  /** The columns [lo, hi) whose sources are lo + shift .. hi + shift (the copied middle). */
  lo: number;
  hi: number;
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

function whole(t: Tensor): Float32Array {
  return (t.storage.data as Float32Array).subarray(t.offset, t.offset + t.numel());
}

function forwardPad(p: PadPlan, x: Float32Array, y: Float32Array): void {
  const { rowSrc, lastTable: t, lo, hi, value } = p;
  const ow = t.length;
  const shift = lo < hi ? t[lo] - lo : 0;
  let at = 0;
  for (let r = 0; r < rowSrc.length; r++, at += ow) {
    const off = rowSrc[r];
    if (off < 0) {
      y.fill(value, at, at + ow);
      continue;
    }
    for (let c = 0; c < lo; c++) {
      const s = t[c];
      y[at + c] = s < 0 ? value : x[off + s];
    }
    // Long runs go through memcpy; short ones are cheaper as a loop than a subarray view.
    if (hi - lo >= 128) y.set(x.subarray(off + lo + shift, off + hi + shift), at + lo);
    else for (let c = lo, s = off + shift; c < hi; c++) y[at + c] = x[s + c];
    for (let c = hi; c < ow; c++) {
      const s = t[c];
      y[at + c] = s < 0 ? value : x[off + s];
    }
  }
}

function backwardPad(p: PadPlan, g: Float32Array, dx: Float32Array): void {
  const { rowSrc, lastTable: t } = p;
  const ow = t.length;
  let at = 0;
  for (let r = 0; r < rowSrc.length; r++, at += ow) {
    const off = rowSrc[r];
    if (off < 0) continue;
    for (let c = 0; c < ow; c++) {
      const s = t[c];
      if (s >= 0) dx[off + s] += g[at + c];
    }
  }
}

const padOp = defineOp({
  name: 'pad',
  forward(ctx, x: Tensor, plan: PadPlan) {
    const y = emptyFloat(plan.outShape);
    forwardPad(plan, whole(contiguousRaw(x)), whole(y));
    ctx.plan = plan;
    return y;
  },
  backward(ctx, grad) {
    const plan = ctx.plan as PadPlan;
    const dx = emptyFloat(plan.inShape);
    backwardPad(plan, whole(contiguousRaw(grad)), whole(dx));
    return [dx];
  },
});

function buildPlan(shape: readonly number[], outShape: number[], tables: Int32Array[], value: number): PadPlan {
  const nd = shape.length;
  const k = tables.length; // padded trailing dims
  const strides = new Array<number>(nd);
  let st = 1;
  for (let d = nd - 1; d >= 0; d--) {
    strides[d] = st;
    st *= shape[d];
  }
  // Row offsets: start with one per leading (unpadded) index, then expand by each padded dim
  // but the last.
  let planes = 1;
  for (let d = 0; d < nd - k; d++) planes *= shape[d];
  const planeSize = nd - k > 0 ? strides[nd - k - 1] : st;
  let rows = new Int32Array(planes);
  for (let i = 0; i < planes; i++) rows[i] = i * planeSize;
  for (let j = 0; j < k - 1; j++) {
    const d = nd - k + j;
    const t = tables[j];
    const next = new Int32Array(rows.length * t.length);
    let at = 0;
    for (const base of rows) {
      for (let o = 0; o < t.length; o++) next[at++] = base < 0 || t[o] < 0 ? -1 : base + t[o] * strides[d];
    }
    rows = next;
  }
  // The copied middle of the last dim: the longest run of consecutive sources.
  const last = tables[k - 1];
  let lo = 0;
  let hi = 0;
  for (let c = 0; c < last.length; ) {
    if (last[c] < 0) {
      c++;
      continue;
    }
    let e = c + 1;
    while (e < last.length && last[e] === last[e - 1] + 1) e++;
    if (e - c > hi - lo) {
      lo = c;
      hi = e;
    }
    c = e;
  }
  return { inShape: [...shape], outShape, rowSrc: rows, lastTable: last, lo, hi, value };
}

/**
 * torch.nn.functional.pad(input, pad, mode, value): pad lists (left, right) pairs from the last
 * dim backwards: [1, 2] pads the last dim, [1, 2, 3, 4] the last two. The third argument is the
 * mode or an options object { mode, value }.
 */
export function pad(input: Tensor, pad: readonly number[], modeOrOptions: PadMode | PadOptions = 'constant', value?: number): Tensor {
  const op = 'pad';
  if (!(input instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
  requireFloat(op, input);
  const opts: PadOptions = typeof modeOrOptions === 'string' ? { mode: modeOrOptions, value } : { ...(modeOrOptions ?? {}), ...(value !== undefined ? { value } : {}) };
  const mode = opts.mode ?? 'constant';
  if (!MODES.includes(mode)) throw new RangeError(`${op}: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`);
  if (!Array.isArray(pad) || !pad.every((p) => Number.isInteger(p))) throw new TypeError(`${op}: pad must be an array of integers, got ${JSON.stringify(pad)}`);
  if (pad.length % 2 !== 0) throw new RangeError(`${op}: padding length must be divisible by 2, got ${pad.length} values ${JSON.stringify(pad)}`);
  const shape = input.shape;
  const nd = shape.length;
  const k = pad.length / 2;
  if (k > nd) throw new RangeError(`${op}: padding length ${pad.length} is too large for a ${nd}-D input ${formatShape(shape)} (at most ${2 * nd} values)`);
  if (opts.value !== undefined && typeof opts.value !== 'number') {
    throw new TypeError(`${op}: value must be a number, got ${String(opts.value)}`);
  }
  if (mode !== 'constant') {
    if (opts.value !== undefined && opts.value !== 0) throw new RangeError(`${op}: padding mode '${mode}' doesn't take a value argument (got ${opts.value})`);
    if (k < 1 || k > 3 || nd < k + 1 || nd > k + 2) {
      throw new RangeError(
        `${op}: mode '${mode}' pads the last 1, 2 or 3 dims of a (batched or unbatched) input: ${pad.length} values need a ${k + 1}-D or ${k + 2}-D input, got shape ${formatShape(shape)}`,
      );
    }
  }
  if (k === 0) return clone(input);
  const outShape = [...shape];
  const tables: Int32Array[] = [];
  for (let j = 0; j < k; j++) {
    const d = nd - k + j;
    const pi = 2 * (nd - 1 - d);
    const left = pad[pi];
    const right = pad[pi + 1];
    const n = shape[d];
    const out = n + left + right;
    const where = `dim ${d} of input ${formatShape(shape)}`;
    if (mode === 'constant') {
      if (out < 0) throw new RangeError(`${op}: padding (${left}, ${right}) of ${where} gives a negative output size ${out}`);
    } else {
      if (n === 0) throw new RangeError(`${op}: mode '${mode}' cannot pad the empty ${where}`);
      if (mode === 'reflect' && (left >= n || right >= n)) {
        throw new RangeError(`${op}: reflect padding (${left}, ${right}) must be less than the size ${n} of ${where}`);
      }
      if (mode === 'circular' && (left > n + Math.min(right, 0) || right > n + Math.min(left, 0))) {
        throw new RangeError(`${op}: circular padding (${left}, ${right}) of ${where} would wrap around more than once`);
      }
      if (out <= 0) throw new RangeError(`${op}: padding (${left}, ${right}) of ${where} gives an output size ${out}, which must be positive`);
    }
    outShape[d] = out;
    tables.push(sourceTable(mode, n, left, out));
  }
  return padOp(input, buildPlan(shape, outShape, tables, opts.value ?? 0));
}
