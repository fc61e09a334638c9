// The cost of useDeterministicAlgorithms(true): training-step time of the M1 MLP and of two small
// CNNs with the mode off and on, side by side (off and on alternate, the median of each kept), at
// each thread count given: wall time, and the process's CPU time (user + system), which a
// machine loaded by other work inflates less (at 1 thread the pool has no workers to spin).
//
//   npm run build && node bench/deterministic.mjs [--threads 1,2] [--steps 200] [--reps 5]
//
// mlp: 784-128-10, batch 64, Adam. cnn: conv(1->16,3) relu maxpool conv(16->32,3) relu maxpool
// linear(800->10), batch 64 on 28x28, Adam (bench/memory.mjs's models). cnn-wide: conv(16->32,3,
// pad 1) relu conv(32->32,3,pad 1) relu avgpool(4) linear(32*7*7->10), batch 32 on 16x28x28
// (Winograd layers).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const m = await import(pathToFileURL(process.env.MYELIN_DIST ?? path.join(here, '../dist/index.js')).href);
const { nn } = m;

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    steps: { type: 'string', default: '200' },
    reps: { type: 'string', default: '5' },
  },
});
const steps = Number(values.steps);
const reps = Number(values.reps);

const models = {
  mlp: () => ({
    model: new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10)),
    x: m.randn([64, 784]),
    n: 64,
  }),
  cnn: () => ({
    model: new nn.Sequential(
      new nn.Conv2d(1, 16, 3),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 3),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(800, 10),
    ),
    x: m.randn([64, 1, 28, 28]),
    n: 64,
  }),
  'cnn-wide': () => ({
    model: new nn.Sequential(
      new nn.Conv2d(16, 32, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.Conv2d(32, 32, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.AvgPool2d(4),
      new nn.Flatten(),
      new nn.Linear(32 * 7 * 7, 10),
    ),
    x: m.randn([32, 16, 28, 28]),
    n: 32,
  }),
};

/** Wall and CPU ms per training step over `steps` steps (after 10 warm-up steps). */
function time(name) {
  m.manualSeed(0);
  const { model, x, n } = models[name]();
  const y = m.tensor(new Int32Array(n).map((_, j) => j % 10));
  const opt = new m.optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const step = () => {
    const loss = lossFn.call(model.call(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
  for (let i = 0; i < 10; i++) step();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / steps, cpu: (c.user + c.system) / 1000 / steps };
}

const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];

for (const threads of values.threads.split(',').map(Number)) {
  m.setNumThreads(threads);
  for (const name of Object.keys(models)) {
    const runs = { off: [], on: [] };
    for (let r = 0; r < reps; r++) {
      for (const mode of ['off', 'on']) {
        m.useDeterministicAlgorithms(mode === 'on');
        runs[mode].push(time(name));
      }
    }
    m.useDeterministicAlgorithms(false);
    const f = (mode, key) => median(runs[mode].map((r) => r[key]));
    const line = (key) =>
      `${key} ${f('off', key).toFixed(2)} -> ${f('on', key).toFixed(2)} ms/step (${(f('on', key) / f('off', key)).toFixed(2)}x)`;
    console.log(`${name}, ${threads} thread(s), off -> on: ${line('wall')}, ${line('cpu')}`);
  }
}
