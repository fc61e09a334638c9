// Declarations of lib/ops/dropout.ts's ops for the op harness (test/helpers/opinfo.ts). Each
// call draws its mask from a freshly seeded generator, so every run of the op is the same
// function of its input.
import { Generator, nn } from '../../../lib/index.js';
import { declareOp } from '../../helpers/opinfo.js';

const F = nn.functional;

export const dropoutOps = [
  declareOp({
    name: 'dropout',
    op: ([x]) => F.dropout(x, 0.4, { generator: new Generator().manualSeed(8) }),
    samples: [
      { name: '[3, 4]', inputs: [{ shape: [3, 4] }], args: {} },
      { name: '[4, 37]', inputs: [{ shape: [4, 37] }], args: {}, large: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // float32 rounds the scale 1 / (1 - p), then the product: two roundings (the same mask).
    tolerances: { float64Values: 1.2e-7 },
    // Under createGraph the backward multiplies by the mask as a recorded op.
    supportsGradGrad: true,
  }),
  // Channel-wise: batched and unbatched inputs of each.
  ...(
    [
      ['dropout1d', F.dropout1d, [3, 4, 5], [4, 5]],
      ['dropout2d', F.dropout2d, [3, 4, 2, 2], [4, 2, 3]],
      ['dropout3d', F.dropout3d, [2, 4, 2, 2, 2], [4, 2, 1, 3]],
    ] as const
  ).map(([name, fn, batched, unbatched]) =>
    declareOp({
      name,
      op: ([x]) => fn(x, 0.4, { generator: new Generator().manualSeed(8) }),
      samples: [
        { name: `[${batched}]`, inputs: [{ shape: [...batched] }], args: {} },
        { name: `[${unbatched}] (unbatched)`, inputs: [{ shape: [...unbatched] }], args: {} },
      ],
      dtypes: { float32: 'float32', float64: 'float64' },
      // float32 rounds the scale 1 / (1 - p), then the product: two roundings (the same mask).
      tolerances: { float64Values: 1.2e-7 },
      // Under createGraph the mask is multiplied in as a recorded op.
      supportsGradGrad: true,
    }),
  ),
];
