// Q1 (the shared workload list) and a quantized LSTM: inference in float32 and after
// quantization.quantizeDynamic (qint8 weights per output channel, activations quantized to quint8
// on each call, u8 x s8 GEMM), myelin and PyTorch (quantize_dynamic with
// per_channel_dynamic_qconfig, bench/peers/quantized_*.py) side by side, in rounds: each round
// times myelin fp32, myelin int8, then PyTorch's both in one process.
//   --model m1 (default): M1's MLP (784-256-128-10), quantizing its Linear layers;
//   --model lstm, lstm2: nn.LSTM(256, 256) of 1 or 2 layers over 50 steps (seq-first), quantizing the LSTM.
//   npm run build && node bench/quantized.mjs [--model m1|lstm|lstm2] [--batch 256] [--rounds 3] [--threads 1] [--clock cpu|wall] [--torch-runner ../shared/tools/torch-python]
// The shared options: bench/lib/peer_bench.js.
import { myelin } from './lib/myelin.js';
import { peerBenchOptions } from './lib/peer_bench.js';
import { median } from './lib/timing.js';
import { mlp } from './workloads/M1.js';

const { batch, rounds, threads, clock, now, peer, torchRound, values } = peerBenchOptions('bench/quantized', {
  model: { type: 'string', default: 'm1' },
});
myelin.setNumThreads(threads);

const SEQ = 50;
/** Each model, what quantizeDynamic quantizes in it, its input and its timing (an LSTM forward takes 1-100 ms). */
const MODELS = {
  m1: {
    title: "Q1 M1's MLP inference",
    make: () => mlp(),
    types: [myelin.nn.Linear],
    input: () => myelin.randn([batch, 784]),
    timing: { warmup: [300, 100], samples: 15, calls: 10 },
    peer: ['quantized_m1.py', [batch, 200]],
  },
  lstm: lstmCase(1),
  lstm2: lstmCase(2),
};

function lstmCase(layers) {
  return {
    title: `nn.LSTM(256, 256${layers > 1 ? `, { numLayers: ${layers} }` : ''}) inference over ${SEQ} steps`,
    make: () => new myelin.nn.LSTM(256, 256, { numLayers: layers }),
    types: [myelin.nn.LSTM],
    input: () => myelin.randn([SEQ, batch, 256]),
    timing: { warmup: [3, 1], samples: 9, calls: 2 },
    peer: ['quantized_lstm.py', [batch, 3, layers, SEQ, 9, 2]],
  };
}

const spec = MODELS[values.model];
if (!spec)
  throw new Error(`bench/quantized: --model must be one of ${Object.keys(MODELS).join(', ')}, got ${values.model}`);
myelin.manualSeed(0);
const model = spec.make().eval();
const qmodel = myelin.quantization.quantizeDynamic(model, { types: spec.types, dtype: 'qint8' });
const x = spec.input();
const output = (m) => {
  const y = m.call(x);
  return Array.isArray(y) ? y[0] : y;
};

/** Forwards per second without a graph: median of samples. */
function forwardsPerSecond(m, warmup) {
  const { samples, calls } = spec.timing;
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
const diff = myelin.noGrad(() => myelin.sub(output(qmodel), output(model)).abs().max().item());

const rows = [];
for (let round = 0; round < rounds; round++) {
  const warmup = spec.timing.warmup[round === 0 ? 0 : 1];
  const fp32 = forwardsPerSecond(model, warmup);
  const int8 = forwardsPerSecond(qmodel, warmup);
  const [script, args] = spec.peer;
  const t = torchRound(script, 'Q1_CLOCK', args.map(String));
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
  `${spec.title}, batch ${batch}, ${threads} thread(s), ${clock} clock, median of ${rounds} rounds (range); ` +
    `torch ${rows[0].torch ?? 'n/a'} through ${peer} (quantized engine ${rows[0].engine ?? 'n/a'}); myelin int8 vs fp32 max |diff| ${diff.toExponential(2)}\n`,
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
