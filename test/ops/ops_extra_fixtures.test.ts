// Replays scripts/gen_fixtures_ops_extra.py: diagonals and triangles, rounding, the error
// functions and unique, forward and (for differentiable ops) gradients against PyTorch 1.13.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';
import { decode, type EncodedTensor, loadFixture } from '../helpers/fixtures.js';

interface Case {
  name: string;
  op: string;
  params: Record<string, number & boolean & string>;
  inputs: EncodedTensor[];
  outputs: EncodedTensor[];
  gradOutput?: EncodedTensor;
  grads?: (EncodedTensor | null)[];
}

type P = Case['params'];
const ops: Record<string, (xs: Tensor[], p: P) => Tensor | Tensor[]> = {
  trace: ([x]) => x.trace(),
  diagonal: ([x], p) => x.diagonal(p.offset, p.dim1, p.dim2),
  diag: ([x], p) => m.diag(x, p.diagonal),
  diagEmbed: ([x], p) => m.diagEmbed(x, p.offset, p.dim1, p.dim2),
  tril: ([x], p) => m.tril(x, p.diagonal),
  triu: ([x], p) => x.triu(p.diagonal),
  floor: ([x]) => x.floor(),
  ceil: ([x]) => m.ceil(x),
  trunc: ([x]) => x.trunc(),
  frac: ([x]) => x.frac(),
  round: ([x], p) => (p.decimals === undefined ? x.round() : m.round(x, { decimals: p.decimals })),
  erf: ([x]) => x.erf(),
  erfc: ([x]) => m.erfc(x),
  erfinv: ([x]) => x.erfinv(),
  unfoldDim: ([x], p) => x.unfold(p.dim, p.size, p.step),
  unfold: ([x], { kernelSize, ...o }) => m.nn.functional.unfold(x, kernelSize, o),
  fold: ([x], { outputSize, kernelSize, ...o }) => m.nn.functional.fold(x, outputSize, kernelSize, o),
  unique: ([x], p) => {
    const r = m.unique(x, p);
    return r instanceof m.UniqueResult ? [...r] : r;
  },
};

/** Shape, dtype and values within atol + rtol |expected|; NaN matches NaN, infinities exactly. */
function expectClose(t: Tensor | null, e: EncodedTensor, what: string, atol = 1e-6, rtol = 1e-6): void {
  expect(t, `${what}: missing`).not.toBeNull();
  expect(t!.shape, `${what}: shape`).toEqual(e.shape);
  expect(t!.dtype, `${what}: dtype`).toBe(e.dtype);
  const got = Array.from(t!.toTypedArray() as ArrayLike<number>);
  e.data.map(Number).forEach((w, i) => {
    const g = got[i];
    const ok = Number.isNaN(w)
      ? Number.isNaN(g)
      : Number.isFinite(w)
        ? Math.abs(g - w) <= atol + rtol * Math.abs(w)
        : g === w;
    if (!ok) expect.fail(`${what}: element ${i} is ${g}, PyTorch ${w}`);
  });
}

const { cases } = loadFixture<{ cases: Case[] }>('ops_extra');

describe('ops against PyTorch fixtures (ops_extra.json)', () => {
  it('has a replay for every fixture op', () => {
    for (const c of cases) expect(ops[c.op], c.op).toBeTypeOf('function');
  });
  for (const c of cases) {
    it(c.name, () => {
      const xs = c.inputs.map((e) => decode(e, c.grads !== undefined));
      const out = ops[c.op](xs, c.params);
      const outs = Array.isArray(out) ? out : [out];
      c.outputs.forEach((e, i) => expectClose(outs[i], e, `output ${i}`));
      if (c.gradOutput) {
        outs[0].backward(decode(c.gradOutput));
        c.grads!.forEach((e, i) => {
          // erfinv's gradient sqrt(pi)/2 exp(erfinv(y)^2) turns the float32 rounding of erfinv(y) into a
          // relative error 2 erfinv(y)^2 times larger (11x at y = 0.999).
          if (e) expectClose(xs[i].grad, e, `grad ${i}`, 1e-6, c.op === 'erfinv' ? 1e-5 : 1e-6);
        });
      }
    });
  }
});
