// Declarations of lib/ops/join.ts's ops for the op harness (test/helpers/opinfo.ts).
import { cat, chunk, split, stack, tensor, unbind } from '../../../lib/index.js';
import { tensorOpsGoldens } from '../../helpers/fixtures.js';
import { declareOp } from '../../helpers/opinfo.js';

type P = Record<string, any>;
const float = { float32: 'float32', float64: 'float64', int32: 'int32' } as const;

export const joinOps = [
  declareOp<P>({
    name: 'cat',
    op: (xs, p) => cat(xs, p.dim),
    samples: [
      { name: '[3, 5] and [2, 5] along 0', inputs: [{ shape: [3, 5] }, { shape: [2, 5] }], args: { dim: 0 } },
      { name: 'three along 1', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }, { shape: [2, 1] }], args: { dim: 1 } },
    ],
    dtypes: float,
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('cat'),
    errorInputs: [
      {
        name: 'sizes that differ outside the dim',
        call: () =>
          cat([
            tensor([
              [1, 2],
              [3, 4],
            ]),
            tensor([[1, 2, 3]]),
          ]),
        throws:
          /cat: sizes of tensors must match except in dim 0: tensor 0 has shape \[2,2\], tensor 1 has shape \[1,3\]/,
      },
      { name: 'no tensors', call: () => cat([]), throws: /non-empty/ },
    ],
  }),
  declareOp<P>({
    name: 'stack',
    op: (xs, p) => stack(xs, p.dim),
    samples: [{ name: 'two [2, 3] along 1', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }], args: { dim: 1 } }],
    dtypes: float,
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('stack'),
    errorInputs: [
      {
        name: 'tensors of different sizes',
        call: () =>
          stack([
            tensor([
              [1, 2],
              [3, 4],
            ]),
            tensor([[5, 6]]),
          ]),
        throws: /stack: expects each tensor to be equal size/,
      },
    ],
  }),
  declareOp<P>({
    name: 'split',
    op: ([x], p) => split(x, p.sizes, p.dim)[p.part],
    samples: [
      {
        name: '[2, 3] into [1, 2] along 1, part 1',
        inputs: [{ shape: [2, 3] }],
        args: { sizes: [1, 2], dim: 1, part: 1 },
      },
    ],
    dtypes: float,
    supportsGradGrad: true,
    errorInputs: [
      {
        name: 'sizes that do not sum to the dim',
        call: () => split(tensor([0, 1, 2, 3, 4, 5, 6]), [2, 2]),
        throws: /split: sizes \[2,2\] sum to 4, but dim 0 has size 7/,
      },
    ],
  }),
  declareOp<P>({
    name: 'flip',
    op: ([x], p) => x.flip(p.dims),
    samples: [
      { name: '[2, 3] dims [0, 1]', inputs: [{ shape: [2, 3] }], args: { dims: [0, 1] } },
      { name: '[3, 5] dims [0, 1]', inputs: [{ shape: [3, 5] }], args: { dims: [0, 1] }, layouts: true },
    ],
    dtypes: float,
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('flip'),
  }),
  declareOp<P>({
    name: 'repeat',
    op: ([x], p) => x.repeat(p.sizes),
    samples: [
      { name: '[2, 3] x [2, 1, 2]', inputs: [{ shape: [2, 3] }], args: { sizes: [2, 1, 2] } },
      { name: '[3, 5] x [2, 1]', inputs: [{ shape: [3, 5] }], args: { sizes: [2, 1] }, layouts: true },
    ],
    dtypes: float,
    supportsGradGrad: true,
    fixtures: tensorOpsGoldens('repeat'),
  }),
  declareOp<P>({
    name: 'chunk',
    op: ([x], p) => chunk(x, p.chunks, p.dim)[p.part],
    samples: [
      { name: '[5, 3] into 3 along 0, part 2', inputs: [{ shape: [5, 3] }], args: { chunks: 3, dim: 0, part: 2 } },
      { name: '[2, 7] into 2 along 1, part 0', inputs: [{ shape: [2, 7] }], args: { chunks: 2, dim: 1, part: 0 } },
    ],
    dtypes: float,
    supportsGradGrad: true,
  }),
  declareOp<P>({
    name: 'unbind',
    op: ([x], p) => unbind(x, p.dim)[p.part],
    samples: [
      { name: '[3, 4] along 0, part 1', inputs: [{ shape: [3, 4] }], args: { dim: 0, part: 1 } },
      { name: '[2, 3, 4] along -1, part 3', inputs: [{ shape: [2, 3, 4] }], args: { dim: -1, part: 3 } },
    ],
    dtypes: float,
    supportsGradGrad: true,
  }),
];
