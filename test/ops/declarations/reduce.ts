// Declarations of lib/ops/reduce.ts's ops for the op harness (test/helpers/opinfo.ts).
import { arange, tensor, zeros } from '../../../lib/index.js';
import { tensorOpsGoldens } from '../../helpers/fixtures.js';
import { declareOp, type Sample } from '../../helpers/opinfo.js';

type P = Record<string, any>;

/** Samples of a reduction: over one dim, several dims with keepdim, all dims; and a large one. */
function reductionSamples(dims: P[]): Sample<P>[] {
  return [
    ...dims.map((args) => ({ name: `[3, 4, 2] ${JSON.stringify(args)}`, inputs: [{ shape: [3, 4, 2] }], args })),
    // Rows of 37 (a ragged SIMD tail) reduced by the native kernel.
    { name: '[4, 37] dim 1', inputs: [{ shape: [4, 37] }], args: { dim: 1 }, large: true },
    { name: '[4, 37] dim 0', inputs: [{ shape: [4, 37] }], args: { dim: 0 }, large: true },
  ];
}

const dimsAndAll: P[] = [{}, { dim: 1 }, { dim: [0, 2], keepdim: true }, { dim: -1, keepdim: true }];

export const reduceOps = [
  declareOp<P>({
    name: 'sum',
    op: ([x], p) => x.sum(p.dim, p.keepdim),
    samples: reductionSamples(dimsAndAll),
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    isa: true,
    fixtures: tensorOpsGoldens('sum'),
    // The native reduction sums a strided input in another order than a contiguous one.
    tolerances: { stridedViews: 1e-6 },
    errorInputs: [
      {
        name: 'a dim out of range',
        call: () => arange(4).float().sum(2),
        throws: /sum: dim 2 is out of range for a tensor of 1 dims/,
      },
      { name: 'a repeated dim', call: () => arange(4).float().sum([0, 0]), throws: /sum: dim \[0,0\] repeats a dim/ },
    ],
  }),
  declareOp<P>({
    name: 'mean',
    op: ([x], p) => x.mean(p.dim, p.keepdim),
    samples: reductionSamples(dimsAndAll),
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    isa: true,
    fixtures: tensorOpsGoldens('mean'),
    tolerances: { stridedViews: 1e-6 },
    errorInputs: [
      {
        name: 'an int32 input',
        call: () => tensor([1, 2], { dtype: 'int32' }).mean(),
        throws: /mean: input dtype must be floating point, got int32/,
      },
    ],
  }),
  declareOp<P>({
    name: 'prod',
    op: ([x], p) => x.prod(p.dim, p.keepdim),
    bfloat16: 'refused', // PyTorch 1.13 has no bfloat16 CPU prod
    samples: [
      { name: '[3, 4, 2] dim 1', inputs: [{ shape: [3, 4, 2] }], args: { dim: 1 } },
      { name: '[3, 2] all', inputs: [{ shape: [3, 2] }], args: {} },
      {
        name: '[2, 3] with zeros, dim 1',
        inputs: [{ shape: [2, 3], values: [2, 0, 3, 0, 0, 5] }],
        args: { dim: 1 },
      },
      {
        name: '[2, 2, 2] with zeros, all',
        inputs: [{ shape: [2, 2, 2], values: [2, 0, 3, -1, 0.5, 4, 1.5, 2] }],
        args: {},
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('prod'),
    // The native reduction multiplies a strided input in another order than a contiguous one.
    tolerances: { stridedViews: 1e-6 },
  }),
  ...(['amax', 'amin'] as const).map((name) =>
    declareOp<P>({
      name,
      op: ([x], p) => x[name](p.dim, p.keepdim),
      samples: reductionSamples([{ dim: [0, 2] }, { dim: 1, keepdim: true }, {}]),
      dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
      supportsGradGrad: true,
      isa: true,
      fixtures: tensorOpsGoldens(name),
      errorInputs: [
        {
          name: 'a zero-size dim',
          call: () => zeros([2, 0])[name](1),
          throws: new RegExp(`${name}: cannot reduce over a zero-size dim of shape \\[2,0\\]`),
        },
      ],
    }),
  ),
  ...(['max', 'min'] as const).map((name) =>
    declareOp<P>({
      name: `${name}: along a dim`,
      op: ([x], p) => {
        const r = x[name](p.dim, p.keepdim);
        return [r.values, r.indices];
      },
      samples: reductionSamples([{ dim: 1 }, { dim: -1, keepdim: true }]),
      dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
      supportsGradGrad: true,
      fixtures: tensorOpsGoldens(`${name}Dim`),
    }),
  ),
  declareOp({
    name: 'max: all',
    op: ([x]) => x.max(),
    samples: [{ name: '[3, 4, 2]', inputs: [{ shape: [3, 4, 2] }], args: {} }],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('max'),
    errorInputs: [
      { name: 'an empty tensor', call: () => zeros([0]).max(), throws: /max: expected a non-empty tensor/ },
    ],
  }),
  ...(['argmax', 'argmin'] as const).map((name) =>
    declareOp<P>({
      name,
      op: ([x], p) => x[name](p.dim, p.keepdim),
      samples: reductionSamples([{ dim: 2 }, { dim: 1, keepdim: true }, {}]),
      dtypes: { float32: 'int32', float64: 'int32', int32: 'int32' },
      supportsAutograd: false,
      supportsGradGrad: false,
      fixtures: tensorOpsGoldens(name),
      errorInputs: [
        {
          name: 'a zero-size dim',
          call: () => zeros([2, 0])[name](1),
          throws: new RegExp(`${name}: cannot reduce over dim 1 of size 0`),
        },
      ],
    }),
  ),
  // Truthiness is "nonzero": integer values with zeros, so both answers occur along each dim.
  ...(['all', 'any'] as const).map((name) =>
    declareOp<P>({
      name,
      op: ([x], p) => x[name](p.dim, p.keepdim),
      samples: [{}, { dim: 1 }, { dim: [0, 2], keepdim: true }].map((args) => ({
        name: `[3, 4, 2] ${JSON.stringify(args)}`,
        inputs: [{ shape: [3, 4, 2], values: Array.from({ length: 24 }, (_, i) => (i % 7 < 2 ? 0 : (i % 3) - 1.5)) }],
        args,
      })),
      dtypes: { float32: 'bool', float64: 'bool', int32: 'bool' },
      supportsAutograd: false,
      supportsGradGrad: false,
    }),
  ),
];
