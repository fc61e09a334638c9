// Timer's stopping rules with an injected clock: each call of the statement advances a fake
// clock by a set cost, so block sizes and run counts are exact and the tests deterministic.
import { describe, expect, it } from 'vitest';
import { getNumThreads, setNumThreads, utils } from '../../../lib/index.js';

const { Timer } = utils.benchmark;

/** A fake clock and a statement costing `cost(block)` seconds a call (block: how many setups have run). */
function fake(cost: (block: number) => number) {
  const s = { now: 0, calls: 0, setups: 0 };
  const options = {
    stmt: () => {
      s.calls++;
      s.now += cost(s.setups);
    },
    setup: () => {
      s.setups++;
    },
    timer: () => s.now,
  };
  return { s, options };
}

const COST = 2 ** -20; // ~0.95 us, exact in binary: sums of it are exact

describe('Timer', () => {
  it('timeit: a warm-up of number / 100 calls (at least 2), then one run of number calls', () => {
    const { s, options } = fake(() => COST);
    const m = new Timer(options).timeit(50);
    expect(s.calls).toBe(52);
    expect(m.numberPerRun).toBe(50);
    expect(m.rawTimes).toEqual([50 * COST]);
    const m2 = new Timer(fake(() => COST).options).timeit(1000);
    expect(m2.times).toEqual([COST]);
  });

  it('blockedAutorange: the block grows by tens until overhead <= 1e-4 and a block >= minRunTime / 1000', () => {
    const { s, options } = fake(() => COST);
    const m = new Timer(options).blockedAutorange();
    // 1e-9 / (100 * COST) <= 1e-4 but 100 * COST < 0.2 / 1000; 1000 * COST >= 2e-4.
    expect(m.numberPerRun).toBe(1000);
    // Blocks of 1000 * COST until 0.2 s: ceil(0.2 / (1000 * COST)) = 210.
    expect(m.rawTimes.length).toBe(210);
    expect(m.median).toBe(COST);
    expect(m.iqr).toBe(0);
    expect(s.setups).toBe(5 + 4 + 210); // 5 overhead runs, 4 block sizes tried, the blocks
  });

  it('blockedAutorange: a call longer than minRunTime is timed alone, once', () => {
    const { options } = fake(() => 0.5);
    const m = new Timer(options).blockedAutorange({ minRunTime: 0.2 });
    expect(m.numberPerRun).toBe(1);
    expect(m.rawTimes).toEqual([0.5]);
  });

  it('adaptiveAutorange: stops after more than 3 blocks and minRunTime once IQR / median < threshold', () => {
    const quiet = new Timer(fake(() => COST).options).adaptiveAutorange({ minRunTime: 0 });
    expect(quiet.numberPerRun).toBe(100); // sized for 0.05 s: 100 * COST >= 5e-5
    expect(quiet.rawTimes.length).toBe(4);
    const longer = new Timer(fake(() => COST).options).adaptiveAutorange({ minRunTime: 0.01 });
    expect(longer.rawTimes.length).toBe(Math.ceil(0.01 / (100 * COST)));
  });

  it('adaptiveAutorange: a spread that stays wide runs until maxRunTime', () => {
    // Every other block takes 3x as long: IQR / median stays near 1.
    const { options } = fake((block) => (block % 2 ? COST : 3 * COST));
    const m = new Timer(options).adaptiveAutorange({ maxRunTime: 0.05 });
    const total = m.rawTimes.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0.05);
    expect(total - Math.max(...m.rawTimes)).toBeLessThanOrEqual(0.05);
    expect(m.meetsConfidence(0.1)).toBe(false);
    // The same with a threshold the spread meets stops at 4 blocks.
    const loose = new Timer(fake((block) => (block % 2 ? COST : 3 * COST)).options).adaptiveAutorange({
      threshold: 10,
      minRunTime: 0,
    });
    expect(loose.rawTimes.length).toBe(4);
  });

  it('runs at numThreads and restores the thread count; globals reach stmt and setup', () => {
    const prior = getNumThreads();
    setNumThreads(2);
    try {
      const seen: number[] = [];
      const globals = { n: 0 };
      const m = new Timer({
        stmt: (g) => {
          seen.push(getNumThreads());
          (g as typeof globals).n++;
        },
        setup: (g) => {
          (g as typeof globals).n += 1000;
        },
        globals,
        numThreads: 1,
      }).timeit(3);
      expect(new Set(seen)).toEqual(new Set([1]));
      expect(getNumThreads()).toBe(2);
      expect(globals.n).toBe(2000 + 5);
      expect(m.taskSpec.numThreads).toBe(1);
    } finally {
      setNumThreads(prior);
    }
  });

  it('restores the thread count when stmt throws', () => {
    const prior = getNumThreads();
    const t = new Timer({
      stmt: () => {
        throw new Error('boom');
      },
      numThreads: prior === 1 ? 2 : 1,
    });
    expect(() => t.timeit(1)).toThrow('boom');
    expect(getNumThreads()).toBe(prior);
  });

  it('the statement is printed from its source; label, subLabel and description as given', () => {
    const m = new Timer({ stmt: () => 1 + 1, subLabel: 'sum', description: 'n=1', timer: () => 0 }).timeit(1);
    expect(m.toString()).toBe(
      '<utils.benchmark.Measurement>\n() => 1 + 1: sum\nn=1\n  1.00 ns\n  1 measurement, 1 runs , 1 thread',
    );
  });

  it('bad input: errors name the function', () => {
    const stmt = () => 0;
    expect(() => new Timer(undefined as never)).toThrow(/^utils\.benchmark\.Timer: takes an options object/);
    expect(() => new Timer({} as never)).toThrow(/^utils\.benchmark\.Timer: stmt must be a function, got undefined/);
    expect(() => new Timer({ stmt: 'x + y' } as never)).toThrow(
      /^utils\.benchmark\.Timer: option 'stmt' must be a function/,
    );
    expect(() => new Timer({ stmt, num_threads: 2 } as never)).toThrow(
      /^utils\.benchmark\.Timer: unknown option 'num_threads'; did you mean 'numThreads'\?/,
    );
    expect(() => new Timer({ stmt, numThreads: 0 })).toThrow(
      /^utils\.benchmark\.Timer: numThreads must be in 1\.\.256, got 0/,
    );
    const t = new Timer({ stmt, timer: () => 0 });
    for (const n of [0, -1, 1.5, Number.NaN, '10'])
      expect(() => t.timeit(n as never)).toThrow(/^utils\.benchmark\.Timer\.timeit: number must be a positive integer/);
    expect(() => t.blockedAutorange({ minRunTime: 0 })).toThrow(
      /^utils\.benchmark\.Timer\.blockedAutorange: minRunTime/,
    );
    expect(() => t.blockedAutorange({ min_run_time: 1 } as never)).toThrow(/did you mean 'minRunTime'/);
    expect(() => t.adaptiveAutorange({ maxRunTime: Number.POSITIVE_INFINITY })).toThrow(
      /^utils\.benchmark\.Timer\.adaptiveAutorange: maxRunTime must be a finite positive number/,
    );
    expect(() => new Timer({ stmt: async () => 0 }).timeit(1)).toThrow(/stmt returned a Promise/);
    expect(() => new Timer({ stmt, timer: () => Number.NaN }).timeit(1)).toThrow(/the timer gave NaN seconds/);
  });
});
