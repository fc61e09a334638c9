import { describe, expect, it } from 'vitest';
import { native, ReduceOp, type ReduceOpCode } from '../../lib/native.js';
import { contiguousStrides, randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';
import { extent, numel, permuted, same, type View, walk } from '../helpers/strided.js';

interface Case extends View {
  name: string;
  axes: number[];
}

const U = 2 ** -24; // float32 unit roundoff

// Sum tolerance. The kernels sum pairwise: runs of at most 32 terms per lane are summed
// linearly, lanes, blocks, rows and threads are combined in trees or short fixed chains, so
// the error is at most ((32 + a few) + log2 n) * u * sum|x| (the standard bound for recursive
// summation, (m - 1) u sum|x| for a linear run of m terms, applied level by level). 64 covers
// the linear parts with room; log2(n) the tree. (Test shapes keep the one other linear chain,
// the outer reduced dims of the columns layout, short.) A naive sequential float32 sum of 2^20
// copies of 0.1 misses this bound by over 100x (checked in the accuracy test).
function sumTolerance(n: number, sumAbs: number): number {
  return (64 + Math.log2(Math.max(n, 1))) * U * sumAbs;
}

interface Reference {
  count: number;
  sum: Float64Array;
  sumAbs: Float64Array;
  max: Float64Array;
  min: Float64Array;
  prod: Float64Array; // of the second input
}

// float64 reference of every op at once; max/min propagate NaN.
function reference(v: View, axes: number[], x: Float32Array, y: Float32Array): Reference {
  const reduced = v.shape.map((_, d) => axes.includes(d));
  const nOut = numel(v.shape.filter((_, d) => !reduced[d]));
  const r: Reference = {
    count: numel(v.shape.filter((_, d) => reduced[d])),
    sum: new Float64Array(nOut),
    sumAbs: new Float64Array(nOut),
    max: new Float64Array(nOut).fill(-Infinity),
    min: new Float64Array(nOut).fill(Infinity),
    prod: new Float64Array(nOut).fill(1),
  };
  walk(v, reduced, (xo, o) => {
    const a = x[xo];
    r.sum[o] += a;
    r.sumAbs[o] += Math.abs(a);
    if (Number.isNaN(a) || a > r.max[o]) r.max[o] = Number.isNaN(r.max[o]) ? r.max[o] : a;
    if (Number.isNaN(a) || a < r.min[o]) r.min[o] = Number.isNaN(r.min[o]) ? r.min[o] : a;
    r.prod[o] *= y[xo];
  });
  if (r.count === 0) {
    r.max.fill(NaN);
    r.min.fill(NaN);
  }
  return r;
}

function close(got: number, want: number, tol: number): boolean {
  if (!Number.isFinite(want) || !Number.isFinite(got)) return same(got, want);
  return Math.abs(got - want) <= tol;
}

function runReduce(op: ReduceOpCode, c: View, axes: number[], x: Float32Array): Float32Array {
  const kept = c.shape.filter((_, d) => !axes.includes(d));
  const out = new Float32Array(numel(kept)).fill(-12345);
  native.reduce(op, c.shape, x, c.offset, c.strides, axes, out);
  return out;
}

// Checks every op of one case against the reference; throws a message naming the failure.
function checkReduce(c: Case, x: Float32Array, y: Float32Array, ref: Reference): void {
  const fail = (op: string, i: number, got: number, want: number) => {
    throw new Error(`${c.name} axes [${c.axes}] ${op} at ${i}: got ${got}, want ${want}`);
  };
  const sum = runReduce(ReduceOp.sum, c, c.axes, x);
  const mean = runReduce(ReduceOp.mean, c, c.axes, x);
  const prod = runReduce(ReduceOp.prod, c, c.axes, y);
  for (let i = 0; i < sum.length; i++) {
    const tol = sumTolerance(ref.count, ref.sumAbs[i]);
    if (!close(sum[i], ref.sum[i], tol)) fail('sum', i, sum[i], ref.sum[i]);
    const m = ref.count === 0 ? NaN : ref.sum[i] / ref.count;
    if (!close(mean[i], m, tol / ref.count + U * Math.abs(m))) fail('mean', i, mean[i], m);
    // Every float32 multiply rounds once: relative error <= (count + 1) u, in any order.
    const ptol = (ref.count + 2) * U * Math.abs(ref.prod[i]) + 1e-37;
    if (!close(prod[i], ref.prod[i], ptol)) fail('prod', i, prod[i], ref.prod[i]);
  }
  if (ref.count === 0) return; // max/min of nothing throw (tested apart)
  const max = runReduce(ReduceOp.max, c, c.axes, x);
  const min = runReduce(ReduceOp.min, c, c.axes, x);
  for (let i = 0; i < max.length; i++) {
    if (!same(max[i], ref.max[i])) fail('max', i, max[i], ref.max[i]);
    if (!same(min[i], ref.min[i])) fail('min', i, min[i], ref.min[i]);
  }
}

function contiguous(name: string, shape: number[], axes: number[]): Case {
  return { name, shape, strides: contiguousStrides(shape), offset: 0, axes };
}

function subsets(ndim: number): number[][] {
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << ndim; mask++) {
    const axes: number[] = [];
    for (let d = 0; d < ndim; d++) if (mask & (1 << d)) axes.push(d);
    out.push(mask % 3 === 0 ? axes.reverse() : axes); // the order of axes must not matter
  }
  return out;
}

// Every subset of axes of a view.
function allAxes(name: string, v: View): Case[] {
  return subsets(v.shape.length).map((axes) => ({ ...v, name, axes }));
}

// Sizes around the vector widths (8, 16), the 4-register tiles (32, 64), the linear blocks
// (128, 1024, 2048) and the threading grain (32768 per thread).
const sizes1d = [
  0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 1000, 1023, 1024, 1025, 2047, 2048, 2049,
  4097, 32767, 32768, 32769, 65535, 65536, 65537, 70001,
];

const cases: Case[] = [
  ...sizes1d.map((n) => contiguous(`contiguous ${n}`, [n], [0])),
  { name: 'stride 2 with offset', shape: [3001], strides: [2], offset: 5, axes: [0] },
  { name: 'stride 3, threaded', shape: [70001], strides: [3], offset: 1, axes: [0] },
  { name: 'broadcast scalar', shape: [1000], strides: [0], offset: 7, axes: [0] },
  { name: 'broadcast reduced dim', shape: [37, 100], strides: [0, 1], offset: 0, axes: [0] },
  { name: 'broadcast kept dim', shape: [37, 100], strides: [0, 1], offset: 0, axes: [1] },
  // max/min skip broadcast reduced dims: the rows left must still split right among threads.
  {
    name: 'broadcast reduced dim, few outputs (threaded)',
    shape: [2, 10, 40000],
    strides: [40000, 0, 1],
    offset: 0,
    axes: [1, 2],
  },
  ...[[0], [1], [0, 1]].flatMap((axes) => [
    contiguous('2-D 300x257 (threaded)', [300, 257], axes),
    contiguous('2-D 257x300', [257, 300], axes),
    contiguous('2-D 3x40000 (few outputs)', [3, 40000], axes),
    contiguous('2-D 40000x3 (few columns)', [40000, 3], axes),
    contiguous('2-D 17x1', [17, 1], axes),
    contiguous('2-D 1x17', [1, 17], axes),
    contiguous('2-D 0x5', [0, 5], axes),
    contiguous('2-D 5x0', [5, 0], axes),
    contiguous('2-D 100x1100 (two column units)', [100, 1100], axes),
    { name: '2-D transposed 130x70', ...permuted([130, 70], [1, 0]), axes },
    { name: '2-D transposed 600x120 (threaded)', ...permuted([600, 120], [1, 0]), axes },
    { name: '2-D sliced rows and columns', shape: [40, 33], strides: [140, 2], offset: 3, axes },
  ]),
  // Few columns with the rows back to back: the small-columns kernel (one register span holds
  // whole rows), around its span lengths and leaf size.
  ...[2, 3, 4, 5, 6, 7, 8, 12, 24, 40].flatMap((cols) =>
    [1, 3, 16, 33, 700, 2049].map((rows) => contiguous(`columns ${rows}x${cols}`, [rows, cols], [0])),
  ),
  ...allAxes('3-D 3x50x4 with gaps between batches', { shape: [3, 50, 4], strides: [230, 4, 1], offset: 1 }),
  ...allAxes('3-D 5x6x7', { shape: [5, 6, 7], strides: [42, 7, 1], offset: 0 }),
  ...allAxes('3-D 9x17x33 permuted', permuted([9, 17, 33], [2, 0, 1], 2)),
  ...allAxes('3-D 6x1x35 with a size-1 dim', { shape: [6, 1, 35], strides: [35, 35, 1], offset: 0 }),
  ...allAxes('3-D 4x5x6 broadcast middle', { shape: [4, 5, 6], strides: [6, 0, 1], offset: 0 }),
  ...allAxes('4-D 3x4x5x6', { shape: [3, 4, 5, 6], strides: [120, 30, 6, 1], offset: 0 }),
  ...allAxes('4-D 6x33x17x20 (threaded)', { shape: [6, 33, 17, 20], strides: [11220, 340, 20, 1], offset: 0 }),
  ...allAxes('4-D 5x16x7x40 permuted (threaded)', permuted([5, 16, 7, 40], [3, 1, 0, 2])),
  ...allAxes('4-D 4x6x5x9 sliced', { shape: [4, 6, 5, 9], strides: [700, 100, 20, 2], offset: 11 }),
  ...allAxes('4-D 3x0x4x5 empty', { shape: [3, 0, 4, 5], strides: [20, 20, 5, 1], offset: 0 }),
];

interface Prepared {
  c: Case;
  x: Float32Array;
  y: Float32Array;
  ref: Reference;
}

// Inputs and references are computed once; every ISA and thread count checks against them.
function prepare(list: Case[], seed: number): Prepared[] {
  const inputs = new Map<string, { x: Float32Array; y: Float32Array }>();
  return list.map((c, i) => {
    const key = `${c.name}:${extent(c)}`;
    let input = inputs.get(key);
    if (!input) {
      const n = extent(c) + 3;
      const y = randomFloats(n, seed + 1000 + i, 0.999, 1.001);
      input = { x: randomFloats(n, seed + i), y };
      inputs.set(key, input);
    }
    return { c, ...input, ref: reference(c, c.axes, input.x, input.y) };
  });
}

const prepared = prepare(cases, 7);

describe('native reduce', () => {
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): every op, layout, size and subset of axes matches float64`, () => {
        withThreads(threads, () =>
          withIsa(isa, () => {
            for (const p of prepared) checkReduce(p.c, p.x, p.y, p.ref);
          }),
        );
      });
    }

    it(`${isa}: 2^20-element positive sums are accurate (pairwise, not naive) in both layouts`, () => {
      const n = 1 << 20;
      // Random values, and a constant one: there every naive step rounds the same way, so a
      // sequential float32 sum drifts far outside the bound (checked below: the test can tell).
      for (const x of [randomFloats(n, 99, 0, 1), new Float32Array(n).fill(0.1)]) {
        let want = 0;
        let naive = Math.fround(0);
        for (let i = 0; i < n; i++) {
          want += x[i];
          naive = Math.fround(naive + x[i]);
        }
        const tol = sumTolerance(n, want);
        if (x[0] === x[1]) expect(Math.abs(naive - want)).toBeGreaterThan(100 * tol);
        withIsa(isa, () => {
          for (const threads of [1, 2]) {
            withThreads(threads, () => {
              const all = runReduce(ReduceOp.sum, { shape: [n], strides: [1], offset: 0 }, [0], x)[0];
              expect(Math.abs(all - want)).toBeLessThanOrEqual(tol);
              // Columns layout: the sum over the outer axis of [n/4, 4] and of [n/64, 64].
              for (const cols of [4, 64]) {
                const shape = [n / cols, cols];
                const got = runReduce(ReduceOp.sum, { shape, strides: [cols, 1], offset: 0 }, [0], x);
                for (let j = 0; j < cols; j++) {
                  let w = 0;
                  for (let r = 0; r < n / cols; r++) w += x[r * cols + j];
                  expect(Math.abs(got[j] - w)).toBeLessThanOrEqual(sumTolerance(n / cols, w));
                }
              }
            });
          }
        });
      }
    });

    it(`${isa}: max and min propagate NaN wherever it sits; sums of NaN and Inf follow IEEE`, () => {
      withIsa(isa, () =>
        withThreads(2, () => {
          for (const n of [1, 5, 16, 17, 100, 3000, 70001]) {
            for (const at of [0, Math.floor(n / 2), n - 1]) {
              const x = randomFloats(n, n + at);
              x[at] = NaN;
              const v: View = { shape: [n], strides: [1], offset: 0 };
              for (const op of [ReduceOp.max, ReduceOp.min, ReduceOp.sum, ReduceOp.prod]) {
                expect(Number.isNaN(runReduce(op, v, [0], x)[0])).toBe(true);
              }
              // The same along columns: only the column holding the NaN is NaN.
              if (n >= 2) {
                const shape = [n, 2];
                const x2 = randomFloats(2 * n, n);
                x2[2 * at + 1] = NaN;
                for (const op of [ReduceOp.max, ReduceOp.min]) {
                  const got = runReduce(op, { shape, strides: [2, 1], offset: 0 }, [0], x2);
                  expect(Number.isNaN(got[0])).toBe(false);
                  expect(Number.isNaN(got[1])).toBe(true);
                }
              }
            }
          }
          const inf = new Float32Array([1, Infinity, -2, 3]);
          expect(runReduce(ReduceOp.max, { shape: [4], strides: [1], offset: 0 }, [0], inf)[0]).toBe(Infinity);
          expect(runReduce(ReduceOp.sum, { shape: [4], strides: [1], offset: 0 }, [0], inf)[0]).toBe(Infinity);
          const both = new Float32Array([Infinity, -Infinity]);
          expect(Number.isNaN(runReduce(ReduceOp.sum, { shape: [2], strides: [1], offset: 0 }, [0], both)[0])).toBe(
            true,
          );
          const negInf = new Float32Array(40).fill(-Infinity);
          expect(runReduce(ReduceOp.max, { shape: [40], strides: [1], offset: 0 }, [0], negInf)[0]).toBe(-Infinity);
        }),
      );
    });
  }

  it('empty reductions: sum 0, mean NaN, prod 1; empty kept dims write nothing', () => {
    const v: View = { shape: [3, 0], strides: [0, 1], offset: 0 };
    const x = new Float32Array(0);
    expect(Array.from(runReduce(ReduceOp.sum, v, [1], x))).toEqual([0, 0, 0]);
    expect(Array.from(runReduce(ReduceOp.mean, v, [1], x)).every(Number.isNaN)).toBe(true);
    expect(Array.from(runReduce(ReduceOp.prod, v, [1], x))).toEqual([1, 1, 1]);
    expect(runReduce(ReduceOp.max, v, [0], x).length).toBe(0);
    expect(runReduce(ReduceOp.sum, { shape: [], strides: [], offset: 1 }, [], new Float32Array([0, 4]))[0]).toBe(4);
  });

  it('is deterministic for a fixed thread count', () => {
    const x = randomFloats(300001, 5);
    for (const threads of [1, 2]) {
      withThreads(threads, () => {
        for (const [shape, axes] of [
          [[300001], [0]],
          [[3, 100000], [1]],
          [[100000, 3], [0]],
        ] as const) {
          const v: View = { shape: [...shape], strides: contiguousStrides([...shape]), offset: 0 };
          const a = runReduce(ReduceOp.sum, v, [...axes], x);
          const b = runReduce(ReduceOp.sum, v, [...axes], x);
          expect(b).toEqual(a);
        }
      });
    }
  });
});

// ---- argument errors --------------------------------------------------------------------

describe('reduce argument checks', () => {
  const f = (n: number) => new Float32Array(n);
  const reduce =
    (...args: unknown[]) =>
    () =>
      (native.reduce as (...a: unknown[]) => void)(...args);

  it('reduce rejects bad ops, axes, lengths, views and overlaps with clear messages', () => {
    expect(reduce(0, [3])).toThrow(/reduce: expected 7 arguments, got 2/);
    expect(reduce(5, [3], f(3), 0, [1], [0], f(1))).toThrow(/reduce: argument 'op' must be in \[0, 4\], got 5/);
    expect(reduce(0, [2, 3], f(6), 0, [3, 1], [2], f(2))).toThrow(
      /reduce: argument 'axes'\[0\] must be an integer axis in \[0, 2\), got number 2/,
    );
    expect(reduce(0, [2, 3], f(6), 0, [3, 1], [1, 1], f(2))).toThrow(/reduce: argument 'axes' names axis 1 twice/);
    expect(reduce(0, [2, 3], f(6), 0, [3, 1], [0.5], f(2))).toThrow(/'axes'\[0\] must be an integer axis/);
    expect(reduce(0, [2, 3], f(6), 0, [3, 1], 1, f(2))).toThrow(/'axes' must be an array of axes, got number 1/);
    expect(reduce(0, [2, 3], f(6), 0, [3, 1], [1], f(3))).toThrow(
      /reduce: argument 'out' must have length 2 \(the product of the kept dims \[2\] of shape \[2,3\]\), got 3/,
    );
    // out's type picks the kernels: x must match it, and must not share out's memory.
    expect(reduce(0, [2, 3], f(6), 0, [3, 1], [1], new Float64Array(2))).toThrow(
      /'x' must be a Float64Array, got Float32Array\(6\)/,
    );
    expect(reduce(0, [2, 3], new Float64Array(6), 0, [3, 1], [1], f(2))).toThrow(
      /'x' must be a Float32Array, got Float64Array\(6\)/,
    );
    expect(reduce(0, [2, 3], new Float64Array(6), 0, [3, 1], [1], new Float64Array(3))).toThrow(
      /reduce: argument 'out' must have length 2/,
    );
    const d = new Float64Array(8);
    expect(reduce(0, [2, 3], d, 2, [3, 1], [1], d.subarray(3, 5))).toThrow(/output 'out' overlaps input 'x'/);
    expect(reduce(0, [2, 3], f(6), 1, [3, 1], [1], f(2))).toThrow(
      /argument 'x': offset 1 with strides \[3,1\] over shape \[2,3\] reaches element 6/,
    );
    expect(reduce(2, [2, 0], f(0), 0, [0, 1], [1], f(2))).toThrow(
      /reduce: max of an empty set: axis 1 of shape \[2,0\] has size 0/,
    );
    expect(reduce(3, [0], f(0), 0, [1], [0], f(1))).toThrow(RangeError);
    const buf = f(8);
    expect(reduce(0, [2, 3], buf, 0, [3, 1], [1], buf.subarray(5, 7))).toThrow(/output 'out' overlaps input 'x'/);
    // Disjoint parts of one buffer are fine.
    expect(reduce(0, [2, 3], buf, 0, [3, 1], [1], buf.subarray(6, 8))).not.toThrow();
  });

  it('the process is still healthy after the errors', () => {
    const out = f(2);
    native.reduce(ReduceOp.sum, [2, 2], new Float32Array([1, 2, 3, 4]), 0, [2, 1], [1], out);
    expect(Array.from(out)).toEqual([3, 7]);
  });
});
