// Ops on views: a tensor is a storage plus shape/strides/offset, and every op must read its
// inputs (and, in the backward, its gradient) from the view's offset and strides, not from
// index 0 of the storage. Each op runs on a contiguous view that starts at an offset and on a
// non-contiguous view, and must give the bits it gives on a fresh contiguous copy; its
// backward is driven through stack (whose backward hands out select views: at an offset for
// dim 0, strided for the last dim), and must give the bits of the plain route.
import { describe, expect, it } from 'vitest';
import {
  amax,
  cat,
  cumsum,
  einsum,
  flip,
  gather,
  indexSelect,
  logsumexp,
  manualSeed,
  matmul,
  max,
  mean,
  nn,
  norm,
  randn,
  sort,
  stack,
  std,
  sum,
  tensor,
  type Tensor,
  topk,
  where,
} from '../../lib/index.js';

const F = nn.functional;

/** Bit-exact, or within a few float32 roundings (tol) where the kernel sums in another order. */
function same(got: Tensor | null, want: Tensor | null, what: string, tol = 0): void {
  expect(got, what).not.toBeNull();
  expect(want, what).not.toBeNull();
  expect(got!.shape, what).toEqual(want!.shape);
  const g = got!.toTypedArray();
  const w = want!.toTypedArray();
  for (let i = 0; i < w.length; i++) {
    if (Object.is(g[i], w[i]) || Math.abs(g[i] - w[i]) <= tol * (1 + Math.abs(w[i]))) continue;
    throw new Error(`${what}[${i}]: got ${g[i]}, want ${w[i]}`);
  }
}

type Layout = 'offset' | 'strided';

/** A float32 view of `shape` with random values: contiguous at an offset, or non-contiguous. */
function viewOf(shape: readonly number[], layout: Layout, positive = false): Tensor {
  const values = (s: number[]) => (positive ? randn(s).abs().add(0.5) : randn(s));
  if (layout === 'offset') return values([3, ...shape]).select(0, 2);
  // Every other element of a wider last dim, starting at 1: strided and at an offset.
  const last = shape[shape.length - 1];
  return values([...shape.slice(0, -1), 2 * last + 1])
    .narrow(-1, 1, 2 * last)
    .reshape([...shape, 2])
    .select(-1, 0);
}

interface Case {
  name: string;
  shapes: number[][];
  f: (...xs: Tensor[]) => Tensor;
  /** The inputs that are differentiable (default: all). */
  grad?: boolean[];
  /** Positive inputs (log, sqrt...). */
  positive?: boolean;
  /**
   * The kernel reduces a strided input in another order than a contiguous one (the native
   * reduction's strided path), so on the strided layout the result may differ in the last bits.
   */
  stridedReorders?: boolean;
}

const idx3 = () => tensor([2, 0, 1], { dtype: 'int32' });

const cases: Case[] = [
  { name: 'relu', shapes: [[4, 37]], f: (x) => F.relu(x) },
  { name: 'sigmoid', shapes: [[4, 37]], f: (x) => F.sigmoid(x) },
  { name: 'tanh', shapes: [[4, 37]], f: (x) => x.tanh() },
  { name: 'exp', shapes: [[4, 37]], f: (x) => x.exp() },
  { name: 'log', shapes: [[4, 37]], f: (x) => x.log(), positive: true },
  { name: 'sqrt', shapes: [[4, 37]], f: (x) => x.sqrt(), positive: true },
  { name: 'gelu', shapes: [[4, 37]], f: (x) => F.gelu(x) },
  { name: 'gelu tanh', shapes: [[4, 37]], f: (x) => F.gelu(x, { approximate: 'tanh' }) },
  { name: 'silu', shapes: [[4, 37]], f: (x) => F.silu(x) },
  { name: 'softplus', shapes: [[4, 37]], f: (x) => F.softplus(x) },
  { name: 'leakyRelu', shapes: [[4, 37]], f: (x) => F.leakyRelu(x, 0.1) },
  { name: 'elu', shapes: [[4, 37]], f: (x) => F.elu(x) },
  { name: 'sine', shapes: [[4, 37]], f: (x) => F.sine(x, 3) },
  { name: 'pow', shapes: [[4, 37]], f: (x) => x.pow(3) },
  {
    name: 'add/mul',
    shapes: [
      [4, 37],
      [4, 37],
    ],
    f: (a, b) => a.mul(b).add(a),
  },
  { name: 'div broadcast', shapes: [[4, 37], [37]], f: (a, b) => a.div(b.abs().add(1)) },
  { name: 'clamp', shapes: [[4, 37]], f: (x) => x.clamp(-0.5, 0.5) },
  {
    name: 'where',
    shapes: [
      [4, 37],
      [4, 37],
    ],
    f: (a, b) => where(a.gt(0), a, b),
  },
  { name: 'softmax', shapes: [[4, 37]], f: (x) => F.softmax(x, 0) },
  { name: 'logSoftmax', shapes: [[4, 37]], f: (x) => F.logSoftmax(x, -1) },
  { name: 'logsumexp', shapes: [[4, 37]], f: (x) => logsumexp(x, 1) },
  { name: 'sum', shapes: [[4, 37]], f: (x) => sum(x, 1), stridedReorders: true },
  { name: 'mean', shapes: [[4, 37]], f: (x) => mean(x, 0) },
  { name: 'amax', shapes: [[4, 37]], f: (x) => amax(x, 1) },
  { name: 'max dim', shapes: [[4, 37]], f: (x) => max(x, 1).values },
  { name: 'std', shapes: [[4, 37]], f: (x) => std(x, 1), stridedReorders: true },
  { name: 'norm', shapes: [[4, 37]], f: (x) => norm(x).reshape([1]) },
  { name: 'cumsum', shapes: [[4, 37]], f: (x) => cumsum(x, 1) },
  { name: 'sort', shapes: [[4, 37]], f: (x) => sort(x, { dim: 1 }).values },
  { name: 'topk', shapes: [[4, 37]], f: (x) => topk(x, 3, { dim: 1 }).values },
  { name: 'gather', shapes: [[3, 5]], f: (x) => gather(x, 0, tensor([[2, 0, 1, 1, 0]], { dtype: 'int32' })) },
  { name: 'indexSelect', shapes: [[3, 5]], f: (x) => indexSelect(x, 0, idx3()) },
  { name: 'maskedFill', shapes: [[3, 5]], f: (x) => x.maskedFill(x.gt(0.5), 0) },
  { name: 'flip', shapes: [[3, 5]], f: (x) => flip(x, [0, 1]) },
  { name: 'repeat', shapes: [[3, 5]], f: (x) => x.repeat([2, 1]) },
  {
    name: 'cat',
    shapes: [
      [3, 5],
      [2, 5],
    ],
    f: (a, b) => cat([a, b], 0),
  },
  {
    name: 'matmul',
    shapes: [
      [4, 6],
      [6, 5],
    ],
    f: (a, b) => matmul(a, b),
  },
  {
    name: 'bmm broadcast',
    shapes: [
      [2, 4, 6],
      [6, 5],
    ],
    f: (a, b) => matmul(a, b),
  },
  {
    name: 'einsum',
    shapes: [
      [4, 6],
      [5, 6],
    ],
    f: (a, b) => einsum('ij,kj->ik', a, b),
  },
  { name: 'linear', shapes: [[4, 6], [5, 6], [5]], f: (x, w, b) => F.linear(x, w, b) },
  { name: 'bilinear', shapes: [[4, 3], [4, 2], [5, 3, 2], [5]], f: (a, b, w, bias) => F.bilinear(a, b, w, bias) },
  { name: 'conv1d', shapes: [[2, 3, 9], [4, 3, 3], [4]], f: (x, w, b) => F.conv1d(x, w, b, { padding: 1 }) },
  {
    name: 'conv2d',
    shapes: [[2, 3, 6, 5], [4, 3, 3, 3], [4]],
    f: (x, w, b) => F.conv2d(x, w, b, { padding: 1, stride: [2, 1] }),
  },
  {
    name: 'convTranspose2d',
    shapes: [[2, 3, 4, 5], [3, 4, 3, 3], [4]],
    f: (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2 }),
  },
  { name: 'maxPool2d', shapes: [[2, 3, 6, 6]], f: (x) => F.maxPool2d(x, 2) },
  { name: 'avgPool2d', shapes: [[2, 3, 6, 6]], f: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1 }) },
  { name: 'adaptiveAvgPool2d', shapes: [[2, 3, 7, 5]], f: (x) => F.adaptiveAvgPool2d(x, [3, 2]) },
  { name: 'adaptiveMaxPool1d', shapes: [[2, 3, 7]], f: (x) => F.adaptiveMaxPool1d(x, 3) },
  {
    name: 'interpolate bilinear',
    shapes: [[2, 3, 4, 5]],
    f: (x) => F.interpolate(x, { size: [7, 3], mode: 'bilinear' }),
  },
  { name: 'interpolate nearest', shapes: [[2, 3, 5]], f: (x) => F.interpolate(x, { scaleFactor: 2 }) },
  { name: 'pad constant', shapes: [[2, 3, 4]], f: (x) => F.pad(x, [1, 2, 0, 1], { value: 0.5 }) },
  { name: 'pad reflect', shapes: [[2, 3, 4]], f: (x) => F.pad(x, [2, 1], { mode: 'reflect' }) },
  { name: 'pad circular', shapes: [[2, 3, 4]], f: (x) => F.pad(x, [2, 1], { mode: 'circular' }) },
  {
    name: 'batchNorm',
    shapes: [[4, 3, 5], [3], [3]],
    f: (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
  },
  { name: 'layerNorm', shapes: [[4, 3, 5], [5], [5]], f: (x, w, b) => F.layerNorm(x, [5], { weight: w, bias: b }) },
  { name: 'groupNorm', shapes: [[4, 6, 5], [6], [6]], f: (x, w, b) => F.groupNorm(x, 3, { weight: w, bias: b }) },
  {
    name: 'embedding',
    shapes: [[5, 4]],
    f: (w) =>
      F.embedding(
        tensor(
          [
            [4, 0],
            [1, 1],
          ],
          { dtype: 'int32' },
        ),
        w,
      ),
  },
  {
    name: 'crossEntropy',
    shapes: [[4, 5]],
    f: (x) => F.crossEntropy(x, tensor([1, 0, 4, 2], { dtype: 'int32' }), { reduction: 'none' }),
  },
  {
    name: 'crossEntropy probs',
    shapes: [
      [4, 5],
      [4, 5],
    ],
    f: (x, p) => F.crossEntropy(x, p.softmax(1)),
    grad: [true, false],
  },
  {
    name: 'nllLoss',
    shapes: [[4, 5]],
    f: (x) => F.nllLoss(x, tensor([1, 0, 4, 2], { dtype: 'int32' }), { reduction: 'none' }),
  },
  {
    name: 'mseLoss',
    shapes: [
      [4, 5],
      [4, 5],
    ],
    f: (x, t) => F.mseLoss(x, t, { reduction: 'none' }),
  },
  {
    name: 'smoothL1Loss',
    shapes: [
      [4, 5],
      [4, 5],
    ],
    f: (x, t) => F.smoothL1Loss(x, t),
  },
  {
    name: 'bceWithLogits',
    shapes: [
      [4, 5],
      [4, 5],
    ],
    f: (x, t) => F.binaryCrossEntropyWithLogits(x, t.sigmoid()),
    grad: [true, false],
  },
  {
    name: 'klDiv',
    shapes: [
      [4, 5],
      [4, 5],
    ],
    f: (x, t) => F.klDiv(x.logSoftmax(1), t.softmax(1), { reduction: 'batchmean' }),
  },
  {
    name: 'attention',
    shapes: [
      [2, 3, 4],
      [2, 5, 4],
      [2, 5, 6],
    ],
    f: (q, k, v) => F.scaledDotProductAttention(q, k, v),
  },
  {
    name: 'attention causal',
    shapes: [
      [2, 3, 4],
      [2, 3, 4],
      [2, 3, 6],
    ],
    f: (q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true }),
  },
];

function inputs(c: Case, layout: Layout): { views: Tensor[]; fresh: Tensor[] } {
  const views = c.shapes.map((s) => viewOf(s, layout, c.positive));
  const fresh = views.map((v) => v.clone());
  const grad = c.grad ?? c.shapes.map(() => true);
  views.forEach((v, i) => grad[i] && v.requiresGrad_());
  fresh.forEach((v, i) => grad[i] && v.requiresGrad_());
  return { views, fresh };
}

describe('ops on views: forward', () => {
  for (const c of cases) {
    it(c.name, () => {
      manualSeed(1);
      for (const layout of ['offset', 'strided'] as const) {
        const { views, fresh } = inputs(c, layout);
        if (layout === 'offset') expect(views[0].offset).toBeGreaterThan(0);
        else expect(views[0].isContiguous()).toBe(false);
        const tol = layout === 'strided' && c.stridedReorders ? 1e-6 : 0;
        same(c.f(...views), c.f(...fresh), `${c.name} (${layout})`, tol);
      }
    });
  }
});

describe('ops on views: backward with a gradient view', () => {
  for (const c of cases) {
    it(c.name, () => {
      manualSeed(2);
      const grad = c.grad ?? c.shapes.map(() => true);
      for (const [layout, dim] of [
        ['offset', 0],
        ['offset', -1],
        ['strided', 0],
        ['strided', -1],
      ] as const) {
        // Inputs as views too: x.grad must come out right whatever x's own layout.
        const { views: xs, fresh: ys } = inputs(c, layout);
        const y = c.f(...xs);
        const w = randn(dim === 0 ? [2, ...y.shape] : [...y.shape, 2]);
        // stack's backward hands f's node select views of the weighted gradient.
        stack([randn(y.shape), y], dim)
          .mul(w)
          .sum()
          .backward();
        c.f(...ys)
          .mul(w.select(dim, 1).clone())
          .sum()
          .backward();
        const tol = layout === 'strided' && c.stridedReorders ? 1e-6 : 0;
        xs.forEach(
          (x, i) => grad[i] && same(x.grad, ys[i].grad, `${c.name} grad ${i} (${layout} input, stack dim ${dim})`, tol),
        );
      }
    });
  }
});
