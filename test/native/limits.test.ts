// The machine-limit loops of every ISA this CPU runs, through the binding: the triad's values at
// vector tails and thread splits, and the FMA loop's flop count and rate (vector ISAs above the
// scalar path).
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';

/** The best GFLOP/s of a few runs of `iters` on one thread. */
function bestGflops(iters: number): number {
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const { seconds, flops } = native.fmaPeakRun(1, iters);
    best = Math.max(best, flops / seconds / 1e9);
  }
  return best;
}

describe.each(supportedIsas)('limits kernels, %s', (isa) => {
  it.each([1, 2])('triad a = b + 3c at %i thread(s), every length around the vector widths', (threads) => {
    withIsa(isa, () =>
      withThreads(threads, () => {
        for (const n of [0, 1, 7, 8, 15, 16, 17, 33, 1001]) {
          const b = randomFloats(n, n + 1);
          const c = randomFloats(n, n + 2);
          const a = new Float32Array(n).fill(Number.NaN);
          expect(native.triadRun(threads, a, b, c)).toBeGreaterThanOrEqual(0);
          // b + 3c with one rounding (an FMA) or two (the scalar path's multiply, then add).
          for (let i = 0; i < n; i++) expect(a[i]).toBeCloseTo(b[i] + 3 * c[i], 5);
        }
      }),
    );
  });

  it('the FMA loop counts its flops and runs at a positive, finite rate', () => {
    withIsa(isa, () => {
      const { seconds, flops } = native.fmaPeakRun(1, 4096);
      const width = { scalar: 1, avx2: 8, avx512: 16, neon: 4 }[isa as string] ?? 0;
      const chains = { scalar: 12, avx2: 12, avx512: 16, neon: 16 }[isa as string] ?? 0;
      expect(flops).toBe(2 * width * chains * 4096);
      expect(seconds).toBeGreaterThan(0);
      expect(Number.isFinite(bestGflops(1 << 16))).toBe(true);
    });
  });

  it('refuses bad arguments, naming itself', () => {
    withIsa(isa, () => {
      expect(() => native.fmaPeakRun(1, 2 ** 27)).toThrow(/^fmaPeakRun: /);
      expect(() => native.fmaPeakRun(0, 10)).toThrow(/^fmaPeakRun: /);
      const a = new Float32Array(8);
      expect(() => native.triadRun(1, a, new Float32Array(7), new Float32Array(8))).toThrow(/^triadRun: /);
      expect(() => native.triadRun(1, a, a.subarray(0), new Float32Array(8))).toThrow(/^triadRun: /);
    });
  });
});

describe('limits kernels across ISAs', () => {
  it('a vector ISA peaks above the scalar path', () => {
    const vector = supportedIsas.filter((isa) => isa !== 'scalar');
    if (vector.length === 0) return;
    const scalar = withIsa('scalar', () => bestGflops(1 << 18));
    const widest = withIsa(vector[vector.length - 1], () => bestGflops(1 << 18));
    // AVX2 does 8 lanes x 2 FMAs a cycle against 2 scalar multiply-adds (or a few SSE lanes,
    // where the compiler vectorises the scalar chains): 2x leaves room for a loaded machine.
    expect(widest).toBeGreaterThan(2 * scalar);
  });
});
