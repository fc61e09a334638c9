import { describe, expect, it } from 'vitest';
import { UnaryOp, native, type Isa } from '../../lib/native.js';
import {
  contiguousStrides,
  forEachIndex,
  randomFloats,
  supportedIsas,
  withIsa,
  withThreads,
} from '../helpers/native.js';

type OpName = keyof typeof UnaryOp;
const opNames = Object.keys(UnaryOp) as OpName[];
const vectorIsas = supportedIsas.filter((isa) => isa !== 'scalar');

// Ops that IEEE rounds exactly (or that only move bits): every ISA must match the scalar path
// bit for bit, NaN payloads included.
const exactOps = new Set<OpName>(['neg', 'abs', 'sqrt', 'rsqrt', 'relu', 'sign']);

// Max distance in ulps from the scalar path (libm) allowed over the whole-range sweep below.
// Measured on AMD Zen 4 with glibc 2.36, avx2 and avx512 alike (they give the same bits), both on
// this sweep and over every one of the 2^32 floats (a one-off exhaustive run):
//   op:        exp  log  sin  cos  tanh  sigmoid  log1p  expm1  erf
//   measured:  1    1    1    1    1     1        1      1      1
//   bound:     2    2    2    2    2     2        2      2      2
// Against the exact value (double libm rounded, every float): exp 0.78 ulp, log 0.92, sin 0.90,
// cos 0.92, tanh 0.82, sigmoid 1.48, log1p 0.95, expm1 0.95, erf 0.99. The bound leaves one ulp
// for a libm other than glibc's.
const ulpBound: Partial<Record<OpName, number>> = {
  exp: 2,
  log: 2,
  sin: 2,
  cos: 2,
  tanh: 2,
  sigmoid: 2,
  log1p: 2,
  expm1: 2,
  erf: 2,
};

// Distance in ulps, counting each representable float (denormals included) as one step, so
// a tiny or denormal result is held to the ulp of the result itself; +0 and -0 are the same
// point. NaN matches only NaN, and infinity only infinity (overflow must agree exactly).
function ulpDistance(
  got: Float32Array,
  want: Float32Array,
  i: number,
  gotBits: Int32Array,
  wantBits: Int32Array,
): number {
  if (Number.isNaN(got[i]) || Number.isNaN(want[i]))
    return Number.isNaN(got[i]) && Number.isNaN(want[i]) ? 0 : Infinity;
  if (Number.isFinite(got[i]) !== Number.isFinite(want[i])) return got[i] === want[i] ? 0 : Infinity;
  const a = gotBits[i] < 0 ? -(gotBits[i] & 0x7fffffff) : gotBits[i];
  const b = wantBits[i] < 0 ? -(wantBits[i] & 0x7fffffff) : wantBits[i];
  return Math.abs(a - b);
}

const bitsOf = (a: Float32Array) => new Int32Array(a.buffer, a.byteOffset, a.length);

function run(isa: Isa, op: OpName, x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  withIsa(isa, () => native.unary(UnaryOp[op], [x.length], out, 0, [1], x, 0, [1]));
  return out;
}

// Asserts got matches the scalar path: bit-exact for exactOps, else within the op's bound.
function expectClose(op: OpName, x: Float32Array, got: Float32Array, want: Float32Array, what: string): number {
  const gb = bitsOf(got);
  const wb = bitsOf(want);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = exactOps.has(op) ? (gb[i] === wb[i] ? 0 : Infinity) : ulpDistance(got, want, i, gb, wb);
    if (d > worst) worst = d;
    if (d > (ulpBound[op] ?? 0)) {
      throw new Error(`${what} ${op}(${x[i]}) at ${i}: got ${got[i]}, scalar path gives ${want[i]} (${d} ulp)`);
    }
  }
  return worst;
}

// Every 4099th bit pattern (1,047,808 floats spread evenly over every binade of both signs,
// denormals, infinities and NaNs included) plus the edges of each approximation.
function sweepInputs(): Float32Array {
  const step = 4099;
  const n = Math.floor(2 ** 32 / step) + 1;
  const edges = [
    0,
    -0,
    Infinity,
    -Infinity,
    NaN,
    1,
    -1,
    0.5,
    -0.5,
    2,
    1e-45,
    -1e-45,
    1.1754942e-38,
    1.1754944e-38,
    -1.1754944e-38,
    3.4028235e38,
    -3.4028235e38,
    88.72283,
    88.72284,
    89,
    -87.33655,
    -103.27893,
    -103.97208,
    -104,
    16.5,
    17,
    -18,
    2 ** -25,
    -(2 ** -25),
    2 ** -24,
    0.54930615,
    -0.54930615,
    0.5493061,
    4,
    -4,
    3.92,
    2 ** 21,
    -(2 ** 21),
    2097151.9,
    2097152.2,
    1.5707964,
    3.1415927,
    78172,
    1e30,
    -1e-30,
    0.70710677,
    1.4142135,
    -0.99999994,
    -0.9999999,
    1e-8,
    -1e-8,
    9,
    10,
    -10,
    20,
  ];
  const x = new Float32Array(n + edges.length);
  const bits = new Uint32Array(x.buffer);
  for (let i = 0; i < n; i++) bits[i] = i * step;
  x.set(edges, n);
  return x;
}

// JS double math rounded once: within 1 ulp of the scalar path (checks the oracle itself).
const doubleRef: Partial<Record<OpName, (x: number) => number>> = {
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

// Exact float32 references for the exactly rounded ops.
const exactRef: Partial<Record<OpName, (x: number) => number>> = {
  neg: (x) => -x,
  abs: Math.abs,
  sqrt: (x) => Math.fround(Math.sqrt(x)),
  rsqrt: (x) => Math.fround(1 / Math.fround(Math.sqrt(x))),
  relu: (x) => (x < 0 ? 0 : x),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
};

describe('native unary kernels: accuracy over the whole float range', () => {
  const x = sweepInputs();
  const scalar = new Map<OpName, Float32Array>();
  const scalarOf = (op: OpName) => {
    if (!scalar.has(op)) scalar.set(op, run('scalar', op, x));
    return scalar.get(op)!;
  };

  it('the scalar path (libm) is within 1 ulp of double math, exactly rounded where IEEE says so', () => {
    const ref = new Float32Array(x.length);
    for (const op of opNames) {
      const f = doubleRef[op] ?? exactRef[op];
      if (!f) continue; // erf: checked against known values below
      for (let i = 0; i < x.length; i++) ref[i] = f(x[i]);
      const got = scalarOf(op);
      const gb = bitsOf(got);
      const rb = bitsOf(ref);
      const bound = exactRef[op] ? 0 : 1;
      for (let i = 0; i < x.length; i++) {
        const d = ulpDistance(got, ref, i, gb, rb);
        if (d > bound || (bound === 0 && !Object.is(got[i], ref[i]) && !Number.isNaN(ref[i]))) {
          throw new Error(`scalar ${op}(${x[i]}): got ${got[i]}, double math gives ${ref[i]}`);
        }
      }
    }
  });

  it('the scalar erf matches known values', () => {
    const cases: [number, number][] = [
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [-0.1, -0.1124629160182849],
      [3, 0.9999779095030014],
      [1e-20, 1.1283791670955126e-20],
    ];
    const got = run('scalar', 'erf', new Float32Array(cases.map(([v]) => v)));
    cases.forEach(([v, want], i) => {
      const rel = Math.abs(got[i] - Math.fround(want)) / Math.abs(want);
      expect(rel, `erf(${v})`).toBeLessThanOrEqual(2 ** -23);
    });
  });

  for (const isa of vectorIsas) {
    it(`${isa}: every op within its ulp bound of the scalar path (exact ops bit-exact)`, () => {
      const worst: Record<string, number> = {};
      for (const op of opNames) worst[op] = expectClose(op, x, run(isa, op, x), scalarOf(op), `${isa} sweep`);
      // The bounds are tight enough to notice a real regression: the approximations do not
      // simply reproduce libm.
      expect(Math.max(...opNames.map((op) => worst[op]))).toBeGreaterThan(0);
    });
  }
});

// Special values, the same on every ISA (Object.is: the sign of zero counts).
const specials: Record<OpName, [number, number][]> = {
  neg: [
    [0, -0],
    [-0, 0],
    [Infinity, -Infinity],
    [NaN, NaN],
    [1.5, -1.5],
  ],
  abs: [
    [-0, 0],
    [-Infinity, Infinity],
    [NaN, NaN],
    [-2, 2],
    [3, 3],
  ],
  // Overflow just past the last finite result, and rounding into and out of the denormals.
  exp: [
    [0, 1],
    [-0, 1],
    [Infinity, Infinity],
    [-Infinity, 0],
    [NaN, NaN],
    [89, Infinity],
    [-104, 0],
    [88.72283, Math.exp(88.72283172607422)],
    [88.72284, Infinity],
    [-87.33655, Math.exp(-87.3365478515625)],
    [-103.27893, 1e-45],
    [-103.97208, 1e-45],
    [-103.9721, 0],
    [1, Math.E],
  ],
  log: [
    [0, -Infinity],
    [-0, -Infinity],
    [-1, NaN],
    [-Infinity, NaN],
    [Infinity, Infinity],
    [NaN, NaN],
    [1, 0],
    [1e-45, Math.log(Math.fround(1e-45))],
    [3.4028235e38, Math.log(Math.fround(3.4028235e38))],
  ],
  sqrt: [
    [0, 0],
    [-0, -0],
    [-1, NaN],
    [Infinity, Infinity],
    [NaN, NaN],
    [4, 2],
  ],
  rsqrt: [
    [0, Infinity],
    [-0, -Infinity],
    [-1, NaN],
    [Infinity, 0],
    [NaN, NaN],
    [4, 0.5],
  ],
  sin: [
    [0, 0],
    [-0, -0],
    [Infinity, NaN],
    [-Infinity, NaN],
    [NaN, NaN],
    [1e-45, 1e-45],
    [-1e-30, -1e-30],
  ],
  cos: [
    [0, 1],
    [-0, 1],
    [Infinity, NaN],
    [NaN, NaN],
    [1e-45, 1],
  ],
  tanh: [
    [0, 0],
    [-0, -0],
    [Infinity, 1],
    [-Infinity, -1],
    [NaN, NaN],
    [10, 1],
    [-10, -1],
    [1e-45, 1e-45],
  ],
  sigmoid: [
    [0, 0.5],
    [-0, 0.5],
    [Infinity, 1],
    [-Infinity, 0],
    [NaN, NaN],
    [20, 1],
    [-100, 3.783506e-44],
    [-104, 0],
  ],
  relu: [
    [-0, -0],
    [0, 0],
    [-1, 0],
    [NaN, NaN],
    [Infinity, Infinity],
    [-Infinity, 0],
    [2, 2],
  ],
  log1p: [
    [0, 0],
    [-0, -0],
    [-1, -Infinity],
    [-2, NaN],
    [Infinity, Infinity],
    [-Infinity, NaN],
    [NaN, NaN],
    [1e-45, 1e-45],
  ],
  expm1: [
    [0, 0],
    [-0, -0],
    [Infinity, Infinity],
    [-Infinity, -1],
    [NaN, NaN],
    [89, Infinity],
    [-20, -1],
    [1e-45, 1e-45],
  ],
  sign: [
    [0, 0],
    [-0, 0],
    [NaN, NaN],
    [-3, -1],
    [2, 1],
    [Infinity, 1],
    [-Infinity, -1],
    [1e-45, 1],
  ],
  erf: [
    [0, 0],
    [-0, -0],
    [Infinity, 1],
    [-Infinity, -1],
    [NaN, NaN],
    [5, 1],
    [-5, -1],
    [1e-45, 1e-45],
  ],
};

describe('native unary kernels: special values', () => {
  for (const isa of supportedIsas) {
    it(`${isa}: zeros, infinities, NaN, denormals and overflow`, () => {
      for (const op of opNames) {
        // Repeated so the values also land in full vectors and in the tail.
        const cases = specials[op];
        const x = new Float32Array(40).map((_, i) => cases[i % cases.length][0]);
        const out = run(isa, op, x);
        for (let i = 0; i < x.length; i++) {
          const want = Math.fround(cases[i % cases.length][1]);
          if (!Object.is(out[i], want)) throw new Error(`${isa} ${op}(${x[i]}): got ${out[i]}, want ${want}`);
        }
      }
    });
  }
});

interface Case {
  name: string;
  shape: number[];
  xStrides: number[];
  xOffset?: number;
}

// Sizes around the vector widths (8, 16), their doubles, and the threading grains (2 threads
// from twice the grain: 2^12 for sin/cos/tanh/erf, 2^13 for sqrt/rsqrt/exp/log/sigmoid/log1p/
// expm1, 2^15 for the rest).
const cases: Case[] = [
  ...[0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 100, 8191, 8193, 16383, 16385].map((n) => ({
    name: `contiguous ${n}`,
    shape: [n],
    xStrides: [1],
  })),
  { name: 'above every threading grain', shape: [70001], xStrides: [1] },
  { name: 'scalar broadcast', shape: [3, 37], xStrides: [0, 0] },
  { name: 'row broadcast', shape: [5, 19], xStrides: [0, 1] },
  { name: 'column broadcast', shape: [19, 5], xStrides: [1, 0] },
  { name: 'transposed', shape: [17, 23], xStrides: [1, 17] },
  { name: 'strided with offset', shape: [4, 3, 9], xStrides: [60, 20, 2], xOffset: 3 },
  { name: 'large broadcast threaded', shape: [300, 257], xStrides: [0, 1] },
  { name: 'large strided threaded', shape: [9001], xStrides: [3], xOffset: 1 },
];

function extent(shape: number[], strides: number[], offset: number): number {
  if (shape.some((s) => s === 0)) return offset;
  return offset + shape.reduce((acc, s, d) => acc + (s - 1) * strides[d], 0) + 1;
}

// Inputs that exercise every branch of the approximations: mostly [-6, 6], some large.
function layoutInput(n: number, seed: number): Float32Array {
  const x = randomFloats(n, seed, -6, 6);
  for (let i = 0; i < n; i += 7) x[i] *= 30;
  for (let i = 3; i < n; i += 11) x[i] = Math.fround(Math.abs(x[i]) / 6); // log: (0, 1]
  return x;
}

describe('native unary kernels: layouts, sizes and threads', () => {
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): every op, layout and size matches the contiguous result and the scalar path`, () => {
        for (const c of cases) {
          const xOffset = c.xOffset ?? 0;
          const x = layoutInput(extent(c.shape, c.xStrides, xOffset) + 2, 21);
          const numel = c.shape.reduce((a, b) => a * b, 1);
          // The logical elements, gathered into a contiguous array.
          const xc = new Float32Array(numel);
          forEachIndex(c.shape, [{ offset: xOffset, strides: c.xStrides }], (i, [ix]) => {
            xc[i] = x[ix];
          });
          for (const op of opNames) {
            const out = new Float32Array(numel).fill(NaN);
            withThreads(threads, () =>
              withIsa(isa, () => {
                native.unary(UnaryOp[op], c.shape, out, 0, contiguousStrides(c.shape), x, xOffset, c.xStrides);
              }),
            );
            // Each element's result depends only on its input: same bits as the contiguous run.
            const contiguous = run(isa, op, xc);
            const ob = bitsOf(out);
            const cb = bitsOf(contiguous);
            for (let i = 0; i < numel; i++) {
              if (ob[i] !== cb[i])
                throw new Error(`${c.name} ${op} at ${i}: got ${out[i]}, contiguous run gives ${contiguous[i]}`);
            }
            expectClose(op, xc, contiguous, run('scalar', op, xc), `${isa} ${c.name}`);
          }
        }
      });
    }
  }

  it('writes through strided and offset outputs and leaves the gaps alone', () => {
    for (const isa of supportedIsas) {
      const x = randomFloats(50, 5, 0.1, 3);
      const out = new Float32Array(110).fill(7);
      withIsa(isa, () => native.unary(UnaryOp.log, [5, 10], out, 1, [22, 2], x, 0, [10, 1]));
      const want = run(isa, 'log', x);
      const written = new Set<number>();
      forEachIndex([5, 10], [{ offset: 1, strides: [22, 2] }], (i, [io]) => {
        written.add(io);
        expect(out[io]).toBe(want[i]);
      });
      for (let i = 0; i < 110; i++) if (!written.has(i)) expect(out[i]).toBe(7);
    }
  });

  it('runs exactly in place, contiguous and strided', () => {
    for (const isa of supportedIsas) {
      for (const op of opNames) {
        const x = layoutInput(1001, 8);
        const want = run(isa, op, x);
        withIsa(isa, () => native.unary(UnaryOp[op], [1001], x, 0, [1], x, 0, [1]));
        expect(bitsOf(x)).toEqual(bitsOf(want));

        const y = layoutInput(2002, 9);
        const wantStrided = run(
          isa,
          op,
          y.filter((_, i) => i % 2 === 1),
        );
        withIsa(isa, () => native.unary(UnaryOp[op], [1001], y, 1, [2], y, 1, [2]));
        expect(bitsOf(y.filter((_, i) => i % 2 === 1))).toEqual(bitsOf(wantStrided));
      }
    }
  });
});

describe('native unary: argument checks', () => {
  const f = (n: number) => new Float32Array(n);
  const call =
    (...args: unknown[]) =>
    () =>
      (native.unary as (...a: unknown[]) => void)(...args);

  it('rejects wrong ops, types, shapes, strides and overlaps with clear messages', () => {
    expect(call(0, [3])).toThrow(/unary: expected 8 arguments, got 2/);
    expect(call(15, [3], f(3), 0, [1], f(3), 0, [1])).toThrow(/unary: argument 'op' must be in \[0, 14\], got 15/);
    expect(call(-1, [3], f(3), 0, [1], f(3), 0, [1])).toThrow(/unary: argument 'op' must be in \[0, 14\], got -1/);
    expect(call(1.5, [3], f(3), 0, [1], f(3), 0, [1])).toThrow(/unary: argument 'op' must be an integer/);
    expect(call('exp', [3], f(3), 0, [1], f(3), 0, [1])).toThrow(TypeError);
    // out's type picks the kernels: the other array must match it.
    expect(call(0, [3], new Float64Array(3), 0, [1], f(3), 0, [1])).toThrow(
      /argument 'x' must be a Float64Array, got Float32Array\(3\)/,
    );
    expect(call(0, [3], f(3), 0, [1], new Float64Array(3), 0, [1])).toThrow(
      /argument 'x' must be a Float32Array, got Float64Array\(3\)/,
    );
    expect(call(0, [3], new Float64Array(3), 0, [1], new Float64Array(3), 1, [1])).toThrow(
      /argument 'x': offset 1 with strides \[1\] over shape \[3\] reaches element 3 of a Float64Array of length 3/,
    );
    expect(call(0, [3], f(3), 0, [1], [1, 2, 3], 0, [1])).toThrow(
      /argument 'x' must be a Float32Array, got array of length 3/,
    );
    expect(call(0, [3], f(3), 0, [1], f(3), 1, [1])).toThrow(
      /argument 'x': offset 1 with strides \[1\] over shape \[3\] reaches element 3 of a Float32Array of length 3/,
    );
    expect(call(0, [3], f(3), 0, [1], f(3), 0, [1, 1])).toThrow(
      /'xStrides' must have 1 strides \(one per dim\), got 2/,
    );
    expect(call(0, [3], f(3), 0, [1], f(3), 0, [-1])).toThrow(/'xStrides'\[0\] must be a non-negative integer/);
    expect(call(0, [-1], f(3), 0, [1], f(3), 0, [1])).toThrow(RangeError);
    expect(call(0, [3], f(3), 0, [0], f(3), 0, [1])).toThrow(/output 'out' .* writes some elements more than once/);
    const shared = f(8);
    expect(call(0, [4], shared, 1, [1], shared, 0, [1])).toThrow(/output 'out' partially overlaps input 'x'/);
    expect(call(0, [4], shared, 0, [2], shared, 0, [1])).toThrow(/output 'out' partially overlaps input 'x'/);
    // zero-size shapes touch nothing; exactly in place is allowed
    expect(call(0, [0], f(0), 0, [1], f(0), 0, [1])).not.toThrow();
    expect(call(0, [8], shared, 0, [1], shared, 0, [1])).not.toThrow();
  });

  it('the process is still healthy after the errors', () => {
    const o = f(3);
    native.unary(UnaryOp.sqrt, [3], o, 0, [1], new Float32Array([4, 9, 16]), 0, [1]);
    expect(Array.from(o)).toEqual([2, 3, 4]);
  });
});
