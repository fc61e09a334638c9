// Declarations of lib/ops/view.ts's ops for the op harness (test/helpers/opinfo.ts).
import type { Tensor } from '../../../lib/index.js';
import { tensorOpsGoldens } from '../../helpers/fixtures.js';
import { declareOp, type Sample } from '../../helpers/opinfo.js';

type P = Record<string, any>;

/** A view op declared from its call and samples: every dtype, exact second derivatives. */
function viewOp(name: string, op: (x: Tensor, p: P) => Tensor, samples: Sample<P>[], fixture?: string) {
  return declareOp<P>({
    name,
    op: ([x], p) => op(x, p),
    samples,
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: true,
    fixtures: fixture ? tensorOpsGoldens(fixture) : undefined,
  });
}
const on = (shape: number[], args: P = {}, name = `[${shape}] ${JSON.stringify(args)}`): Sample<P> => ({
  name,
  inputs: [{ shape }],
  args,
});

export const viewOps = [
  viewOp('reshape', (x, p) => x.reshape(p.shape), [on([2, 3], { shape: [3, 2] }), on([2, 3], { shape: [-1] })]),
  viewOp(
    'transpose, then reshape (a copy)',
    (x) => x.transpose(0, 2).reshape(4, 6),
    [on([2, 3, 4])],
    'transposeReshape',
  ),
  // Shapes a strided input can be viewed as (the rule's inputs are offset and strided views).
  viewOp('view', (x, p) => x.view(p.shape), [on([2, 3], { shape: [2, 1, 3] }), on([2, 3, 4], { shape: [6, 1, 4] })]),
  viewOp('permute', (x, p) => x.permute(p.dims), [on([2, 3, 4], { dims: [2, 0, 1] })], 'permute'),
  viewOp('transpose', (x, p) => x.transpose(p.dim0, p.dim1), [on([2, 3, 4], { dim0: 0, dim1: 2 })]),
  viewOp(
    'select',
    (x, p) => x.select(p.dim, p.index),
    [on([2, 3], { dim: 1, index: -1 }), on([3, 4], { dim: 0, index: 1 })],
    'select',
  ),
  viewOp(
    'slice',
    (x, p) => x.slice(p.dim, p.start, p.end, p.step),
    [on([2, 3], { dim: 1, start: 0, end: 3, step: 2 }), on([4, 7], { dim: 1, start: 1, end: 6, step: 2 })],
    'slice',
  ),
  viewOp(
    'narrow',
    (x, p) => x.narrow(p.dim, p.start, p.length),
    [on([2, 3], { dim: 1, start: 1, length: 2 })],
    'narrow',
  ),
  viewOp(
    'expand',
    (x, p) => x.expand(p.sizes),
    [on([2, 1], { sizes: [2, 5] }), on([3, 1], { sizes: [2, 3, 4] })],
    'expand',
  ),
  viewOp('flatten', (x, p) => x.flatten(p.start, p.end), [
    on([2, 3, 4], { start: 1 }),
    on([2, 3, 4], { start: 0, end: 1 }),
  ]),
  viewOp('unflatten', (x, p) => x.unflatten(p.dim, p.sizes), [on([2, 6], { dim: 1, sizes: [2, -1] })]),
  viewOp('squeeze', (x, p) => x.squeeze(p.dim), [on([2, 1, 3], { dim: 1 }), on([1, 3, 1], {})]),
  viewOp('unsqueeze', (x, p) => x.unsqueeze(p.dim), [on([2, 3], { dim: 1 }), on([2, 3], { dim: -1 })]),
  viewOp('mT', (x) => x.mT, [on([2, 3, 4]), on([3, 5])]),
  viewOp('T', (x) => x.T, [on([3, 5])]),
  viewOp('broadcastTo', (x, p) => x.broadcastTo(p.shape), [
    on([3, 1], { shape: [2, 3, 4] }),
    on([4], { shape: [3, 4] }),
  ]),
  viewOp('clone', (x) => x.clone(), [on([2, 3])]),
  viewOp('contiguous', (x) => x.T.contiguous(), [on([2, 3])]),
];
