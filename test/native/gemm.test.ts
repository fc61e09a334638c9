import { describe, expect, it } from 'vitest';
import { type GemmArgs, type GemmBatchedArgs, type GemmLayout, native } from '../../lib/native.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';

// Worst-case float32 error of a k-term dot product plus the alpha/beta updates, relative to
// |alpha| * sum|a||b| + |beta * c| (Higham's gamma_k, with room for the final roundings).
const unitRoundoff = 2 ** -24;
const relBound = (k: number) => (k + 4) * 2 * unitRoundoff;

interface Case extends GemmLayout {
  name: string;
  alpha: number;
  beta: number;
  nanC?: boolean;
}

interface Prepared {
  c: Case;
  a: Float32Array;
  b: Float32Array;
  c0: Float32Array;
  want: Float64Array; // the reference over the whole C buffer (untouched elements: c0)
  tol: Float64Array;
}

function extent(batch: number, stride: number, rows: number, cols: number, ld: number, offset: number): number {
  if (batch === 0 || rows === 0 || cols === 0) return offset + 1;
  return offset + (batch - 1) * stride + (rows - 1) * ld + cols;
}

function prepare(c: Case, seed: number): Prepared {
  const [ar, ac] = c.transA ? [c.k, c.m] : [c.m, c.k];
  const [br, bc] = c.transB ? [c.n, c.k] : [c.k, c.n];
  const a = randomFloats(extent(c.batch, c.strideA, ar, ac, c.lda, c.aOffset) + 3, seed);
  const b = randomFloats(extent(c.batch, c.strideB, br, bc, c.ldb, c.bOffset) + 3, seed + 1);
  const c0 = randomFloats(extent(c.batch, c.strideC, c.m, c.n, c.ldc, c.cOffset) + 3, seed + 2);
  const want = Float64Array.from(c0);
  const tol = new Float64Array(c0.length);
  for (let t = 0; t < c.batch; t++) {
    const ao = c.aOffset + t * c.strideA,
      bo = c.bOffset + t * c.strideB,
      co = c.cOffset + t * c.strideC;
    for (let i = 0; i < c.m; i++) {
      for (let j = 0; j < c.n; j++) {
        const ci = co + i * c.ldc + j;
        if (c.nanC) c0[ci] = NaN;
        let sum = 0,
          abs = 0;
        for (let p = 0; p < c.k; p++) {
          const av = a[ao + (c.transA ? p * c.lda + i : i * c.lda + p)];
          const bv = b[bo + (c.transB ? j * c.ldb + p : p * c.ldb + j)];
          sum += av * bv;
          abs += Math.abs(av * bv);
        }
        const cv = c.beta === 0 ? 0 : c.beta * c0[ci];
        want[ci] = c.alpha * sum + cv;
        tol[ci] = relBound(c.k) * (Math.abs(c.alpha) * abs + Math.abs(cv)) + 1e-30;
      }
    }
  }
  return { c, a, b, c0, want, tol };
}

function run(p: Prepared): Float32Array {
  const { c } = p;
  const out = Float32Array.from(p.c0);
  if (c.batch === 1 && c.strideA === 0 && c.strideB === 0 && c.strideC === 0) {
    native.gemm({
      transA: c.transA,
      transB: c.transB,
      m: c.m,
      n: c.n,
      k: c.k,
      alpha: c.alpha,
      a: p.a,
      aOffset: c.aOffset,
      lda: c.lda,
      b: p.b,
      bOffset: c.bOffset,
      ldb: c.ldb,
      beta: c.beta,
      c: out,
      cOffset: c.cOffset,
      ldc: c.ldc,
    });
  } else {
    native.gemmBatched({
      transA: c.transA,
      transB: c.transB,
      batch: c.batch,
      m: c.m,
      n: c.n,
      k: c.k,
      alpha: c.alpha,
      a: p.a,
      aOffset: c.aOffset,
      lda: c.lda,
      strideA: c.strideA,
      b: p.b,
      bOffset: c.bOffset,
      ldb: c.ldb,
      strideB: c.strideB,
      beta: c.beta,
      c: out,
      cOffset: c.cOffset,
      ldc: c.ldc,
      strideC: c.strideC,
    });
  }
  return out;
}

function check(p: Prepared, got: Float32Array, label: string): void {
  for (let i = 0; i < got.length; i++) {
    const ok = Math.abs(got[i] - p.want[i]) <= p.tol[i] || (Number.isNaN(p.want[i]) && Number.isNaN(got[i]));
    if (!ok) {
      throw new Error(`${label} ${p.c.name}: C[${i}] = ${got[i]}, want ${p.want[i]} (tolerance ${p.tol[i]})`);
    }
  }
}

function gemmCase(name: string, m: number, n: number, k: number, opts: Partial<Case> = {}): Case[] {
  const out: Case[] = [];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      const base: Case = {
        name: `${name} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`,
        transA,
        transB,
        batch: 1,
        m,
        n,
        k,
        alpha: 1,
        beta: 0,
        lda: 0,
        ldb: 0,
        ldc: n,
        strideA: 0,
        strideB: 0,
        strideC: 0,
        aOffset: 0,
        bOffset: 0,
        cOffset: 0,
        ...opts,
      };
      base.lda = Math.max(opts.lda ?? 0, transA ? m : k, 1);
      base.ldb = Math.max(opts.ldb ?? 0, transB ? k : n, 1);
      base.ldc = Math.max(opts.ldc ?? 0, n, 1);
      out.push(base);
    }
  }
  return out;
}

// Tiles: scalar 4x4, AVX2 6x16, AVX-512 6x64. Blocks: KC = 256 (scalar) / 512 (SIMD),
// NC = 1024 (scalar) / 2048 (AVX2) / 384 (AVX-512), MC = 512 (scalar) / 192 (AVX2); the small-matrix path (B read in place) for at most 96
// (scalar) or 512 (AVX-512) rows, 96 when B's rows are 4 KiB apart; threads from 2^19 flops a
// thread.
const cases: Case[] = [
  ...gemmCase('empty m', 0, 5, 3),
  ...gemmCase('empty n', 4, 0, 3),
  ...gemmCase('k = 0 scales C', 3, 5, 0, { beta: 0.5 }),
  ...gemmCase('k = 0, beta = 0 over NaN', 3, 5, 0, { nanC: true }),
  ...gemmCase('1x1x1', 1, 1, 1),
  ...gemmCase('primes', 7, 13, 11, { alpha: -1.5, beta: 0.25 }),
  ...gemmCase('scalar tile -1', 3, 3, 9),
  ...gemmCase('scalar tile exact, +1', 5, 4, 6, { beta: 1 }),
  ...gemmCase('tile -1', 5, 15, 9, { alpha: 0.5, beta: 1 }),
  ...gemmCase('tile exact', 6, 16, 8),
  ...gemmCase('tile +1', 7, 17, 10),
  ...gemmCase('wide tile -1', 11, 63, 12, { beta: -2 }),
  ...gemmCase('wide tile exact', 12, 64, 12),
  ...gemmCase('wide tile +1', 13, 65, 5),
  ...gemmCase('kc -1', 5, 19, 255),
  ...gemmCase('kc exact', 3, 17, 256, { beta: 1 }),
  ...gemmCase('kc +1', 9, 8, 257),
  ...gemmCase('simd kc -1 / +1', 4, 33, 511),
  ...gemmCase('simd kc +1', 7, 21, 513, { beta: 0.5 }),
  ...gemmCase('k >> m, n', 5, 7, 1500, { alpha: 2 }),
  ...gemmCase('ld > width, offsets', 11, 20, 19, {
    lda: 37,
    ldb: 41,
    ldc: 29,
    aOffset: 3,
    bOffset: 5,
    cOffset: 7,
    beta: -1,
  }),
  ...gemmCase('beta = 0 over NaN', 20, 35, 30, { nanC: true, alpha: 3 }),
  ...gemmCase('alpha = 0', 6, 9, 4, { alpha: 0, beta: 2 }),
  ...gemmCase('direct-B rows limit', 96, 50, 40),
  ...gemmCase('packed B above limit', 97, 70, 33, { beta: 0.5 }),
  ...gemmCase('avx512 direct-B limit', 512, 20, 9),
  ...gemmCase('avx512 packed B above limit', 513, 21, 4),
  ...gemmCase('direct-B, 4 KiB rows', 96, 30, 5, { ldb: 1024 }),
  ...gemmCase('packed B, 4 KiB rows', 100, 30, 5, { ldb: 1024 }),
  ...gemmCase('nc block edge', 100, 385, 7),
  ...gemmCase('avx2 nc block edge', 3, 2049, 3),
  ...gemmCase('avx2 mc block edge', 193, 40, 9, { beta: 1 }),
  ...gemmCase('scalar nc block edge', 2, 1025, 3),
  ...gemmCase('scalar mc block edge', 513, 9, 5),
  ...gemmCase('threaded, two blocks', 131, 90, 70, { ldc: 95, beta: 1 }),
  ...gemmCase('threaded, skinny', 3, 700, 300),
  ...gemmCase('threaded, tall', 400, 5, 300),
  ...gemmCase('batched, broadcast A', 9, 21, 13, { batch: 3, strideB: 13 * 21 + 4, strideC: 9 * 21 + 2, beta: 0.5 }),
  ...gemmCase('batched, broadcast B', 15, 33, 10, { batch: 4, strideA: 15 * 10, strideC: 15 * 33, nanC: true }),
  ...gemmCase('batched, interleaved C', 20, 18, 64, {
    batch: 5,
    strideA: 20 * 64,
    strideB: 64 * 18,
    ldc: 5 * 18,
    strideC: 18,
  }),
  ...gemmCase('batched, threaded', 70, 64, 96, { batch: 3, strideA: 70 * 96, strideB: 96 * 64, strideC: 70 * 64 }),
];
// In the batched cases, strides are set for the untransposed layout; transposing swaps the
// stored shape but keeps the element count, so the same strides still separate the matrices.

const prepared = cases.map((c, i) => prepare(c, 100 + 7 * i));

describe('native gemm', () => {
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): matches the float64 reference on every case`, () => {
        withThreads(threads, () =>
          withIsa(isa, () => {
            for (const p of prepared) check(p, run(p), `${isa}/${threads}`);
          }),
        );
      });
    }
  }

  it('gives the same bits for a fixed thread count, run after run', () => {
    const p = prepared.find((q) => q.c.name.startsWith('threaded, two blocks'))!;
    withThreads(2, () => {
      const first = run(p);
      for (let r = 0; r < 3; r++) expect(run(p)).toEqual(first);
    });
  });

  // C = A B at N = 2048 checked in O(N^2): C x against A (B x), both in float64.
  for (const isa of supportedIsas.filter((i) => i !== 'scalar')) {
    it(`${isa}: N = 2048 product passes the random-vector check`, () => {
      const n = 2048;
      const a = randomFloats(n * n, 5),
        b = randomFloats(n * n, 6);
      const c = new Float32Array(n * n).fill(NaN);
      withIsa(isa, () =>
        native.gemm({
          transA: false,
          transB: false,
          m: n,
          n,
          k: n,
          alpha: 1,
          a,
          aOffset: 0,
          lda: n,
          b,
          bOffset: 0,
          ldb: n,
          beta: 0,
          c,
          cOffset: 0,
          ldc: n,
        }),
      );
      const x = Float64Array.from(randomFloats(n, 7, 0.5, 1), (v, i) => (i % 3 === 0 ? -v : v));
      const bx = new Float64Array(n),
        babs = new Float64Array(n);
      for (let p = 0; p < n; p++) {
        let s = 0,
          t = 0;
        for (let j = 0; j < n; j++) {
          s += b[p * n + j] * x[j];
          t += Math.abs(b[p * n + j] * x[j]);
        }
        bx[p] = s;
        babs[p] = t;
      }
      for (let i = 0; i < n; i++) {
        let cx = 0,
          abx = 0,
          aabs = 0;
        for (let p = 0; p < n; p++) {
          abx += a[i * n + p] * bx[p];
          aabs += Math.abs(a[i * n + p]) * babs[p];
        }
        for (let j = 0; j < n; j++) cx += c[i * n + j] * x[j];
        // Rounding errors in C are random in sign: their sum over a row stays near
        // sqrt(n) * eps * |C||x|, far under 2^-20 |A||B||x|, while one wrong element moves C x
        // by about |c_ij| >= 2^-20 |A||B||x| in all but a negligible share of cases.
        if (!(Math.abs(cx - abx) <= 2 ** -20 * aabs)) {
          throw new Error(`row ${i}: (C x) = ${cx}, A (B x) = ${abx}, bound ${2 ** -20 * aabs}`);
        }
      }
    });
  }
});

describe('native gemm argument checks', () => {
  const a = new Float32Array(12),
    b = new Float32Array(12),
    c = new Float32Array(9);
  // A valid 3x4 by 4x3 product; each case changes some fields.
  const valid: GemmArgs = {
    transA: false,
    transB: false,
    m: 3,
    n: 3,
    k: 4,
    alpha: 1,
    a,
    aOffset: 0,
    lda: 4,
    b,
    bOffset: 0,
    ldb: 3,
    beta: 0,
    c,
    cOffset: 0,
    ldc: 3,
  };
  const invalid: [string, Partial<GemmArgs>, RegExp][] = [
    [
      'transA not a boolean',
      { transA: 0 as unknown as boolean },
      /gemm: option 'transA' must be a boolean, got number 0/,
    ],
    ['lda short', { lda: 3 }, /gemm: option 'lda' must be >= 4 \(the row length of A \(m x k\), 3 x 4\), got 3/],
    [
      'A past its array',
      { aOffset: 1 },
      /gemm: option 'a': A \(m x k\).*reaches element 12 of a Float32Array of length 12/,
    ],
    [
      'ldb short for B transposed',
      { transB: true },
      /option 'ldb' must be >= 4 \(the row length of B \(n x k, transposed\)/,
    ],
    ['B past its array', { n: 4, ldb: 4, ldc: 4 }, /option 'b'.*reaches element 15/],
    ['m negative', { m: -1 }, /option 'm' must be in \[0, /],
    ['alpha a string', { alpha: '1' as unknown as number }, /option 'alpha' must be a number/],
    [
      'A a Float64Array',
      { a: new Float64Array(12) as unknown as Float32Array },
      /gemm: option 'a' must be a Float32Array, got Float64Array\(12\)/,
    ],
  ];
  for (const [what, change, error] of invalid) {
    it(`rejects ${what} with a clear error`, () => {
      expect(() => native.gemm({ ...valid, ...change })).toThrow(error);
    });
  }

  const buf = new Float32Array(40);
  const square = { ...valid, k: 3, lda: 3 };
  it('rejects C overlapping A or B, and accepts C just past A', () => {
    expect(() => native.gemm({ ...square, a: buf, c: buf, cOffset: 8 })).toThrow(/gemm: output 'c' overlaps input 'a'/);
    expect(() => native.gemm({ ...square, b: buf, bOffset: 20, c: buf, cOffset: 12 })).toThrow(
      /output 'c' overlaps input 'b'/,
    );
    expect(() => native.gemm({ ...square, a: buf, c: buf, cOffset: 9 })).not.toThrow();
  });
  it('rejects batched C overlapping itself', () => {
    // Two 2x2 products whose C matrices lie strideC = 2 apart: each shares a row with the other.
    const batched: GemmBatchedArgs = {
      ...valid,
      ...{ batch: 2, m: 2, n: 2, k: 2, lda: 2, strideA: 0, ldb: 2, strideB: 0, c: buf, ldc: 2, strideC: 2 },
    };
    expect(() => native.gemmBatched(batched)).toThrow(/gemmBatched: output 'c' .* writes some elements more than once/);
    expect(() => native.gemmBatched({ ...batched, strideA: 4, strideC: 0 })).toThrow(
      /writes some elements more than once/,
    );
  });
});
