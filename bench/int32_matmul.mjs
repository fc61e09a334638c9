// int32 matmul: the native int32 GEMM (myelin.matmul on int32 tensors) against the plain
// TypeScript loop it replaced (the i-p-j loop with Math.imul below, as lib/raw had it), side by
// side in one run on the same operands, checked to agree; square N x N x N products. Medians of
// repeated calls (bench/lib/timing.js); ratio = loop time / native time.
//
//   npm run build && node bench/int32_matmul.mjs [--threads 1,2] [--sizes 64,256,512]
import { parseArgs } from 'node:util';
import { myelin } from './lib/myelin.js';
import { native } from './lib/native.js';
import { secondsPerCall } from './lib/timing.js';

const { values } = parseArgs({
  options: { threads: { type: 'string', default: '1,2' }, sizes: { type: 'string', default: '64,256,512' } },
});

/** c (m x n, zeros) = a (m x k) times b (k x n), row-major, modulo 2^32: the former TS path. */
function loopProduct(m, k, n, a, b) {
  const c = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const from = p * n;
      for (let j = 0; j < n; j++) c[row + j] = (c[row + j] + Math.imul(aip, b[from + j])) | 0;
    }
  }
  return c;
}

function randomInts(n, seed) {
  let s = seed * 2654435761 + 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s;
  }
  return out;
}

console.log(`int32 matmul, ISA ${native.backendInfo().isa}`);
// One pass over every size and thread count first, so the first rows do not pay for V8's and
// the allocator's warm-up (the heap grows to what the products allocate).
const threadCounts = values.threads.split(',').map(Number);
const sizes = values.sizes.split(',').map(Number);
for (const threads of threadCounts) {
  native.setNumThreads(threads);
  for (const n of sizes) {
    const x = myelin.tensor(randomInts(n * n, 3)).reshape([n, n]);
    for (let i = 0; i < 10; i++) myelin.matmul(x, x);
    loopProduct(n, n, n, randomInts(n * n, 4), randomInts(n * n, 5));
  }
}
console.log('threads  N     native ms   TS loop ms   ratio');
for (const threads of threadCounts) {
  native.setNumThreads(threads);
  for (const n of sizes) {
    const ad = randomInts(n * n, 1 + n);
    const bd = randomInts(n * n, 2 + n);
    const a = myelin.tensor(ad).reshape([n, n]);
    const b = myelin.tensor(bd).reshape([n, n]);
    const got = myelin.matmul(a, b).toTypedArray();
    const want = loopProduct(n, n, n, ad, bd);
    if (got.some((v, i) => v !== want[i])) throw new Error(`N = ${n}: native and loop products differ`);
    // Enough warm-up calls for V8 to optimise both paths (small products are dominated by it).
    const opts =
      n >= 512 ? { warmup: 2, samples: 5, callsPerSample: 1 } : { warmup: 20, samples: 9, callsPerSample: 3 };
    const tNative = secondsPerCall(() => myelin.matmul(a, b), opts);
    const tLoop = secondsPerCall(() => loopProduct(n, n, n, ad, bd), opts);
    console.log(
      `${String(threads).padEnd(8)} ${String(n).padEnd(5)} ${(tNative * 1e3).toFixed(3).padStart(9)} ${(tLoop * 1e3).toFixed(3).padStart(12)} ${(tLoop / tNative).toFixed(1).padStart(7)}x`,
    );
  }
}
