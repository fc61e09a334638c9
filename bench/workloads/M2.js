// M2: the M1 MLP trained with Adam lr 1e-3 at batch 128, steps/s side by side with PyTorch.
// Target: >= 1.0x PyTorch at 1 and 2 threads.
import { myelin } from '../lib/myelin.js';
import { fma } from '../lib/roof.js';
import { sideBySide } from '../lib/side_by_side.js';
import { mlpStepFlops, stepsPerSecond } from './M1.js';

export const id = 'M2';
export const title = 'MLP train step, Adam, batch 128, vs PyTorch';

export async function run(opts) {
  return sideBySide(
    'M2',
    opts,
    () => [
      {
        case: 'batch 128',
        value: stepsPerSecond(128, (p) => new myelin.optim.Adam(p, { lr: 1e-3 })),
        unit: 'steps/s',
        roof: fma(mlpStepFlops(128)),
      },
    ],
    { torchValue: (r) => r.steps_per_s, higherIsBetter: true },
  );
}
