// Declarations of lib/ops/bilinear.ts's ops for the op harness (test/helpers/opinfo.ts).
import { nn } from '../../../lib/index.js';
import { declareOp } from '../../helpers/opinfo.js';

export const bilinearOps = [
  declareOp({
    name: 'bilinear',
    op: ([a, b, w, bias]) => nn.functional.bilinear(a, b, w, bias),
    samples: [
      {
        name: '[4, 3], [4, 2], [5, 3, 2] + [5]',
        inputs: [{ shape: [4, 3] }, { shape: [4, 2] }, { shape: [5, 3, 2] }, { shape: [5] }],
        args: {},
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
];
