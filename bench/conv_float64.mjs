// float64 conv2d on C1's and C2's shapes (bench/workloads/C1.js's cases in float64: im2col over
// doubles and the dgemm) beside PyTorch's float64 conv2d (bench/peers/torch_bench.py --dtype
// float64) in the same run, at one thread count; and the share of the fp64 FMA peak, given the
// core's clock (2 FMA pipes x 4 doubles x 2 flops a cycle with AVX2 or Zen 4's AVX-512; pass
// --fma-doubles for another core). The forward also gets the mean over a loop of 200 calls, each
// side's (as npm run bench shows for C1 and C2: what a user's loop pays for allocating outputs).
// On a shared, noisy machine --rounds N alternates the two N times and keeps each side's fastest
// time (the least disturbed).
//
//   npm run build && TORCH_PYTHON=python3 node bench/conv_float64.mjs --threads 1 --ghz 3.7 --rounds 5
import { parseArgs } from 'node:util';
import { native } from './lib/native.js';
import { torchRows } from './lib/torch_peer.js';
import { convCases } from './workloads/C1.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    ghz: { type: 'string' },
    'fma-doubles': { type: 'string', default: '8' },
    rounds: { type: 'string', default: '1' },
  },
});
const threads = Number(values.threads);
// flops a cycle: FMA pipes x doubles a register, as one count, x 2 flops an FMA.
const peak = values.ghz ? Number(values.ghz) * 2 * Number(values['fma-doubles']) : undefined;

native.setNumThreads(threads);
console.log(`float64 conv2d, ISA ${native.backendInfo().isa}, ${threads} thread(s)`);
console.log(
  'shape case                myelin ms  GFLOP/s  torch ms  GFLOP/s  ratio  myelin/peak  mean of 200 ms (myelin / torch)',
);
for (const [id, shape] of [
  ['C1', [32, 3, 32, 32, 32]],
  ['C2', [32, 32, 64, 16, 16]],
]) {
  const [n, c, oc, h] = shape;
  const flops = 2 * n * oc * h * h * c * 9;
  // case -> [myelin ms, torch ms, myelin mean of 200, torch mean of 200], the fastest of the
  // rounds (Infinity where a side has none).
  const best = new Map();
  const fastest = (a, b) => Math.min(a, b ?? Infinity);
  for (let r = 0; r < Number(values.rounds); r++) {
    const mine = convCases(n, c, oc, h, 'float64');
    const peer = torchRows(id, threads, ['--dtype', 'float64']);
    for (const m of mine) {
      const t = peer?.rows.find((row) => row.case === m.case);
      const [mb, tb, mm, tm] = best.get(m.case) ?? [Infinity, Infinity, Infinity, Infinity];
      best.set(m.case, [fastest(mb, m.value), fastest(tb, t?.ms), fastest(mm, m.mean200), fastest(tm, t?.mean200_ms)]);
    }
  }
  const formatMs = (v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
  for (const [name, [ms, tms, mean, tmean]] of best) {
    const work = name === 'forward' ? flops : 3 * flops;
    const gflops = work / ms / 1e6;
    const t = Number.isFinite(tms) ? { ms: tms, GFLOPs: work / tms / 1e6 } : null;
    const m = { case: name, value: ms };
    const cells = [
      id.padEnd(5),
      m.case.padEnd(18),
      m.value.toFixed(2).padStart(9),
      gflops.toFixed(1).padStart(8),
      t ? t.ms.toFixed(2).padStart(9) : '      n/a',
      t ? t.GFLOPs.toFixed(1).padStart(8) : '     n/a',
      t ? `${(t.ms / m.value).toFixed(2)}x`.padStart(6) : '   n/a',
      (peak ? `${((100 * gflops) / peak).toFixed(0)}%` : '').padStart(12),
      Number.isFinite(mean) ? ` ${formatMs(mean)} / ${formatMs(tmean)}` : '',
    ];
    console.log(cells.join(' ').trimEnd());
  }
}
