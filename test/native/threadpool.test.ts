import { describe, expect, it } from 'vitest';
import { native, ReduceOp } from '../../lib/native.js';
import { randomFloats, withThreads } from '../helpers/native.js';

// The pool splits a parallel region into one share per thread id and lets whichever thread is
// free claim each share. These tests check that every share runs exactly once and that the
// result depends only on the thread count, also when there are more threads than cores (so
// shares are often claimed by the caller or by another worker than "their" thread).

const m = 192,
  n = 256,
  k = 64; // 6.3 MFLOP: enough work for 8 shares
const a = randomFloats(m * k, 11);
const b = randomFloats(k * n, 12);

// C += A * B (beta = 1): a share run twice would add its block twice, a share skipped would
// leave its block at the start value.
function accumulate(times: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let t = 0; t < times; t++)
    native.gemm({
      transA: false,
      transB: false,
      m,
      n,
      k,
      alpha: 1,
      a,
      aOffset: 0,
      lda: k,
      b,
      bOffset: 0,
      ldb: n,
      beta: 1,
      c,
      cOffset: 0,
      ldc: n,
    });
  return c;
}

function reference(times: number): Float64Array {
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      want[i * n + j] = s * times;
    }
  return want;
}

describe('thread pool', () => {
  it('runs every share exactly once, with more threads than cores', () => {
    const times = 40;
    const want = reference(times);
    for (const threads of [3, 5, 8]) {
      const got = withThreads(threads, () => accumulate(times));
      let worst = 0;
      for (let i = 0; i < got.length; i++)
        worst = Math.max(worst, Math.abs(got[i] - want[i]) / (Math.abs(want[i]) + 1));
      expect(worst, `threads=${threads}`).toBeLessThan(1e-4);
    }
  });

  it('gives bit-identical results for a fixed thread count, call after call', () => {
    const x = randomFloats(1 << 18, 13);
    const sum = (threads: number) =>
      withThreads(threads, () => {
        const out = new Float32Array(1);
        native.reduce(ReduceOp.sum, [x.length], x, 0, [1], [0], out);
        return out[0];
      });
    for (const threads of [2, 7]) {
      const first = sum(threads);
      for (let i = 0; i < 30; i++) expect(sum(threads)).toBe(first);
    }
  });
});
