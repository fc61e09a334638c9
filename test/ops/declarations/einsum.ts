// Declarations of lib/ops/einsum.ts's ops for the op harness (test/helpers/opinfo.ts).
import { einsum } from '../../../lib/index.js';
import { caseGoldens } from '../../helpers/fixtures.js';
import { declareOp } from '../../helpers/opinfo.js';

const eq = (equation: string, ...shapes: number[][]) => ({
  name: `${equation} on ${shapes.map((s) => `[${s}]`).join(', ')}`,
  inputs: shapes.map((shape) => ({ shape })),
  args: { equation },
});

export const einsumOps = [
  declareOp<{ equation: string }>({
    name: 'einsum',
    op: (xs, { equation }) => einsum(equation, ...xs),
    samples: [
      eq('ij,jk->ik', [2, 3], [3, 2]),
      eq('ii->', [3, 3]),
      eq('bii->b', [2, 3, 3]),
      eq('ii->i', [3, 3]),
      eq('iij->ji', [2, 2, 3]),
      eq('i,ij,j->', [3], [3, 3], [3]),
      eq('bi,ij,bj->b', [2, 3], [3, 3], [2, 3]),
      eq('bhqd,bhkd->bhqk', [1, 2, 2, 3], [1, 2, 3, 3]),
      eq('abcd,cdef->abef', [2, 1, 2, 2], [2, 2, 2, 1]),
      eq('...ij,...jk->...ik', [2, 1, 2, 3], [3, 3, 2]),
      // A size-1 broadcast of a contracted label.
      eq('ij,jk->ik', [2, 1], [3, 2]),
      eq('ij,kj->', [2, 3], [2, 3]),
      eq('ijj,jk->ik', [2, 3, 3], [3, 2]),
      { ...eq('ij,kj->ik', [4, 6], [5, 6]), layouts: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    isa: true,
    fixtures: caseGoldens('linalg', 'einsum'),
  }),
];
