// Declarations of lib/ops/matmul.ts's ops for the op harness (test/helpers/opinfo.ts).
import { bmm, dot, matmul, mm, mv, outer, type Tensor } from '../../../lib/index.js';
import { caseGoldens } from '../../helpers/fixtures.js';
import { declareOp } from '../../helpers/opinfo.js';

const pair = (a: number[], b: number[], large = false, layouts = false) => ({
  name: `[${a}] x [${b}]`,
  inputs: [{ shape: a }, { shape: b }],
  args: {},
  large,
  layouts,
});

function product(name: string, fn: (a: Tensor, b: Tensor) => Tensor, samples: ReturnType<typeof pair>[]) {
  return declareOp({
    name,
    op: ([a, b]) => fn(a, b),
    samples,
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    isa: true,
    fixtures: caseGoldens('linalg', 'matmul', undefined, (c) => c.args.op === name),
  });
}

export const matmulOps = [
  product('matmul', matmul, [
    pair([3], [3]),
    pair([2, 3], [3]),
    pair([3], [3, 2]),
    pair([2, 3], [3, 4]),
    pair([4, 6], [6, 5], false, true),
    pair([2, 4, 6], [6, 5], false, true),
    pair([2, 2, 3], [3, 2]),
    pair([2, 1, 2, 3], [3, 3, 2]),
    pair([2, 3], [2, 3, 2]),
    pair([3], [2, 3, 2]),
    // Past one GEMM tile in every dim.
    pair([2, 19, 37], [37, 21], true),
  ]),
  product('mm', mm, [pair([3, 4], [4, 2])]),
  product('bmm', bmm, [pair([2, 3, 4], [2, 4, 2])]),
  product('mv', mv, [pair([3, 4], [4])]),
  product('dot', dot, [pair([5], [5])]),
  product('outer', outer, [pair([3], [4])]),
];
