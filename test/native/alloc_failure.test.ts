import { afterEach, describe, expect, it } from 'vitest';
import {
  ArgReduceOp,
  BinaryOp,
  type ConvShape,
  native,
  PoolOp,
  type PoolShape,
  ReduceOp,
  RnnCellOp,
  UnaryOp,
} from '../../lib/native.js';
import { randomFloats, withThreads } from '../helpers/native.js';

// An exception inside a parallel region (std::bad_alloc on any thread of the pool) must reach
// the calling JS thread as an Error naming the function, and leave the pool healthy. The test
// hook failScratchForTesting(nth, minShare) fails the nth fault point (a scratch allocation, a
// warm GEMM packing buffer, or the start of a share) reached in share minShare or later: with
// minShare 1 at 2 threads the failure happens in a share other than the first, which the pool
// hands to its worker (or to the caller, whichever is free: both go through the same capture).

afterEach(() => native.failScratchForTesting(0, 0));

const f32 = (n: number, seed: number) => randomFloats(n, seed);

interface Case {
  fn: string;
  /** Runs the call and returns its outputs. */
  run: () => ArrayLike<number>[];
  /** Whether the call allocates scratch on the calling thread (so it can fail at 1 thread). */
  allocates: boolean;
}

// Each case is large enough to split over 2 threads.
function cases(): Case[] {
  const m = 192;
  const a = f32(m * m, 1);
  const b = f32(m * m, 2);
  const big = f32(1 << 17, 3);
  const conv = (kind: 'im2col' | 'winograd' | 'direct', c: number) => {
    const n = 8,
      oc = 16,
      h = 32;
    const dims: ConvShape = {
      n,
      c,
      h,
      w: h,
      oc,
      oh: h,
      ow: h,
      kh: 3,
      kw: 3,
      strideH: 1,
      strideW: 1,
      padH: 1,
      padW: 1,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    };
    const x = f32(n * c * h * h, 4);
    const w = f32(oc * c * 9, 5);
    const dy = f32(n * oc * h * h, 6);
    return [
      {
        fn: 'conv2d',
        allocates: true,
        run: () => {
          native.setConvAlgorithmForTesting(kind === 'winograd' ? 'winograd' : kind === 'im2col' ? 'im2col' : 'auto');
          try {
            const y = new Float32Array(n * oc * h * h);
            native.conv2d(dims, x, w, null, y);
            return [y];
          } finally {
            native.setConvAlgorithmForTesting('auto');
          }
        },
      },
      {
        fn: 'conv2dBackwardInput',
        allocates: true,
        run: () => {
          native.setConvAlgorithmForTesting(kind === 'winograd' ? 'winograd' : 'im2col');
          try {
            const dx = new Float32Array(n * c * h * h);
            native.conv2dBackwardInput(dims, dy, w, dx);
            return [dx];
          } finally {
            native.setConvAlgorithmForTesting('auto');
          }
        },
      },
      {
        fn: 'conv2dBackwardWeight',
        allocates: true,
        run: () => {
          native.setConvAlgorithmForTesting(kind === 'winograd' ? 'winograd' : 'im2col');
          try {
            const dw = new Float32Array(oc * c * 9);
            const db = new Float32Array(oc);
            native.conv2dBackwardWeight(dims, x, dy, dw, db);
            return [dw, db];
          } finally {
            native.setConvAlgorithmForTesting('auto');
          }
        },
      },
    ] satisfies Case[];
  };
  const planes = 64,
    hw = 32;
  const px = f32(planes * hw * hw, 7);
  const poolShape: PoolShape = {
    planes,
    h: hw,
    w: hw,
    oh: hw / 2,
    ow: hw / 2,
    kh: 3,
    kw: 3,
    strideH: 2,
    strideW: 2,
    padH: 1,
    padW: 1,
    dilationH: 1,
    dilationW: 1,
    countIncludePad: true,
  };
  const rows = 512,
    classes = 100;
  const logits = f32(rows * classes, 8);
  const targets = new Int32Array(rows).map((_, i) => i % classes);
  const resampleTables = (out: number, inp: number) => {
    const index = new Int32Array(2 * out);
    const weight = new Float32Array(2 * out);
    for (let o = 0; o < out; o++) {
      const src = ((o + 0.5) * inp) / out - 0.5;
      const i0 = Math.max(0, Math.floor(src));
      const i1 = Math.min(inp - 1, i0 + 1);
      const t = Math.min(1, Math.max(0, src - i0));
      index[2 * o] = i0;
      index[2 * o + 1] = i1;
      weight[2 * o] = 1 - t;
      weight[2 * o + 1] = t;
    }
    return { index, weight };
  };
  const rt = resampleTables(2 * hw, hw);
  const hidden = 64,
    batch = 1024;
  return [
    {
      fn: 'gemm',
      allocates: true,
      run: () => {
        const c = new Float32Array(m * m);
        native.gemm({
          transA: false,
          transB: false,
          m,
          n: m,
          k: m,
          alpha: 1,
          a,
          aOffset: 0,
          lda: m,
          b,
          bOffset: 0,
          ldb: m,
          beta: 0,
          c,
          cOffset: 0,
          ldc: m,
        });
        return [c];
      },
    },
    {
      fn: 'gemmBatched',
      allocates: true,
      run: () => {
        const c = new Float32Array(m * m);
        native.gemmBatched({
          transA: false,
          transB: true,
          batch: 4,
          m: m / 4,
          n: m,
          k: m,
          alpha: 1,
          a,
          aOffset: 0,
          lda: m,
          strideA: (m / 4) * m,
          b,
          bOffset: 0,
          ldb: m,
          strideB: 0,
          beta: 0,
          c,
          cOffset: 0,
          ldc: m,
          strideC: (m / 4) * m,
        });
        return [c];
      },
    },
    {
      fn: 'gemmInt32',
      allocates: true,
      run: () => {
        const c = new Int32Array(m * m);
        native.gemmInt32({
          transA: false,
          transB: true,
          batch: 1,
          m,
          n: m,
          k: m,
          a: Int32Array.from(a, (x) => x * 1000),
          aOffset: 0,
          lda: m,
          strideA: 0,
          b: Int32Array.from(b, (x) => x * 1000),
          bOffset: 0,
          ldb: m,
          strideB: 0,
          c,
          cOffset: 0,
          ldc: m,
          strideC: 0,
        });
        return [c];
      },
    },
    {
      fn: 'gemmFloat64',
      allocates: true,
      run: () => {
        const c = new Float64Array(m * m);
        native.gemmFloat64({
          transA: false,
          transB: true,
          batch: 1,
          m,
          n: m,
          k: m,
          alpha: 1,
          a: Float64Array.from(a),
          aOffset: 0,
          lda: m,
          strideA: 0,
          b: Float64Array.from(b),
          bOffset: 0,
          ldb: m,
          strideB: 0,
          beta: 0,
          c,
          cOffset: 0,
          ldc: m,
          strideC: 0,
        });
        return [c];
      },
    },
    ...conv('im2col', 8),
    ...conv('winograd', 16),
    ...conv('direct', 3).slice(0, 1),
    {
      fn: 'pool2d',
      allocates: true,
      run: () => {
        const y = new Float32Array(planes * (hw / 2) * (hw / 2));
        const idx = new Int32Array(y.length);
        native.pool2d(PoolOp.max, poolShape, px, y, idx);
        return [y, idx];
      },
    },
    {
      fn: 'pool2dBackward',
      allocates: true,
      run: () => {
        const dy = f32(planes * (hw / 2) * (hw / 2), 9);
        const dx = new Float32Array(planes * hw * hw);
        native.pool2dBackward(PoolOp.avg, poolShape, dy, null, dx);
        return [dx];
      },
    },
    {
      fn: 'resample2d',
      allocates: true,
      run: () => {
        const y = new Float32Array(planes * 4 * hw * hw);
        native.resample2d([planes, hw, hw, 2 * hw, 2 * hw], rt.index, rt.weight, rt.index, rt.weight, px, y);
        return [y];
      },
    },
    {
      fn: 'resample2dBackward',
      allocates: true,
      run: () => {
        const dy = f32(planes * 4 * hw * hw, 10);
        const dx = new Float32Array(planes * hw * hw);
        native.resample2dBackward([planes, hw, hw, 2 * hw, 2 * hw], rt.index, rt.weight, rt.index, rt.weight, dy, dx);
        return [dx];
      },
    },
    {
      fn: 'reduce',
      allocates: true,
      run: () => {
        // A kept axis innermost: the column kernels, with their per-thread buffers (mean).
        const out = new Float32Array(256);
        native.reduce(ReduceOp.mean, [512, 256], big, 0, [256, 1], [0], out);
        return [out];
      },
    },
    {
      fn: 'argReduce',
      allocates: true,
      run: () => {
        const values = new Float32Array(256);
        const indices = new Int32Array(256);
        native.argReduce(ArgReduceOp.argmax, [512, 256], big, 0, [256, 1], 0, values, indices);
        return [values, indices];
      },
    },
    {
      fn: 'batchNorm',
      allocates: true,
      run: () => {
        // [N, C]: the column path, with per-thread statistics buffers.
        const n = 256,
          c = 512;
        const y = new Float32Array(n * c);
        const sm = new Float32Array(c);
        const si = new Float32Array(c);
        native.batchNorm([n, c, 1], big.subarray(0, n * c), null, null, true, 0.1, 1e-5, null, null, sm, si, y);
        return [y, sm, si];
      },
    },
    {
      fn: 'layerNormBackward',
      allocates: true,
      run: () => {
        const r = 256,
          d = 512;
        const x = big.subarray(0, r * d);
        const mean = new Float32Array(r);
        const invstd = new Float32Array(r).fill(1);
        const dx = new Float32Array(r * d);
        const dw = new Float32Array(d);
        const db = new Float32Array(d);
        native.layerNormBackward([r, d], x, f32(r * d, 11), f32(d, 12), mean, invstd, dx, dw, db);
        return [dx, dw, db];
      },
    },
    {
      fn: 'groupNormBackward',
      allocates: true,
      run: () => {
        const n = 8,
          c = 32,
          s = 512,
          g = 4;
        const dx = new Float32Array(n * c * s);
        const dw = new Float32Array(c);
        const db = new Float32Array(c);
        const x = big.subarray(0, n * c * s);
        native.groupNormBackward(
          [n, c, s, g],
          x,
          f32(n * c * s, 13),
          null,
          new Float32Array(n * g),
          new Float32Array(n * g).fill(1),
          dx,
          dw,
          db,
        );
        return [dx, dw, db];
      },
    },
    {
      fn: 'binary',
      allocates: false,
      run: () => {
        const out = new Float32Array(big.length);
        native.binary(BinaryOp.mul, [big.length], out, 0, [1], big, 0, [1], big, 0, [1]);
        return [out];
      },
    },
    {
      fn: 'unary',
      allocates: false,
      run: () => {
        const out = new Float32Array(big.length);
        native.unary(UnaryOp.exp, [big.length], out, 0, [1], big, 0, [1]);
        return [out];
      },
    },
    {
      fn: 'softmax',
      allocates: false,
      run: () => {
        const out = new Float32Array(rows * classes);
        native.softmax(0, rows, classes, logits, 0, null, out);
        return [out];
      },
    },
    {
      fn: 'logsumexp',
      allocates: false,
      run: () => {
        const out = new Float32Array(rows);
        native.logsumexp(rows, classes, logits, 0, out);
        return [out];
      },
    },
    {
      fn: 'crossEntropy',
      allocates: false,
      run: () => {
        const losses = new Float32Array(rows);
        const lse = new Float32Array(rows);
        const tw = new Float32Array(rows);
        native.crossEntropy(rows, classes, logits, 0, targets, null, -100, 0, losses, lse, tw);
        return [losses, lse, tw];
      },
    },
    {
      fn: 'crossEntropyBackward',
      allocates: false,
      run: () => {
        const dx = new Float32Array(rows * classes);
        native.crossEntropyBackward(rows, classes, logits, 0, targets, null, -100, 0, new Float32Array(rows), dx);
        return [dx];
      },
    },
    {
      fn: 'adamStep',
      allocates: false,
      run: () => {
        const p = big.slice();
        const ea = new Float32Array(big.length);
        const eas = new Float32Array(big.length);
        const opts = {
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0,
          decoupled: false,
          amsgrad: false,
          maximize: false,
          step: 1,
        };
        native.adamStep(p, f32(big.length, 14), ea, eas, null, opts);
        return [p, ea, eas];
      },
    },
    {
      fn: 'rnnCell',
      allocates: false,
      run: () => {
        const pre = f32(batch * 4 * hidden, 15);
        const cPrev = f32(batch * hidden, 16);
        const act = new Float32Array(batch * 4 * hidden);
        const cNew = new Float32Array(batch * hidden);
        const tanhC = new Float32Array(batch * hidden);
        const h = new Float32Array(batch * hidden);
        native.rnnCell(RnnCellOp.lstmForward, batch, hidden, pre, 0, cPrev, 0, act, 0, cNew, 0, tanhC, 0, h, 0);
        return [act, cNew, tanhC, h];
      },
    },
  ];
}

// Bit for bit (NaN payloads included).
function expectSame(got: ArrayLike<number>[], want: ArrayLike<number>[], what: string) {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = new Uint32Array(Float32Array.from(got[i]).buffer);
    const w = new Uint32Array(Float32Array.from(want[i]).buffer);
    let differ = g.length === w.length ? 0 : -1;
    for (let j = 0; j < w.length && differ >= 0; j++) if (g[j] !== w[j]) differ++;
    expect(differ, `${what}: output ${i}, elements that differ`).toBe(0);
  }
}

describe('an allocation failure inside a parallel region', () => {
  for (const threads of [1, 2]) {
    it(`reaches JS as an Error naming the function, and the next call works (${threads} thread${threads > 1 ? 's' : ''})`, () => {
      withThreads(threads, () => {
        for (const [k, c] of cases().entries()) {
          if (threads === 1 && !c.allocates) continue; // nothing in it can fail on one thread
          const want = c.run();
          native.failScratchForTesting(1, threads > 1 ? 1 : 0);
          let error: unknown = null;
          try {
            c.run();
          } catch (e) {
            error = e;
          }
          native.failScratchForTesting(0, 0);
          expect(error, `${c.fn} (case ${k}) at ${threads} threads`).toBeInstanceOf(Error);
          const err = error as Error & { code?: string };
          expect(err.message, c.fn).toMatch(
            new RegExp(`^${c.fn}: (cannot allocate [0-9.]+ ([KMGTPE]iB|bytes) of scratch|out of memory)$`),
          );
          expect(err.code).toBe('ERR_MYELIN_OUT_OF_MEMORY');
          expectSame(c.run(), want, `${c.fn} after the failure`);
        }
      });
    });
  }

  it('a real allocation too large for the address space fails cleanly at 1 and 2 threads', () => {
    // A 1 x 2^23 kernel over 2^22 output positions: a column matrix of 2^45 floats (128 TiB,
    // more than a process can map), from 48 MB of arguments.
    const kw = 2 ** 23,
      ow = 2 ** 22;
    const dims: ConvShape = {
      n: 1,
      c: 1,
      h: 1,
      w: 1,
      oc: 1,
      oh: 1,
      ow,
      kh: 1,
      kw,
      strideH: 1,
      strideW: 1,
      padH: 0,
      padW: 0,
      dilationH: 1,
      dilationW: 1,
      groups: 1,
    };
    const x = new Float32Array(1);
    const w = new Float32Array(kw);
    const y = new Float32Array(ow);
    for (const threads of [1, 2]) {
      withThreads(threads, () => {
        expect(() => native.conv2d(dims, x, w, null, y)).toThrow(/^conv2d: cannot allocate 128\.0 TiB of scratch$/);
      });
    }
    // The pool still runs regions.
    withThreads(2, () => {
      const out = new Float32Array(1);
      const v = randomFloats(1 << 18, 21);
      native.reduce(ReduceOp.sum, [v.length], v, 0, [1], [0], out);
      expect(Number.isFinite(out[0])).toBe(true);
    });
  });
});
