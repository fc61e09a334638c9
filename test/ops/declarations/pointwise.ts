// Declarations of lib/ops/pointwise.ts's ops for the op harness (test/helpers/opinfo.ts).
import { clamp, maximum, minimum, pow, tensor, where } from '../../../lib/index.js';
import { tensorOpsGoldens } from '../../helpers/fixtures.js';
import { declareOp, type InputSpec } from '../../helpers/opinfo.js';

// Fixed values at least 0.1 apart (and from the clamp bounds), so no finite-difference step
// crosses a kink of maximum, minimum or clamp.
const a34: InputSpec = {
  shape: [3, 4],
  values: [0.3, 1.1, -0.7, 0.05, -1.2, 0.2, 0.6, -0.3, 0.9, -0.4, 1.5, 0.8],
};
const b4: InputSpec = { shape: [4], values: [0.5, -0.1, 0.4, 1.2] };
const cond4: InputSpec = { shape: [4], values: [true, false, true, false], dtype: 'bool' };

export const pointwiseOps = [
  declareOp<{ e: number }>({
    name: 'pow: scalar exponent',
    op: ([x], { e }) => x.pow(e),
    samples: [
      { name: '[3, 4] ^ 2.5', inputs: [{ shape: [3, 4], lo: 0.2 }], args: { e: 2.5 } },
      { name: '[3, 4] ^ 0', inputs: [{ shape: [3, 4], lo: 0.2 }], args: { e: 0 } },
      { name: '[4, 37] ^ 3', inputs: [{ shape: [4, 37] }], args: { e: 3 }, large: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('powScalar'),
  }),
  declareOp({
    name: 'pow: tensor exponent',
    op: ([a, b]) => pow(a, b),
    samples: [
      { name: '[3, 4] ^ [4]', inputs: [{ shape: [3, 4], lo: 0.3 }, { shape: [4] }], args: {} },
      {
        name: '[3, 4] ^ [1, 4]',
        inputs: [
          { shape: [3, 4], lo: 0.3 },
          { shape: [1, 4], lo: 0.3 },
        ],
        args: {},
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('pow'),
  }),
  declareOp({
    name: 'pow: scalar base',
    op: ([x]) => pow(2, x),
    samples: [{ name: '2 ^ [3, 4]', inputs: [{ shape: [3, 4] }], args: {} }],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
  declareOp<{ min: number | null; max?: number | null }>({
    name: 'clamp',
    op: ([x], { min, max }) => clamp(x, min, max),
    samples: [
      { name: '[-0.35, 0.45]', inputs: [a34], args: { min: -0.35, max: 0.45 } },
      { name: 'min only', inputs: [a34], args: { min: 0.1 } },
      { name: '[4, 37] in [-0.5, 0.5]', inputs: [{ shape: [4, 37] }], args: { min: -0.5, max: 0.5 }, large: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('clamp'),
    errorInputs: [{ name: 'no bound', call: () => clamp(tensor([1])), throws: /clamp: at least one of min and max/ }],
  }),
  declareOp({
    name: 'clamp: tensor bounds',
    op: ([x, lo, hi]) => clamp(x, lo, hi),
    samples: [
      { name: '[3, 4] in [[4], [4] + 2]', inputs: [a34, b4, { shape: [4], values: [2.5, 1.9, 2.4, 3.2] }], args: {} },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
  ...(['maximum', 'minimum'] as const).map((name) => {
    const fn = name === 'maximum' ? maximum : minimum;
    return declareOp({
      name,
      op: ([a, b]) => fn(a, b),
      samples: [
        { name: '[3, 4] and [4]', inputs: [a34, b4], args: {} },
        { name: '[3, 4] and [1, 4]', inputs: [a34, { ...b4, shape: [1, 4] }], args: {} },
      ],
      dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
      supportsGradGrad: true,
      fixtures: tensorOpsGoldens(name),
      errorInputs: [
        {
          name: 'shapes that do not broadcast',
          call: () => fn(tensor([[1, 2]]), tensor([1, 2, 3])),
          throws: new RegExp(`${name}: shapes \\[1,2\\] and \\[3\\]`),
        },
      ],
    });
  }),
  declareOp({
    name: 'where',
    op: ([c, a, b]) => where(c, a, b),
    samples: [
      { name: '[4] ? [3, 4] : [4]', inputs: [cond4, a34, b4], args: {} },
      {
        name: '[4, 37] ? [4, 37] : [4, 37]',
        inputs: [
          { shape: [4, 37], values: Array.from({ length: 148 }, (_, i) => i % 3 === 0), dtype: 'bool' },
          { shape: [4, 37] },
          { shape: [4, 37] },
        ],
        args: {},
        large: true,
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('where'),
    errorInputs: [
      {
        name: 'shapes that do not broadcast',
        call: () => where(tensor([true, false]), tensor([1, 2, 3]), 0),
        throws: /where: shapes/,
      },
      {
        // torch refuses every condition but bool (and uint8, deprecated there, taken here).
        name: 'a float32 condition',
        call: () => where(tensor([1, 0]), tensor([1, 2]), 0),
        throws: /where: condition must be a bool \(or uint8\) tensor, got float32/,
      },
      {
        name: 'an int32 condition',
        call: () => where(tensor([1, 0], { dtype: 'int32' }), tensor([1, 2]), 0),
        throws: /where: condition must be a bool \(or uint8\) tensor, got int32/,
      },
    ],
  }),
  declareOp({
    name: 'where: scalar other',
    op: ([c, a]) => where(c, a, 2),
    samples: [{ name: '[4] ? [3, 4] : 2', inputs: [cond4, a34], args: {} }],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
];
