// Declarations of lib/ops/linear.ts's ops for the op harness (test/helpers/opinfo.ts).
import { nn } from '../../../lib/index.js';
import { declareOp } from '../../helpers/opinfo.js';

export const linearOps = [
  declareOp({
    name: 'linear',
    op: ([x, w, b]) => nn.functional.linear(x, w, b),
    samples: [
      { name: '[4, 6] x [5, 6] + [5]', inputs: [{ shape: [4, 6] }, { shape: [5, 6] }, { shape: [5] }], args: {} },
      { name: '[2, 3, 4] x [2, 4], no bias', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4] }], args: {} },
      { name: '[3] x [2, 3] + [2]', inputs: [{ shape: [3] }, { shape: [2, 3] }, { shape: [2] }], args: {} },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    isa: true,
  }),
];
