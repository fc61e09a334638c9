// R1: LSTM, 1 layer, batch 32, seq 50, input 64, hidden 128, batch_first: forward + backward of
// the sum of the outputs, side by side with PyTorch. Target: >= 1.0x PyTorch.
import { myelin } from '../lib/myelin.js';
import { sideBySide } from '../lib/side_by_side.js';
import { secondsPerCall } from '../lib/timing.js';

export const id = 'R1';
export const title = 'LSTM 1 layer, batch 32, seq 50, 64 -> 128, batch_first: forward + backward, vs PyTorch';

export async function run(opts) {
  myelin.manualSeed(0);
  const lstm = new myelin.nn.LSTM(64, 128, { batchFirst: true });
  const x = myelin.randn([32, 50, 64]).requiresGrad_();
  const both = () => {
    lstm.zeroGrad();
    x.grad = null;
    const [y] = lstm.forward(x);
    y.sum().backward();
  };
  const fwd = () => myelin.noGrad(() => lstm.forward(x));
  return sideBySide(
    'R1',
    opts,
    () => [
      { case: 'forward (no grad)', value: secondsPerCall(fwd, { warmup: 5, samples: 15 }) * 1e3, unit: 'ms' },
      { case: 'forward+backward', value: secondsPerCall(both, { warmup: 5, samples: 15 }) * 1e3, unit: 'ms' },
    ],
    { torchValue: (r) => r.ms, higherIsBetter: false },
  );
}
