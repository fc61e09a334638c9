// Declarations of lib/ops/reduce_stats.ts's ops for the op harness (test/helpers/opinfo.ts).
import { tensor } from '../../../lib/index.js';
import { tensorOpsGoldens } from '../../helpers/fixtures.js';
import { declareOp, type Sample } from '../../helpers/opinfo.js';

type P = Record<string, any>;

function samples(args: P[], large: P = { dim: 1 }): Sample<P>[] {
  return [
    ...args.map((a) => ({ name: `[3, 4, 2] ${JSON.stringify(a)}`, inputs: [{ shape: [3, 4, 2] }], args: a })),
    { name: `[4, 37] ${JSON.stringify(large)}`, inputs: [{ shape: [4, 37] }], args: large, large: true },
  ];
}

export const reduceStatsOps = [
  ...(['var', 'std'] as const).map((name) =>
    declareOp<P>({
      name,
      op: ([x], p) => x[name](p.dim, { correction: p.correction, keepdim: p.keepdim }),
      samples: samples([{ dim: 1 }, { correction: 0 }, { dim: [0, 2], keepdim: true }]),
      dtypes: { float32: 'float32', float64: 'float64' },
      supportsGradGrad: true,
      fixtures: tensorOpsGoldens(name),
      tolerances: { stridedViews: 1e-6, float64Values: 1e-6 },
      // std's message names var (it is var's check): only var's is declared.
      errorInputs:
        name === 'var'
          ? [
              {
                name: 'an int32 input',
                call: () => tensor([1], { dtype: 'int32' }).var(),
                throws: /var: input dtype must be float32/,
              },
            ]
          : [],
    }),
  ),
  declareOp<P>({
    name: 'norm',
    op: ([x], p) => x.norm(p.p === 'inf' ? Infinity : p.p, p.dim, p.keepdim),
    samples: samples([{ p: 2 }, { p: 1, dim: 1 }, { p: 'inf', dim: 2 }, { p: 3, dim: [0, 1], keepdim: true }], {
      p: 2,
    }),
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('norm'),
    tolerances: { float64Values: 1e-6 },
  }),
  declareOp<P>({
    name: 'logsumexp',
    op: ([x], p) => x.logsumexp(p.dim, p.keepdim),
    samples: samples([{ dim: 1 }, { dim: [0, 2] }, { dim: -1, keepdim: true }]),
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('logsumexp'),
    tolerances: { float64Values: 1e-6 },
  }),
  declareOp<P>({
    name: 'cumsum',
    op: ([x], p) => x.cumsum(p.dim),
    samples: samples([{ dim: 1 }, { dim: -1 }]),
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('cumsum'),
  }),
];
