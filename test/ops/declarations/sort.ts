// Declarations of lib/ops/sort.ts's ops for the op harness (test/helpers/opinfo.ts).
import { argsort, sort, topk } from '../../../lib/index.js';
import { caseGoldens } from '../../helpers/fixtures.js';
import { declareOp } from '../../helpers/opinfo.js';

type P = Record<string, any>;
const linalgCases = (op: string) => caseGoldens<P>('linalg', 'indexing', undefined, (c) => c.args.op === op);

export const sortOps = [
  declareOp<P>({
    name: 'sort',
    op: ([x], p) => {
      const r = sort(x, p.dim, { descending: p.descending });
      return [r.values, r.indices];
    },
    samples: [
      { name: '[3, 5] dim 1', inputs: [{ shape: [3, 5] }], args: { dim: 1 } },
      { name: '[4, 2] dim 0 descending', inputs: [{ shape: [4, 2] }], args: { dim: 0, descending: true } },
      { name: '[4, 37] dim 1', inputs: [{ shape: [4, 37] }], args: { dim: 1 }, large: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: linalgCases('sort'),
  }),
  declareOp<P>({
    name: 'argsort',
    op: ([x], p) => argsort(x, p.dim, { descending: p.descending }),
    samples: [{ name: '[3, 5] dim 1', inputs: [{ shape: [3, 5] }], args: { dim: 1 } }],
    dtypes: { float32: 'int32', float64: 'int32', int32: 'int32' },
    supportsAutograd: false,
    supportsGradGrad: false,
    fixtures: linalgCases('argsort'),
  }),
  declareOp<P>({
    name: 'topk',
    op: ([x], p) => {
      const r = topk(x, p.k, p.dim, { largest: p.largest });
      return [r.values, r.indices];
    },
    samples: [
      { name: '[3, 5] k 2', inputs: [{ shape: [3, 5] }], args: { k: 2 } },
      { name: '[4, 3] k 2 dim 0 smallest', inputs: [{ shape: [4, 3] }], args: { k: 2, dim: 0, largest: false } },
      { name: '[4, 37] k 3 dim 1', inputs: [{ shape: [4, 37] }], args: { k: 3, dim: 1 }, large: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: linalgCases('topk'),
  }),
];
