// Where an M1 step goes (the MLP train step of bench/workloads/M1.js, SGD momentum): zeroGrad,
// forward with the loss, backward and the optimizer step, the median of blocks of steps after
// M1's 1,000 warm-up steps, with the full (major) collections V8 ran over the timed steps.
//   npm run build && node bench/profile_m1.mjs [--batch 64] [--threads 1] [--steps 2000] [--clock cpu|wall]
// (--clock cpu: this process's CPU time, which other processes' load does not inflate; at 1
// thread only, since with more it adds up every thread's time. It counts V8's helper threads,
// the concurrent marker among them. For the share of each kernel, run it under
// `perf record -g node --perf-basic-prof bench/profile_m1.mjs`.)
import { constants as perf, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { myelin } from './lib/myelin.js';
import { median } from './lib/timing.js';
import { mlp } from './workloads/M1.js';

const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
    steps: { type: 'string', default: '2000' },
    clock: { type: 'string', default: 'wall' },
  },
});
if (args.clock !== 'cpu' && args.clock !== 'wall')
  throw new Error(`profile_m1: --clock must be cpu or wall, got ${args.clock}`);
const batch = Number(args.batch);
const block = 100;
const blocks = Math.max(1, Math.round(Number(args.steps) / block));
myelin.setNumThreads(Number(args.threads));
myelin.manualSeed(0);
const model = mlp();
const opt = new myelin.optim.SGD([...model.parameters()], { lr: 0.01, momentum: 0.9 });
const x = myelin.randn([batch, 784]);
const y = myelin.randint(0, 10, [batch]);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const now = args.clock === 'cpu' ? cpuMs : () => performance.now();
const phases = ['zeroGrad', 'forward + loss', 'backward', 'optimizer'];
let sums = phases.map(() => 0);
const step = () => {
  const t0 = now();
  opt.zeroGrad();
  const t1 = now();
  const loss = myelin.nn.functional.crossEntropy(model.call(x), y);
  const t2 = now();
  loss.backward();
  const t3 = now();
  opt.step();
  const t4 = now();
  sums[0] += t1 - t0;
  sums[1] += t2 - t1;
  sums[2] += t3 - t2;
  sums[3] += t4 - t3;
};
// As M1.js: V8 optimises the JavaScript over the first ~1,000 steps.
for (let i = 0; i < 1000; i++) step();

let majors = 0;
const count = (entries) => {
  for (const e of entries) if (e.detail.kind === perf.NODE_PERFORMANCE_GC_MAJOR) majors++;
};
const observer = new PerformanceObserver((list) => count(list.getEntries()));
observer.observe({ entryTypes: ['gc'] });
const perBlock = phases.map(() => []);
const totals = [];
for (let b = 0; b < blocks; b++) {
  sums = phases.map(() => 0);
  const t0 = now();
  for (let i = 0; i < block; i++) step();
  totals.push((now() - t0) / block);
  sums.forEach((s, k) => perBlock[k].push(s / block));
}
await new Promise((resolve) => setTimeout(resolve, 0));
count(observer.takeRecords());
observer.disconnect();

console.log(
  `M1 batch ${batch}, ${args.threads} thread(s), ${blocks * block} steps in blocks of ${block}, ${args.clock} clock; ` +
    `medians of the blocks, ms a step`,
);
phases.forEach((p, k) => console.log(`  ${p.padEnd(15)} ${median(perBlock[k]).toFixed(4)}`));
console.log(`  ${'step'.padEnd(15)} ${median(totals).toFixed(4)} (${(1000 / median(totals)).toFixed(1)} steps/s)`);
console.log(`  full collections: ${majors} in ${blocks * block} steps`);
