// Replays test/fixtures/intops.json (scripts/gen_fixtures_intops.py: torch 1.13's remainder,
// fmod, floor_divide, rounding div and bitwise ops) against myelin, op by op. torch's int16
// (uint8 with int8) and int64 (bool with a Python int) results are int32 here.
import { expect, it } from 'vitest';
import { type DType, type Tensor, tensor } from '../../lib/index.js';
import { loadFixture } from './fixtures.js';

interface Enc {
  shape: number[];
  dtype: string;
  data: (number | string)[]; // 'inf', '-inf', 'nan', '-0.0' where JSON has no number for it
}
type Arg = Enc | number | boolean;
interface Case {
  op: string;
  note: string;
  args: Arg[];
  out: Enc;
  gradOut?: Enc;
  grads?: Enc[];
}

const STANDS_IN: Record<string, string> = { int16: 'int32', int64: 'int32' };
const num = (v: number | string) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : Number(v));
const isEnc = (a: unknown): a is Enc => typeof a === 'object' && a !== null && 'dtype' in a;
const decode = (e: Enc): Tensor => tensor(e.data.map(num), { dtype: e.dtype as DType }).reshape(e.shape);

/** The values of t as numbers (bool as 0 and 1). */
const values = (t: Tensor) => Array.from(t.toTypedArray() as ArrayLike<number>, Number);

/** Bit-equal, signed zeros and NaN included (every NaN is one). */
function expectValues(got: Tensor, want: Enc, what: string): void {
  expect(got.dtype, `${what} dtype`).toBe(STANDS_IN[want.dtype] ?? want.dtype);
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const g = values(got.to(got.dtype === 'bfloat16' ? 'float32' : got.dtype));
  want.data.map(num).forEach((w, i) => {
    if (!Object.is(g[i], w) && !(Number.isNaN(g[i]) && Number.isNaN(w)))
      expect.fail(`${what} [${i}]: got ${Object.is(g[i], -0) ? '-0' : g[i]}, torch ${Object.is(w, -0) ? '-0' : w}`);
  });
}

/** One test per golden case of the named ops (with the gradients where the case has them). */
export function replayIntops(ops: Record<string, (...a: never[]) => Tensor>): void {
  const cases = loadFixture<{ cases: Case[] }>('intops').cases.filter((c) => c.op in ops);
  it('has cases of every op', () => {
    expect(new Set(cases.map((c) => c.op))).toEqual(new Set(Object.keys(ops)));
  });
  for (const c of cases) {
    const shown = c.args.map((a) => (isEnc(a) ? `${a.dtype}[${a.shape}]` : String(a)));
    it(`${c.op}(${shown.join(', ')}): ${c.note}`, () => {
      const args = c.args.map((a) => (isEnc(a) ? decode(a).requiresGrad_(c.grads !== undefined) : a));
      const out = (ops[c.op] as (...a: unknown[]) => Tensor)(...args);
      expectValues(out, c.out, 'value');
      if (!c.grads || !c.gradOut) return;
      out.backward(decode(c.gradOut));
      c.grads.forEach((g, i) => expectValues((args[i] as Tensor).grad!, g, `grad ${i}`));
    });
  }
}
