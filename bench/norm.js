// Normalisation forward + backward, myelin vs PyTorch side by side at one thread:
// BatchNorm2d (training) on [32, 32, 32, 32] and [32, 64, 16, 16], LayerNorm(1000) on
// [4096, 1000]; also BatchNorm1d on [256, 512] and GroupNorm(8, 64) on [32, 64, 16, 16]. Rounds alternate between the two so drift hits both; medians are reported.
//   npm run build && node bench/norm.js [--threads 1] [--rounds 3]
import { myelin } from './lib/myelin.js';
import { median, secondsPerCall } from './lib/timing.js';
import { runPython } from './lib/torch_peer.js';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const threads = opt('--threads', 1);
const rounds = opt('--rounds', 3);

const cases = [
  { name: 'BatchNorm2d fwd+bwd [32,32,32,32]', kind: 'bn2d', shape: [32, 32, 32, 32] },
  { name: 'BatchNorm2d fwd+bwd [32,64,16,16]', kind: 'bn2d', shape: [32, 64, 16, 16] },
  { name: 'LayerNorm fwd+bwd [4096,1000]', kind: 'ln', shape: [4096, 1000] },
  { name: 'BatchNorm1d fwd+bwd [256,512]', kind: 'bn1d', shape: [256, 512] },
  { name: 'GroupNorm(8) fwd+bwd [32,64,16,16]', kind: 'gn', shape: [32, 64, 16, 16] },
];

function myelinMs(c) {
  const { nn } = myelin;
  myelin.manualSeed(0);
  const make = {
    bn2d: () => new nn.BatchNorm2d(c.shape[1]),
    bn1d: () => new nn.BatchNorm1d(c.shape[1]),
    ln: () => new nn.LayerNorm(c.shape[1]),
    gn: () => new nn.GroupNorm(8, c.shape[1]),
  };
  const m = make[c.kind]();
  m.train();
  const x = myelin.randn(c.shape).requiresGrad_();
  const g = myelin.randn(c.shape);
  return (
    1e3 *
    secondsPerCall(
      () => {
        x.grad = null;
        m.zeroGrad();
        m.call(x).backward(g);
      },
      { warmup: 3, samples: 11, callsPerSample: 3 },
    )
  );
}

const torchScript = `
import json, statistics, sys, time, torch
torch.set_num_threads(${threads})
torch.manual_seed(0)
out = []
for kind, shape in json.loads(sys.argv[1]):
    m = {'bn2d': lambda: torch.nn.BatchNorm2d(shape[1]), 'bn1d': lambda: torch.nn.BatchNorm1d(shape[1]),
         'ln': lambda: torch.nn.LayerNorm(shape[1]), 'gn': lambda: torch.nn.GroupNorm(8, shape[1])}[kind]()
    x = torch.randn(shape, requires_grad=True)
    g = torch.randn(shape)
    def step():
        x.grad = None
        m.zero_grad()
        m(x).backward(g)
    for _ in range(3): step()
    times = []
    for _ in range(11):
        t0 = time.perf_counter()
        for _ in range(3): step()
        times.append((time.perf_counter() - t0) / 3)
    out.append(statistics.median(times) * 1e3)
print(json.dumps(out))
`;

function torchMs() {
  return runPython(['-c', torchScript, JSON.stringify(cases.map((c) => [c.kind, c.shape]))], threads);
}

myelin.setNumThreads(threads);
const mine = cases.map(() => []);
const theirs = cases.map(() => []);
for (let round = 0; round < rounds; round++) {
  cases.forEach((c, i) => mine[i].push(myelinMs(c)));
  torchMs().forEach((v, i) => theirs[i].push(v));
}
console.log(
  `threads ${threads}, isa ${myelin.backendInfo().isa}, medians of ${rounds} rounds (each a median of 11 samples)`,
);
console.log('case'.padEnd(36), 'myelin ms'.padStart(10), 'torch ms'.padStart(10), 'ratio'.padStart(7));
cases.forEach((c, i) => {
  const a = median(mine[i]);
  const b = median(theirs[i]);
  console.log(c.name.padEnd(36), a.toFixed(2).padStart(10), b.toFixed(2).padStart(10), (a / b).toFixed(2).padStart(7));
});
