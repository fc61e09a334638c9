// einsum(equation, ...operands) with torch.einsum's rules: implicit output (labels used once,
// in ASCII order, after the ellipsis dims), repeated labels (diagonals), ellipsis broadcasting,
// size-1 broadcasting, any number of operands. The gradient of each operand is an einsum of the
// output's gradient with the other operands, placed back onto the operand's diagonal and
// broadcast over the labels only it had: both steps are ops whose backward is einsum again,
// so gradients of any order work.
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { contiguousStrides, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { broadcastDims, einsumRaw, type EinsumSpec, emptyFloating, type Label, labelSizes } from '../raw/einsum.js';
import { writeInto } from '../raw/strided.js';
import { checkProductDtypes } from '../raw/int32_products.js';
import { byteProduct } from './cast.js';
import { autocastsTo } from '../lowp/autocast_ops.js';

// Labels: 'A'-'Z' are 0-25 and 'a'-'z' 26-51 (ASCII order, as torch sorts implicit outputs);
// ellipsis dim p (counted from the left of the widest ellipsis) is ELLIPSIS + p.
const ELLIPSIS = 52;
// Labels for the broadcast dims of a gradient, which sum away (never clash with the above).
const SCRATCH = 1 << 20;

function labelOf(ch: string): Label {
  const c = ch.charCodeAt(0);
  return c <= 90 ? c - 65 : c - 97 + 26;
}

function labelName(l: Label): string {
  if (l >= ELLIPSIS) return `... dim ${l - ELLIPSIS}`;
  return String.fromCharCode(l < 26 ? 65 + l : 97 + l - 26);
}

type Term = { letters: Label[]; ellipsisAt: number }; // ellipsisAt -1: none

function parseTerm(eq: string, term: string, what: string): Term {
  const letters: Label[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < term.length; i++) {
    const ch = term[i];
    if (ch === '.') {
      if (term.slice(i, i + 3) !== '...')
        throw new RangeError(`einsum: '.' in ${what} of '${eq}' is not part of an ellipsis '...'`);
      if (ellipsisAt >= 0) throw new RangeError(`einsum: ${what} of '${eq}' has more than one ellipsis`);
      ellipsisAt = letters.length;
      i += 2;
    } else if (/^[A-Za-z]$/.test(ch)) {
      letters.push(labelOf(ch));
    } else {
      throw new RangeError(
        `einsum: invalid subscript '${ch}' in ${what} of '${eq}' (subscripts are letters A-Z, a-z and '...')`,
      );
    }
  }
  return { letters, ellipsisAt };
}

/** Parses `equation` for `operands` into integer labels, checking every size. */
export function parseEinsum(equation: string, operands: readonly Tensor[]): EinsumSpec {
  if (typeof equation !== 'string') throw new TypeError(`einsum: equation must be a string, got ${typeof equation}`);
  const eq = equation.replace(/\s+/g, '');
  const parts = eq.split('->');
  if (parts.length > 2) throw new RangeError(`einsum: equation '${equation}' has more than one '->'`);
  const lhs = parts[0].split(',');
  if (lhs.length !== operands.length) {
    throw new RangeError(
      `einsum: equation '${equation}' names ${lhs.length} operand${lhs.length === 1 ? '' : 's'} but ${operands.length} ${operands.length === 1 ? 'was' : 'were'} given`,
    );
  }
  const terms = lhs.map((t, i) => parseTerm(equation, t, `operand ${i}`));
  let ellipsisDims = 0;
  terms.forEach((t, i) => {
    const nd = operands[i].ndim;
    const named = t.letters.length;
    if (t.ellipsisAt < 0 ? named !== nd : named > nd) {
      throw new RangeError(
        `einsum: operand ${i} has ${nd} dims (shape ${formatShape(operands[i].shape)}) but its subscripts '${lhs[i]}' name ${named}` +
          (t.ellipsisAt < 0 ? ' and no ellipsis was given' : ''),
      );
    }
    if (t.ellipsisAt >= 0) ellipsisDims = Math.max(ellipsisDims, nd - named);
  });
  // Expand each ellipsis to the labels of the dims it covers (right-aligned, as broadcasting).
  const inputs = terms.map((t, i) => {
    if (t.ellipsisAt < 0) return t.letters;
    const covered = operands[i].ndim - t.letters.length;
    const ell = Array.from({ length: covered }, (_, p) => ELLIPSIS + ellipsisDims - covered + p);
    return [...t.letters.slice(0, t.ellipsisAt), ...ell, ...t.letters.slice(t.ellipsisAt)];
  });
  const allEllipsis = Array.from({ length: ellipsisDims }, (_, p) => ELLIPSIS + p);

  let output: Label[];
  if (parts.length === 2) {
    const o = parseTerm(equation, parts[1], 'the output');
    output =
      o.ellipsisAt < 0
        ? o.letters
        : [...o.letters.slice(0, o.ellipsisAt), ...allEllipsis, ...o.letters.slice(o.ellipsisAt)];
    const used = new Set(inputs.flat());
    const seen = new Set<Label>();
    for (const l of o.letters) {
      if (!used.has(l))
        throw new RangeError(
          `einsum: output subscript '${labelName(l)}' of '${equation}' does not appear in any operand`,
        );
      if (seen.has(l))
        throw new RangeError(`einsum: output subscript '${labelName(l)}' of '${equation}' appears more than once`);
      seen.add(l);
    }
  } else {
    const count = new Map<Label, number>();
    for (const l of terms.flatMap((t) => t.letters)) count.set(l, (count.get(l) ?? 0) + 1);
    output = [...allEllipsis, ...[...count.keys()].filter((l) => count.get(l) === 1).sort((x, y) => x - y)];
  }
  checkSizes(equation, inputs, operands);
  return { inputs, output };
}

function checkSizes(equation: string, inputs: Label[][], operands: readonly Tensor[]): void {
  const size = new Map<Label, [number, number]>(); // label -> [size, operand that set it]
  inputs.forEach((labels, i) => {
    const own = new Map<Label, number>();
    labels.forEach((l, d) => {
      const s = operands[i].shape[d];
      const mine = own.get(l);
      if (mine !== undefined && mine !== s) {
        throw new RangeError(
          `einsum: subscript '${labelName(l)}' is repeated in operand ${i} of '${equation}' with different sizes (${mine} != ${s}); shape ${formatShape(operands[i].shape)}`,
        );
      }
      own.set(l, s);
      const seen = size.get(l);
      if (seen === undefined || seen[0] === 1) size.set(l, [s, i]);
      else if (s !== 1 && s !== seen[0]) {
        throw new RangeError(
          `einsum: subscript '${labelName(l)}' has size ${seen[0]} in operand ${seen[1]} (shape ${formatShape(operands[seen[1]].shape)}) ` +
            `but ${s} in operand ${i} (shape ${formatShape(operands[i].shape)}) of '${equation}'`,
        );
      }
    });
  });
}

/** The einsum primitive over parsed specs. */
const einsumOp: (spec: EinsumSpec, ...ts: Tensor[]) => Tensor = defineOp({
  name: 'einsum',
  dtypes: ['float32', 'float64'],
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ spec: EinsumSpec }>, spec: EinsumSpec, ...ts: Tensor[]) {
    ctx.spec = spec;
    ctx.save(...ts);
    return einsumRaw(spec, ts);
  },
  backward(ctx, g) {
    const spec = ctx.spec;
    const ts = ctx.saved;
    return ts.map((_, i) => (ctx.needsInputGrad[i] ? operandGrad(spec, ts, i, g) : null));
  },
});

/** d(einsum)/d(operand i) applied to g. */
function operandGrad(spec: EinsumSpec, ts: Tensor[], i: number, g: Tensor): Tensor {
  const sizes = labelSizes(spec, ts);
  const labels = spec.inputs[i];
  const shape = ts[i].shape;
  // Labels the rest of the equation knows (not counting its broadcast dims).
  const known = new Set<Label>(spec.output);
  ts.forEach((t, j) => {
    if (j === i) return;
    const skip = broadcastDims(spec.inputs[j], t.shape, sizes);
    spec.inputs[j].forEach((l, d) => !skip[d] && known.add(l));
  });
  const skip = broadcastDims(labels, shape, sizes);
  const unique: Label[] = [];
  labels.forEach((l, d) => !skip[d] && !unique.includes(l) && unique.push(l));
  const kept = unique.filter((l) => known.has(l));
  const others = ts.filter((_, j) => j !== i);
  const gKept = einsumOp(
    { inputs: [spec.output, ...spec.inputs.filter((_, j) => j !== i)], output: kept, bf16: spec.bf16 },
    g,
    ...others,
  );
  return placeOp(gKept, { labels, shape, kept, skip });
}

interface Placement {
  labels: Label[]; // the operand's labels, repeats included
  shape: readonly number[];
  kept: Label[]; // the labels gKept carries, in first-occurrence order
  skip: boolean[]; // the operand's broadcast dims
}

/**
 * Puts a gradient over `kept` labels back into an operand's shape: onto the diagonal of
 * repeated labels, broadcast over the labels only the operand had. Its backward extracts the
 * diagonal and sums those labels: an einsum.
 */
const placeOp: (g: Tensor, p: Placement) => Tensor = defineOp({
  name: 'einsumPlace',
  dtypes: ['float32', 'float64'],
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ p: Placement }>, g: Tensor, p: Placement) {
    ctx.p = p;
    const unique: Label[] = [];
    const strides: number[] = [];
    const full = contiguousStrides(p.shape);
    p.labels.forEach((l, d) => {
      if (p.skip[d]) return;
      const at = unique.indexOf(l);
      if (at >= 0) strides[at] += full[d];
      else {
        unique.push(l);
        strides.push(full[d]);
      }
    });
    const sizes = unique.map((l) => p.shape[p.labels.indexOf(l)]);
    const simple = unique.length === p.labels.filter((_, d) => !p.skip[d]).length && unique.length === p.kept.length;
    if (simple && g.isContiguous()) return new Tensor(g.storage, p.shape, full, g.offset);
    const out = emptyFloating(g.dtype, p.shape);
    const src = new Tensor(
      g.storage,
      sizes,
      unique.map((l) => (p.kept.includes(l) ? g.strides[p.kept.indexOf(l)] : 0)),
      g.offset,
    );
    writeInto(new Tensor(out.storage, sizes, strides, 0), src);
    return out;
  },
  backward(ctx, gg) {
    const p = ctx.p;
    // Broadcast dims get labels of their own, which sum away (they have size 1).
    const labels = p.labels.map((l, d) => (p.skip[d] ? SCRATCH + d : l));
    return [einsumOp({ inputs: [labels], output: p.kept }, gg)];
  },
});

/**
 * Einstein summation (torch.einsum): einsum('ij,jk->ik', a, b). Operands may also be passed
 * as one array: einsum('ij,jk', [a, b]). All float32, all float64 (every product and sum in
 * double), or all int32: then the products and the sums that contract operands wrap modulo 2^32
 * as torch's int32 products, and a label summed within one operand alone is summed exactly, an
 * error past int32's range (torch's sum gives int64 there, which myelin does not have).
 */
export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  const ts = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as unknown[];
  if (ts.length === 0) throw new RangeError('einsum: at least one operand is required');
  ts.forEach((t, i) => {
    if (!(t instanceof Tensor))
      throw new TypeError(`einsum: operand ${i} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  });
  const tensors = ts as Tensor[];
  const bytes = byteProduct(tensors, (...t) => einsum(equation, ...t));
  if (bytes) return bytes;
  checkProductDtypes('einsum', tensors);
  const spec = parseEinsum(equation, tensors);
  if (autocastsTo(...tensors)) spec.bf16 = true;
  return einsumOp(spec, ...tensors);
}
