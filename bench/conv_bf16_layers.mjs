// N1's autocast convolutions as native calls (forward, grad-input, grad-weight with the bias),
// batch 32, on one or more addons loaded side by side and alternated (a before/after of a native
// change in one process): per call the minimum over rounds of the CPU time of `calls` calls. The
// forward's output hash (SHA-1) per addon shows whether the bits changed.
//   MYELIN_NUM_THREADS=1 node bench/conv_bf16_layers.mjs [--rounds 7] [--calls 5] before.node after.node
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpuUsage } from 'node:process';
import { parseArgs } from 'node:util';
import path from 'node:path';

const { values, positionals } = parseArgs({
  options: { rounds: { type: 'string', default: '7' }, calls: { type: 'string', default: '5' } },
  allowPositionals: true,
});
const rounds = Number(values.rounds);
const calls = Number(values.calls);
if (positionals.length === 0) throw new Error('bench/conv_bf16_layers: name one or more .node files');
const require = createRequire(import.meta.url);
const addons = positionals.map((p) => [p, require(path.resolve(p))]);

// The 3x3, padding 1 layers of N1 (bench/workloads/N1.js); the 16x16 one takes Winograd.
const layers = [
  ['3 -> 32, 32x32', { n: 32, c: 3, h: 32, w: 32, oc: 32 }],
  ['32 -> 64, 16x16', { n: 32, c: 32, h: 16, w: 16, oc: 64 }],
  ['64 -> 128, 8x8', { n: 32, c: 64, h: 8, w: 8, oc: 128 }],
];

function uniform(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 2 - 1;
  }
  return a;
}

for (const [name, l] of layers) {
  const geometry = { kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1 };
  const shape = { ...l, oh: l.h, ow: l.w, ...geometry, groups: 1, bf16: true };
  const x = uniform(l.n * l.c * l.h * l.w, 1);
  const w = uniform(l.oc * l.c * 9, 2);
  const b = uniform(l.oc, 3);
  const dy = uniform(l.n * l.oc * l.h * l.w, 4);
  const y = new Float32Array(dy.length);
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  const db = new Float32Array(l.oc);
  const ops = {
    forward: (m) => m.conv2d(shape, x, w, b, y),
    gradInput: (m) => m.conv2dBackwardInput(shape, dy, w, dx),
    gradWeight: (m) => m.conv2dBackwardWeight(shape, x, dy, dw, db),
  };
  const best = new Map();
  const hashes = new Map();
  for (let r = 0; r < rounds; r++) {
    for (const [path, m] of addons) {
      for (const [op, f] of Object.entries(ops)) {
        f(m);
        if (op === 'forward') hashes.set(path, createHash('sha1').update(new Uint8Array(y.buffer)).digest('hex'));
        const t0 = cpuUsage();
        for (let i = 0; i < calls; i++) f(m);
        const t = cpuUsage(t0);
        const ms = (t.user + t.system) / 1000 / calls;
        const key = `${path} ${op}`;
        best.set(key, Math.min(best.get(key) ?? Number.POSITIVE_INFINITY, ms));
      }
    }
  }
  console.log(`${name} (bf16), ms per call, forward / grad-input / grad-weight:`);
  for (const [path] of addons) {
    const ms = Object.keys(ops).map((op) => best.get(`${path} ${op}`).toFixed(3));
    console.log(`  ${path}: ${ms.join(' / ')}  (forward output ${hashes.get(path).slice(0, 12)})`);
  }
}
