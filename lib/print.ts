// Printing like PyTorch's torch/_tensor_str.py: 4 decimals for floats, integer-valued floats as
// "1.", scientific notation when the magnitudes call for it, one column width for all elements,
// summarised with "..." above 1000 elements (3 edge items), lines wrapped at 80 characters.
import { bfloat16BitsToNumber, getDefaultDtype, isFloatingDType } from './dtype.js';
import { checkAnyTensor } from './errors.js';
import { Tensor } from './tensor.js';

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

/** Python's '{:.Nf}' (round half to even on the exact binary value; nan/inf spelled as Python). */
function fixed(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  let s = v.toFixed(digits);
  // toFixed rounds exact ties away from zero; Python rounds them to even.
  const exact = Math.abs(v).toFixed(Math.min(100, digits + 30));
  const tail = exact.slice(exact.indexOf('.') + 1 + digits);
  if (/^50*$/.test(tail)) {
    const down = (Math.abs(v) - 0.5 * 10 ** -digits).toFixed(digits);
    const lastDigit = Number(down[down.length - 1]);
    if (lastDigit % 2 === 0) s = (v < 0 ? '-' : '') + down;
  }
  if (Object.is(v, -0)) s = `-${s}`; // Python keeps the sign of -0.0
  return s;
}

/** Python's '{:.Ne}': mantissa with N decimals, exponent with a sign and at least 2 digits. */
function scientific(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const [m, e] = v.toExponential(digits).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

class Formatter {
  private intMode = true;
  private sciMode = false;
  private width = 1;

  constructor(
    private readonly isFloat: boolean,
    private readonly isBool: boolean,
    values: ArrayLike<number>,
  ) {
    if (!isFloat) {
      for (let i = 0; i < values.length; i++) this.width = Math.max(this.width, this.plain(values[i]).length);
      return;
    }
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] !== 0) finite.push(values[i]);
    if (finite.length === 0) return;
    let lo = Infinity;
    let hi = 0;
    for (const v of finite) {
      lo = Math.min(lo, Math.abs(v));
      hi = Math.max(hi, Math.abs(v));
      if (v !== Math.ceil(v)) this.intMode = false;
    }
    if (this.intMode) {
      if (hi / lo > 1000 || hi > 1e8) {
        this.sciMode = true;
        for (const v of finite) this.width = Math.max(this.width, scientific(v, PRECISION).length);
      } else {
        for (const v of finite) this.width = Math.max(this.width, fixed(v, 0).length + 1);
      }
    } else if (hi / lo > 1000 || hi > 1e8 || lo < 1e-4) {
      this.sciMode = true;
      for (const v of finite) this.width = Math.max(this.width, scientific(v, PRECISION).length);
    } else {
      for (const v of finite) this.width = Math.max(this.width, fixed(v, PRECISION).length);
    }
  }

  private plain(v: number): string {
    return this.isBool ? (v ? 'true' : 'false') : String(v);
  }

  get elementWidth(): number {
    return this.width;
  }

  format(v: number): string {
    let s: string;
    if (!this.isFloat) s = this.plain(v);
    else if (this.sciMode) s = scientific(v, PRECISION);
    else if (this.intMode) s = fixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = fixed(v, PRECISION);
    return s.padStart(this.width);
  }
}

interface Block {
  shape: number[];
  get(index: number[]): number;
}

function body(block: Block, dim: number, prefix: number[], indent: number, summarize: boolean, f: Formatter): string {
  const nd = block.shape.length;
  if (nd === 0) return f.format(block.get([]));
  const size = block.shape[dim];
  const skip = summarize && size > 2 * EDGE_ITEMS;
  const idx = skip ? [...range(0, EDGE_ITEMS), -1, ...range(size - EDGE_ITEMS, size)] : range(0, size);
  if (dim === nd - 1) {
    const elementLength = f.elementWidth + 2;
    const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / elementLength));
    const items = idx.map((i) => (i < 0 ? ' ...' : f.format(block.get([...prefix, i]))));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  }
  const rows = idx.map((i) => (i < 0 ? '...' : body(block, dim + 1, [...prefix, i], indent + 1, summarize, f)));
  return `[${rows.join(`,${'\n'.repeat(nd - dim - 1)}${' '.repeat(indent + 1)}`)}]`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}

/** The values the formatter sees: all, or only the edge items when summarising. */
function summarizedValues(t: Tensor, summarize: boolean): number[] {
  const out: number[] = [];
  const walk = (dim: number, prefix: number[]) => {
    if (dim === t.ndim) {
      out.push(elementAt(t, prefix));
      return;
    }
    const size = t.shape[dim];
    const idx =
      summarize && size > 2 * EDGE_ITEMS
        ? [...range(0, EDGE_ITEMS), ...range(size - EDGE_ITEMS, size)]
        : range(0, size);
    for (const i of idx) walk(dim + 1, [...prefix, i]);
  };
  walk(0, []);
  return out;
}

function elementAt(t: Tensor, index: number[]): number {
  let off = t.offset;
  for (let d = 0; d < index.length; d++) off += index[d] * t.strides[d];
  const v = t.storage.data[off];
  return t.dtype === 'bfloat16' ? bfloat16BitsToNumber(v) : v;
}

/**
 * torch-style text of a tensor: `tensor([[1.0000, 2.0000]], requiresGrad=true)`. A quantized
 * tensor shows its real values, then its size, dtype, scheme, scale(s), zero point(s) (and axis),
 * as torch's.
 */
export function formatTensor(t: Tensor): string {
  checkAnyTensor('formatTensor', 'input', t);
  const q = t.storage.quantizer;
  if (q !== null) {
    const values = formatTensor(t.dequantize()).slice(0, -1);
    const perChannel = q.axis >= 0;
    const scale = perChannel
      ? formatTensor(Tensor.fromData(Float64Array.from(q.scales), [q.scales.length]))
      : String(q.scales[0]);
    const zero = perChannel
      ? formatTensor(Tensor.fromData(Int32Array.from(q.zeroPoints), [q.zeroPoints.length]))
      : String(q.zeroPoints[0]);
    const parts = [
      `size=[${t.shape.join(', ')}]`,
      `dtype=${t.dtype}`,
      `quantizationScheme=${q.scheme}`,
      `scale=${scale}`,
      `zeroPoint=${zero}`,
    ];
    if (perChannel) parts.push(`axis=${q.axis}`);
    return `${values}, ${parts.join(', ')})`;
  }
  const prefix = 'tensor(';
  const indent = prefix.length;
  const n = t.numel();
  const suffixes: string[] = [];
  let text: string;
  if (n === 0) {
    text = '[]';
    if (t.ndim !== 1) suffixes.push(`size=[${t.shape.join(', ')}]`);
  } else {
    const summarize = n > THRESHOLD;
    const f = new Formatter(isFloatingDType(t.dtype), t.dtype === 'bool', summarizedValues(t, summarize));
    text = body({ shape: [...t.shape], get: (i) => elementAt(t, i) }, 0, [], indent, summarize, f);
  }
  // torch names a floating dtype other than the default one (float64 while the default is
  // float32, and float32 while it is float64); other dtypes only when nothing shows the kind.
  // int8, uint8 and the quantized dtypes always: their values would pass for int32 (torch's int64).
  if (isFloatingDType(t.dtype) ? t.dtype !== getDefaultDtype() : n === 0 || (t.dtype !== 'int32' && t.dtype !== 'bool'))
    suffixes.push(`dtype=${t.dtype}`);
  if (t.gradFn) suffixes.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requiresGrad=true');
  return `${prefix + [text, ...suffixes].join(', ')})`;
}
