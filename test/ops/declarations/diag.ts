// Declarations of lib/ops/diag.ts's ops for the op harness (test/helpers/opinfo.ts). Their
// backwards are written with the same (recorded) ops: second derivatives are exact.
import { diag, diagEmbed, diagonal, trace, tril, triu } from '../../../lib/ops/diag.js';
import { declareOp, type Sample } from '../../helpers/opinfo.js';

type P = Record<string, any>;
const on = (shape: number[], args: P = {}): Sample<P> => ({
  name: `[${shape}] ${JSON.stringify(args)}`,
  inputs: [{ shape }],
  args,
});
// Views, embeddings into zeros, a sum of a view and masked copies: float64 too.
const withFloat64 = { float32: 'float32', float64: 'float64' } as const;

export const diagOps = [
  declareOp<P>({
    name: 'diagonal',
    op: ([x], p) => diagonal(x, p.offset, p.dim1, p.dim2),
    samples: [on([3, 4], { offset: 1 }), on([2, 3, 4], { offset: -1, dim1: 2, dim2: 0 })],
    dtypes: withFloat64,
    supportsGradGrad: true,
  }),
  declareOp<P>({
    name: 'diagEmbed',
    op: ([x], p) => diagEmbed(x, p.offset, p.dim1, p.dim2),
    samples: [on([2, 3], { offset: 1 }), on([3], { offset: -2 })],
    dtypes: withFloat64,
    supportsGradGrad: true,
  }),
  declareOp<P>({
    name: 'diag',
    op: ([x], p) => diag(x, p.k),
    samples: [on([3], { k: 1 }), on([3, 4], { k: -1 })],
    dtypes: withFloat64,
    supportsGradGrad: true,
  }),
  declareOp({
    name: 'trace',
    op: ([x]) => trace(x),
    bfloat16: 'refused', // PyTorch 1.13 has no bfloat16 CPU trace
    samples: [on([3, 4])],
    dtypes: withFloat64,
    supportsGradGrad: true,
  }),
  ...(
    [
      ['tril', tril],
      ['triu', triu],
    ] as const
  ).map(([name, fn]) =>
    declareOp<P>({
      name,
      op: ([x], p) => fn(x, p.k),
      samples: [on([3, 4], { k: 0 }), on([2, 3, 4], { k: -1 }), on([4, 3], { k: 2 })],
      dtypes: withFloat64,
      supportsGradGrad: true,
    }),
  ),
];
