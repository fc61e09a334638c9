// Declarations of lib/ops/fold.ts's ops for the op harness (test/helpers/opinfo.ts): F.unfold
// (im2col) and F.fold (col2im), each the other's gradient, and Tensor.unfold (windows as a view).
import { fold, unfold, unfoldDim } from '../../../lib/ops/fold.js';
import { declareOp } from '../../helpers/opinfo.js';

type P = Record<string, any>;

export const foldOps = [
  declareOp<P>({
    name: 'unfold',
    op: ([x], { kernelSize, ...o }) => unfold(x, kernelSize, o),
    samples: [
      { name: '[1, 2, 4, 5] 2x3', inputs: [{ shape: [1, 2, 4, 5] }], args: { kernelSize: [2, 3] } },
      {
        name: '[2, 1, 5, 5] 3, padding 1, stride 2, dilation [1, 2]',
        inputs: [{ shape: [2, 1, 5, 5] }],
        args: { kernelSize: 3, padding: 1, stride: 2, dilation: [1, 2] },
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
  declareOp<P>({
    name: 'fold',
    op: ([x], { outputSize, kernelSize, ...o }) => fold(x, outputSize, kernelSize, o),
    samples: [
      // 2 channels x 2x2 kernel = 8 rows, 3x3 = 9 blocks of a 4x4 image (overlapping: summed)
      { name: '[1, 8, 9] to 4x4, 2x2', inputs: [{ shape: [1, 8, 9] }], args: { outputSize: 4, kernelSize: 2 } },
      {
        name: '[2, 4, 4] to 3x3, 2x2, padding 1, stride 2',
        inputs: [{ shape: [2, 4, 4] }],
        args: { outputSize: [3, 3], kernelSize: 2, padding: 1, stride: 2 },
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
  declareOp<P>({
    name: 'unfoldDim',
    op: ([x], p) => unfoldDim(x, p.dim, p.size, p.step),
    samples: [
      { name: '[2, 7] windows of 3 step 2 along 1', inputs: [{ shape: [2, 7] }], args: { dim: 1, size: 3, step: 2 } },
      { name: '[5, 2] windows of 2 step 1 along 0', inputs: [{ shape: [5, 2] }], args: { dim: 0, size: 2, step: 1 } },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
];
