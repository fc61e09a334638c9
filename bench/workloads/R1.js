// R1: LSTM, 1 layer, batch 32, seq 50, input 64, hidden 128, batch_first: forward + backward of
// the sum of the outputs, side by side with PyTorch. Target: >= 1.0x PyTorch.
import { myelin } from '../lib/myelin.js';
import { fma, linearFlops } from '../lib/roof.js';
import { sideBySide } from '../lib/side_by_side.js';
import { meanOverLoop, secondsPerCall } from '../lib/timing.js';

export const id = 'R1';
export const title = 'LSTM 1 layer, batch 32, seq 50, 64 -> 128, batch_first: forward + backward, vs PyTorch';

// FLOPs: each of the 50 steps multiplies [x_t, h] (64 + 128) by the four gates' weights (512);
// the backward twice that (input and weight gradients); the gates' elementwise work is left out.
const FORWARD_FLOPS = 50 * linearFlops(32, 64 + 128, 4 * 128);

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
      {
        case: 'forward (no grad)',
        value: secondsPerCall(fwd, { warmup: 5, samples: 15 }) * 1e3,
        mean200: meanOverLoop(fwd) * 1e3,
        unit: 'ms',
        roof: fma(FORWARD_FLOPS),
      },
      {
        case: 'forward+backward',
        value: secondsPerCall(both, { warmup: 5, samples: 15 }) * 1e3,
        unit: 'ms',
        roof: fma(3 * FORWARD_FLOPS),
      },
    ],
    { torchValue: (r) => r.ms, higherIsBetter: false },
  );
}
