// C1: conv2d NCHW, batch 32, 3 -> 32 channels, 32x32, kernel 3, stride 1, padding 1: forward,
// and forward + backward (grad input, weight, bias), ms side by side with PyTorch.
// Target: >= 1.0x PyTorch at 1 and 2 threads.
import { myelin } from '../lib/myelin.js';
import { convFlops, fma } from '../lib/roof.js';
import { sideBySide } from '../lib/side_by_side.js';
import { meanOverLoop, secondsPerCall } from '../lib/timing.js';

export const id = 'C1';
export const title = 'conv2d 3->32, 32x32, k3 p1, batch 32: forward, forward+backward, vs PyTorch';

/**
 * Rows for conv2d(n, c -> oc, h x h, k3 s1 p1) in dtype: forward and forward+backward in ms
 * (the backward: input and weight gradients, each as many FLOPs as the forward; the roof is the
 * fp32 FMA peak: bench/conv_float64.mjs reads only the times).
 */
export function convCases(n, c, oc, h, dtype = 'float32') {
  myelin.manualSeed(0);
  const x = myelin.randn([n, c, h, h], { dtype }).requiresGrad_(true);
  const w = myelin.randn([oc, c, 3, 3], { dtype }).requiresGrad_(true);
  const b = myelin.randn([oc], { dtype }).requiresGrad_(true);
  const conv = myelin.nn.functional.conv2d;
  const flops = convFlops(n, c, oc, h, h, 3);
  const forward = () => myelin.noGrad(() => conv(x, w, b, { padding: 1 }));
  const fwd = secondsPerCall(forward, { samples: 11 });
  const fwdMean = meanOverLoop(forward);
  const g = myelin.onesLike(myelin.noGrad(() => conv(x, w, b, { padding: 1 })));
  const step = () => {
    x.grad = null;
    w.grad = null;
    b.grad = null;
    conv(x, w, b, { padding: 1 }).backward(g);
  };
  const both = secondsPerCall(step, { samples: 11 });
  return [
    {
      case: 'forward',
      value: fwd * 1e3,
      mean200: fwdMean * 1e3,
      unit: 'ms',
      note: `${(flops / fwd / 1e9).toFixed(1)} GFLOP/s`,
      roof: fma(flops),
    },
    {
      case: 'forward+backward',
      value: both * 1e3,
      unit: 'ms',
      note: `${((3 * flops) / both / 1e9).toFixed(1)} GFLOP/s`,
      roof: fma(3 * flops),
    },
  ];
}

export async function run(opts) {
  return sideBySide('C1', opts, () => convCases(32, 3, 32, 32), { torchValue: (r) => r.ms, higherIsBetter: false });
}
