// The addon in worker_threads: loaded by several at once, computing at the same time through the
// one process-wide thread pool, terminated mid-work, and unloaded when they exit.
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BinaryOp, native } from '../../lib/native.js';
import { addonPath } from '../helpers/addon_path.js';
import { randomFloats } from '../helpers/native.js';

const addon = addonPath();
// 1 Mi elements: far above the threading grain, so every call runs on the pool.
const N = 1 << 20;

// Worker body (CommonJS, eval'd). Control words: [0] go, [1] stop.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const native = require(workerData.addon);
const { n, iters, seed, untilStop } = workerData;
const control = new Int32Array(workerData.control);
function randomFloats(n, seed, lo, hi) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}
const refs = [
  (x, y) => Math.fround(x + y), (x, y) => Math.fround(x - y), (x, y) => Math.fround(x * y),
  (x, y) => Math.fround(x / y), (x, y) => Math.max(x, y), (x, y) => Math.min(x, y),
];
const a = randomFloats(n, seed, -4, 4), b = randomFloats(n, seed + 1, 0.5, 2);
const out = new Float32Array(n);
parentPort.postMessage({ ready: true });
Atomics.wait(control, 0, 0);
let wrong = 0, done = 0;
while (untilStop ? (Atomics.load(control, 1) === 0 || done < iters) : done < iters) {
  const op = done % 6;
  out.fill(NaN);
  native.binary(op, [n], out, 0, [1], a, 0, [1], b, 0, [1]);
  const ref = refs[op];
  for (let i = 0; i < n; i++) if (out[i] !== ref(a[i], b[i])) wrong++;
  done++;
  if (done === 1) parentPort.postMessage({ started: true });
}
parentPort.postMessage({ wrong, done, isa: native.backendInfo().isa });
`;

interface Report {
  wrong: number;
  done: number;
  isa: string;
}

interface Running {
  worker: Worker;
  ready: Promise<void>;
  started: Promise<void>;
  report: Promise<Report>;
  exit: Promise<number>;
}

function startWorker(control: SharedArrayBuffer, seed: number, iters: number, untilStop = false): Running {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { addon, n: N, iters, seed, untilStop, control },
  });
  let onReady!: () => void;
  let onStarted!: () => void;
  let onReport!: (r: Report) => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const report = new Promise<Report>((resolve) => (onReport = resolve));
  worker.on('message', (m: { ready?: boolean; started?: boolean } & Report) => {
    if (m.ready) onReady();
    else if (m.started) onStarted();
    else onReport(m);
  });
  const exit = new Promise<number>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  return { worker, ready, started, report, exit };
}

function go(control: SharedArrayBuffer): void {
  const words = new Int32Array(control);
  Atomics.store(words, 0, 1);
  Atomics.notify(words, 0);
}

/** One pass of every op on the main thread; returns the count of wrong elements. */
function computeOnMain(seed: number): number {
  const a = randomFloats(N, seed, -4, 4);
  const b = randomFloats(N, seed + 1, 0.5, 2);
  const out = new Float32Array(N);
  const refs = [
    (x: number, y: number) => Math.fround(x + y),
    (x: number, y: number) => Math.fround(x - y),
    (x: number, y: number) => Math.fround(x * y),
    (x: number, y: number) => Math.fround(x / y),
    (x: number, y: number) => Math.max(x, y),
    (x: number, y: number) => Math.min(x, y),
    (x: number, y: number) => (y <= 0 ? 0 : x),
  ];
  const ops = Object.values(BinaryOp);
  let wrong = 0;
  for (const op of ops) {
    out.fill(NaN);
    native.binary(op, [N], out, 0, [1], a, 0, [1], b, 0, [1]);
    for (let i = 0; i < N; i++) if (out[i] !== refs[op](a[i], b[i])) wrong++;
  }
  return wrong;
}

/** Like helpers' withThreads, for an async block: restores the count once it settles. */
async function withThreadsAsync(n: number, fn: () => Promise<void>): Promise<void> {
  const before = native.getNumThreads();
  native.setNumThreads(n);
  try {
    await fn();
  } finally {
    native.setNumThreads(before);
  }
}

describe('the addon in worker_threads', () => {
  it('4 workers load it at once, compute on large arrays concurrently, and exit cleanly', async () => {
    await withThreadsAsync(2, async () => {
      const control = new SharedArrayBuffer(8);
      const workers = [0, 1, 2, 3].map((i) => startWorker(control, 100 + 10 * i, 6));
      await Promise.all(workers.map((w) => w.ready));
      go(control);
      const reports = await Promise.all(workers.map((w) => w.report));
      const exits = await Promise.all(workers.map((w) => w.exit));
      expect(reports.map((r) => r.wrong)).toEqual([0, 0, 0, 0]);
      expect(reports.map((r) => r.done)).toEqual([6, 6, 6, 6]);
      expect(reports.map((r) => r.isa)).toEqual(Array(4).fill(native.backendInfo().isa));
      expect(exits).toEqual([0, 0, 0, 0]);
      // The process is healthy after they unloaded: the pool still serves the main thread.
      expect(computeOnMain(7)).toBe(0);
    });
  });

  it('the main thread and a worker use the pool at the same time and both get exact results', async () => {
    await withThreadsAsync(2, async () => {
      const control = new SharedArrayBuffer(8);
      const w = startWorker(control, 200, 4, true);
      await w.ready;
      go(control);
      await w.started;
      // The worker keeps computing until told to stop; the main thread computes meanwhile.
      const mainWrong = computeOnMain(300) + computeOnMain(301);
      const words = new Int32Array(control);
      Atomics.store(words, 1, 1);
      const report = await w.report;
      expect(mainWrong).toBe(0);
      expect(report.wrong).toBe(0);
      expect(report.done).toBeGreaterThanOrEqual(4);
      expect(await w.exit).toBe(0);
    });
  });

  it('terminating a worker in the middle of its work leaves the process healthy', async () => {
    const control = new SharedArrayBuffer(8);
    const w = startWorker(control, 400, 1 << 30, true);
    await w.ready;
    go(control);
    await w.started;
    const code = await w.worker.terminate();
    expect(code).toBe(1);
    expect(await w.exit).toBe(1);
    expect(computeOnMain(9)).toBe(0);
    expect(native.getNumThreads()).toBeGreaterThanOrEqual(1);
  });

  it('a fresh process whose first loads are in 4 workers, then the main thread, exits with code 0', () => {
    // The main thread loads the addon only after the workers did (the "Module did not
    // self-register" case), and the process exits while a worker is still inside the pool.
    const script = `
      const { Worker } = require('node:worker_threads');
      const addon = process.argv[1];
      const body = \`
        const { parentPort, workerData } = require('node:worker_threads');
        const native = require(workerData);
        const n = 1 << 18, a = new Float32Array(n).fill(1.5), b = new Float32Array(n).fill(2), out = new Float32Array(n);
        native.binary(0, [n], out, 0, [1], a, 0, [1], b, 0, [1]);
        parentPort.postMessage(out.every((v) => v === 3.5));
      \`;
      const runs = [0, 1, 2, 3].map(() => new Promise((resolve, reject) => {
        const w = new Worker(body, { eval: true, workerData: addon });
        let ok = false;
        w.on('message', (m) => (ok = m));
        w.on('error', reject);
        w.on('exit', (code) => resolve(code === 0 && ok));
      }));
      Promise.all(runs).then((oks) => {
        const native = require(addon);
        const n = 1 << 18, a = new Float32Array(n).fill(2), b = new Float32Array(n).fill(3), out = new Float32Array(n);
        native.binary(2, [n], out, 0, [1], a, 0, [1], b, 0, [1]);
        console.log(JSON.stringify({ oks, main: out.every((v) => v === 6) }));
        const loop = \`const native = require(require('node:worker_threads').workerData);
          const n = 1 << 20, a = new Float32Array(n), out = new Float32Array(n);
          require('node:worker_threads').parentPort.postMessage('go');
          for (;;) native.binary(0, [n], out, 0, [1], a, 0, [1], a, 0, [1]);\`;
        new Worker(loop, { eval: true, workerData: addon }).on('message', () => process.exit(0));
      });
    `;
    const env = { ...process.env };
    delete env.MYELIN_NUM_THREADS;
    delete env.MYELIN_ISA;
    const r = spawnSync(process.execPath, ['-e', script, addon], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.signal).toBeNull();
    expect(JSON.parse(r.stdout)).toEqual({ oks: [true, true, true, true], main: true });
  });
});
