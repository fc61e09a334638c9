// Declarations of lib/ops/compare.ts's ops for the op harness (test/helpers/opinfo.ts).
import { eq, ge, gt, le, lt, ne, type Tensor } from '../../../lib/index.js';
import { isfinite, isinf, isnan, logicalAnd, logicalNot, logicalOr, logicalXor } from '../../../lib/ops/compare.js';
import { tensorOpsGoldens } from '../../helpers/fixtures.js';
import { declareOp } from '../../helpers/opinfo.js';

// Values with ties, so every comparison has both outcomes.
const ints = (shape: number[], n: number, k: number) => ({
  shape,
  values: Array.from({ length: n }, (_, i) => ((i * k) % 5) - 2),
});

const comparisons = (['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).map((name) => {
  const fn: (a: Tensor, b: Tensor) => Tensor = { eq, ne, lt, le, gt, ge }[name];
  return declareOp({
    name,
    op: ([a, b]) => fn(a, b),
    samples: [
      { name: '[3, 4] and [4]', inputs: [ints([3, 4], 12, 7), ints([4], 4, 3)], args: {} },
      { name: '[4, 37] and [37]', inputs: [ints([4, 37], 148, 7), ints([37], 37, 3)], args: {}, large: true },
    ],
    dtypes: { float32: 'bool', float64: 'bool', int32: 'bool' },
    supportsAutograd: false,
    supportsGradGrad: false,
    fixtures: tensorOpsGoldens(name),
  });
});

// Truthiness is "nonzero": the tie-heavy integer values hold zeros and nonzeros of both signs.
const logicalBinary = (['logicalAnd', 'logicalOr', 'logicalXor'] as const).map((name) => {
  const fn: (a: Tensor, b: Tensor) => Tensor = { logicalAnd, logicalOr, logicalXor }[name];
  return declareOp({
    name,
    op: ([a, b]) => fn(a, b),
    samples: [
      { name: '[3, 4] and [4]', inputs: [ints([3, 4], 12, 7), ints([4], 4, 3)], args: {} },
      { name: '[4, 37] and [37]', inputs: [ints([4, 37], 148, 7), ints([37], 37, 3)], args: {}, large: true },
    ],
    dtypes: { float32: 'bool', float64: 'bool', int32: 'bool' },
    supportsAutograd: false,
    supportsGradGrad: false,
  });
});

// Every class of float: zeros, finite values of both signs, NaN and both infinities.
const special = {
  shape: [3, 4],
  values: [0, -1.5, Number.NaN, 2, Number.POSITIVE_INFINITY, -0.25, Number.NEGATIVE_INFINITY, 0, 3, Number.NaN, -7, 1],
};
// int32 has no NaN or infinity: these samples are only run on floats.
const unaryBools = [
  ['logicalNot', logicalNot],
  ['isnan', isnan],
  ['isfinite', isfinite],
  ['isinf', isinf],
].map(([name, fn]) =>
  declareOp({
    name: name as string,
    op: ([x]) => (fn as (x: Tensor) => Tensor)(x),
    samples: [
      { name: '[3, 4] with NaN and infinities', inputs: [special], args: {} },
      { name: '[4, 37]', inputs: [ints([4, 37], 148, 7)], args: {}, large: true },
    ],
    dtypes: { float32: 'bool', float64: 'bool' },
    supportsAutograd: false,
    supportsGradGrad: false,
  }),
);

export const compareOps = [...comparisons, ...logicalBinary, ...unaryBools];
