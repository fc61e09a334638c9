// Declarations of lib/ops/interpolate.ts's ops for the op harness (test/helpers/opinfo.ts).
import { interpolate } from '../../../lib/index.js';
import { cnnLayerGoldens, cnnLayerGradOnlySamples } from '../../helpers/fixtures.js';
import { declareOp, type Sample } from '../../helpers/opinfo.js';

type P = Record<string, any>;
const on = (name: string, shape: number[], args: P): Sample<P> => ({ name, inputs: [{ shape }], args });

export const interpolateOps = [
  declareOp<P>({
    name: 'interpolate',
    op: ([x], p) => interpolate(x, p),
    samples: [
      on('bilinear up', [1, 2, 3, 4], { scaleFactor: [1.5, 2], mode: 'bilinear' }),
      on('bilinear down align', [2, 1, 5, 4], { size: [3, 2], mode: 'bilinear', alignCorners: true }),
      on('bilinear up align', [1, 1, 3, 2], { size: [4, 5], mode: 'bilinear', alignCorners: true }),
      { ...on('bilinear [2, 3, 4, 5] to [7, 3]', [2, 3, 4, 5], { size: [7, 3], mode: 'bilinear' }), layouts: true },
      on('linear', [1, 2, 5], { size: 8, mode: 'linear' }),
      on('linear align down', [1, 2, 7], { size: 3, mode: 'linear', alignCorners: true }),
      on('nearest up', [1, 2, 3, 3], { scaleFactor: 2 }),
      on('nearest down', [1, 1, 5, 6], { size: [2, 4] }),
      { ...on('nearest [2, 3, 5] x2', [2, 3, 5], { scaleFactor: 2 }), layouts: true },
      on('nearest-exact 1d', [2, 1, 5], { size: 3, mode: 'nearest-exact' }),
      ...cnnLayerGradOnlySamples(),
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // The linear modes' float32 weights come from float positions (torch's float opmath; the
    // scale's rounding grows with the output index), float64's from double ones: a weight moves
    // by up to ~1e-7 times a spread of inputs up to 12 here, so the two differ by ~1e-6.
    tolerances: { float64Values: 1e-5 },
    // The backward is the resampling kernel's adjoint as an op of its own: recorded under createGraph.
    supportsGradGrad: true,
    threads: true,
    fixtures: cnnLayerGoldens('interpolate'),
  }),
];
