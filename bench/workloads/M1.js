// M1: MLP train step (Linear 784->256, ReLU, Linear 256->128, ReLU, Linear 128->10;
// cross-entropy; SGD momentum 0.9 lr 0.01) at batch 64 and 256, steps/s side by side with
// PyTorch (and batch 128). Target: >= 1.0x PyTorch at 1 and 2 threads.
import { myelin } from '../lib/myelin.js';
import { fma, linearFlops, trainFlops } from '../lib/roof.js';
import { sideBySide } from '../lib/side_by_side.js';
import { secondsPerCall } from '../lib/timing.js';

export const id = 'M1';
export const title = 'MLP train step, SGD momentum, batch 64 / 128 / 256, vs PyTorch';

export function mlp() {
  const { nn } = myelin;
  return new nn.Sequential(
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

/** FLOPs of one training step of mlp() at `batch` (the first layer's input needs no gradient). */
export function mlpStepFlops(batch) {
  const sizes = [
    [784, 256],
    [256, 128],
    [128, 10],
  ];
  return trainFlops(sizes.map(([i, o], k) => ({ flops: linearFlops(batch, i, o), inputGrad: k > 0 })));
}

/** Steps per second of one training step on random data. */
export function stepsPerSecond(batch, makeOptimizer) {
  myelin.manualSeed(0);
  const model = mlp();
  const opt = makeOptimizer([...model.parameters()]);
  const x = myelin.randn([batch, 784]);
  const y = myelin.randint(0, 10, [batch]);
  const step = () => {
    opt.zeroGrad();
    const loss = myelin.nn.functional.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
  };
  // 1000 warm-up steps (both sides): a fresh process's steps get faster over the first ~1000
  // as V8 optimises the JavaScript (batch 64: 1.6 ms, then ~0.95, then ~0.87 ms a step), and a
  // training run lives in that steady state (PyTorch's is reached at once).
  return 1 / secondsPerCall(step, { warmup: 1000, samples: 15, callsPerSample: 20 });
}

export async function run(opts) {
  return sideBySide(
    'M1',
    opts,
    () =>
      [64, 128, 256].map((batch) => ({
        case: `batch ${batch}`,
        value: stepsPerSecond(batch, (p) => new myelin.optim.SGD(p, { lr: 0.01, momentum: 0.9 })),
        unit: 'steps/s',
        roof: fma(mlpStepFlops(batch)),
      })),
    { torchValue: (r) => r.steps_per_s, higherIsBetter: true },
  );
}
