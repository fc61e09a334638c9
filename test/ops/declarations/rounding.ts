// Declarations of lib/ops/rounding.ts's ops for the op harness (test/helpers/opinfo.ts).
import { ceil, floor, frac, round, trunc } from '../../../lib/ops/rounding.js';
import type { Tensor } from '../../../lib/index.js';
import { declareOp, type InputSpec } from '../../helpers/opinfo.js';

type P = Record<string, any>;

// At least 0.05 from the nearest integer (and from the rounding ties at .5): finite differences
// never cross a step.
const offSteps: InputSpec = {
  shape: [3, 4],
  values: [0.3, -1.7, 2.2, -0.4, 1.1, -2.8, 0.65, -0.15, 3.35, -3.6, 0.9, 1.4],
};

/**
 * A rounding op: its gradient is 0 wherever it is defined, a fresh tensor that carries no graph.
 * int32 inputs stay int32.
 */
function rounding(name: string, fn: (x: Tensor, p: P) => Tensor, args: P[] = [{}]) {
  return declareOp<P>({
    name,
    op: ([x], p) => fn(x, p),
    samples: [
      ...args.map((a) => ({ name: `[3, 4] ${JSON.stringify(a)}`, inputs: [offSteps], args: a })),
      { name: '[4, 37]', inputs: [{ shape: [4, 37] }], args: args[0], large: true },
    ],
    dtypes: args.some((a) => a.decimals)
      ? { float32: 'float32', float64: 'float64' }
      : { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: false,
  });
}

export const roundingOps = [
  rounding('floor', (x) => floor(x)),
  rounding('ceil', (x) => ceil(x)),
  rounding('trunc', (x) => trunc(x)),
  rounding('round', (x) => round(x)),
  // decimals: 1 puts the steps 0.1 apart, -1 10 apart: the values are chosen off both.
  rounding('round: decimals', (x, p) => round(x, p), [{ decimals: -1 }]),
  declareOp({
    name: 'frac',
    op: ([x]) => frac(x),
    samples: [{ name: '[3, 4]', inputs: [offSteps], args: {} }],
    dtypes: { float32: 'float32', float64: 'float64' },
    // Its gradient is the incoming one: exact second derivatives.
    supportsGradGrad: true,
  }),
];
