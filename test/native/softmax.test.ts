import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';

// float64 references
function softmaxRef(x: Float32Array, n: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / n; r++) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) m = Math.max(m, x[r * n + i]);
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(x[r * n + i] - m);
    for (let i = 0; i < n; i++) out[r * n + i] = Math.exp(x[r * n + i] - m) / s;
  }
  return out;
}

function maxRelErr(got: Float32Array, want: Float64Array, floor = 1e-30): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), floor);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

describe('native softmax row kernels', () => {
  // Widths around the vector sizes (8, 16) and their doubles, and a long row.
  const widths = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1000];
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): softmax and logsumexp within 4 ulp-ish of float64`, () => {
        withThreads(threads, () =>
          withIsa(isa, () => {
            for (const n of widths) {
              const rows = n === 1000 ? 40 : 65; // 40 x 1000 crosses the threading grain
              const x = randomFloats(rows * n, n, -30, 30);
              const y = new Float32Array(rows * n);
              native.softmax(0, rows, n, x, 0, null, y);
              expect(maxRelErr(y, softmaxRef(x, n), 1e-30), `softmax n=${n}`).toBeLessThan(3e-6);
              const lse = new Float32Array(rows);
              native.logsumexp(rows, n, x, 0, lse);
              for (let r = 0; r < rows; r++) {
                let m = -Infinity;
                for (let i = 0; i < n; i++) m = Math.max(m, x[r * n + i]);
                let s = 0;
                for (let i = 0; i < n; i++) s += Math.exp(x[r * n + i] - m);
                const want = m + Math.log(s);
                expect(Math.abs(lse[r] - want)).toBeLessThanOrEqual(4 * 2 ** -23 * Math.max(1, Math.abs(want)));
              }
            }
          }),
        );
      });
    }

    it(`${isa}: -inf entries, all -inf rows, +inf and NaN follow torch`, () => {
      withIsa(isa, () => {
        const n = 19;
        const x = randomFloats(4 * n, 5);
        x[3] = -Infinity;
        for (let i = n; i < 2 * n; i++) x[i] = -Infinity; // row 1 all -inf
        x[2 * n + 4] = Infinity; // row 2 has +inf
        x[3 * n + 17] = NaN; // row 3 has NaN
        const y = new Float32Array(4 * n);
        native.softmax(0, 4, n, x, 0, null, y);
        expect(y[3]).toBe(0);
        for (let i = n; i < 4 * n; i++) expect(Number.isNaN(y[i]), `index ${i}`).toBe(true);
        const lse = new Float32Array(4);
        native.logsumexp(4, n, x, 0, lse);
        expect(lse[1]).toBe(-Infinity);
        expect(lse[2]).toBe(Infinity);
        expect(Number.isNaN(lse[3])).toBe(true);
      });
    });

    it(`${isa}: the vector exp underflows gradually and stays accurate over its range`, () => {
      withIsa(isa, () => {
        // softmax of [0, t] is [1/(1+e^t), e^t/(1+e^t)]: for t from -104 to 0 the second entry is
        // e^t (1 + tiny), exercising exp down into the denormals.
        for (let t = -103.5; t <= 0; t += 0.37) {
          const x = new Float32Array(32);
          x.fill(-Infinity);
          x[0] = 0;
          x[1] = t;
          const y = new Float32Array(32);
          native.softmax(0, 1, 32, x, 0, null, y);
          const want = Math.exp(Math.fround(t)) / (1 + Math.exp(Math.fround(t)));
          const ulp = want < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(want)) - 23);
          expect(Math.abs(y[1] - want) / ulp, `t=${t}`).toBeLessThanOrEqual(2);
        }
      });
    });
  }

  it('argument checks', () => {
    const f = (n: number) => new Float32Array(n);
    expect(() => native.softmax(0, 2, 3, f(5), 0, null, f(6))).toThrow(
      /softmax: argument 'x' needs 6 elements \(offset 0 \+ 2 x 3\), the Float32Array has 5/,
    );
    expect(() => native.softmax(4 as never, 2, 3, f(6), 0, null, f(6))).toThrow(/argument 'op' must be in \[0, 3\]/);
    expect(() => native.softmax(0, 2, 3, f(6), 0, f(6), f(6))).toThrow(/'dy' must be null for a forward op/);
    expect(() => native.softmax(2, 2, 3, f(6), 0, null, f(6))).toThrow(/'dy' must be a Float32Array, got null/);
    expect(() =>
      native.crossEntropy(2, 3, f(6), 0, new Float64Array(2) as never, null, -100, 0, f(2), f(2), f(2)),
    ).toThrow(
      /'targets' must be an Int32Array of class indices or a Float32Array of class probabilities, got Float64Array\(2\)/,
    );
    expect(() => native.crossEntropy(2, 3, f(6), 0, new Int32Array(1), null, -100, 0, f(2), f(2), f(2))).toThrow(
      /crossEntropy: argument 'targets' must hold at least 2 indices, got 1/,
    );
  });
});
