// Declarations of lib/ops/compare.ts's ops for the op harness (test/helpers/opinfo.ts).
import { eq, ge, gt, le, lt, ne, type Tensor } from '../../../lib/index.js';
import { tensorOpsGoldens } from '../../helpers/fixtures.js';
import { declareOp } from '../../helpers/opinfo.js';

// Values with ties, so every comparison has both outcomes.
const ints = (shape: number[], n: number, k: number) => ({
  shape,
  values: Array.from({ length: n }, (_, i) => ((i * k) % 5) - 2),
});

export const compareOps = (['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).map((name) => {
  const fn: (a: Tensor, b: Tensor) => Tensor = { eq, ne, lt, le, gt, ge }[name];
  return declareOp({
    name,
    op: ([a, b]) => fn(a, b),
    samples: [
      { name: '[3, 4] and [4]', inputs: [ints([3, 4], 12, 7), ints([4], 4, 3)], args: {} },
      { name: '[4, 37] and [37]', inputs: [ints([4, 37], 148, 7), ints([37], 37, 3)], args: {}, large: true },
    ],
    dtypes: { float32: 'bool', int32: 'bool' },
    supportsAutograd: false,
    supportsGradGrad: false,
    fixtures: tensorOpsGoldens(name),
  });
});
