// The raw binding's hostile sweep, run in a child process by hostile_sweep.test.ts (so that a crash
// fails the test instead of killing the test run). Usage: node hostile_sweep_child.mjs ADDON THREADS
//
// Every function the addon exports is called with a valid argument list, then with each
// argument (and each entry of an array or options argument) replaced by hostile values: wrong
// types, NaN, infinities, negative, fractional and huge numbers, arrays too short or too long,
// detached and shared buffers, the same buffer for two arguments, and sizes whose product
// overflows or that are huge next to a zero. Each call must return, or throw an Error whose
// message starts with the function's name. Before each call the child prints "call N" (so the
// parent can say which call crashed or hung); at the end it prints one JSON line of results.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [addon, threads] = process.argv.slice(2);
const native = require(addon);
native.setNumThreads(Number(threads));

const f = (n) => new Float32Array(n).fill(0.5);
const i32 = (n) => new Int32Array(n);

const conv = {
  n: 1,
  c: 2,
  h: 4,
  w: 4,
  oc: 3,
  oh: 4,
  ow: 4,
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
const pool = {
  planes: 2,
  h: 4,
  w: 4,
  oh: 2,
  ow: 2,
  kh: 2,
  kw: 2,
  strideH: 2,
  strideW: 2,
  padH: 0,
  padW: 0,
  dilationH: 1,
  dilationW: 1,
  countIncludePad: false,
};
const gemm = {
  transA: false,
  transB: false,
  m: 2,
  n: 3,
  k: 4,
  alpha: 1,
  a: f(8),
  aOffset: 0,
  lda: 4,
  b: f(12),
  bOffset: 0,
  ldb: 3,
  beta: 0,
  c: f(6),
  cOffset: 0,
  ldc: 3,
};
const sgd = {
  lr: 0.1,
  momentum: 0.9,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
  firstStep: true,
};
const adam = {
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
const rmsprop = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };
const adagrad = { lr: 0.01, lrDecay: 0, weightDecay: 0, eps: 1e-10, maximize: false, step: 1 };
const near = () => Int32Array.of(0, 0, 1, 1);

// A valid argument list for every export (fresh arrays on each call).
const valid = {
  backendInfo: () => [],
  bindingInfo: () => [],
  getNumThreads: () => [],
  setNumThreads: () => [Number(threads)],
  getDeterministicAlgorithms: () => [],
  setDeterministicAlgorithms: () => [false],
  setIsaForTesting: () => [null],
  setConvAlgorithmForTesting: () => ['auto'],
  failScratchForTesting: () => [0, 0],
  gemmBlockingForTesting: () => [6, 16, false, 32768, 524288, 33554432],
  fmaPeakRun: () => [1, 1000],
  triadRun: () => [Number(threads), f(64), f(64), f(64)],
  binary: () => [0, [2, 3], f(6), 0, [3, 1], f(6), 0, [3, 1], f(6), 0, [3, 1]],
  unary: () => [2, [2, 3], f(6), 0, [3, 1], f(6), 0, [3, 1]],
  reduce: () => [0, [2, 3], f(6), 0, [3, 1], [1], f(2)],
  argReduce: () => [0, [2, 3], f(6), 0, [3, 1], 1, f(2), i32(2)],
  gemm: () => [{ ...gemm, a: f(8), b: f(12), c: f(6) }],
  gemmBatched: () => [{ ...gemm, a: f(16), b: f(12), c: f(12), batch: 2, strideA: 8, strideB: 0, strideC: 6 }],
  gemmInt32: () => [
    {
      transA: false,
      transB: false,
      m: 2,
      n: 3,
      k: 4,
      a: i32(16),
      aOffset: 0,
      lda: 4,
      b: i32(12),
      bOffset: 0,
      ldb: 3,
      c: i32(12),
      cOffset: 0,
      ldc: 3,
      batch: 2,
      strideA: 8,
      strideB: 0,
      strideC: 6,
    },
  ],
  gemmFloat64: () => [
    {
      ...gemm,
      a: new Float64Array(16).fill(0.5),
      b: new Float64Array(12).fill(0.5),
      c: new Float64Array(12),
      batch: 2,
      strideA: 8,
      strideB: 0,
      strideC: 6,
    },
  ],
  convertF32ToBf16: () => [f(6), new Uint16Array(6)],
  convertBf16ToF32: () => [new Uint16Array(6), f(6)],
  roundF32ToBf16: () => [f(6), f(6)],
  gemmBf16: () => [
    {
      ...gemm,
      a: f(16),
      b: new Uint16Array(12),
      c: f(12),
      batch: 2,
      strideA: 8,
      strideB: 0,
      strideC: 6,
      rowBias: f(2),
      colBias: null,
    },
  ],
  gemmU8S8: () => [
    {
      m: 2,
      n: 3,
      k: 4,
      a: new Uint8Array(8),
      aOffset: 0,
      lda: 4,
      aZero: 128,
      b: new Int8Array(12),
      bOffset: 0,
      ldb: 3,
      transB: false,
      bPacked: native.gemmU8S8PackB({ n: 3, k: 4, b: new Int8Array(12), bOffset: 0, ldb: 3, transB: false }),
      bZero: Int32Array.of(0, 1, -1),
      c: new Uint8Array(6),
      cOffset: 0,
      ldc: 3,
      colScale: f(3),
      rowBias: null,
      colBias: f(3),
      outScale: 0.1,
      outZero: 10,
    },
  ],
  gemmU8S8PackB: () => [{ n: 3, k: 4, b: new Int8Array(12).fill(-3), bOffset: 0, ldb: 4, transB: true }],
  gemmU8S8PackedBFits: () => [
    native.gemmU8S8PackB({ n: 3, k: 4, b: new Int8Array(12), bOffset: 0, ldb: 4, transB: true }),
    3,
    4,
  ],
  quantize: () => [
    {
      x: f(6),
      y: new Int8Array(6),
      outer: 1,
      channels: 2,
      inner: 3,
      scales: Float64Array.of(0.1, 0.2),
      zeroPoints: Int32Array.of(0, -3),
    },
  ],
  dequantize: () => [
    {
      q: new Uint8Array(6),
      y: f(6),
      outer: 2,
      channels: 3,
      inner: 1,
      scales: Float64Array.of(0.1, 0.2, 0.3),
      zeroPoints: Int32Array.of(0, 3, 255),
      perChannel: true,
    },
  ],
  minMax: () => [f(6)],
  softmax: () => [0, 2, 3, f(6), 0, null, f(6)],
  logsumexp: () => [2, 3, f(6), 0, f(2)],
  crossEntropy: () => [2, 3, f(6), 0, Int32Array.of(0, 2), null, -100, 0, f(2), f(2), f(2)],
  crossEntropyBackward: () => [2, 3, f(6), 0, Int32Array.of(0, 2), f(3), -100, 0.1, f(2), f(6)],
  rnnCell: () => [0, 2, 3, f(24), 0, f(6), 0, f(24), 0, f(6), 0, f(6), 0, f(6), 0],
  sgdStep: () => [f(4), f(4), f(4), { ...sgd }],
  adamStep: () => [f(4), f(4), f(4), f(4), null, { ...adam }],
  rmspropStep: () => [f(4), f(4), f(4), null, null, { ...rmsprop }],
  adagradStep: () => [f(4), f(4), f(4), { ...adagrad }],
  conv2d: () => [{ ...conv }, f(32), f(54), f(3), f(48)],
  conv2dBackwardInput: () => [{ ...conv }, f(48), f(54), f(32)],
  conv2dBackwardWeight: () => [{ ...conv }, f(32), f(48), f(54), f(3)],
  pool2d: () => [0, { ...pool }, f(32), f(8), i32(8)],
  pool2dBackward: () => [0, { ...pool }, f(8), i32(8), f(32)],
  resample2d: () => [[2, 2, 2, 4, 4], near(), null, near(), null, f(8), f(32)],
  resample2dBackward: () => [[2, 2, 2, 4, 4], near(), null, near(), null, f(32), f(8)],
  batchNorm: () => [[2, 3, 4], f(24), f(3), f(3), true, 0.1, 1e-5, f(3), f(3), f(3), f(3), f(24)],
  batchNormBackward: () => [[2, 3, 4], f(24), f(24), f(3), f(3), f(3), true, f(24), f(3), f(3)],
  layerNorm: () => [[2, 3], f(6), f(3), f(3), 1e-5, f(2), f(2), f(6)],
  layerNormBackward: () => [[2, 3], f(6), f(6), f(3), f(2), f(2), f(6), f(3), f(3)],
  groupNorm: () => [[2, 4, 3, 2], f(24), f(4), f(4), 1e-5, f(4), f(4), f(24)],
  groupNormBackward: () => [[2, 4, 3, 2], f(24), f(24), f(4), f(4), f(4), f(24), f(4), f(4)],
};

function detached() {
  const a = new Float32Array(8);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}
const shared = (n) => new Float32Array(new SharedArrayBuffer(4 * n));
const throwing = () => {
  throw new Error('hostile getter');
};

// Replacements for a whole argument.
const hostileValues = () => [
  undefined,
  null,
  true,
  'x',
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 31,
  2 ** 53,
  2 ** 64,
  -(2 ** 63),
  1e308,
  -0,
  Symbol('s'),
  10n,
  () => 0,
  {},
  [],
  [1, 2, 3],
  [Number.NaN],
  [-1],
  [2 ** 53, 2 ** 53],
  new Float64Array(6),
  new Int32Array(6),
  new Uint8Array(24),
  new Float32Array(0),
  new Float32Array(1),
  detached(),
  shared(64),
  new Proxy({}, { get: throwing }),
  new Proxy([1, 2], { get: throwing }),
  Object.defineProperty({}, 'n', { get: throwing, enumerable: true }),
];
// Replacements for one entry of a shape, strides, dims array or options object.
const hostileEntries = [
  undefined,
  null,
  'x',
  true,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -1,
  -0,
  0.5,
  2 ** 31,
  2 ** 31 - 1,
  2 ** 40,
  2 ** 53,
  2 ** 63,
  -(2 ** 63),
  1e308,
  {},
];

const results = { calls: 0, returned: 0, threw: 0, bad: [], slow: [] };
let callId = 0;

function describe(v) {
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length})`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return 'symbol';
  if (typeof v === 'function') return 'function';
  try {
    return JSON.stringify(v)?.slice(0, 60) ?? String(v);
  } catch {
    return typeof v;
  }
}

// Calls native[name](...args); returns whether it returned. With mustReturn, an Error is a
// failure of the sweep (a valid call).
function call(name, args, what, mustReturn = false) {
  callId++;
  process.stdout.write(`call ${callId} ${name} ${what}\n`);
  results.calls++;
  const t0 = performance.now();
  let returned = false;
  try {
    native[name](...args);
    results.returned++;
    returned = true;
  } catch (e) {
    results.threw++;
    const ok =
      !mustReturn && e instanceof Error && (e.message.startsWith(`${name}: `) || e.message === 'hostile getter');
    if (!ok) results.bad.push(`${name} ${what}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    native.failScratchForTesting(0, 0);
    native.setIsaForTesting(null);
    native.setConvAlgorithmForTesting('auto');
    if (native.getNumThreads() !== Number(threads)) native.setNumThreads(Number(threads));
    native.setDeterministicAlgorithms(false);
  }
  const ms = performance.now() - t0;
  if (ms > 1000) results.slow.push(`${name} ${what}: ${ms.toFixed(0)} ms`);
  return returned;
}

const isPlainArray = (v) => Array.isArray(v);
const isOptions = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
const numericKeys = (o) => Object.keys(o).filter((k) => typeof o[k] === 'number');

for (const [name, arity] of native.bindingInfo().functions) {
  const make = valid[name];
  if (!make) {
    results.bad.push(`${name}: no valid argument list in the sweep (add one)`);
    continue;
  }
  // The valid call itself must work.
  if (!call(name, make(), 'valid', true)) continue;
  const base = make();
  // Fewer arguments than the arity, and extra ones.
  for (let n = 0; n < arity; n++) call(name, base.slice(0, n), `${n} arguments`);
  call(name, [...make(), f(4), 'extra'], 'extra arguments');
  for (let i = 0; i < base.length; i++) {
    // The whole argument replaced.
    for (const v of hostileValues()) {
      const args = make();
      args[i] = v;
      call(name, args, `arg ${i} = ${describe(v)}`);
    }
    const arg = base[i];
    // A typed array one element short, one long, or over a SharedArrayBuffer.
    if (ArrayBuffer.isView(arg)) {
      for (const len of [arg.length - 1, arg.length + 1]) {
        if (len < 0) continue;
        const args = make();
        args[i] = new arg.constructor(len);
        call(name, args, `arg ${i} of length ${len}`);
      }
      const args = make();
      args[i] = new arg.constructor(new SharedArrayBuffer(arg.byteLength));
      call(name, args, `arg ${i} shared`);
      // The same memory as another typed-array argument (all of it, or shifted by one).
      for (let j = 0; j < base.length; j++) {
        if (j === i || !ArrayBuffer.isView(base[j]) || base[j].constructor !== arg.constructor) continue;
        const same = make();
        same[i] = same[j];
        call(name, same, `arg ${i} = arg ${j}`);
        const buf = new arg.constructor(Math.max(arg.length, base[j].length) + 1);
        const shifted = make();
        shifted[j] = buf.subarray(0, base[j].length);
        shifted[i] = buf.subarray(1, 1 + arg.length);
        call(name, shifted, `arg ${i} overlaps arg ${j}`);
      }
    }
    // Each entry of an array argument (shape, strides, axes, dims).
    if (isPlainArray(arg)) {
      for (let k = 0; k <= arg.length; k++)
        for (const v of hostileEntries) {
          const args = make();
          args[i] = [...args[i]];
          args[i][k] = v;
          call(name, args, `arg ${i}[${k}] = ${describe(v)}`);
        }
      // Huge next to zero: every ordered pair of entries.
      for (let k = 0; k < arg.length; k++)
        for (let l = 0; l < arg.length; l++) {
          if (k === l) continue;
          for (const huge of [2 ** 31 - 1, 2 ** 40, 2 ** 52]) {
            const args = make();
            args[i] = [...args[i]];
            args[i][k] = huge;
            args[i][l] = 0;
            call(name, args, `arg ${i}[${k}] = ${huge}, [${l}] = 0`);
          }
        }
      const args = make();
      args[i] = new Array(17).fill(1);
      call(name, args, `arg ${i} of 17 entries`);
    }
    // Each property of an options argument: hostile, deleted, a throwing getter; and huge
    // next to zero for every pair of numeric properties.
    if (isOptions(arg)) {
      for (const key of Object.keys(arg)) {
        for (const v of [...hostileEntries, f(1), new Float64Array(64)]) {
          const args = make();
          args[i] = { ...args[i], [key]: v };
          call(name, args, `arg ${i}.${key} = ${describe(v)}`);
        }
        const args = make();
        delete args[i][key];
        call(name, args, `arg ${i}.${key} missing`);
        const getter = make();
        Object.defineProperty(getter[i], key, { get: throwing });
        call(name, getter, `arg ${i}.${key} throws`);
      }
      const keys = numericKeys(arg);
      for (const k of keys)
        for (const l of keys) {
          if (k === l) continue;
          for (const huge of [2 ** 31 - 1, 2 ** 52]) {
            const args = make();
            args[i] = { ...args[i], [k]: huge, [l]: 0 };
            call(name, args, `arg ${i}.${k} = ${huge}, .${l} = 0`);
          }
        }
    }
    // Each positional number: huge next to a zero in every other numeric position.
    if (typeof arg === 'number') {
      for (let j = 0; j < base.length; j++) {
        if (j === i || typeof base[j] !== 'number') continue;
        for (const huge of [2 ** 31 - 1, 2 ** 40, 2 ** 52]) {
          const args = make();
          args[i] = huge;
          args[j] = 0;
          call(name, args, `arg ${i} = ${huge}, arg ${j} = 0`);
        }
      }
    }
  }
}
// The process is still healthy: a valid call of each export computes.
for (const [name] of native.bindingInfo().functions) call(name, valid[name](), 'valid, after the sweep', true);
process.stdout.write(`${JSON.stringify({ done: true, ...results })}\n`);
