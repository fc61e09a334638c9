// The float64 GEMM binding (native.gemmFloat64): values through every ISA's dgemm at 1 and 2
// threads against a float64 reference, on a case with every layout field set (the kernels' own
// edge sweep is test/native/dgemm_test.cpp), and its argument checks.
import { describe, expect, it } from 'vitest';
import { type GemmFloat64Args, native } from '../../lib/native.js';
import { supportedIsas, withIsa, withThreads } from '../helpers/native.js';

/** Deterministic doubles in [-1, 1) that use all 53 bits (a float32 product would miss). */
function randomDoubles(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  for (let i = 0; i < n; i++) out[i] = ((next() >>> 5) * 2 ** 26 + (next() >>> 6)) * 2 ** -52 - 1;
  return out;
}

// 3 products of op(A) (37 x 29, A stored transposed) and B (29 x 41), B broadcast, at offsets.
const [batch, m, n, k] = [3, 37, 41, 29];
const [lda, ldb, ldc] = [m + 2, n + 1, n + 3];
const layout = {
  transA: true,
  transB: false,
  batch,
  m,
  n,
  k,
  aOffset: 5,
  lda,
  strideA: k * lda + 1,
  bOffset: 2,
  ldb,
  strideB: 0,
  cOffset: 7,
  ldc,
  strideC: m * ldc + 4,
};
const a = randomDoubles(5 + batch * layout.strideA, 1);
const b = randomDoubles(2 + k * ldb, 2);
const c0 = randomDoubles(7 + batch * layout.strideC, 3);
const [alpha, beta] = [0.3, -1.7];

function reference(): { want: Float64Array; tol: Float64Array } {
  const want = Float64Array.from(c0);
  const tol = new Float64Array(c0.length);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0,
          abs = 0;
        for (let p = 0; p < k; p++) {
          const x = a[5 + t * layout.strideA + p * lda + i] * b[2 + p * ldb + j];
          sum += x;
          abs += Math.abs(x);
        }
        const at = 7 + t * layout.strideC + i * ldc + j;
        const cv = beta * c0[at];
        want[at] = alpha * sum + cv;
        tol[at] = 2 * (k + 4) * 2 ** -53 * (Math.abs(alpha) * abs + Math.abs(cv));
      }
  return { want, tol };
}

describe('native gemmFloat64', () => {
  const { want, tol } = reference();
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): matches the float64 reference, C outside the products untouched`, () => {
        const c = Float64Array.from(c0);
        withIsa(isa, () => withThreads(threads, () => native.gemmFloat64({ ...layout, alpha, a, b, beta, c })));
        for (let e = 0; e < c.length; e++) {
          if (tol[e] === 0) expect(c[e]).toBe(c0[e]);
          else if (!(Math.abs(c[e] - want[e]) <= tol[e])) throw new Error(`C[${e}] = ${c[e]}, want ${want[e]}`);
        }
      });
    }
  }

  it('beta = 0 overwrites a C of NaN', () => {
    const c = new Float64Array(4).fill(NaN);
    const one = { ...layout, batch: 1, m: 2, n: 2, k: 1, aOffset: 0, lda: 2, bOffset: 0, ldb: 2, cOffset: 0, ldc: 2 };
    native.gemmFloat64({ ...one, alpha: 1, a: Float64Array.of(1, 2), b: Float64Array.of(3, 4), beta: 0, c });
    expect(Array.from(c)).toEqual([3, 4, 6, 8]);
  });
});

describe('native gemmFloat64 argument checks', () => {
  const valid: GemmFloat64Args = {
    transA: false,
    transB: false,
    batch: 2,
    m: 2,
    n: 3,
    k: 4,
    alpha: 1,
    a: new Float64Array(16),
    aOffset: 0,
    lda: 4,
    strideA: 8,
    b: new Float64Array(12),
    bOffset: 0,
    ldb: 3,
    strideB: 0,
    beta: 0,
    c: new Float64Array(12),
    cOffset: 0,
    ldc: 3,
    strideC: 6,
  };
  const invalid: [string, Partial<GemmFloat64Args>, RegExp][] = [
    [
      'A a Float32Array',
      { a: new Float32Array(16) as unknown as Float64Array },
      /gemmFloat64: option 'a' must be a Float64Array, got Float32Array\(16\)/,
    ],
    ['lda short', { lda: 3 }, /gemmFloat64: option 'lda' must be >= 4 \(the row length of A \(m x k\), 2 x 4\), got 3/],
    ['A past its array', { aOffset: 1 }, /gemmFloat64: option 'a': A \(m x k\).*reaches element 16 of a Float64Array/],
    ['batch negative', { batch: -1 }, /gemmFloat64: option 'batch' must be in \[0, /],
    ['beta a string', { beta: '0' as unknown as number }, /gemmFloat64: option 'beta' must be a number/],
    ['C overlapping itself', { strideC: 2 }, /gemmFloat64: output 'c' .* writes some elements more than once/],
  ];
  for (const [what, change, error] of invalid) {
    it(`rejects ${what} with a clear error`, () => {
      expect(() => native.gemmFloat64({ ...valid, ...change })).toThrow(error);
    });
  }
  it('rejects C overlapping A in the same buffer, and accepts C just past A', () => {
    const buf = new Float64Array(40);
    const one = { ...valid, batch: 1, a: buf, c: buf };
    expect(() => native.gemmFloat64({ ...one, cOffset: 7 })).toThrow(/gemmFloat64: output 'c' overlaps input 'a'/);
    expect(() => native.gemmFloat64({ ...one, cOffset: 8 })).not.toThrow();
  });
});
