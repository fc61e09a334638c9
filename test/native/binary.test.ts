import { describe, expect, it } from 'vitest';
import { BinaryOp, native } from '../../lib/native.js';
import {
  contiguousStrides,
  forEachIndex,
  randomFloats,
  supportedIsas,
  withIsa,
  withThreads,
} from '../helpers/native.js';

const reference: Record<keyof typeof BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => Math.fround(a + b),
  sub: (a, b) => Math.fround(a - b),
  mul: (a, b) => Math.fround(a * b),
  div: (a, b) => Math.fround(a / b),
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  reluGrad: (a, b) => (b <= 0 ? 0 : a),
};

interface Case {
  name: string;
  shape: number[];
  aStrides: number[];
  bStrides: number[];
  aOffset?: number;
}

// Sizes around the vector widths (8, 16), their doubles, and the threading grain (32768).
const cases: Case[] = [
  ...[0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 100].map((n) => ({
    name: `contiguous ${n}`,
    shape: [n],
    aStrides: [1],
    bStrides: [1],
  })),
  { name: 'above threading grain', shape: [70001], aStrides: [1], bStrides: [1] },
  { name: 'scalar b broadcast', shape: [3, 37], aStrides: [37, 1], bStrides: [0, 0] },
  { name: 'scalar a broadcast', shape: [41], aStrides: [0], bStrides: [1] },
  { name: 'row broadcast', shape: [5, 19], aStrides: [19, 1], bStrides: [0, 1] },
  { name: 'column broadcast', shape: [19, 5], aStrides: [5, 1], bStrides: [1, 0] },
  { name: 'transposed a', shape: [17, 23], aStrides: [1, 17], bStrides: [23, 1] },
  { name: 'strided a with offset', shape: [4, 3, 9], aStrides: [60, 20, 2], bStrides: [27, 9, 1], aOffset: 3 },
  { name: 'large broadcast threaded', shape: [300, 257], aStrides: [257, 1], bStrides: [0, 1] },
];

function extent(shape: number[], strides: number[], offset: number): number {
  if (shape.some((s) => s === 0)) return offset;
  return offset + shape.reduce((acc, s, d) => acc + (s - 1) * strides[d], 0) + 1;
}

// The float64 row kernels: JS arithmetic is IEEE double, so that reference is exact too.
const reference64: Record<keyof typeof BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => (Number.isNaN(a) ? a : Number.isNaN(b) ? b : a > b ? a : b),
  minimum: (a, b) => (Number.isNaN(a) ? a : Number.isNaN(b) ? b : a < b ? a : b),
  reluGrad: (a, b) => (b <= 0 ? 0 : a),
};

/** Doubles with bits below float32's precision, NaN, infinities and signed zeros mixed in. */
function randomDoubles(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const f = randomFloats(n, seed, lo, hi);
  const g = randomFloats(n, seed + 1000, 0, 1);
  const out = Float64Array.from(f, (v, i) => v + g[i] * 2 ** -30 * v);
  for (let i = 5; i < n; i += 37) out[i] = [NaN, Infinity, -Infinity, -0, 0][((i / 37) % 5) | 0];
  return out;
}

/** Each dtype the kernels take: its arrays, operands, reference, and what counts as equal. */
const dtypes = [
  {
    name: 'float32',
    output: (n: number) => new Float32Array(n),
    operand: randomFloats,
    seeds: [11, 12],
    reference,
    same: (x: number, y: number) => x === y,
  },
  {
    name: 'float64',
    output: (n: number) => new Float64Array(n),
    operand: randomDoubles,
    seeds: [21, 22],
    reference: reference64,
    same: Object.is,
  },
];

describe('native binary kernels', () => {
  for (const isa of supportedIsas) {
    for (const dt of dtypes) {
      for (const threads of [1, 2]) {
        it(`${isa}, ${threads} thread(s), ${dt.name}: every op, layout and size matches the reference bit for bit`, () => {
          withThreads(threads, () =>
            withIsa(isa, () => {
              for (const c of cases) {
                const aOffset = c.aOffset ?? 0;
                const a = dt.operand(extent(c.shape, c.aStrides, aOffset) + 2, dt.seeds[0]);
                const b = dt.operand(extent(c.shape, c.bStrides, 0) + 2, dt.seeds[1], 0.5, 2);
                const outStrides = contiguousStrides(c.shape);
                const numel = c.shape.reduce((x, y) => x * y, 1);
                for (const [name, op] of Object.entries(BinaryOp)) {
                  const out = dt.output(numel).fill(NaN);
                  native.binary(op, c.shape, out, 0, outStrides, a, aOffset, c.aStrides, b, 0, c.bStrides);
                  const ref = dt.reference[name as keyof typeof BinaryOp];
                  forEachIndex(
                    c.shape,
                    [
                      { offset: aOffset, strides: c.aStrides },
                      { offset: 0, strides: c.bStrides },
                    ],
                    (i, [ia, ib]) => {
                      if (!dt.same(out[i], ref(a[ia], b[ib])))
                        throw new Error(`${c.name} ${name} at ${i}: got ${out[i]}, want ${ref(a[ia], b[ib])}`);
                    },
                  );
                }
              }
            }),
          );
        });
      }
    }

    it(`${isa}: maximum and minimum propagate NaN from either side; infinities pass through`, () => {
      withIsa(isa, () => {
        const a = new Float32Array(40);
        const b = new Float32Array(40);
        for (let i = 0; i < 40; i++) {
          a[i] = [NaN, 1, Infinity, -Infinity, 2][i % 5];
          b[i] = [0, NaN, -Infinity, 3, -0][i % 5];
        }
        for (const name of ['maximum', 'minimum'] as const) {
          const out = new Float32Array(40);
          native.binary(BinaryOp[name], [40], out, 0, [1], a, 0, [1], b, 0, [1]);
          for (let i = 0; i < 40; i++)
            expect(
              Object.is(out[i], reference[name](a[i], b[i])) || (out[i] === 0 && reference[name](a[i], b[i]) === 0),
            ).toBe(true);
        }
      });
    });
  }

  it('float64: refuses a mix of Float32Array and Float64Array, and views past the array', () => {
    const d = new Float64Array(4);
    const f = new Float32Array(4);
    expect(() => native.binary(BinaryOp.add, [4], d, 0, [1], f as never, 0, [1], d, 0, [1])).toThrow(
      /binary: argument 'a' must be a Float64Array, got Float32Array/,
    );
    expect(() => native.binary(BinaryOp.add, [4], f, 0, [1], d as never, 0, [1], f, 0, [1])).toThrow(
      /binary: argument 'a' must be a Float32Array, got Float64Array/,
    );
    expect(() => native.binary(BinaryOp.add, [5], d, 0, [1], d, 0, [1], d, 0, [1])).toThrow(
      /reaches element 4 of a Float64Array of length 4/,
    );
    expect(() => native.binary(BinaryOp.add, [3], d, 1, [1], d, 0, [1], d, 0, [1])).toThrow(/partially overlaps/);
    const x = Float64Array.from([1, 2, 3]);
    native.binary(BinaryOp.mul, [3], x, 0, [1], x, 0, [1], Float64Array.from([1 / 3]), 0, [0]);
    expect(Array.from(x)).toEqual([1 / 3, 2 / 3, 1]);
  });

  it('runs exactly in place (out is a)', () => {
    const a = randomFloats(1000, 3);
    const b = randomFloats(1000, 4);
    const want = a.map((x, i) => Math.fround(x * b[i]));
    native.binary(BinaryOp.mul, [1000], a, 0, [1], a, 0, [1], b, 0, [1]);
    expect(a).toEqual(want);
  });
});
