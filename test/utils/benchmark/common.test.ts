// Measurement's statistics and printing against PyTorch 1.13's (scripts/gen_fixtures_benchmark.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { utils } from '../../../lib/index.js';

const { Measurement, selectUnit, trimSigfig } = utils.benchmark;

interface Case {
  numberPerRun: number;
  rawTimes: number[];
  taskSpec: utils.benchmark.TaskSpec;
  expected: {
    median: number;
    mean: number;
    iqr: number;
    significantFigures: number;
    hasWarnings: boolean;
    repr: string;
  };
}
const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/benchmark.json', import.meta.url), 'utf8')) as {
  singles: Case[];
};

describe('Measurement', () => {
  it('median and IQR of known samples (linear interpolation, as torch.quantile)', () => {
    const m = new Measurement(1, [5, 1, 4, 2, 3], { stmt: 's', setup: '', numThreads: 1 });
    expect(m.median).toBe(3);
    expect(m.iqr).toBe(2); // 4 - 2
    const even = new Measurement(2, [8, 2, 6, 4], { stmt: 's', setup: '', numThreads: 1 });
    expect(even.times).toEqual([4, 1, 3, 2]);
    expect(even.median).toBe(2.5);
    expect(even.mean).toBe(2.5);
    expect(even.iqr).toBeCloseTo(3.25 - 1.75, 15);
  });

  it.each(fixtures.singles.map((c, i) => [i, c] as const))('case %i: statistics and toString() as PyTorch', (_, c) => {
    const m = new Measurement(c.numberPerRun, c.rawTimes, c.taskSpec);
    expect(m.median).toBeCloseTo(c.expected.median, 15);
    expect(m.mean).toBeCloseTo(c.expected.mean, 15);
    expect(m.iqr).toBeCloseTo(c.expected.iqr, 15);
    expect(m.significantFigures).toBe(c.expected.significantFigures);
    expect(m.hasWarnings).toBe(c.expected.hasWarnings);
    expect(m.toString()).toBe(`<utils.benchmark.Measurement>\n${c.expected.repr}`);
  });

  it('merge pools the per-call times of equal tasks', () => {
    const spec = { stmt: 's', setup: '', numThreads: 1 };
    const [merged, other] = Measurement.merge([
      new Measurement(2, [2, 4], spec),
      new Measurement(1, [3], spec),
      new Measurement(1, [9], { ...spec, numThreads: 2 }),
    ]);
    expect(merged.numberPerRun).toBe(1);
    expect(merged.times).toEqual([1, 2, 3]);
    expect(other.times).toEqual([9]);
  });

  it('selectUnit and trimSigfig as PyTorch', () => {
    expect(selectUnit(5.7e-6)).toEqual({ unit: 'us', scale: 1e-6 });
    expect(selectUnit(1.2e-9).unit).toBe('ns');
    expect(selectUnit(0.3).unit).toBe('ms');
    expect(selectUnit(12).unit).toBe('s');
    expect(trimSigfig(3.14159, 2)).toBeCloseTo(3.1, 12);
    expect(trimSigfig(116.1, 2)).toBe(120);
    expect(trimSigfig(25, 1)).toBe(20); // half to even, as torch.round
  });

  it('refuses bad values, naming itself', () => {
    const spec = { stmt: 's', setup: '', numThreads: 1 };
    expect(() => new Measurement(0, [1], spec)).toThrow(/^Measurement: numberPerRun must be a positive integer, got 0/);
    expect(() => new Measurement(1, [], spec)).toThrow(/^Measurement: rawTimes/);
    expect(() => new Measurement(1, [Number.NaN], spec)).toThrow(/^Measurement: rawTimes .* got NaN/);
    expect(() => new Measurement(1, [1], null as never)).toThrow(/^Measurement: taskSpec/);
    expect(() => new Measurement(1, [1], { stmt: 's', sub_label: 'x' } as never)).toThrow(/did you mean 'subLabel'/);
  });
});
