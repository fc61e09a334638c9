// Declarations of lib/ops/normalization.ts's ops for the op harness (test/helpers/opinfo.ts).
import { nn, tensor, type Tensor } from '../../../lib/index.js';
import { declareOp, type Sample } from '../../helpers/opinfo.js';

const F = nn.functional;
type P = Record<string, any>;

/** The tensors after the input, named by `params` ('weight', 'bias'), as an options object. */
function affine(params: Tensor[], names: string[]): P {
  return Object.fromEntries(names.map((n, i) => [n, params[i]]));
}
/** Samples over an input and its affine parameters of shape `param`, with these names. */
const sample = (x: number[], param: number[], names: string[], args: P = {}): Sample<P> => ({
  name: `[${x}] with ${names.join(' and ') || 'no affine'} ${JSON.stringify(args)}`,
  inputs: [{ shape: x }, ...names.map(() => ({ shape: param }))],
  args: { ...args, names },
});
const wb = ['weight', 'bias'];

export const normalizationOps = [
  declareOp<P>({
    name: 'batchNorm',
    // The running statistics (number lists) take the input's dtype, as a module's buffers do.
    op: ([x, ...params], { names, runningMean, runningVar, ...o }) =>
      F.batchNorm(
        x,
        runningMean ? tensor(runningMean, { dtype: x.dtype }) : null,
        runningVar ? tensor(runningVar, { dtype: x.dtype }) : null,
        { ...o, ...affine(params, names) },
      ),
    samples: [
      ...[
        [4, 3],
        [2, 3, 5],
        [2, 3, 2, 2],
      ].flatMap((x) => [
        sample(x, [3], wb, { training: true }),
        sample(x, [3], ['bias'], { training: true }),
        sample(x, [3], wb, {
          training: false,
          runningMean: [0.3, -0.2, 0.1],
          runningVar: [0.9, 1.4, 0.6],
        }),
      ]),
      { ...sample([4, 3, 5], [3], wb, { training: true }), layouts: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // float32's kernel rounds the statistics, the inverse square root and the products. In
    // bfloat16 the running statistics are bfloat16 (0.3 is 0.30078125): an ulp or two off.
    tolerances: { float64Values: 1e-5, bfloat16Values: 2 ** -7 },
    // Under createGraph the backward is the normalisation's composite, recorded.
    supportsGradGrad: true,
  }),
  declareOp<P>({
    name: 'layerNorm',
    op: ([x, ...params], { names, normalizedShape }) => F.layerNorm(x, normalizedShape, affine(params, names)),
    samples: [
      sample([3, 4], [4], wb, { normalizedShape: [4] }),
      sample([3, 4], [4], ['weight'], { normalizedShape: [4] }),
      sample([2, 3, 2], [3, 2], wb, { normalizedShape: [3, 2] }),
      sample([2, 3, 2], [3, 2], ['bias'], { normalizedShape: [3, 2] }),
      { ...sample([4, 3, 5], [5], wb, { normalizedShape: [5] }), layouts: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // float32's kernel rounds the statistics, the inverse square root and the products.
    tolerances: { float64Values: 1e-5 },
    supportsGradGrad: true,
  }),
  declareOp<P>({
    name: 'groupNorm',
    op: ([x, ...params], { names, groups }) => F.groupNorm(x, groups, affine(params, names)),
    samples: [
      ...(
        [
          [[2, 4, 3], 2],
          [[2, 6], 3],
          [[1, 4, 2, 2], 1],
          [[2, 4, 3], 4],
        ] as [number[], number][]
      ).flatMap(([x, groups]) => [sample(x, [x[1]], wb, { groups }), sample(x, [x[1]], [], { groups })]),
      { ...sample([4, 6, 5], [6], wb, { groups: 3 }), layouts: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // float32's kernel rounds the statistics, the inverse square root and the products.
    tolerances: { float64Values: 1e-5 },
    supportsGradGrad: true,
    errorInputs: [
      {
        name: 'channels not divisible by numGroups',
        call: () => F.groupNorm(tensor(new Float32Array(36)).reshape(2, 6, 3), 4),
        throws: /groupNorm: expected the 6 channels of input \[2,6,3\] to be divisible by numGroups 4/,
      },
      {
        name: 'an input without a channel dim',
        call: () => F.groupNorm(tensor(new Float32Array(6)), 2),
        throws: /groupNorm: input must have shape \[N, C, \*\], got \[6\]/,
      },
      {
        name: 'a weight of the wrong size',
        call: () => F.groupNorm(tensor(new Float32Array(12)).reshape(2, 6), 2, { weight: tensor(new Float32Array(4)) }),
        throws: /groupNorm: weight of shape \[4\] does not match the 6 channels of input \[2,6\]/,
      },
    ],
  }),
];
