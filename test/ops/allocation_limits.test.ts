// Outputs whose size comes from an op's arguments are checked before anything is allocated: a
// request that cannot fit is a RangeError naming the op and the size, and an empty batch taken
// to a huge output size allocates nothing (PyTorch returns the empty result too).
import { describe, expect, it } from 'vitest';
import { full, nn, ones, pad, repeat, zeros } from '../../lib/index.js';

const F = nn.functional;

/** Growth (MiB) of the memory held by ArrayBuffers (tensors and the ops' tables) over fn. */
function heapGrowthMiB(fn: () => void): number {
  const before = process.memoryUsage().arrayBuffers;
  fn();
  return (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
}

describe('allocation limits', () => {
  it('a huge output is an error naming the op and the size, before anything is allocated', () => {
    const x = ones([1, 3, 4, 4]);
    const cases: [string, () => unknown][] = [
      ['interpolate', () => F.interpolate(x, { size: [200000, 200000] })],
      ['interpolate', () => F.interpolate(ones([1, 3, 4]), { scaleFactor: 1e12, mode: 'linear' })],
      ['adaptiveAvgPool2d', () => F.adaptiveAvgPool2d(x, [200000, 200000])],
      ['adaptiveMaxPool2d', () => F.adaptiveMaxPool2d(x, [100000, 200000])],
      ['adaptiveAvgPool1d', () => F.adaptiveAvgPool1d(ones([1, 3, 4]), 2 ** 40)],
      ['pad', () => pad(x, [2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20])],
      ['repeat', () => repeat(x, [1, 1, 2 ** 20, 2 ** 20])],
      ['fold', () => F.fold(ones([1, 3, 1]), [2 ** 20, 2 ** 20], 1, { stride: 2 ** 20 })],
      ['full', () => full([2 ** 20, 2 ** 20], 1)],
      ['zeros', () => zeros([2 ** 20, 2 ** 20, 4], { dtype: 'bool' })],
    ];
    for (const [op, call] of cases) {
      expect(call, op).toThrow(
        new RegExp(
          `^${op}: the (output|tensor) \\[[0-9,]+\\] would take [0-9.]+ [KMGTPE]iB, more than (one buffer can hold|this machine's memory)`,
        ),
      );
    }
  });

  it('an empty batch taken to a huge output size allocates nothing and keeps its gradient', () => {
    const x = zeros([0, 3, 4]).requiresGrad_(true);
    const x2 = zeros([0, 3, 4, 4]).requiresGrad_(true);
    let outs: ReturnType<typeof F.interpolate>[] = [];
    const grown = heapGrowthMiB(() => {
      outs = [
        F.interpolate(x, { size: 30_000_000, mode: 'linear' }),
        F.interpolate(x, { size: 30_000_000 }),
        F.adaptiveAvgPool1d(x, 30_000_000),
        F.adaptiveMaxPool1d(x, 30_000_000),
        F.adaptiveAvgPool2d(x2, [20000, 20000]),
        pad(x, [30_000_000, 30_000_000]),
        pad(x, [30_000_000, 30_000_000], { mode: 'replicate' }),
      ];
    });
    expect(grown).toBeLessThan(16);
    expect(outs.map((o) => o.shape)).toEqual([
      [0, 3, 30_000_000],
      [0, 3, 30_000_000],
      [0, 3, 30_000_000],
      [0, 3, 30_000_000],
      [0, 3, 20000, 20000],
      [0, 3, 60_000_004],
      [0, 3, 60_000_004],
    ]);
    outs.reduce((a, o) => a.add(o.sum()), zeros([])).backward();
    expect(x.grad?.shape).toEqual([0, 3, 4]);
    expect(x2.grad?.shape).toEqual([0, 3, 4, 4]);
  });
});
