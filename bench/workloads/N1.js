// N1: SimpleCNN (the seed documents' CNN) train step, batch 32, input 3x32x32:
// Conv(3,32,3,p1)-BN-ReLU-MaxPool2 -> Conv(32,64,3,p1)-BN-ReLU-MaxPool2 ->
// Conv(64,128,3,p1)-BN-ReLU-AdaptiveAvgPool(1) -> Flatten -> Linear(128,10); cross-entropy;
// SGD momentum 0.9 lr 0.01. Steps/s side by side with PyTorch.
import { myelin } from '../lib/myelin.js';
import { convFlops, fma, linearFlops, trainFlops } from '../lib/roof.js';
import { sideBySide } from '../lib/side_by_side.js';
import { secondsPerCall } from '../lib/timing.js';

export const id = 'N1';
export const title = 'SimpleCNN (conv-BN-ReLU-pool x3, linear) train step, SGD momentum, batch 32, vs PyTorch';

export function simpleCnn() {
  const { nn } = myelin;
  const block = (cin, cout) => [new nn.Conv2d(cin, cout, 3, { padding: 1 }), new nn.BatchNorm2d(cout), new nn.ReLU()];
  return new nn.Sequential(
    ...block(3, 32),
    new nn.MaxPool2d(2),
    ...block(32, 64),
    new nn.MaxPool2d(2),
    ...block(64, 128),
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
    new nn.Linear(128, 10),
  );
}

/**
 * One training step's closure on fixed random data (shared with the profiler script and
 * bench/autocast.mjs); autocast: the forward under autocast bf16 (B2).
 */
export function makeStep(batch = 32, { autocast = false } = {}) {
  myelin.manualSeed(0);
  const model = simpleCnn();
  model.train();
  const opt = new myelin.optim.SGD([...model.parameters()], { lr: 0.01, momentum: 0.9 });
  const x = myelin.randn([batch, 3, 32, 32]);
  const y = myelin.randint(0, 10, [batch]);
  return () => {
    opt.zeroGrad();
    const forward = () => myelin.nn.functional.crossEntropy(model.call(x), y);
    const loss = autocast ? myelin.autocast({ dtype: 'bfloat16' }, forward) : forward();
    loss.backward();
    opt.step();
  };
}

// FLOPs of a step at batch 32: the three convolutions (32x32, 16x16, 8x8; the first one's input
// needs no gradient) and the linear layer; batch norm, pools and ReLUs are bandwidth work, left out.
const STEP_FLOPS = trainFlops([
  { flops: convFlops(32, 3, 32, 32, 32, 3), inputGrad: false },
  { flops: convFlops(32, 32, 64, 16, 16, 3), inputGrad: true },
  { flops: convFlops(32, 64, 128, 8, 8, 3), inputGrad: true },
  { flops: linearFlops(32, 128, 10), inputGrad: true },
]);

export async function run(opts) {
  return sideBySide(
    'N1',
    opts,
    () => [
      {
        case: 'batch 32',
        value: 1 / secondsPerCall(makeStep(32), { warmup: 3, samples: 9, callsPerSample: 3 }),
        unit: 'steps/s',
        roof: fma(STEP_FLOPS),
      },
    ],
    { torchValue: (r) => r.steps_per_s, higherIsBetter: true },
  );
}
