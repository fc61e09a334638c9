// float64 models through onnx.export and ONNX Runtime, one case per op family: the constants of
// each op's ONNX mapping must be float64 (a float32 one makes the model fail to load), and the
// ops onnxruntime runs only in float32 (Elu, Selu, Softplus, AveragePool, GlobalAveragePool,
// GlobalMaxPool) are written from ops it runs in float64. Outputs within 1e-12 of myelin's largest (ONNX Runtime's
// exp, log and tanh and its sums differ by a few ulps), and exactly where the ONNX ops are exact.
import { addmm, baddbmm, manualSeed, nn, randint, randn, type Tensor, tensor } from '../../lib/index.js';
import { Fn } from './cases.js';
import type { Case } from './ort_check.js';

const F = nn.functional;
const TOL = 1e-12;

/** A case of float64 inputs with a dynamic dim 0, run again at another batch size. */
function f64(name: string, fn: (...xs: Tensor[]) => unknown, args: Tensor[], more: Tensor[], exact = false): Case {
  const names = args.length === 1 ? ['input'] : args.map((_, i) => `input_${i}`);
  return {
    name: `float64_${name}`,
    model: new Fn(fn),
    args,
    options: { dynamicAxes: Object.fromEntries(names.map((n) => [n, { 0: 'batch' }])) },
    more: [more],
    ...(exact ? {} : { float64Tolerance: TOL }),
  };
}

const d = (shape: number[], scale = 1) => randn(shape).mul(scale).double();
// Probabilities in (0.05, 0.95).
const prob = (shape: number[]) => randn(shape).sigmoid().mul(0.9).add(0.05).double();
// Values from 1e-12 to 30 in size, both signs, zeros: the tails log1p, expm1, elu and softplus
// keep their relative precision in.
export const tails = (rows: number): Tensor =>
  tensor(
    Array.from({ length: rows * 8 }, (_, k) => {
      const v = [0, -0, 1e-12, -3e-10, 2e-6, -0.4, 3.5, -30][k % 8];
      return v * (1 + Math.floor(k / 8) / 7);
    }),
    { dtype: 'float64' },
  ).reshape([rows, 8]);

export function float64Cases(): Case[] {
  manualSeed(64);
  const cases: Case[] = [];
  cases.push(
    f64(
      'log1p_expm1_elu_selu_softplus',
      (x) => [
        x.log1p(),
        x.expm1(),
        F.elu(x),
        F.elu(x, 0.5),
        F.selu(x),
        F.softplus(x),
        F.softplus(x, { beta: 2, threshold: 5 }),
      ],
      [tails(3)],
      [tails(5)],
    ),
  );
  // MatMul scaled by a constant: onnxruntime fuses the scale into a float32 alpha, so float64
  // products are Einsums (attention's 1/sqrt(d) included).
  cases.push(
    f64(
      'matmul_scaled_attention',
      (q, k) => [
        F.scaledDotProductAttention(q, k, k),
        q.matmul(k.transpose(1, 2)).mul(0.1),
        q.mul(0.3).matmul(k.transpose(1, 2)),
      ],
      [d([2, 4, 6]), d([2, 5, 6])],
      [d([3, 4, 6]), d([3, 5, 6])],
    ),
  );
  // Clip, Where and Mul by the slope: exact.
  cases.push(
    f64(
      'hardtanh_relu6_leaky_relu',
      (x) => [F.hardtanh(x), F.hardtanh(x, -0.3, 0.7), F.relu6(x), F.leakyRelu(x, 0.1)],
      [d([3, 5], 4)],
      [d([6, 5], 4)],
      true,
    ),
  );
  cases.push(
    f64(
      'tanh_gelu_silu_sigmoid_softmax',
      (x) => [F.gelu(x, { approximate: 'tanh' }), F.silu(x), x.sigmoid(), x.tanh(), x.softmax(1), x.logSoftmax(1)],
      [d([3, 5], 3)],
      [d([6, 5], 3)],
    ),
  );
  // The divisor of var along the dynamic axis is a float64 Cast of its size.
  cases.push(
    f64(
      'var_std_norm_logsumexp',
      (x) => [x.var(1), x.std(0), x.var([0, 1], { correction: 0 }), x.norm(3, 1), x.norm(1.5, 0), x.logsumexp(1)],
      [d([3, 5])],
      [d([6, 5])],
    ),
  );
  // 1e300 is finite in float64 (a float32 cast made it infinite).
  const special = (rows: number) =>
    tensor(
      Array.from(
        { length: rows * 6 },
        (_, k) => [1e300, -1e300, Number.POSITIVE_INFINITY, Number.NaN, 0, 1e-300][k % 6],
      ),
      { dtype: 'float64' },
    ).reshape([rows, 6]);
  cases.push(
    f64('isinf_isnan_isfinite', (x) => [x.isinf(), x.isnan(), x.isfinite()], [special(1)], [special(3)], true),
  );
  const pw = randn([5]).abs().add(0.5).double();
  const w = randn([5]).abs().add(0.5).double();
  const classes = (n: number) => randint(0, 5, [n]);
  cases.push(
    f64(
      'losses',
      (x, t, p, cls) => [
        F.smoothL1Loss(x, t, { beta: 0.5 }),
        F.huberLoss(x, t, { delta: 2, reduction: 'none' }),
        F.binaryCrossEntropy(p, t.sigmoid()),
        F.binaryCrossEntropyWithLogits(x, t.sigmoid(), { posWeight: pw, reduction: 'sum' }),
        F.klDiv(x.logSoftmax(1), t.softmax(1), { reduction: 'batchmean' }),
        F.crossEntropy(x, cls, { weight: w, labelSmoothing: 0.1 }),
        F.crossEntropy(x, t.softmax(1), { labelSmoothing: 0.2 }),
        F.nllLoss(x.logSoftmax(1), cls, { reduction: 'none' }),
      ],
      [d([3, 5]), d([3, 5]), prob([3, 5]), classes(3)],
      [d([6, 5]), d([6, 5]), prob([6, 5]), classes(6)],
    ),
  );
  return cases;
}

/** Layers as modules (their parameters float64). */
export function float64LayerCases(): Case[] {
  manualSeed(65);
  const ln = new nn.LayerNorm(5).double();
  const bn = new nn.BatchNorm1d(5).double();
  bn.train();
  bn.call(d([8, 5], 2).add(1)); // running statistics away from 0 and 1
  const gn = new nn.GroupNorm(2, 4).double();
  const emb = new nn.Embedding(6, 4, { maxNorm: 1, normType: 3 }).double();
  const x = d([3, 5], 2);
  const img = d([2, 4, 6, 5]);
  return [
    {
      name: 'float64_normalization',
      model: new Fn(
        (a, b) => [
          ln.call(a),
          F.layerNorm(a, [5], { eps: 1e-3 }),
          bn.call(a),
          F.batchNorm(a, null, null, { training: true, eps: 1e-4 }),
          gn.call(b),
        ],
        { ln, bn, gn },
      ),
      args: [x, img],
      options: { dynamicAxes: { input_0: { 0: 'batch' }, input_1: { 0: 'batch' } } },
      more: [[d([6, 5]), d([3, 4, 6, 5])]],
      float64Tolerance: TOL,
    },
    {
      // Adaptive mean pools (ReduceMean: onnxruntime has no float64 AveragePool), max pools
      // (ReduceMax for a global one: no float64 GlobalMaxPool),
      // bilinear weights in float64, constant padding, fold (col2im), addmm's and baddbmm's
      // alpha and beta that float32 does not hold, tril, copy_ and embedding's maxNorm.
      name: 'float64_pools_interpolate_matrices',
      model: new Fn(
        (a, m, i) => [
          F.adaptiveAvgPool2d(a, 1),
          F.adaptiveAvgPool2d(a, [3, 5]),
          F.adaptiveAvgPool2d(a, [4, 2]),
          // GlobalMaxPool has no float64 kernel either: ReduceMax.
          F.adaptiveMaxPool2d(a, 1),
          F.adaptiveMaxPool2d(a, [3, 5]),
          F.maxPool2d(a, 2),
          F.interpolate(a, { size: [7, 9], mode: 'bilinear' }),
          F.pad(a, [1, 2], { value: 0.1 }),
          F.fold(F.unfold(a, 2), [6, 5], 2),
          addmm(m, m, m, { beta: 0.3, alpha: 0.1 }),
          baddbmm(m.reshape([2, 2, 4]).narrow(2, 0, 2), m.reshape([2, 2, 4]), m.reshape([2, 4, 2]), {
            beta: 0.5,
            alpha: 0.7,
          }),
          m.tril(-1).mul(1.5),
          m.clone().copy_(m.float()),
          emb.call(i),
        ],
        { emb },
      ),
      args: [img, d([4, 4]), randint(0, 6, [2, 3])],
      more: [[d([2, 4, 6, 5]), d([4, 4]), randint(0, 6, [2, 3])]],
      float64Tolerance: TOL,
    },
  ];
}
