// CNN helper layers, myelin vs PyTorch side by side: pad (constant / reflect), dropout2d,
// interpolate (nearest / bilinear x2), forward and forward + backward, on [8, 64, 32, 32].
// Rounds alternate between the two so drift hits both; medians are reported.
//   npm run build && node bench/cnn_layers.mjs [--threads 1] [--rounds 3]
// MYELIN_DIST=path/to/index.js benches another build of the TypeScript (e.g. an older one).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, secondsPerCall } from './lib/timing.js';
import { runPython } from './lib/torch_peer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const myelin = await import(pathToFileURL(process.env.MYELIN_DIST ?? path.join(here, '../dist/index.js')).href);

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const threads = opt('--threads', 1);
const rounds = opt('--rounds', 3);
const shape = [8, 64, 32, 32];

// kind: what to run; both: forward + backward (else forward only, no grad).
const cases = [
  { name: 'pad constant 1', kind: 'padc', both: false },
  { name: 'pad constant 1 fwd+bwd', kind: 'padc', both: true },
  { name: 'pad reflect 1', kind: 'padr', both: false },
  { name: 'pad reflect 1 fwd+bwd', kind: 'padr', both: true },
  { name: 'dropout2d 0.5', kind: 'drop', both: false },
  { name: 'dropout2d 0.5 fwd+bwd', kind: 'drop', both: true },
  { name: 'nearest x2', kind: 'near', both: false },
  { name: 'nearest x2 fwd+bwd', kind: 'near', both: true },
  { name: 'bilinear x2', kind: 'bil', both: false },
  { name: 'bilinear x2 fwd+bwd', kind: 'bil', both: true },
];

function myelinFn(kind) {
  const F = myelin.nn.functional;
  return {
    padc: (x) => F.pad(x, [1, 1, 1, 1]),
    padr: (x) => F.pad(x, [1, 1, 1, 1], 'reflect'),
    drop: (x) => F.dropout2d(x, 0.5),
    near: (x) => F.interpolate(x, { scaleFactor: 2, mode: 'nearest' }),
    bil: (x) => F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }),
  }[kind];
}

function myelinMs(c) {
  myelin.manualSeed(0);
  const f = myelinFn(c.kind);
  const x = myelin.randn(shape);
  if (!c.both)
    return 1e3 * secondsPerCall(() => myelin.noGrad(() => f(x)), { warmup: 3, samples: 11, callsPerSample: 5 });
  x.requiresGrad_();
  const g = myelin.randn(f(x).shape);
  return (
    1e3 *
    secondsPerCall(
      () => {
        x.grad = null;
        f(x).backward(g);
      },
      { warmup: 3, samples: 11, callsPerSample: 5 },
    )
  );
}

const torchScript = `
import json, statistics, sys, time, torch
import torch.nn.functional as F
torch.set_num_threads(${threads})
torch.manual_seed(0)
fns = {
    'padc': lambda x: F.pad(x, [1, 1, 1, 1]),
    'padr': lambda x: F.pad(x, [1, 1, 1, 1], mode='reflect'),
    'drop': lambda x: F.dropout2d(x, 0.5),
    'near': lambda x: F.interpolate(x, scale_factor=2, mode='nearest'),
    'bil': lambda x: F.interpolate(x, scale_factor=2, mode='bilinear'),
}
out = []
for kind, both in json.loads(sys.argv[1]):
    f = fns[kind]
    x = torch.randn(${JSON.stringify(shape)}, requires_grad=both)
    g = torch.randn(f(x).shape) if both else None
    def step():
        if both:
            x.grad = None
            f(x).backward(g)
        else:
            with torch.no_grad():
                f(x)
    for _ in range(3): step()
    times = []
    for _ in range(11):
        t0 = time.perf_counter()
        for _ in range(5): step()
        times.append((time.perf_counter() - t0) / 5)
    out.append(statistics.median(times) * 1e3)
print(json.dumps(out))
`;

function torchMs() {
  return runPython(['-W', 'ignore', '-c', torchScript, JSON.stringify(cases.map((c) => [c.kind, c.both]))], threads);
}

myelin.setNumThreads(threads);
const mine = cases.map(() => []);
const theirs = cases.map(() => []);
cases.forEach((c) => myelinMs(c)); // a warm-up round (JIT, heap growth), not counted
for (let round = 0; round < rounds; round++) {
  cases.forEach((c, i) => mine[i].push(myelinMs(c)));
  torchMs().forEach((v, i) => theirs[i].push(v));
}
console.log(
  `input ${JSON.stringify(shape)}, threads ${threads}, isa ${myelin.backendInfo().isa}, medians of ${rounds} rounds (each a median of 11 samples)`,
);
console.log('case'.padEnd(26), 'myelin ms'.padStart(10), 'torch ms'.padStart(10), 'ratio'.padStart(7));
cases.forEach((c, i) => {
  const a = median(mine[i]);
  const b = median(theirs[i]);
  console.log(c.name.padEnd(26), a.toFixed(3).padStart(10), b.toFixed(3).padStart(10), (a / b).toFixed(2).padStart(7));
});
