// The exporter's op sweep beyond the layers (cases.ts): ops with several or data-dependent
// results, the losses, integer and bool paths, casts, and the statistics whose divisor follows
// a dynamic axis. Each case runs in ONNX Runtime through test/onnx/export_ops.test.ts, with the
// batch (dim 0 of every input) dynamic and a second batch size unless it says otherwise.
import {
  fullLike,
  manualSeed,
  nn,
  nonzero,
  onesLike,
  pow,
  rand,
  randint,
  randn,
  type Tensor,
  tensor,
  where,
  zerosLike,
} from '../../lib/index.js';
import { Fn } from './cases.js';
import type { Case } from './ort_check.js';

const F = nn.functional;

/** A case whose inputs all have a dynamic dim 0; `more` has them at another batch size. */
function dyn(name: string, fn: (...xs: Tensor[]) => unknown, args: Tensor[], more: Tensor[]): Case {
  const names = args.length === 1 ? ['input'] : args.map((_, i) => `input_${i}`);
  return {
    name,
    model: new Fn(fn),
    args,
    options: { dynamicAxes: Object.fromEntries(names.map((n) => [n, { 0: 'batch' }])) },
    more: [more],
  };
}

export function opCases(): Case[] {
  manualSeed(11);
  const cases: Case[] = [];
  const weight = randn([5]).abs().add(0.1);
  // Sorting: TopK breaks ties by the lower index, as myelin's stable sort.
  cases.push(
    dyn(
      'sort_topk_argsort',
      (x) => {
        const s = x.sort(1, { descending: true });
        const t = x.topk(2, 1);
        const u = x.topk(3, { dim: 1, largest: false });
        return [s.values, s.indices, t.values, t.indices, u.values, u.indices, x.argsort(1)];
      },
      [randn([3, 5])],
      [randn([6, 5])],
    ),
  );
  cases.push(
    dyn(
      'sort_along_dynamic_dim_int_ties',
      (i) => {
        const s = i.sort(0);
        return [s.values, s.indices, i.argsort(0, { descending: true }), i.topk(2, 1).indices];
      },
      [randint(0, 3, [4, 6])],
      [randint(0, 3, [9, 6])],
    ),
  );
  // max/min along a dim: values and first indices, float and int32.
  cases.push(
    dyn(
      'max_min_values_indices',
      (x, i) => {
        const a = x.max(1);
        const b = x.min(0, true);
        const c = i.max(1, true);
        return [a.values, a.indices, b.values, b.indices, c.values, c.indices];
      },
      [randn([3, 5]), randint(0, 4, [3, 5])],
      [randn([6, 5]), randint(0, 4, [6, 5])],
    ),
  );
  // Data-dependent sizes: nonzero (both forms), oneHot (given or inferred class count).
  cases.push(
    dyn(
      'nonzero',
      (x) => [x.gt(0).nonzero(), ...nonzero(x.gt(0.5), { asTuple: true })],
      [randn([3, 5])],
      [randn([6, 5])],
    ),
  );
  cases.push(dyn('one_hot', (i) => [F.oneHot(i, 7), F.oneHot(i)], [randint(0, 7, [3, 4])], [randint(0, 7, [5, 4])]));
  // all/any over dims and everything, of bool, int32 and float32 values.
  cases.push(
    dyn(
      'all_any',
      (x) => [x.gt(0).all(1), x.gt(-2).any(0, true), x.gt(-3).all(), x.int().any(1), x.any(), x.gt(5).any()],
      [randn([3, 5])],
      [randn([6, 5])],
    ),
  );
  // split/chunk/unbind: fixed pieces, and chunk along the dynamic axis (sizes from its length).
  cases.push(
    dyn(
      'split_chunk_unbind',
      (x) => [...x.split([2, 3], 1), ...x.split(2, 1), ...x.chunk(2, 1), ...x.unbind(1), ...x.chunk(2, 0)],
      [randn([4, 5])],
      [randn([7, 5])],
    ),
  );
  // Rounding (exact halves too: Round is half to even, as myelin), with decimals, of int32.
  cases.push(
    dyn(
      'rounding',
      (x, i) => {
        const halves = x.mul(2).round().div(2);
        return [
          x.floor(),
          x.ceil(),
          x.trunc(),
          x.frac(),
          x.round(),
          halves.round(),
          halves.trunc(),
          x.round({ decimals: 2 }),
          x.mul(40).round({ decimals: -1 }),
          i.floor(),
          i.ceil(),
          i.trunc(),
          i.round(),
        ];
      },
      [randn([3, 5]).mul(4), randint(-9, 9, [3, 5])],
      [randn([6, 5]).mul(4), randint(-9, 9, [6, 5])],
    ),
  );
  // The same in float64 (its constants must be float64 too; pow as well) and of int8 and uint8,
  // which pass through unchanged (ONNX's Floor, Ceil and Round take only floats).
  cases.push(
    dyn(
      'rounding_float64_int8_uint8',
      (x, i, u) => [
        x.floor(),
        x.ceil(),
        x.trunc(),
        x.frac(),
        x.round(),
        x.round({ decimals: 2 }),
        x.mul(40).round({ decimals: -1 }),
        x.pow(2),
        i.floor(),
        i.ceil(),
        i.trunc(),
        i.round(),
        u.floor(),
        u.ceil(),
        u.trunc(),
        u.round(),
      ],
      [randn([3, 5]).mul(4).double(), randint(-9, 9, [3, 5]).to('int8'), randint(0, 250, [3, 5]).to('uint8')],
      [randn([6, 5]).mul(4).double(), randint(-9, 9, [6, 5]).to('int8'), randint(0, 250, [6, 5]).to('uint8')],
    ),
  );
  // The error functions: erfc in its tail on its own (1 - erf would lose its digits), erfinv near
  // +-1, and its infinities and NaNs.
  cases.push(
    dyn(
      'erf_erfc_erfinv',
      (x, u) => [x.erf(), x.erfc(), x.abs().add(2).erfc(), u.erfinv(), u.mul(0.999).add(0.001).erfinv()],
      [randn([3, 5]).mul(2), rand([3, 5]).mul(2).sub(1)],
      [randn([7, 5]).mul(2), rand([7, 5]).mul(2).sub(1)],
    ),
  );
  cases.push({
    name: 'erfinv_edges',
    model: new Fn((u) => u.erfinv()),
    args: [tensor([-1, 1, 1.5, -2, 0, Number.NaN, 0.9999999, -0.99999, 1e-6, -0.7, 0.70001])],
  });
  // Diagonals and triangles along the matrix dims, with a dynamic batch; int32 and bool too.
  cases.push(
    dyn(
      'diagonal_triangles',
      (x, i) => [
        x.tril(),
        x.triu(1),
        x.tril(-2),
        x.triu(-1),
        i.tril(1),
        i.gt(0).triu(),
        x.diagonal(0, 1, 2),
        x.diagonal(1, 2, 1),
        x.diagonal(-2, -2, -1),
        x.diagEmbed(),
        x.diagEmbed(2, 0, 2),
        x.diagEmbed(-1, 3, 1),
        i.diagEmbed(1),
        x.select(0, 0).diag(),
        x.select(0, 0).diag(-1),
        x.select(0, 1).select(0, 0).diag(2),
        x.select(0, 0).trace(),
        i.select(0, 0).trace(),
      ],
      [randn([3, 4, 5]), randint(-5, 5, [3, 4, 5])],
      [randn([6, 4, 5]), randint(-5, 5, [6, 4, 5])],
    ),
  );
  // Embedding: functional, maxNorm (2-norm and 1-norm).
  {
    const w = randn([8, 4]).mul(2);
    const emb = new nn.Embedding(8, 4, { maxNorm: 1.5 });
    cases.push({
      name: 'embedding_functional_max_norm',
      model: new Fn((i) => [F.embedding(i, w), emb.call(i), F.embedding(i, w.mul(1), { maxNorm: 0.5, normType: 1 })], {
        emb,
      }),
      args: [randint(0, 8, [3, 4])],
      options: { dynamicAxes: { input: { 0: 'batch', 1: 'seq' } } },
      more: [[randint(0, 8, [5, 2])]],
    });
  }
  // The losses, every reduction and option.
  const pair = (shape: number[]) => [randn(shape), randn(shape)];
  const batch2 = (shape: number[]) => [
    randn([shape[0] + 3, ...shape.slice(1)]),
    randn([shape[0] + 3, ...shape.slice(1)]),
  ];
  cases.push(
    dyn(
      'losses_regression',
      (a, b) => [
        F.mseLoss(a, b),
        F.l1Loss(a, b, { reduction: 'none' }),
        F.smoothL1Loss(a, b, { beta: 0.5, reduction: 'sum' }),
        F.smoothL1Loss(a, b, { beta: 0 }),
        F.huberLoss(a, b, { delta: 0.7 }),
        new nn.MSELoss({ reduction: 'sum' }).call(a, b),
      ],
      pair([3, 5]),
      batch2([3, 5]),
    ),
  );
  cases.push(
    dyn(
      'losses_binary_kl',
      (a, b) => {
        const p = b.sigmoid();
        return [
          F.binaryCrossEntropy(a.sigmoid(), p),
          F.binaryCrossEntropy(a.sigmoid(), p, { weight, reduction: 'none' }),
          F.binaryCrossEntropyWithLogits(a, p),
          F.binaryCrossEntropyWithLogits(a, p, { weight, posWeight: weight.mul(2), reduction: 'sum' }),
          F.klDiv(a.logSoftmax(1), b.softmax(1), { reduction: 'batchmean' }),
          F.klDiv(a.logSoftmax(1), b.logSoftmax(1), { logTarget: true, reduction: 'none' }),
          F.klDiv(a.logSoftmax(1), b.softmax(1)),
        ];
      },
      pair([3, 5]),
      batch2([3, 5]),
    ),
  );
  cases.push(
    dyn(
      'losses_classes',
      (a, t) => [
        F.crossEntropy(a, t),
        F.crossEntropy(a, t, { weight, ignoreIndex: 1, labelSmoothing: 0.1 }),
        F.crossEntropy(a, t, { reduction: 'none', labelSmoothing: 0.2 }),
        F.nllLoss(a.logSoftmax(1), t, { weight, reduction: 'sum' }),
        F.nllLoss(a.logSoftmax(1), t, { ignoreIndex: 0 }),
        new nn.CrossEntropyLoss({ weight }).call(a, t),
      ],
      [randn([4, 5]), randint(0, 5, [4])],
      [randn([7, 5]), randint(0, 5, [7])],
    ),
  );
  cases.push(
    dyn(
      'losses_classes_spatial_and_probabilities',
      (a, t, p) => [
        F.crossEntropy(a, t, { reduction: 'none', weight }),
        F.crossEntropy(a, t, { labelSmoothing: 0.3, weight }),
        F.crossEntropy(a, p.softmax(1), { weight, labelSmoothing: 0.1 }),
        F.crossEntropy(a, p.softmax(1), { reduction: 'none' }),
      ],
      [randn([2, 5, 3, 2]), randint(0, 5, [2, 3, 2]), randn([2, 5, 3, 2])],
      [randn([3, 5, 3, 2]), randint(0, 5, [3, 3, 2]), randn([3, 5, 3, 2])],
    ),
  );
  cases.push({
    name: 'losses_unbatched',
    model: new Fn((a, t) => [F.crossEntropy(a, t), F.nllLoss(a.logSoftmax(0), t, { reduction: 'none' })]),
    args: [randn([5]), tensor(3, { dtype: 'int32' })],
  });
  // Integer and bool paths, and casts (float32 to int32 truncates toward zero; NaN gives 0).
  cases.push(
    dyn(
      'int32_paths',
      (i) => [
        i.add(i).mul(3).sub(1),
        i.sum(1),
        i.prod(1),
        i.neg().abs(),
        i.relu(),
        i.sign(),
        i.cumsum(1),
        i.amax(1),
        i.amin(0),
        i.clamp(-1, 2),
        i.pow(2),
        pow(i, i.clamp(0, 2)),
        i.maximum(1).minimum(i.flip(1)),
        i.div(2),
        i.float().mul(0.5),
        i.gt(0).amax(1),
        i.gt(0).sum(0),
        i.gt(0).cumsum(1),
      ],
      [randint(-3, 4, [3, 4])],
      [randint(-3, 4, [6, 4])],
    ),
  );
  // Integer pow wraps as myelin's and torch's (3 ** 25 in int32 is 1180052131; ONNX Runtime's
  // integer Pow saturates); negative exponents of 1, -1 and others; int8 and uint8 wrap further.
  // uint8 neg (wrapping) and relu, which ONNX's Neg and Relu do not take.
  cases.push(
    dyn(
      'int_pow_wrapping',
      (x, y) => [
        pow(x, y),
        pow(x.to('int8'), y.abs().to('int8')),
        pow(x.abs().to('uint8'), y.abs().to('uint8')),
        x.pow(3),
        pow(7, y.abs()),
        x.abs().to('uint8').neg(),
        x.to('uint8').relu(),
        x.to('int8').neg().relu(),
      ],
      [
        tensor(
          [
            [3, -3, 7, 2, 1, -1],
            [10, -2, 1, -1, 0, 123456],
          ],
          { dtype: 'int32' },
        ),
        tensor(
          [
            [25, 25, 30, 31, -3, -3],
            [12, 31, 2147483647, -2, 0, 5],
          ],
          { dtype: 'int32' },
        ),
      ],
      [randint(-20, 20, [5, 6]), randint(-3, 40, [5, 6])],
    ),
  );
  // where of two bool tensors is bool (as torch), and maskedFill of a bool tensor too: ONNX
  // Runtime's Where has no bool kernel. int8 and uint8 select as themselves.
  cases.push(
    dyn(
      'where_bool_int8_uint8',
      (x, i) => [
        where(x.gt(0), x.lt(0.5), i.gt(1)),
        where(x.gt(0), tensor(true), x.lt(-1)),
        where(x.gt(0), i.to('int8'), i.neg().to('int8')),
        where(x.lt(0), i.to('uint8'), 7),
        x.gt(0).maskedFill(i.gt(2), true),
        x.gt(0).maskedFill(i.lt(1), 0),
      ],
      [randn([3, 4]), randint(0, 4, [3, 4])],
      [randn([6, 4]), randint(0, 4, [6, 4])],
    ),
  );
  cases.push(
    dyn(
      'casts',
      (x) => [x.mul(3).int(), x.gt(0).float(), x.int().bool(), x.bool(), x.div(x.gt(0).float().add(1)).int()],
      [randn([3, 5])],
      [randn([6, 5])],
    ),
  );
  // zerosLike & co. take the input's shape, dynamic axes included.
  cases.push(
    dyn(
      'filled_like',
      (x, i) => [zerosLike(x).add(x), onesLike(i).mul(i), fullLike(x, true).logicalAnd(x.gt(0)), fullLike(i, 2.5)],
      [randn([3, 5]), randint(0, 4, [3, 2])],
      [randn([6, 5]), randint(0, 4, [6, 2])],
    ),
  );
  // clamp with tensor bounds (broadcast), and with one of them.
  cases.push(
    dyn(
      'clamp_tensor_bounds',
      (x, lo) => [x.clamp(lo, lo.add(1)), x.clamp(null, lo.select(0, 0)), x.clamp(lo.sum(1, true), null)],
      [randn([3, 5]), randn([3, 5])],
      [randn([6, 5]), randn([6, 5])],
    ),
  );
  // var/std: the divisor follows the batch when it is reduced.
  cases.push(
    dyn(
      'var_std',
      (x) => [x.var(0), x.std([0, 1], { correction: 0, keepdim: true }), x.var(1, { unbiased: false }), x.std()],
      [randn([3, 5])],
      [randn([6, 5])],
    ),
  );
  // Max pooling with indices (torch's flat h * W + w per plane).
  cases.push(
    dyn(
      'max_pool_indices',
      (x) => [
        ...F.maxPool2dWithIndices(x, 3, { stride: 2, padding: 1, ceilMode: true }),
        ...F.maxPool2dWithIndices(x, 2, { dilation: 2 }),
        ...F.adaptiveMaxPool2dWithIndices(x, [3, 2]),
        ...F.adaptiveMaxPool2dWithIndices(x, 1),
        ...F.maxPool1dWithIndices(x.flatten(2), 3, { stride: 2 }),
      ],
      [randn([2, 3, 5, 7])],
      [randn([4, 3, 5, 7])],
    ),
  );
  cases.push({
    name: 'max_pool_indices_unbatched',
    model: new Fn((x) => [...F.maxPool2dWithIndices(x, 2), ...F.adaptiveMaxPool2dWithIndices(x, [2, 4])]),
    args: [rand([3, 6, 6])],
  });
  return cases;
}
