// float64 layers against PyTorch's float64, side by side in one run at one thread: an Adam step
// on a 1M-element parameter (the fused native step in double), exp of 1M doubles (the vector
// double exp), layerNorm forward+backward on [256, 1024] (the native norm kernels in double),
// softmax forward+backward and logsumexp on [256, 1024], an LSTM forward+backward (batch 32,
// seq 32, 128 -> 128: the recurrence written with ops, products on the dgemm). Medians of
// repeated calls (bench/lib/timing.js), wall time or, with --cpu-time, each process's CPU time
// (steadier on a loaded machine); ratio = myelin time / PyTorch time. The PyTorch side runs
// bench/peers/float64_layers.py through the command given (a 1-thread torch wrapper):
//
//   npm run build && node bench/float64_layers.mjs --torch "python3" [--cpu-time]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { myelin as m } from './lib/myelin.js';
import { native } from './lib/native.js';
import { secondsPerCall } from './lib/timing.js';

const { values } = parseArgs({
  options: { torch: { type: 'string', default: 'python3' }, 'cpu-time': { type: 'boolean', default: false } },
});
const cpu = values['cpu-time'];
native.setNumThreads(1);

const p = new m.nn.Parameter(m.randn([1 << 20], { dtype: 'float64' }));
p.grad = m.randn([1 << 20], { dtype: 'float64' });
const adam = new m.optim.Adam([p], { lr: 1e-3 });

const x = m.randn([256, 1024], { dtype: 'float64' }).requiresGrad_();
const w = m.randn([1024], { dtype: 'float64' }).requiresGrad_();
const b = m.randn([1024], { dtype: 'float64' }).requiresGrad_();
const g = m.randn([256, 1024], { dtype: 'float64' });
const layerNorm = () => m.nn.functional.layerNorm(x, [1024], { weight: w, bias: b }).backward(g);

const xe = m.randn([1 << 20], { dtype: 'float64' });

const xsm = m.randn([256, 1024], { dtype: 'float64' }).requiresGrad_();
const softmax = () => m.nn.functional.softmax(xsm, -1).backward(g);

const xl = m.randn([256, 1024], { dtype: 'float64' });

const lstm = new m.nn.LSTM(128, 128).double();
const xs = m.randn([32, 32, 128], { dtype: 'float64' }).requiresGrad_();
const lstmStep = () => lstm.forward(xs)[0].sum().backward();

const mine = {
  adam: secondsPerCall(() => adam.step(), { cpu }),
  exp: secondsPerCall(() => m.exp(xe), { cpu }),
  layerNorm: secondsPerCall(layerNorm, { cpu }),
  softmax: secondsPerCall(softmax, { cpu }),
  logsumexp: secondsPerCall(() => m.logsumexp(xl, 1), { cpu }),
  lstm: secondsPerCall(lstmStep, { samples: 7, callsPerSample: 2, cpu }),
};

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers', 'float64_layers.py');
const [cmd, ...args] = values.torch.split(' ').filter(Boolean);
const r = spawnSync(cmd, [...args, script, ...(cpu ? ['--cpu-time'] : [])], {
  encoding: 'utf8',
  env: { ...process.env, OMP_NUM_THREADS: '1' },
});
if (r.status !== 0) throw new Error(`bench: ${values.torch} failed:\n${r.stderr}`);
const torch = JSON.parse(r.stdout.trim().split('\n').pop());

console.log(
  `float64, 1 thread, ISA ${native.backendInfo().isa}; torch ${torch.threads} thread(s); ${cpu ? 'CPU' : 'wall'} time`,
);
console.log('| workload | myelin ms | PyTorch 1.13 ms | myelin / PyTorch |');
console.log('|---|---:|---:|---:|');
for (const [k, label] of [
  ['adam', 'Adam step, 1M float64 parameter'],
  ['exp', 'exp of 1M doubles'],
  ['layerNorm', 'layerNorm fwd+bwd [256, 1024]'],
  ['softmax', 'softmax fwd+bwd [256, 1024]'],
  ['logsumexp', 'logsumexp [256, 1024] over dim 1'],
  ['lstm', 'LSTM fwd+bwd, batch 32, seq 32, 128 -> 128'],
]) {
  console.log(
    `| ${label} | ${(mine[k] * 1e3).toFixed(2)} | ${(torch[k] * 1e3).toFixed(2)} | ${(mine[k] / torch[k]).toFixed(2)} |`,
  );
}
