// Where the time of an N1 step goes (SimpleCNN train step, batch 32; bench/workloads/N1.js):
// forward per layer, backward per autograd node (attributed to the layer whose output it
// produced), the loss, zeroGrad and the optimizer step, with GFLOP/s for the convolutions.
//   npm run build && node bench/profile_n1.js [--threads 1] [--steps 15] [--stat median|min] [--clock wall|cpu] [--autocast]
// (--autocast: the forward and the loss under autocast bf16, as bench/autocast.mjs's N1)
// (with min, the rows need not add up to the step total; on a loaded machine use --clock cpu at 1 thread)
import { parseArgs } from 'node:util';
import { myelin } from './lib/myelin.js';
import { native } from './lib/native.js';
import { median } from './lib/timing.js';
import { simpleCnn } from './workloads/N1.js';

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    steps: { type: 'string', default: '15' },
    stat: { type: 'string', default: 'median' },
    clock: { type: 'string', default: 'wall' },
    autocast: { type: 'boolean', default: false },
  },
});
myelin.setNumThreads(Number(args.threads));
myelin.manualSeed(0);
const model = simpleCnn();
model.train();
const layers = [...model.children()];
const opt = new myelin.optim.SGD([...model.parameters()], { lr: 0.01, momentum: 0.9 });
const x = myelin.randn([32, 3, 32, 32]);
const y = myelin.randint(0, 10, [32]);

// --clock cpu: this process's CPU time (user + system), which other processes' load does not
// inflate; meaningful at 1 thread (with more, it adds up every thread's time, spinning included).
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const now = args.clock === 'cpu' ? cpuMs : () => performance.now();
let samples = new Map(); // label -> ms of this step
const add = (label, ms) => samples.set(label, (samples.get(label) ?? 0) + ms);
const layerName = (i) => `${String(i).padStart(2)} ${layers[i].constructor.name}`;

// Times every node's apply (the backward kernels); nodes are labelled by the layer that made them.
// Every binding call is timed too: the kernels' share, and what is left for TypeScript.
let nativeTimes = new Map();
for (const [name, fn] of Object.entries(native)) {
  if (typeof fn !== 'function' || name === 'setNumThreads') continue;
  native[name] = function (...a) {
    const t0 = now();
    const r = fn.apply(this, a);
    nativeTimes.set(name, (nativeTimes.get(name) ?? 0) + now() - t0);
    return r;
  };
}

const owner = new Map();
const flops = new Map(); // conv layer -> forward FLOPs (backward: twice that)
const wrapped = new Set();
function wrapNodes(root) {
  const stack = [root];
  const seen = new Set();
  while (stack.length) {
    const n = stack.pop();
    if (!n || seen.has(n)) continue;
    seen.add(n);
    const proto = Object.getPrototypeOf(n);
    if (!wrapped.has(proto)) {
      wrapped.add(proto);
      const apply = proto.apply;
      proto.apply = function (g) {
        const t0 = now();
        const r = apply.call(this, g);
        add(`backward ${owner.get(this) ?? `   ${this.name}`}`, now() - t0);
        return r;
      };
    }
    stack.push(...n.next);
  }
}

function step() {
  let t0 = now();
  opt.zeroGrad();
  add('zeroGrad', now() - t0);
  const loss = args.autocast ? myelin.autocast({ dtype: 'bfloat16' }, forward) : forward();
  wrapNodes(loss.gradFn);
  t0 = now();
  loss.backward();
  add('backward total (engine included)', now() - t0);
  t0 = now();
  opt.step();
  add('optimizer SGD step', now() - t0);
}

function forward() {
  let t0;
  let h = x;
  layers.forEach((layer, i) => {
    t0 = now();
    const before = h.gradFn;
    h = layer.call(h);
    add(`forward  ${layerName(i)}`, now() - t0);
    if (layer instanceof myelin.nn.Conv2d) {
      const [cout, cin, kh, kw] = layer.weight.shape;
      flops.set(layerName(i), 2 * h.numel() * cin * kh * kw * (cout / h.shape[1]));
    }
    // Every node between this output and the previous one belongs to this layer.
    const stack = [h.gradFn];
    while (stack.length) {
      const n = stack.pop();
      if (!n || n === before || owner.has(n) || n.constructor.name === 'AccumulateGrad') continue;
      owner.set(n, layerName(i));
      stack.push(...n.next);
    }
  });
  t0 = now();
  const loss = myelin.nn.functional.crossEntropy(h, y);
  add('forward  crossEntropy', now() - t0);
  return loss;
}

const steps = Number(args.steps);
const runs = [];
const nativeRuns = [];
for (let s = 0; s < steps + 3; s++) {
  samples = new Map();
  nativeTimes = new Map();
  const t0 = now();
  step();
  samples.set('step total', now() - t0);
  if (s >= 3) {
    runs.push(samples);
    nativeRuns.push(nativeTimes);
  }
}
const labels = [...runs[0].keys()];
// --stat min: the least time seen, robust to other processes on a loaded machine.
const pick = args.stat === 'min' ? (v) => Math.min(...v) : median;
const med = new Map(labels.map((l) => [l, pick(runs.map((r) => r.get(l) ?? 0))]));
const total = med.get('step total');
console.log(
  `N1 step profile${args.autocast ? ' under autocast bf16' : ''}, batch 32, ${args.threads} thread(s), ${args.stat} ${args.clock} time of ${steps} steps; isa ${myelin.backendInfo().isa}`,
);
for (const l of labels.sort((a, b) => (a.startsWith('step') ? 1 : 0) - (b.startsWith('step') ? 1 : 0))) {
  const [, pass, layer] = l.match(/^(forward|backward) +(.*)$/) ?? [];
  const f = flops.get(layer?.trim().replace(/^(\d+)/, (d) => d.padStart(2)));
  const rate = f ? `  ${(((pass === 'backward' ? 2 : 1) * f) / med.get(l) / 1e6).toFixed(1)} GFLOP/s` : '';
  console.log(
    `${l.padEnd(36)} ${med.get(l).toFixed(2).padStart(8)} ms ${((100 * med.get(l)) / total).toFixed(1).padStart(5)}%${rate}`,
  );
}
// By layer type, forward + backward.
const kinds = new Map();
for (const l of labels) {
  if (l.startsWith('step') || l.startsWith('backward total')) continue;
  const m = l.match(/^(forward|backward) +(?:\d+ )?(\S+)/);
  const kind = m ? m[2].replace(/^\d+$/, '') : l;
  kinds.set(kind, (kinds.get(kind) ?? 0) + med.get(l));
}
const nodeSum = labels
  .filter((l) => l.startsWith('backward ') && !l.startsWith('backward total'))
  .reduce((s, l) => s + med.get(l), 0);
if (args.stat !== 'min')
  kinds.set('autograd engine (backward total - node applies)', med.get('backward total (engine included)') - nodeSum);
console.log('\nby kind (forward + backward):');
for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1]))
  console.log(`${k.padEnd(48)} ${v.toFixed(2).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%`);

const nativeNames = [...new Set(nativeRuns.flatMap((r) => [...r.keys()]))];
const nativeMed = nativeNames.map((n) => [n, pick(nativeRuns.map((r) => r.get(n) ?? 0))]).sort((a, b) => b[1] - a[1]);
console.log('\nbinding calls (inside the rows above):');
for (const [n, v] of nativeMed)
  console.log(`native.${n.padEnd(41)} ${v.toFixed(2).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%`);
const nativeTotal = median(nativeRuns.map((r) => [...r.values()].reduce((a, b) => a + b, 0)));
console.log(
  `${'all binding calls'.padEnd(48)} ${nativeTotal.toFixed(2).padStart(8)} ms ${((100 * nativeTotal) / total).toFixed(1).padStart(5)}% (median; the rest is TypeScript, allocation and GC)`,
);
