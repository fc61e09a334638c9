// One rank of the D1/D2 benchmarks, myelin's side (bench/distributed.mjs starts them; the
// environment is torchrun's). Prints one JSON line (rank 0) with the figures.
//   node bench/distributed/rank.mjs d1 '[4096, 1048576]'      allreduce of float32 buffers of these byte sizes
//   node bench/distributed/rank.mjs d2 m1|n1 [--no-ddp]       DDP training steps (--no-ddp: the plain model, one process)
import { myelin } from '../lib/myelin.js';
import { median } from '../lib/timing.js';
import { mlp } from '../workloads/M1.js';
import { simpleCnn } from '../workloads/N1.js';

const { distributed: dist, nn, optim } = myelin;
const [mode, arg, flag] = process.argv.slice(2);
const plain = flag === '--no-ddp';
if (!plain) dist.initProcessGroup();
const rank = plain ? 0 : dist.getRank();
const sync = () => plain || dist.barrier();

/** Median seconds per call over `samples` samples of `calls` calls, every rank starting each sample together. */
function perCall(fn, { warmup, samples, calls }) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  for (let s = 0; s < samples; s++) {
    sync();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    times.push((Number(process.hrtime.bigint() - t0) * 1e-9) / calls);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), times };
}

const rows = [];
if (mode === 'd1') {
  for (const bytes of JSON.parse(arg)) {
    const t = myelin.zeros([bytes / 4]);
    const calls = Math.min(200, Math.max(1, Math.round((32 << 20) / bytes)));
    const s = perCall(() => dist.allReduce(t), { warmup: Math.min(calls, 20), samples: 7, calls });
    rows.push({
      bytes,
      seconds: s.median,
      GBps: bytes / s.median / 1e9,
      GBpsMin: bytes / s.max / 1e9,
      GBpsMax: bytes / s.min / 1e9,
      samples: s.times,
    });
  }
} else {
  const model = arg === 'm1' ? mlp() : simpleCnn();
  const wrapped = plain ? model : new nn.parallel.DistributedDataParallel(model);
  const opt = new optim.SGD([...model.parameters()], { lr: 0.01, momentum: 0.9 });
  myelin.manualSeed(rank);
  const batch = arg === 'm1' ? 256 : 32;
  const x = myelin.randn(arg === 'm1' ? [batch, 784] : [batch, 3, 32, 32]);
  const y = myelin.randint(0, 10, [batch]);
  const step = () => {
    opt.zeroGrad();
    nn.functional.crossEntropy(wrapped.call(x), y).backward();
    opt.step();
  };
  // M1: V8 needs ~1000 steps to reach its steady state (bench/workloads/M1.js).
  const s = perCall(step, arg === 'm1' ? { warmup: 600, samples: 9, calls: 40 } : { warmup: 20, samples: 9, calls: 8 });
  rows.push({ model: arg, batch, stepsPerSecond: 1 / s.median, min: 1 / s.max, max: 1 / s.min });
}
if (rank === 0) process.stdout.write(`${JSON.stringify(rows)}\n`);
if (!plain) dist.destroyProcessGroup();
