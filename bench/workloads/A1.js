// A1: scaled dot-product attention, batch 8, heads 8, seq 128, head dim 64: forward + backward,
// side by side with PyTorch (written out as softmax(q kᵀ / 8) v there: torch 1.13 has no public
// F.scaled_dot_product_attention). Target: >= 1.0x PyTorch.
import { myelin } from '../lib/myelin.js';
import { fma } from '../lib/roof.js';
import { sideBySide } from '../lib/side_by_side.js';
import { meanOverLoop, secondsPerCall } from '../lib/timing.js';

export const id = 'A1';
export const title = 'scaled dot-product attention [8, 8, 128, 64]: forward + backward, vs PyTorch';

// FLOPs: the forward is two batched products (q kᵀ and the weights times v, 2 * 64 * 128 * 128
// * 64 each; the softmax is bandwidth work, left out); the backward four more (dq, dk, dv and the
// weights' gradient).
const BMM = 2 * 8 * 8 * 128 * 128 * 64;

export async function run(opts) {
  myelin.manualSeed(0);
  const [q, k, v] = [0, 1, 2].map(() => myelin.randn([8, 8, 128, 64]).requiresGrad_());
  const sdpa = () => myelin.nn.scaledDotProductAttention(q, k, v);
  const both = () => {
    q.grad = k.grad = v.grad = null;
    sdpa().sum().backward();
  };
  return sideBySide(
    'A1',
    opts,
    () => {
      const fwd = () => myelin.noGrad(sdpa);
      return [
        {
          case: 'forward (no grad)',
          value: secondsPerCall(fwd, { warmup: 3, samples: 15 }) * 1e3,
          mean200: meanOverLoop(fwd) * 1e3,
          unit: 'ms',
          roof: fma(2 * BMM),
        },
        {
          case: 'forward+backward',
          value: secondsPerCall(both, { warmup: 3, samples: 15 }) * 1e3,
          unit: 'ms',
          roof: fma(6 * BMM),
        },
      ];
    },
    { torchValue: (r) => r.ms, higherIsBetter: false },
  );
}
