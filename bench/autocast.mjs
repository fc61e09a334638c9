// B2 (the shared workload list): a training step under autocast bf16 against the same in float32,
// myelin and PyTorch (torch.autocast('cpu', dtype=torch.bfloat16)) side by side, in rounds: each
// round times myelin fp32, myelin autocast, then PyTorch's both in one process.
//   M1 (default): the MLP 784-256-128-10, cross-entropy, SGD momentum 0.9 lr 0.01, batch 256
//     (bench/peers/autocast_m1.py);
//   N1: SimpleCNN (bench/workloads/N1.js), batch 32 (--batch 32; bench/peers/autocast_n1.py).
//   npm run build && node bench/autocast.mjs [--workload M1|N1] [--batch 256] [--rounds 3] [--threads 1] [--clock cpu|wall] [--torch-runner ../shared/tools/torch-python]
// The options: bench/lib/peer_bench.js.
import { myelin } from './lib/myelin.js';
import { peerBenchOptions } from './lib/peer_bench.js';
import { median } from './lib/timing.js';
import { mlp } from './workloads/M1.js';
import { makeStep as n1Step } from './workloads/N1.js';

const { batch, rounds, threads, clock, now, torchRound, values } = peerBenchOptions('bench/autocast', {
  workload: { type: 'string', default: 'M1' },
});
const workload = values.workload;
if (workload !== 'M1' && workload !== 'N1')
  throw new Error(`bench/autocast: --workload must be M1 or N1, got ${workload}`);
myelin.setNumThreads(threads);

/** M1's training step, float32 or under autocast. */
function m1Step(autocast) {
  myelin.manualSeed(0);
  const model = mlp();
  const opt = new myelin.optim.SGD([...model.parameters()], { lr: 0.01, momentum: 0.9 });
  const x = myelin.randn([batch, 784]);
  const y = myelin.randint(0, 10, [batch]);
  const forward = () => myelin.nn.functional.crossEntropy(model.call(x), y);
  return () => {
    opt.zeroGrad();
    const loss = autocast ? myelin.autocast({ dtype: 'bfloat16' }, forward) : forward();
    loss.backward();
    opt.step();
  };
}

/** Steps per second of the workload's training step, float32 or under autocast: median of samples. */
function stepsPerSecond(autocast, warmup, samples = 15, calls = 10) {
  const step = workload === 'M1' ? m1Step(autocast) : n1Step(batch, { autocast });
  for (let i = 0; i < warmup; i++) step();
  const times = [];
  for (let s = 0; s < samples; s++) {
    const t0 = now();
    for (let i = 0; i < calls; i++) step();
    times.push((now() - t0) / calls);
  }
  return 1 / median(times);
}

const rows = [];
for (let round = 0; round < rounds; round++) {
  // V8 optimises M1's step over its first ~1000 calls (M1.js): the first round warms up longer.
  // N1's steps are ~100x longer: a few warm it.
  const warmup = workload === 'N1' ? 5 : round === 0 ? 1000 : 200;
  const [samples, calls] = workload === 'N1' ? [7, 3] : [15, 10];
  const fp32 = stepsPerSecond(false, warmup, samples, calls);
  const ac = stepsPerSecond(true, warmup, samples, calls);
  const t = torchRound(`autocast_${workload.toLowerCase()}.py`, 'B2_CLOCK');
  rows.push({ fp32, ac, torchFp32: t?.fp32, torchAc: t?.autocast, torch: t?.torch });
  console.error(
    `round ${round + 1}: myelin fp32 ${fp32.toFixed(1)}, autocast ${ac.toFixed(1)} steps/s; torch fp32 ${t?.fp32?.toFixed(1)}, autocast ${t?.autocast?.toFixed(1)}`,
  );
}
const med = (k) => median(rows.map((r) => r[k]));
const [fp32, ac, tf, ta] = ['fp32', 'ac', 'torchFp32', 'torchAc'].map(med);
const range = (k) =>
  `${Math.min(...rows.map((r) => r[k])).toFixed(1)}..${Math.max(...rows.map((r) => r[k])).toFixed(1)}`;
console.log(
  `B2 ${workload} batch ${batch}, ${threads} thread(s), ${clock} clock, median of ${rounds} rounds (range); torch ${rows[0].torch ?? 'n/a'}\n`,
);
console.log('| | myelin steps/s | PyTorch steps/s | myelin / PyTorch |');
console.log('|---|---|---|---|');
console.log(
  `| float32 | ${fp32.toFixed(1)} (${range('fp32')}) | ${tf?.toFixed(1)} (${range('torchFp32')}) | ${(fp32 / tf).toFixed(2)}x |`,
);
console.log(
  `| autocast bf16 | ${ac.toFixed(1)} (${range('ac')}) | ${ta?.toFixed(1)} (${range('torchAc')}) | ${(ac / ta).toFixed(2)}x |`,
);
console.log(`| autocast / float32 | ${(ac / fp32).toFixed(2)}x | ${(ta / tf).toFixed(2)}x | |`);
