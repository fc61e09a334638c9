// The cost of one call of the bindings that take an options object, on problems so small that
// the call itself is most of it: native.gemm at 1x1x1 and 4x16x16, gemmU8S8 at 1x16x16 (Q1's
// quantized GEMM, with its column scales and bias), quantize of 16 floats, and getNumThreads (a
// call that reads no argument: the floor of any call). Median nanoseconds per call, in rounds.
//   npm run build && node bench/native_calls.mjs [--clock cpu|wall] [--rounds 3] [--calls 200000]
// To compare two builds of the addon side by side, run it in turns with MYELIN_ADDON naming each
// .node file (lib/native.ts loads that file instead of build/Release's).
import { parseArgs } from 'node:util';
import './lib/myelin.js'; // checks that dist/ is built
import { clockNamed, median } from './lib/timing.js';

const { values } = parseArgs({
  options: {
    clock: { type: 'string', default: 'cpu' },
    rounds: { type: 'string', default: '3' },
    calls: { type: 'string', default: '200000' },
  },
});
const now = clockNamed(values.clock, 'bench/native_calls');
const rounds = Number(values.rounds);
const calls = Number(values.calls);
const { native } = await import('../dist/native.js');
native.setNumThreads(1);

function gemmCase(m, n, k) {
  const a = new Float32Array(m * k).fill(1);
  const b = new Float32Array(k * n).fill(1);
  const c = new Float32Array(m * n);
  return () =>
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
      beta: 0,
      c,
      cOffset: 0,
      ldc: n,
    });
}

function gemmU8S8Case(m, n, k) {
  const a = new Uint8Array(m * k).fill(3);
  const b = new Int8Array(n * k).fill(1);
  const c = new Float32Array(m * n);
  const colScale = new Float32Array(n).fill(0.01);
  const colBias = new Float32Array(n);
  return () =>
    native.gemmU8S8({
      m,
      n,
      k,
      a,
      aOffset: 0,
      lda: k,
      aZero: 128,
      b,
      bOffset: 0,
      ldb: k,
      transB: true,
      bPacked: null,
      bZero: null,
      c,
      cOffset: 0,
      ldc: n,
      colScale,
      rowBias: null,
      colBias,
      outScale: 1,
      outZero: 0,
    });
}

function quantizeCase(len) {
  const x = new Float32Array(len).fill(0.5);
  const y = new Uint8Array(len);
  const scales = new Float64Array([0.01]);
  const zeroPoints = new Int32Array([128]);
  return () => native.quantize({ outer: 1, channels: 1, inner: len, scales, zeroPoints, x, y });
}

const cases = [
  ['getNumThreads()', () => native.getNumThreads()],
  ['gemm 1x1x1', gemmCase(1, 1, 1)],
  ['gemm 4x16x16', gemmCase(4, 16, 16)],
  ['gemmU8S8 1x16x16', gemmU8S8Case(1, 16, 16)],
  ['quantize 16', quantizeCase(16)],
];

const perCall = new Map(cases.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++)
  for (const [name, fn] of cases) {
    for (let i = 0; i < calls / 10; i++) fn();
    const t0 = now();
    for (let i = 0; i < calls; i++) fn();
    perCall.get(name).push(((now() - t0) / calls) * 1e9);
  }
console.log(
  `bench/native_calls (${values.clock} clock, ${calls} calls a sample, ${rounds} rounds; addon ${process.env.MYELIN_ADDON ?? 'build/Release'})`,
);
for (const [name, ns] of perCall) console.log(`  ${name.padEnd(18)} ${median(ns).toFixed(0).padStart(6)} ns/call`);
