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
    dtypes: { float32: 'float32' },
    // The backward multiplies by the mask in a TypeScript loop: its result carries no graph.
    supportsGradGrad: false,
  }),
  declareOp({
    name: 'dropout2d',
    op: ([x]) => F.dropout2d(x, 0.4, { generator: new Generator().manualSeed(8) }),
    samples: [{ name: '[3, 4, 2, 2]', inputs: [{ shape: [3, 4, 2, 2] }], args: {} }],
    dtypes: { float32: 'float32' },
    // The mask is multiplied in by the native kernel, unrecorded.
    supportsGradGrad: false,
  }),
];
