// Declarations of lib/ops/indexing.ts's ops for the op harness (test/helpers/opinfo.ts).
import { gather, indexSelect, maskedFill, nonzero, oneHot, scatter, scatterAdd } from '../../../lib/index.js';
import { caseGoldens } from '../../helpers/fixtures.js';
import { declareOp, type InputSpec } from '../../helpers/opinfo.js';

type P = Record<string, any>;
const linalgCases = (op: string, keep: (a: P) => boolean = () => true) =>
  caseGoldens<P>('linalg', 'indexing', undefined, (c) => c.args.op === op && keep(c.args));
const index = (shape: number[], values: number[]): InputSpec => ({ shape, values, dtype: 'int32' });

// Indices with repeats (gather, scatterAdd) and without (scatter, whose result with repeated
// targets depends on the order of the writes, as in torch).
const idx23 = index([2, 3], [0, 2, 1, 2, 2, 0]);
const distinct23 = index([2, 3], [0, 2, 1, 2, 1, 0]);

export const indexingOps = [
  declareOp<P>({
    name: 'gather',
    op: ([x, i], p) => gather(x, p.dim, i),
    samples: [
      { name: '[3, 3] dim 0', inputs: [{ shape: [3, 3] }, idx23], args: { dim: 0 } },
      { name: '[2, 4] dim 1', inputs: [{ shape: [2, 4] }, idx23], args: { dim: 1 } },
      {
        name: '[3, 5] dim 0, a row',
        inputs: [{ shape: [3, 5] }, index([1, 5], [2, 0, 1, 1, 0])],
        args: { dim: 0 },
        layouts: true,
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: linalgCases('gather'),
  }),
  declareOp<P>({
    name: 'scatter: tensor source',
    op: ([x, i, s], p) => scatter(x, p.dim, i, s),
    samples: [
      { name: '[3, 3] dim 0', inputs: [{ shape: [3, 3] }, distinct23, { shape: [2, 3] }], args: { dim: 0 } },
      {
        name: '[2, 4] dim 1, a larger source',
        inputs: [{ shape: [2, 4] }, distinct23, { shape: [2, 5] }],
        args: { dim: 1 },
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: linalgCases('scatter', (a) => a.value === undefined),
  }),
  declareOp<P>({
    name: 'scatter: value',
    op: ([x, i], p) => scatter(x, p.dim, i, p.value),
    samples: [{ name: '[3, 3] dim 0, 0.5', inputs: [{ shape: [3, 3] }, idx23], args: { dim: 0, value: 0.5 } }],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    fixtures: linalgCases('scatter', (a) => a.value !== undefined),
  }),
  declareOp<P>({
    name: 'scatterAdd',
    op: ([x, i, s], p) => scatterAdd(x, p.dim, i, s),
    samples: [{ name: '[3, 3] dim 0', inputs: [{ shape: [3, 3] }, idx23, { shape: [2, 3] }], args: { dim: 0 } }],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: linalgCases('scatterAdd'),
  }),
  declareOp<P>({
    name: 'indexSelect',
    op: ([x, i], p) => indexSelect(x, p.dim, i),
    samples: [
      { name: '[2, 3, 2] dim 1', inputs: [{ shape: [2, 3, 2] }, index([3], [2, 0, 2])], args: { dim: 1 } },
      { name: '[3, 5] dim 0', inputs: [{ shape: [3, 5] }, index([3], [2, 0, 1])], args: { dim: 0 }, layouts: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: linalgCases('indexSelect'),
  }),
  declareOp<P>({
    name: 'maskedFill',
    op: ([x, mask], p) => maskedFill(x, mask, p.value),
    samples: [
      {
        name: '[2, 3] with 7',
        inputs: [{ shape: [2, 3] }, { shape: [2, 3], values: [true, false, false, false, false, true], dtype: 'bool' }],
        args: { value: 7 },
      },
      {
        name: '[3, 5] broadcast mask',
        inputs: [{ shape: [3, 5] }, { shape: [5], values: [true, false, true, true, false], dtype: 'bool' }],
        args: { value: 0 },
        layouts: true,
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: linalgCases('maskedFill'),
  }),
  declareOp<P>({
    name: 'nonzero',
    op: ([x]) => nonzero(x),
    samples: [{ name: '[2, 3]', inputs: [{ shape: [2, 3], values: [0, 1.5, 0, -2, 0, 3] }], args: {} }],
    dtypes: { float32: 'int32', float64: 'int32', int32: 'int32' },
    supportsAutograd: false,
    supportsGradGrad: false,
    fixtures: linalgCases('nonzero'),
  }),
  declareOp<P>({
    name: 'oneHot',
    op: ([i], p) => oneHot(i, p.numClasses),
    samples: [{ name: '[2, 2] of 5 classes', inputs: [index([2, 2], [4, 0, 1, 4])], args: { numClasses: 5 } }],
    dtypes: { int32: 'int32' },
    supportsAutograd: false,
    supportsGradGrad: false,
    fixtures: linalgCases('oneHot'),
  }),
];
