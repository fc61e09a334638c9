// gc.test.ts's child: trains a small CNN (tensor buffers allocated as a training step does) in
// phases, one mode a phase, and prints the full collections V8 ran in each as JSON:
//   node --import ./test/helpers/ts_loader.mjs test/utils/gc_child.ts default throughput default
// Its own process: V8's flags are the process's, and the counts need a heap no test touched.
import { type PerformanceEntry, constants as perf, PerformanceObserver } from 'node:perf_hooks';
import * as m from '../../lib/index.js';

const STEPS = 40;

m.setNumThreads(1);
m.manualSeed(0);
const { nn } = m;
// LeakyReLU, not ReLU: the backward of ReLU and then of batch norm write their gradients over the
// ones they are given, and this CNN's step would then allocate too little to bring any full
// collection (0 in 40 steps, against 20-27 before that change); LeakyReLU's backward allocates.
const block = (cin: number, cout: number) => [
  new nn.Conv2d(cin, cout, 3, { padding: 1 }),
  new nn.BatchNorm2d(cout),
  new nn.LeakyReLU(),
];
const model = new nn.Sequential(
  ...block(3, 32),
  new nn.MaxPool2d(2),
  ...block(32, 32),
  new nn.AdaptiveAvgPool2d(1),
  new nn.Flatten(),
  new nn.Linear(32, 10),
);
const opt = new m.optim.SGD([...model.parameters()], { lr: 0.01, momentum: 0.9 });
const x = m.randn([32, 3, 32, 32]);
const y = m.randint(0, 10, [32]);
const step = () => {
  opt.zeroGrad();
  m.nn.functional.crossEntropy(model.call(x), y).backward();
  opt.step();
};

const isMajor = (e: PerformanceEntry) =>
  (e as PerformanceEntry & { detail: { kind: number } }).detail.kind === perf.NODE_PERFORMANCE_GC_MAJOR;

for (let i = 0; i < 10; i++) step();
const phases: { mode: string; prior: string; majors: number }[] = [];
for (const mode of process.argv.slice(2)) {
  const prior = mode === 'env' ? m.utils.getGcMode() : m.utils.setGcMode(mode as m.utils.GcMode);
  // A few steps for V8 to resize its heap under the new factor (it does at each full collection).
  for (let i = 0; i < 5; i++) step();
  let majors = 0;
  const observer = new PerformanceObserver((list) => {
    majors += list.getEntries().filter(isMajor).length;
  });
  observer.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < STEPS; i++) step();
  // The last collections' entries reach the observer from the event loop.
  await new Promise((resolve) => setTimeout(resolve, 0));
  majors += observer.takeRecords().filter(isMajor).length;
  observer.disconnect();
  phases.push({ mode: m.utils.getGcMode(), prior, majors });
}
process.stdout.write(JSON.stringify(phases));
