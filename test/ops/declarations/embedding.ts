// Declarations of lib/ops/embedding.ts's ops for the op harness (test/helpers/opinfo.ts).
import { nn } from '../../../lib/index.js';
import { declareOp } from '../../helpers/opinfo.js';

type P = Record<string, any>;

export const embeddingOps = [
  declareOp<P>({
    name: 'embedding',
    op: ([idx, w], p) => nn.functional.embedding(idx, w, p),
    samples: [
      {
        // Repeated indices accumulate (a scatter-add).
        name: '[2, 3] indices into [4, 3], repeats',
        inputs: [{ shape: [2, 3], values: [1, 1, 3, 0, 1, 2], dtype: 'int32' }, { shape: [4, 3] }],
        args: {},
      },
      {
        name: '[2, 2] indices into [5, 4]',
        inputs: [{ shape: [2, 2], values: [4, 0, 1, 1], dtype: 'int32' }, { shape: [5, 4] }],
        args: {},
        layouts: true,
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // The backward is a scatter-add op of its own whose derivative is the lookup: recorded under createGraph.
    supportsGradGrad: true,
  }),
];
