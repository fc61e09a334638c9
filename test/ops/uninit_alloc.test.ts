// Large results are allocated without zero-fill (uninitFloat): every op that takes that path
// must write every element. Memory full of NaN is freed first so that a missed element shows.
import { Buffer } from 'node:buffer';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../../lib/index.js';
import { linear } from '../../lib/ops/linear.js';
import { uninitBytes, uninitFloat } from '../../lib/raw/elementwise.js';
import { logSoftmax, softmax } from '../../lib/ops/softmax.js';
import { randomFloats } from '../helpers/native.js';

const ROWS = 300;
const COLS = 256; // 76800 elements: over uninitFloat's threshold

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Allocates NaN-filled blocks of the test's sizes and frees them, so malloc hands them back. */
function dirtyTheHeap(): void {
  for (const n of [ROWS * COLS, COLS * COLS, ROWS * COLS, COLS * COLS]) Buffer.allocUnsafeSlow(4 * n).fill(0xff);
  gc();
}

/** Index of the first element of `got` that is not within tol of want(i), or -1. */
function firstBad(got: Float32Array, want: (i: number) => number, tol = 0): number {
  for (let i = 0; i < got.length; i++) {
    const w = want(i);
    if (!(Math.abs(got[i] - w) <= tol * Math.max(1, Math.abs(w)))) return i;
  }
  return -1;
}

function input(seed: number, shape = [ROWS, COLS]): Tensor {
  return tensor(randomFloats(shape[0] * shape[1], seed, -3, 3)).reshape(shape);
}

function expectFinite(t: Tensor, what: string): void {
  const d = t.toTypedArray() as Float32Array;
  expect(
    firstBad(d, (i) => (Number.isFinite(d[i]) ? d[i] : 0)),
    what,
  ).toBe(-1);
}

describe('uninitialised large results are written in full', () => {
  it('uninitFloat: the right size, a plain Float32Array of its own', () => {
    dirtyTheHeap();
    const t = uninitFloat([ROWS, COLS]);
    const d = t.storage.data as Float32Array;
    expect(d).toBeInstanceOf(Float32Array);
    expect(d.length).toBe(ROWS * COLS);
    expect(d.byteOffset).toBe(0);
    expect(d.buffer.byteLength).toBe(4 * ROWS * COLS);
    expect(uninitFloat([3, 4]).toTypedArray()).toEqual(new Float32Array(12)); // small: zeros
  });

  it("uninitBytes: an ArrayBuffer of its own at any size (never Buffer's shared pool)", () => {
    for (const len of [1, 7, 4096, 4 * ROWS * COLS]) {
      const b = uninitBytes(len);
      expect(b).toBeInstanceOf(Uint8Array);
      expect([b.length, b.byteOffset, b.buffer.byteLength]).toEqual([len, 0, len]);
    }
  });

  it('softmax and logSoftmax rows', () => {
    dirtyTheHeap();
    const x = input(1);
    const p = softmax(x, -1).toTypedArray() as Float32Array;
    dirtyTheHeap();
    const lp = logSoftmax(x, -1).toTypedArray() as Float32Array;
    const xd = x.toTypedArray() as Float32Array;
    const rowSums = new Float32Array(ROWS);
    for (let i = 0; i < p.length; i++) rowSums[Math.floor(i / COLS)] += p[i];
    expect(
      firstBad(rowSums, () => 1, 1e-5),
      'softmax row sums',
    ).toBe(-1);
    // log_softmax differs from x by one constant per row
    expect(
      firstBad(lp, (i) => xd[i] - (xd[i - (i % COLS)] - lp[i - (i % COLS)]), 1e-5),
      'logSoftmax',
    ).toBe(-1);
  });

  it('binary, unary and strided copies', () => {
    const a = input(2);
    const b = input(3);
    const ad = a.toTypedArray() as Float32Array;
    const bd = b.toTypedArray() as Float32Array;
    dirtyTheHeap();
    expect(
      firstBad(a.add(b).toTypedArray() as Float32Array, (i) => Math.fround(ad[i] + bd[i])),
      'add',
    ).toBe(-1);
    dirtyTheHeap();
    expect(
      firstBad(a.exp().toTypedArray() as Float32Array, (i) => Math.exp(ad[i]), 1e-6),
      'exp',
    ).toBe(-1);
    const row = input(4, [1, COLS]);
    const rd = row.toTypedArray() as Float32Array;
    dirtyTheHeap();
    expect(
      firstBad(a.mul(row).toTypedArray() as Float32Array, (i) => Math.fround(ad[i] * rd[i % COLS])),
      'broadcast mul',
    ).toBe(-1);
    dirtyTheHeap();
    const tt = a.transpose(0, 1).contiguous().toTypedArray() as Float32Array; // contiguousRaw's strided copy
    expect(
      firstBad(tt, (i) => ad[(i % ROWS) * COLS + Math.floor(i / ROWS)]),
      'transpose copy',
    ).toBe(-1);
  });

  it('linear forward and backward, an empty batch included (k = 0 gives zero weight grads)', () => {
    dirtyTheHeap();
    const w = input(5, [COLS, COLS]).requiresGrad_();
    const bias = tensor(randomFloats(COLS, 6)).requiresGrad_();
    const x = input(7).requiresGrad_();
    const y = linear(x, w, bias);
    expectFinite(y, 'linear forward');
    y.sum().backward();
    expectFinite(x.grad!, 'dx');
    expectFinite(w.grad!, 'dw');
    dirtyTheHeap();
    const w0 = input(8, [COLS, COLS]).requiresGrad_();
    const empty = tensor(new Float32Array(0)).reshape([0, COLS]);
    linear(empty, w0).sum().backward();
    expect(w0.grad!.toTypedArray()).toEqual(new Float32Array(COLS * COLS));
  });
});
