// C2: conv2d NCHW, batch 32, 32 -> 64 channels, 16x16, kernel 3, stride 1, padding 1: forward,
// and forward + backward, ms side by side with PyTorch. Target: >= 1.0x PyTorch.
import { sideBySide } from '../lib/side_by_side.js';
import { convCases } from './C1.js';

export const id = 'C2';
export const title = 'conv2d 32->64, 16x16, k3 p1, batch 32: forward, forward+backward, vs PyTorch';

export async function run(opts) {
  return sideBySide('C2', opts, () => convCases(32, 32, 64, 16), { torchValue: (r) => r.ms, higherIsBetter: false });
}
