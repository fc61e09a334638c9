// limits(): positive, finite figures on the dispatched ISA, the pool restored, bad options named;
// and the FMA peak within 2x of bench/native/limits.c's (the independent reference, built with
// the system compiler where there is one).
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendInfo, getNumThreads, utils } from '../../../lib/index.js';

const { limits } = utils.benchmark;
const root = path.resolve(import.meta.dirname, '../../..');
const hasCc = spawnSync('cc', ['--version']).status === 0;

describe('limits', () => {
  it('measures positive, finite peaks and bandwidths, and restores the thread count', () => {
    const prior = getNumThreads();
    const r = limits({ threads: 2, reps: 3, triadBytes: 32 * 2 ** 20 });
    expect(getNumThreads()).toBe(prior);
    expect(r.isa).toBe(backendInfo().isa);
    expect(r.threads).toBe(2);
    expect(r.triadBytes).toBe(32 * 2 ** 20);
    for (const rate of [r.fmaGflops.perCore, r.fmaGflops.threads, r.triadGBs.perCore, r.triadGBs.threads]) {
      expect(Number.isFinite(rate.median) && rate.median > 0).toBe(true);
      expect(rate.best).toBeGreaterThanOrEqual(rate.median);
    }
  });

  it('measures only the figures asked for, each once at one thread', () => {
    const fma = limits({ triad: false, threads: 1, reps: 2 });
    expect(Object.keys(fma).sort()).toEqual(['fmaGflops', 'isa', 'threads']);
    expect(fma.fmaGflops.threads).toBe(fma.fmaGflops.perCore); // threads = 1: one measurement
    expect(fma.fmaGflops.perCore.median).toBeGreaterThan(0);
    const triad = limits({ fma: false, threads: 2, reps: 2, triadBytes: 1 << 20 });
    expect(Object.keys(triad).sort()).toEqual(['isa', 'threads', 'triadBytes', 'triadGBs']);
    expect(triad.triadGBs.threads).not.toBe(triad.triadGBs.perCore);
    expect(triad.triadGBs.threads.median).toBeGreaterThan(0);
    const both = limits({ fma: true, triad: true, threads: 1, reps: 1, triadBytes: 4096 });
    expect(Object.keys(both).sort()).toEqual(['fmaGflops', 'isa', 'threads', 'triadBytes', 'triadGBs']);
    expect(both.triadGBs.threads).toBe(both.triadGBs.perCore);
  });

  it.skipIf(!hasCc || !['avx2', 'avx512'].includes(backendInfo().isa))(
    "the 1-thread FMA peak is within 2x of bench/native/limits.c's at the same ISA",
    () => {
      const binary = execFileSync('sh', [path.join(root, 'bench/native/build.sh')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      const reference = JSON.parse(
        execFileSync(binary, ['--fma', '--threads', '1', '--reps', '3'], { encoding: 'utf8' }),
      ) as { fma_gflops: Record<string, Record<string, { best: number }>> };
      const theirs = reference.fma_gflops[backendInfo().isa]['1'].best;
      const ours = limits({ triad: false, threads: 1, reps: 3 }).fmaGflops.perCore.best;
      expect(ours).toBeGreaterThan(theirs / 2);
      expect(ours).toBeLessThan(theirs * 2);
    },
    60_000,
  );

  it('bad options: errors name the function', () => {
    expect(() => limits({ threads: 0 })).toThrow(/^utils\.benchmark\.limits: threads must be in 1\.\.256, got 0/);
    expect(() => limits({ reps: 1.5 })).toThrow(/^utils\.benchmark\.limits: option 'reps' must be an integer/);
    expect(() => limits({ triadBytes: 8 })).toThrow(/^utils\.benchmark\.limits: triadBytes must be in 64\.\.2\^32/);
    expect(() => limits({ triad_bytes: 64 } as never)).toThrow(/did you mean 'triadBytes'\?/);
    expect(() => limits({ fma: false, triad: false })).toThrow(
      /^utils\.benchmark\.limits: fma and triad are both false: nothing to measure/,
    );
    expect(() => limits({ fma: 1 } as never)).toThrow(/^utils\.benchmark\.limits: option 'fma' must be a boolean/);
    expect(() => limits({ figures: ['fma'] } as never)).toThrow(/^utils\.benchmark\.limits: unknown option 'figures'/);
    expect(() => limits(3 as never)).toThrow(/^utils\.benchmark\.limits: options must be an object/);
  });
});
