// T1: per-op overhead of the tensor API (1,000 chained small ops, microseconds per op,
// without grad and with the backward) and a large elementwise chain, side by side with
// PyTorch eager. Targets: per-op overhead <= PyTorch's; the large chain >= 1.0x PyTorch.
import { myelin } from '../lib/myelin.js';
import { overhead, triad } from '../lib/roof.js';
import { sideBySide } from '../lib/side_by_side.js';
import { meanOverLoop, secondsPerCall } from '../lib/timing.js';

export const id = 'T1';
export const title = 'tensor API per-op overhead and a large elementwise chain, vs PyTorch eager';

function chain(x) {
  for (let i = 0; i < 250; i++) {
    x = x.mul(1.0001);
    x = x.add(0.5);
    x = x.sub(0.5);
    x = myelin.relu(x);
  }
  return x;
}

// The large chain's bytes: mul, add and exp each read and write 4M floats, sum reads them.
const CHAIN_BYTES = (3 * 8 + 4) * 4 * 1024 * 1024;

export async function run(opts) {
  const small = myelin.ones([4]);
  const leaf = myelin.ones([4], { requiresGrad: true });
  const big = myelin.rand([4 * 1024 * 1024]);
  const bigChain = () => myelin.exp(big.mul(2).add(1)).sum();
  return sideBySide(
    'T1',
    opts,
    () => [
      {
        case: '1000 small ops, no grad',
        value:
          (secondsPerCall(() => myelin.noGrad(() => chain(small)), { samples: 9, callsPerSample: 3 }) / 1000) * 1e6,
        unit: 'us/op',
        roof: overhead(1), // an op that does native work crosses into the addon once at least
      },
      {
        case: '1000 small ops + backward',
        value: (secondsPerCall(() => chain(leaf).sum().backward(), { samples: 9, callsPerSample: 3 }) / 1000) * 1e6,
        unit: 'us/op',
        roof: overhead(2), // each op's forward and its backward: two crossings at least
      },
      {
        case: 'chain exp(x*2+1).sum() 4M',
        value: secondsPerCall(bigChain, { samples: 11, callsPerSample: 3 }) * 1e3,
        mean200: meanOverLoop(bigChain) * 1e3,
        unit: 'ms',
        roof: triad(CHAIN_BYTES),
      },
    ],
    { torchValue: (r) => r.us_per_op ?? r.ms, higherIsBetter: false },
  );
}
