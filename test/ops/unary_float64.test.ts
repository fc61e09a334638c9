// float64 unary math against PyTorch 1.13's float64 values (test/fixtures/float64_unary.json,
// scripts/gen_fixtures_float64.py) under every ISA this CPU runs, in ulps of the double result;
// the gradients against torch's; and gradcheck in float64 with tight tolerances.
import { describe, expect, it } from 'vitest';
import {
  abs,
  cos,
  erf,
  erfc,
  erfinv,
  exp,
  expm1,
  gradcheck,
  log,
  log1p,
  neg,
  relu,
  rsqrt,
  sigmoid,
  sign,
  sin,
  sqrt,
  type Tensor,
  tanh,
} from '../../lib/index.js';
import { Storage, Tensor as TensorClass } from '../../lib/tensor.js';
import { loadFixture } from '../helpers/fixtures.js';
import { supportedIsas, withIsa } from '../helpers/native.js';
import { laidOut } from '../helpers/opinfo.js';

type Num = number | 'nan' | 'inf' | '-inf';
interface Case {
  input: Num[];
  output: Num[];
  /** The exact values (rounded to double) where torch's are not the reference. */
  exact?: Num[];
  gradOutput: Num[];
  grad: Num[];
}
const fixture = loadFixture<{ cases: Record<string, Case> }>('float64_unary').cases;

const ops: Record<string, (x: Tensor) => Tensor> = {
  exp,
  log,
  log1p,
  expm1,
  sqrt,
  rsqrt,
  sin,
  cos,
  tanh,
  sigmoid,
  erf,
  abs,
  neg,
  relu,
  sign,
  erfc,
  erfinv,
};

// erfc and erfinv are TypeScript in double (no libm function in JS): measured against the exact
// values (mpmath; torch's erfinv is itself off by up to 1e-7 relative near |y| = 1, where its
// Newton step cancels), erfc's continued fraction and erfinv's Newton steps each round a few
// times more than libm's erfc (measured worst: erfc 13 ulp, erfinv 10).
const EXACT_ULPS: Record<string, number> = { erfc: 16, erfinv: 16 };

// The largest difference from torch's value allowed, in ulps of torch's value: glibc's double
// functions (ours) and torch's (Sleef's 1-ulp vector functions, or glibc's) are each within 1
// ulp of the exact value (tanh: glibc 2), so they may differ by 2 (tanh 3); sigmoid's formula
// rounds three times on each side. The exactly rounded ops must match bit for bit.
const ULPS: Record<string, number> = {
  tanh: 3,
  sigmoid: 4,
  sqrt: 0,
  rsqrt: 0,
  abs: 0,
  neg: 0,
  relu: 0,
  sign: 0,
  ...EXACT_ULPS,
};

const num = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

function f64(values: number[]): Tensor {
  return new TensorClass(new Storage(Float64Array.from(values)), [values.length]);
}

/** The spacing of doubles at |v| (denormal spacing at 0). */
function ulpOf(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -1022) return 2 ** -1074;
  return 2 ** (Math.floor(Math.log2(a)) - 52);
}

function expectUlps(got: ArrayLike<number>, want: number[], ulps: number, what: string): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    const e = Number.isFinite(w) && Number.isFinite(g) ? Math.abs(g - w) / ulpOf(w) : Infinity;
    // -0 and +0 differ only where the op is exact and the sign of zero is its result.
    if (e > ulps || (ulps === 0 && !Object.is(g, w))) expect.fail(`${what}[${i}]: got ${g}, want ${w} (${e} ulp)`);
    worst = Math.max(worst, e);
  }
  return worst;
}

describe('float64 unary ops against torch 1.13 float64', () => {
  for (const [name, op] of Object.entries(ops)) {
    const c = fixture[name];
    const x = c.input.map(num);
    for (const isa of supportedIsas) {
      const of = c.exact ? 'the exact value' : 'torch';
      it(`${name} at ${isa}: within ${ULPS[name] ?? 2} ulp of ${of} (every layout)`, () => {
        withIsa(isa, () => {
          for (const layout of ['contiguous', 'strided'] as const) {
            const out = op(laidOut(f64(x), layout));
            expect(out.dtype).toBe('float64');
            const want = (c.exact ?? c.output).map(num);
            expectUlps(out.toTypedArray() as Float64Array, want, ULPS[name] ?? 2, `${name} ${layout}`);
          }
        });
      });
    }
    it(`${name}: its gradient matches torch's`, () => {
      const n = c.grad.length;
      const xs = f64(x.slice(0, n)).requiresGrad_();
      op(xs).backward(f64(c.gradOutput.map(num)));
      expect(xs.grad!.dtype).toBe('float64');
      // The backward formulas are torch's (g * (1 - y^2) for tanh, g * (y + 1) for expm1...), so
      // the results differ by a few roundings, plus the forward values' ulp difference where
      // the formula cancels (1 - y^2 for y near 1): within 8 ulp of torch's value + 8 eps |g|
      // (erfc, erfinv: their value's ulps from the exact one, which the gradient reads, too).
      const got = xs.grad!.toTypedArray() as Float64Array;
      const gOut = c.gradOutput.map(num);
      const ulps = 8 + (EXACT_ULPS[name] ?? 0);
      c.grad.map(num).forEach((w, i) => {
        const tol = ulps * ulpOf(w) + 8 * 2 ** -52 * Math.abs(gOut[i]);
        if (!(Math.abs(got[i] - w) <= tol)) expect.fail(`${name} grad[${i}]: got ${got[i]}, want ${w}`);
      });
    });
    it(`${name}: gradcheck in float64 (eps 1e-6, atol 1e-7, rtol 1e-7)`, () => {
      // The first 12 random inputs, strided; none lies within eps of a kink (abs, relu, sign at 0).
      const xs = laidOut(f64(x.slice(0, 12)).reshape([3, 4]), 'strided').requiresGrad_();
      expect(gradcheck(op, [xs], { eps: 1e-6, atol: 1e-7, rtol: 1e-7 })).toBe(true);
    });
  }
});
