// JS that runs while the binding reads its arguments, and threads that write shared memory while
// a kernel runs, cannot make the native code touch memory it should not. The binding reads every
// JS value (arrays, options, getters) before it takes typed-array memory, so a getter that
// shrinks a resizable ArrayBuffer or detaches one only makes the call fail; and the indices a
// kernel dereferences are copied when they live in a SharedArrayBuffer, so another thread
// rewriting them between the check and the use cannot send a write out of bounds.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BinaryOp, native } from '../../lib/native.js';
import { addonPath } from '../helpers/addon_path.js';

// Resizable ArrayBuffers (ES2024) are in Node 20 but not in this TypeScript lib.
type ResizableBuffer = ArrayBuffer & { resize(bytes: number): void };
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  bytes: number,
  options: { maxByteLength: number },
) => ResizableBuffer;

/** A length-tracking view of a resizable buffer (it shrinks with the buffer), and the buffer. */
function resizable(floats: number): [Float32Array, ResizableBuffer] {
  const buffer = new ResizableArrayBuffer(4 * floats, { maxByteLength: 4 * floats });
  return [new Float32Array(buffer), buffer];
}

/** Detaches a's buffer (transferred away, as postMessage does). */
function detach(a: Float32Array): void {
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
}

/** An array [value] whose element 0 runs `effect` when read. */
function withGetter(value: number, effect: () => void): number[] {
  const arr = [value];
  Object.defineProperty(arr, 0, {
    get() {
      effect();
      return value;
    },
  });
  return arr;
}

describe('JS run while the binding reads its arguments', () => {
  const n = 1024;
  const a = new Float32Array(n).fill(1);

  it('a strides getter that shrinks the output buffer: an error, no write', () => {
    const [out, buffer] = resizable(n);
    const strides = withGetter(1, () => buffer.resize(0));
    expect(() => native.binary(BinaryOp.add, [n], out, 0, [1], a, 0, strides, a, 0, [1])).toThrow(
      /^binary: argument 'out': offset 0 with strides \[1\] over shape \[1024\] reaches element 1023 of a Float32Array of length 0$/,
    );
  });

  it('a shape getter that detaches an input: an error, no read', () => {
    const x = new Float32Array(n).fill(2);
    const shape = withGetter(n, () => detach(x));
    const out = new Float32Array(n);
    expect(() => native.unary(0, shape, out, 0, [1], x, 0, [1])).toThrow(/^unary: argument 'x': .* of length 0$/);
  });

  it('an options getter that shrinks or detaches a buffer (GEMM, optimizer step)', () => {
    const [c, cBuffer] = resizable(16);
    const args = {
      transA: false,
      transB: false,
      m: 4,
      n: 4,
      k: 4,
      alpha: 1,
      a: new Float32Array(16),
      aOffset: 0,
      lda: 4,
      b: new Float32Array(16),
      bOffset: 0,
      ldb: 4,
      beta: 0,
      c,
      cOffset: 0,
      get ldc() {
        cBuffer.resize(4);
        return 4;
      },
    };
    expect(() => native.gemm(args)).toThrow(/^gemm: option 'c': C \(m x n\) .* of a Float32Array of length 1$/);
    const param = new Float32Array(n);
    const options = {
      get lr() {
        detach(param);
        return 0.1;
      },
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      firstStep: true,
    };
    expect(() => native.sgdStep(param, new Float32Array(n), null, options)).toThrow(
      /^sgdStep: argument 'grad' has length 1024 but 'param' has length 0/,
    );
  });

  it('a conv geometry getter that detaches the output', () => {
    const y = new Float32Array(16);
    const shape = {
      n: 1,
      c: 1,
      h: 4,
      w: 4,
      oc: 1,
      oh: 4,
      ow: 4,
      kh: 1,
      kw: 1,
      strideH: 1,
      strideW: 1,
      padH: 0,
      padW: 0,
      dilationH: 1,
      get dilationW() {
        detach(y);
        return 1;
      },
      groups: 1,
    };
    expect(() => native.conv2d(shape, new Float32Array(16), new Float32Array(1), null, y)).toThrow(
      /^conv2d: argument 'y' must hold \[1,1,4,4\] = 16 floats, got 0$/,
    );
  });
});

// Child process: a Worker rewrites a SharedArrayBuffer of indices in a loop (valid, then far out
// of range, ...) while the main thread calls the kernels that dereference them. Every call must
// return or fail with the function's own range error; a write through an unchecked index would
// crash the child (or corrupt its heap), which fails the test instead of the test run.
const raceScript = `
const { Worker } = require('node:worker_threads');
const native = require(process.argv[1]);
native.setNumThreads(Number(process.argv[2]));
const planes = 64, hw = 16 * 16, count = planes * 64;
const sab = new SharedArrayBuffer(4 * (count + 1));
const idx = new Int32Array(sab, 4);  // at byte offset 4: a view, like a tensor's
const control = new Int32Array(sab, 0, 1);
const worker = new Worker(\`
  const { workerData } = require('node:worker_threads');
  const control = new Int32Array(workerData.sab, 0, 1);
  const idx = new Int32Array(workerData.sab, 4);
  let flip = 0;
  while (Atomics.load(control, 0) === 0) {
    const v = flip ? 1 << 28 : 0;
    for (let i = 0; i < idx.length; i++) idx[i] = flip ? v + i : i % workerData.hw;
    flip ^= 1;
  }
\`, { eval: true, workerData: { sab, hw } });
const shape = { planes, h: 16, w: 16, oh: 8, ow: 8, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
  dilationH: 1, dilationW: 1, countIncludePad: false };
const dy = new Float32Array(count).fill(1), dx = new Float32Array(planes * hw);
const rows = count, classes = 256;
const logits = new Float32Array(rows * classes), targets = new Int32Array(sab, 4, rows);
const out = () => new Float32Array(rows);
let returned = 0, refused = 0, other = [];
const deadline = Date.now() + 1500;
while (Date.now() < deadline) {
  for (const call of [
    () => native.pool2dBackward(0, shape, dy, idx, dx),
    () => native.crossEntropy(rows, classes, logits, 0, targets, null, -100, 0, out(), out(), out()),
    () => native.resample2d([planes, 16, 16, 16, 16], idx.subarray(0, 16), null, idx.subarray(0, 16), null,
      dx, new Float32Array(planes * 256)),
  ]) {
    try { call(); returned++; }
    catch (e) {
      if (/^(pool2dBackward|crossEntropy|resample2d): (indices|target|rowIndex|colIndex)/.test(e.message)) refused++;
      else other.push(e.message);
    }
  }
}
Atomics.store(control, 0, 1);
worker.terminate().then(() => console.log(JSON.stringify({ returned, refused, other: other.slice(0, 5) })));
`;

describe('another thread rewriting shared indices while a kernel runs', () => {
  for (const threads of [1, 2]) {
    it(`max-pool backward, cross-entropy and resampling stay in bounds (${threads} thread${threads > 1 ? 's' : ''})`, () => {
      const r = spawnSync(process.execPath, ['-e', raceScript, addonPath(), String(threads)], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.signal, `the child was killed by ${r.signal}: ${r.stderr}`).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout.trim().split('\n').pop() as string);
      expect(report.other).toEqual([]);
      // Both outcomes happened: the race was real.
      expect(report.returned + report.refused).toBeGreaterThan(10);
    });
  }
});
