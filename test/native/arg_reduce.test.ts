import { describe, expect, it } from 'vitest';
import { ArgReduceOp, native } from '../../lib/native.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';
import { extent, numel, permuted, same, type View, walk } from '../helpers/strided.js';

interface ArgCase extends View {
  name: string;
  axis: number;
}

function argReference(v: View, axis: number, x: Float32Array, op: 'argmax' | 'argmin'): Int32Array {
  const reduced = v.shape.map((_, d) => d === axis);
  const nOut = numel(v.shape.filter((_, d) => !reduced[d]));
  const best = new Float64Array(nOut);
  const index = new Int32Array(nOut).fill(-1);
  const pos = new Int32Array(nOut); // position along the axis (walk visits it in order)
  walk(v, reduced, (xo, o) => {
    const a = x[xo];
    const at = pos[o]++;
    if (index[o] < 0) {
      best[o] = a;
      index[o] = at;
      return;
    }
    const b = best[o];
    if (Number.isNaN(b)) return;
    if (Number.isNaN(a) || (op === 'argmax' ? a > b : a < b)) {
      best[o] = a;
      index[o] = at;
    }
  });
  return index;
}

const argCases: ArgCase[] = [
  ...[1, 2, 7, 8, 9, 16, 17, 31, 33, 64, 65, 1000, 2049, 32769, 70001].map((n) => ({
    name: `contiguous ${n}`,
    shape: [n],
    strides: [1],
    offset: 0,
    axis: 0,
  })),
  { name: 'stride 3 with offset', shape: [501], strides: [3], offset: 2, axis: 0 },
  { name: 'broadcast', shape: [50], strides: [0], offset: 4, axis: 0 },
  ...[0, 1].flatMap((axis) => [
    { name: '2-D 300x257 (threaded)', shape: [300, 257], strides: [257, 1], offset: 0, axis },
    { name: '2-D 2x70000 (few outputs)', shape: [2, 70000], strides: [70000, 1], offset: 0, axis },
    { name: '2-D 70000x3', shape: [70000, 3], strides: [3, 1], offset: 0, axis },
    { name: '2-D 3x40', shape: [3, 40], strides: [40, 1], offset: 0, axis },
    { name: '2-D 0x7', shape: [0, 7], strides: [7, 1], offset: 0, axis: 1 },
    { name: '2-D transposed 90x120', ...permuted([90, 120], [1, 0]), axis },
    { name: '2-D broadcast rows', shape: [20, 35], strides: [0, 1], offset: 0, axis },
  ]),
  ...[0, 1, 2].flatMap((axis) => [
    { name: '3-D 7x9x33', shape: [7, 9, 33], strides: [297, 33, 1], offset: 0, axis },
    { name: '3-D 8x20x300 (threaded)', shape: [8, 20, 300], strides: [6000, 300, 1], offset: 0, axis },
    { name: '3-D permuted 5x6x70', ...permuted([5, 6, 70], [1, 2, 0], 3), axis },
    { name: '3-D sliced', shape: [4, 5, 6], strides: [90, 15, 2], offset: 1, axis },
  ]),
];

// Coarse values give many ties; a few NaNs go into about one case in three.
function argInput(c: ArgCase, seed: number): Float32Array {
  const x = randomFloats(extent(c) + 2, seed).map((v) => Math.round(v * 6) / 6);
  if (seed % 3 === 0) {
    const r = randomFloats(8, seed + 1, 0, x.length);
    for (const p of r) x[Math.floor(p)] = NaN;
  }
  return x;
}

const argPrepared = argCases.map((c, i) => {
  const x = argInput(c, i);
  return { c, x, want: { argmax: argReference(c, c.axis, x, 'argmax'), argmin: argReference(c, c.axis, x, 'argmin') } };
});

describe('native argReduce', () => {
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): first extreme wins, NaN counts as the extreme, values match`, () => {
        withThreads(threads, () =>
          withIsa(isa, () => {
            for (const { c, x, want } of argPrepared) {
              const nOut = numel(c.shape.filter((_, d) => d !== c.axis));
              for (const op of ['argmax', 'argmin'] as const) {
                const indices = new Int32Array(nOut).fill(-7);
                const values = new Float32Array(nOut).fill(-7);
                native.argReduce(ArgReduceOp[op], c.shape, x, c.offset, c.strides, c.axis, values, indices);
                const noValues = new Int32Array(nOut).fill(-7);
                native.argReduce(ArgReduceOp[op], c.shape, x, c.offset, c.strides, c.axis, null, noValues);
                for (let o = 0; o < nOut; o++) {
                  if (indices[o] !== want[op][o] || noValues[o] !== want[op][o]) {
                    throw new Error(`${c.name} axis ${c.axis} ${op} at ${o}: got ${indices[o]}, want ${want[op][o]}`);
                  }
                }
                // values[o] is x at the index found.
                const reduced = c.shape.map((_, d) => d === c.axis);
                const pos = new Int32Array(nOut);
                walk(c, reduced, (xo, o) => {
                  if (pos[o]++ === want[op][o] && !same(values[o], x[xo])) {
                    throw new Error(`${c.name} ${op} value at ${o}: got ${values[o]}, want ${x[xo]}`);
                  }
                });
              }
            }
          }),
        );
      });
    }
  }

  it('picks the first NaN and the first of equal extremes in a long row', () => {
    const x = new Float32Array(5000).fill(1);
    x[1234] = 3;
    x[4321] = 3;
    const idx = new Int32Array(1);
    for (const isa of supportedIsas) {
      withIsa(isa, () => {
        native.argReduce(ArgReduceOp.argmax, [5000], x, 0, [1], 0, null, idx);
        expect(idx[0]).toBe(1234);
        native.argReduce(ArgReduceOp.argmin, [5000], x, 0, [1], 0, null, idx);
        expect(idx[0]).toBe(0);
        const y = x.slice();
        y[3000] = NaN;
        y[3500] = NaN;
        native.argReduce(ArgReduceOp.argmin, [5000], y, 0, [1], 0, null, idx);
        expect(idx[0]).toBe(3000);
      });
    }
  });
});

describe('argReduce argument checks', () => {
  const f = (n: number) => new Float32Array(n);
  const arg =
    (...args: unknown[]) =>
    () =>
      (native.argReduce as (...a: unknown[]) => void)(...args);

  it('argReduce rejects bad axes, arrays, lengths and overlaps with clear messages', () => {
    expect(arg(0, [3], f(3), 0, [1], 0, null)).toThrow(/argReduce: expected 8 arguments, got 7/);
    expect(arg(2, [3], f(3), 0, [1], 0, null, new Int32Array(1))).toThrow(/'op' must be in \[0, 1\], got 2/);
    expect(arg(0, [2, 3], f(6), 0, [3, 1], 2, null, new Int32Array(2))).toThrow(
      /argReduce: argument 'axis' must be in \[0, 1\], got 2/,
    );
    expect(arg(0, [], f(1), 0, [], 0, null, new Int32Array(1))).toThrow(
      /argReduce: argmax needs an axis, but x is 0-d/,
    );
    expect(arg(1, [3, 0], f(0), 0, [0, 1], 1, null, new Int32Array(3))).toThrow(
      /argReduce: argmin of an empty set: axis 1 of shape \[3,0\] has size 0/,
    );
    expect(arg(0, [2, 3], f(6), 0, [3, 1], 1, null, f(2))).toThrow(
      /'indices' must be an Int32Array, got Float32Array\(2\)/,
    );
    expect(arg(0, [2, 3], f(6), 0, [3, 1], 1, null, new Int32Array(3))).toThrow(/'indices' must have length 2/);
    expect(arg(0, [2, 3], f(6), 0, [3, 1], 1, f(3), new Int32Array(2))).toThrow(/'values' must have length 2/);
    expect(arg(0, [2, 3], f(6), 0, [3, 1], 1, undefined, new Int32Array(2))).toThrow(
      /'values' must be a Float32Array, got undefined/,
    );
    const buf = new ArrayBuffer(64);
    const x = new Float32Array(buf, 0, 6);
    expect(arg(0, [2, 3], x, 0, [3, 1], 1, null, new Int32Array(buf, 16, 2))).toThrow(
      /output 'indices' overlaps input 'x'/,
    );
    expect(arg(0, [2, 3], x, 0, [3, 1], 1, new Float32Array(buf, 20, 2), new Int32Array(2))).toThrow(
      /output 'values' overlaps input 'x'/,
    );
    expect(arg(0, [2, 3], x, 0, [3, 1], 1, new Float32Array(buf, 32, 2), new Int32Array(buf, 36, 2))).toThrow(
      /output 'values' overlaps input 'indices'/,
    );
    expect(arg(0, [2, 3], x, 0, [3, 1], 1, new Float32Array(buf, 32, 2), new Int32Array(buf, 40, 2))).not.toThrow();
  });

  it('the process is still healthy after the errors', () => {
    const indices = new Int32Array(2);
    native.argReduce(ArgReduceOp.argmax, [2, 2], new Float32Array([1, 2, 4, 3]), 0, [2, 1], 1, null, indices);
    expect(Array.from(indices)).toEqual([1, 0]);
  });
});
