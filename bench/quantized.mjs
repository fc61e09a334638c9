// Q1 (the shared workload list): inference of M1's MLP (784-256-128-10) at one batch size, in
// float32 and after quantization.quantizeDynamic (qint8 weights per output channel, activations
// quantized to quint8 on each call, u8 x s8 GEMM), myelin and PyTorch (quantize_dynamic with
// per_channel_dynamic_qconfig, bench/peers/quantized_m1.py) side by side, in rounds: each round
// times myelin fp32, myelin int8, then PyTorch's both in one process.
//   npm run build && node bench/quantized.mjs [--batch 256] [--rounds 3] [--threads 1] [--clock cpu|wall] [--torch-runner ../shared/tools/torch-python]
// --clock cpu (the default) times CPU seconds of the process, both sides: on a machine shared
// with other work wall time counts the others' time too.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { myelin } from './lib/myelin.js';
import { clockNamed, median } from './lib/timing.js';
import { findPython } from './lib/torch_peer.js';
import { mlp } from './workloads/M1.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const defaultRunner = path.resolve(here, '../../shared/tools/torch-python');
const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    clock: { type: 'string', default: 'cpu' },
    'torch-runner': { type: 'string', default: fs.existsSync(defaultRunner) ? defaultRunner : '' },
  },
});
const batch = Number(args.batch);
const rounds = Number(args.rounds);
const threads = Number(args.threads);
myelin.setNumThreads(threads);

const now = clockNamed(args.clock, 'bench/quantized');

myelin.manualSeed(0);
const model = mlp().eval();
const qmodel = myelin.quantization.quantizeDynamic(model, { types: [myelin.nn.Linear], dtype: 'qint8' });
const x = myelin.randn([batch, 784]);

/** Forwards per second without a graph: median of samples. */
function forwardsPerSecond(m, warmup, samples = 15, calls = 10) {
  return myelin.noGrad(() => {
    for (let i = 0; i < warmup; i++) m.call(x);
    const times = [];
    for (let s = 0; s < samples; s++) {
      const t0 = now();
      for (let i = 0; i < calls; i++) m.call(x);
      times.push((now() - t0) / calls);
    }
    return 1 / median(times);
  });
}

function torchRound() {
  const script = path.join(here, 'peers', 'quantized_m1.py');
  const cmd = args['torch-runner'] || findPython();
  if (!cmd) return null;
  const argv = args['torch-runner'] ? [String(threads), script] : [script];
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), Q1_CLOCK: args.clock };
  const r = spawnSync(cmd, [...argv, String(batch), '200'], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`bench/quantized: ${cmd} ${script} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// The quantized model's outputs beside the float ones: how far quantization moves them.
const diff = myelin.noGrad(() => myelin.sub(qmodel.call(x), model.call(x)).abs().max().item());

const rows = [];
for (let round = 0; round < rounds; round++) {
  const warmup = round === 0 ? 300 : 100;
  const fp32 = forwardsPerSecond(model, warmup);
  const int8 = forwardsPerSecond(qmodel, warmup);
  const t = torchRound();
  rows.push({ fp32, int8, torchFp32: t?.fp32, torchInt8: t?.int8, torch: t?.torch, engine: t?.engine });
  console.error(
    `round ${round + 1}: myelin fp32 ${fp32.toFixed(1)}, int8 ${int8.toFixed(1)} forwards/s; torch fp32 ${t?.fp32?.toFixed(1)}, int8 ${t?.int8?.toFixed(1)}`,
  );
}
const med = (k) => median(rows.map((r) => r[k]));
const [fp32, int8, tf, ti] = ['fp32', 'int8', 'torchFp32', 'torchInt8'].map(med);
const range = (k) =>
  `${Math.min(...rows.map((r) => r[k])).toFixed(1)}..${Math.max(...rows.map((r) => r[k])).toFixed(1)}`;
console.log(
  `Q1 M1 inference batch ${batch}, ${threads} thread(s), ${args.clock} clock, median of ${rounds} rounds (range); ` +
    `torch ${rows[0].torch ?? 'n/a'} (quantized engine ${rows[0].engine ?? 'n/a'}); myelin int8 vs fp32 max |diff| ${diff.toExponential(2)}\n`,
);
console.log('| | myelin forwards/s | PyTorch forwards/s | myelin / PyTorch |');
console.log('|---|---|---|---|');
console.log(
  `| float32 | ${fp32.toFixed(1)} (${range('fp32')}) | ${tf?.toFixed(1)} (${range('torchFp32')}) | ${(fp32 / tf).toFixed(2)}x |`,
);
console.log(
  `| dynamic int8 | ${int8.toFixed(1)} (${range('int8')}) | ${ti?.toFixed(1)} (${range('torchInt8')}) | ${(int8 / ti).toFixed(2)}x |`,
);
console.log(`| int8 / float32 | ${(int8 / fp32).toFixed(2)}x | ${(ti / tf).toFixed(2)}x | |`);
