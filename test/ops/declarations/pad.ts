// Declarations of lib/ops/pad.ts's ops for the op harness (test/helpers/opinfo.ts).
import { pad } from '../../../lib/index.js';
import { cnnLayerGoldens } from '../../helpers/fixtures.js';
import { declareOp, type Sample } from '../../helpers/opinfo.js';

type P = Record<string, any>;
const on = (name: string, shape: number[], args: P): Sample<P> => ({ name, inputs: [{ shape }], args });

export const padOps = [
  declareOp<P>({
    name: 'pad',
    op: ([x], p) => pad(x, p.pad, p.mode, p.value),
    samples: [
      on('constant with crop', [1, 2, 3, 4], { pad: [1, -1, 2, 0], mode: 'constant' }),
      { ...on('constant 0.5', [2, 3, 4], { pad: [1, 2, 0, 1], mode: 'constant', value: 0.5 }), layouts: true },
      on('reflect 2d', [1, 1, 3, 4], { pad: [2, 1, 1, 2], mode: 'reflect' }),
      on('reflect 1d unbatched', [2, 4], { pad: [3, 2], mode: 'reflect' }),
      { ...on('reflect 1d', [2, 3, 4], { pad: [2, 1], mode: 'reflect' }), layouts: true },
      on('replicate', [1, 2, 2, 3], { pad: [2, 1, 0, 2], mode: 'replicate' }),
      on('circular', [1, 1, 3, 3], { pad: [1, 2, 2, 1], mode: 'circular' }),
      { ...on('circular 1d', [2, 3, 4], { pad: [2, 1], mode: 'circular' }), layouts: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // The backward is a gather-add op of its own whose derivative is pad: recorded under createGraph.
    supportsGradGrad: true,
    fixtures: cnnLayerGoldens('pad'),
  }),
];
