// Q1 (the shared workload list): inference of M1's MLP (784-256-128-10) at one batch size, in
// float32 and after quantization.quantizeDynamic (qint8 weights per output channel, activations
// quantized to quint8 on each call, u8 x s8 GEMM), myelin and PyTorch (quantize_dynamic with
// per_channel_dynamic_qconfig, bench/peers/quantized_m1.py) side by side, in rounds: each round
// times myelin fp32, myelin int8, then PyTorch's both in one process.
//   npm run build && node bench/quantized.mjs [--batch 256] [--rounds 3] [--threads 1] [--clock cpu|wall] [--torch-runner ../shared/tools/torch-python]
// The options: bench/lib/peer_bench.js.
import { myelin } from './lib/myelin.js';
import { peerBenchOptions } from './lib/peer_bench.js';
import { median } from './lib/timing.js';
import { mlp } from './workloads/M1.js';

const { batch, rounds, threads, clock, now, torchRound } = peerBenchOptions('bench/quantized');
myelin.setNumThreads(threads);

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

// The quantized model's outputs beside the float ones: how far quantization moves them.
const diff = myelin.noGrad(() => myelin.sub(qmodel.call(x), model.call(x)).abs().max().item());

const rows = [];
for (let round = 0; round < rounds; round++) {
  const warmup = round === 0 ? 300 : 100;
  const fp32 = forwardsPerSecond(model, warmup);
  const int8 = forwardsPerSecond(qmodel, warmup);
  const t = torchRound('quantized_m1.py', 'Q1_CLOCK');
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
  `Q1 M1 inference batch ${batch}, ${threads} thread(s), ${clock} clock, median of ${rounds} rounds (range); ` +
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
