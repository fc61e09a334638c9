// S1: softmax, log_softmax and logsumexp over the last axis of a (4096 x 1000) fp32 tensor,
// side by side with PyTorch; the roof column gives each as a fraction of the STREAM-triad
// bandwidth measured in the same run. Bytes: read + write of the tensor (logsumexp writes one
// float per row). Targets: >= 2.5x PyTorch and >= 70% of STREAM bandwidth.
import { myelin } from '../lib/myelin.js';
import { triad } from '../lib/roof.js';
import { sideBySide } from '../lib/side_by_side.js';
import { meanOverLoop, secondsPerCall } from '../lib/timing.js';

export const id = 'S1';
export const title = 'softmax / log_softmax / logsumexp, (4096 x 1000) fp32, vs PyTorch and STREAM';

export async function run(opts) {
  const x = myelin.randn([4096, 1000]);
  const n = x.numel();
  // The out= rows write into one preallocated output on both sides (PyTorch's own allocator
  // already hands its allocating calls the block just freed, so its two rows match; a
  // JavaScript output is freed only by the garbage collector, so each allocating call writes
  // fresh memory).
  const y = myelin.emptyLike(x);
  const lse = myelin.zeros([4096]);
  const cases = [
    ['softmax', () => myelin.softmax(x, -1), 8 * n],
    ['log_softmax', () => myelin.logSoftmax(x, -1), 8 * n],
    ['logsumexp', () => myelin.logsumexp(x, -1), 4 * n + 4 * 4096],
    ['softmax, out=', () => myelin.softmax(x, -1, { out: y }), 8 * n],
    ['log_softmax, out=', () => myelin.logSoftmax(x, -1, { out: y }), 8 * n],
    ['logsumexp, out=', () => myelin.logsumexp(x, -1, false, { out: lse }), 4 * n + 4 * 4096],
  ];
  return sideBySide(
    'S1',
    opts,
    () =>
      cases.map(([name, fn, bytes]) => {
        const s = secondsPerCall(fn, { samples: 15 });
        // The allocating calls: also the mean over a long loop.
        const mean = name.includes('out=') ? undefined : meanOverLoop(fn);
        return {
          case: name,
          value: s * 1e3,
          ...(mean !== undefined && { mean200: mean * 1e3 }),
          unit: 'ms',
          note: `${(bytes / s / 1e9).toFixed(1)} GB/s`,
          roof: triad(bytes),
        };
      }),
    { torchValue: (r) => r.ms, higherIsBetter: false },
  );
}
