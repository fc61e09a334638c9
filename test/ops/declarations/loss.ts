// Declarations of lib/ops/loss.ts's ops for the op harness (test/helpers/opinfo.ts).
import { nn, tensor, type Tensor } from '../../../lib/index.js';
import { nllGoldens, nnLossGoldens } from '../../helpers/fixtures.js';
import { declareOp, type InputSpec, type Sample } from '../../helpers/opinfo.js';

const F = nn.functional;
type P = Record<string, any>;
type Loss = (x: Tensor, t: Tensor, o: P) => Tensor;

const reductions = ['mean', 'sum', 'none'] as const;
/** Probabilities (0, 1): a target of the binary cross-entropies, an input of binaryCrossEntropy. */
const probs = (shape: number[], grad = true): InputSpec => ({
  shape,
  values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.1 + ((i * 7) % 9) / 10),
  grad,
});

// PyTorch 1.13 has no bfloat16 CPU kernel for these (mse_cpu, binary_cross_entropy).
const NO_BFLOAT16 = new Set(['mseLoss', 'binaryCrossEntropy']);

/** An elementwise loss: its forward and backward are TypeScript loops, the gradient carries no graph. */
function loss(name: string, fn: Loss, samples: Sample<P>[]) {
  return declareOp<P>({
    name,
    ...(NO_BFLOAT16.has(name) ? { bfloat16: 'refused' as const } : {}),
    op: ([x, t], p) => fn(x, t, p),
    samples,
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    fixtures: nnLossGoldens(name),
    // float32 rounds each element's loss (and the parameters: delta, beta) before the sum.
    tolerances: { float64Values: 1e-6 },
  });
}
const everyReduction = (inputs: InputSpec[], extra: P = {}): Sample<P>[] =>
  reductions.map((reduction) => ({
    name: `${JSON.stringify({ reduction, ...extra })}`,
    inputs,
    args: { reduction, ...extra },
    layouts: reduction === 'none',
  }));
const pair23: InputSpec[] = [{ shape: [2, 3] }, { shape: [2, 3] }];

export const lossOps = [
  loss('mseLoss', F.mseLoss as Loss, [
    ...everyReduction(pair23),
    { name: '[4, 37]', inputs: [{ shape: [4, 37] }, { shape: [4, 37] }], args: {}, large: true },
  ]),
  loss('l1Loss', F.l1Loss as Loss, everyReduction(pair23)),
  loss('huberLoss', F.huberLoss as Loss, everyReduction(pair23, { delta: 0.3 })),
  loss('smoothL1Loss', F.smoothL1Loss as Loss, everyReduction(pair23, { beta: 0.4 })),
  loss(
    'binaryCrossEntropyWithLogits',
    F.binaryCrossEntropyWithLogits as Loss,
    reductions.map((reduction) => ({
      name: `${reduction}, posWeight`,
      inputs: [{ shape: [2, 3] }, probs([2, 3])],
      args: { reduction, posWeight: tensor([0.5, 2, 3]) },
    })),
  ),
  loss('binaryCrossEntropy', F.binaryCrossEntropy as Loss, [
    {
      // Probabilities below 0.5, so that the dtypes rule's rounding of 3x keeps them in [0, 1].
      name: 'probabilities',
      inputs: [
        { shape: [2, 3], values: [0.12, 0.3, 0.45, 0.2, 0.05, 0.4] },
        { shape: [2, 3], values: [0, 1, 0.3, 1, 0, 0.5], grad: false },
      ],
      args: {},
    },
  ]),
  loss('klDiv', F.klDiv as Loss, [
    {
      name: 'batchmean',
      inputs: [
        { shape: [2, 4], values: [0.1, 0.2, 0.3, 0.4, 0.25, 0.25, 0.4, 0.1].map(Math.log) },
        { shape: [2, 4], values: [0.3, 0.3, 0.2, 0.2, 0.1, 0.6, 0.1, 0.2] },
      ],
      args: { reduction: 'batchmean' },
    },
  ]),
  declareOp<P>({
    name: 'nllLoss',
    // The weight in the input's dtype, as torch's nll_loss takes it (the dtype rules vary the input).
    op: ([x, t], p) => F.nllLoss(x, t, p.weight ? { ...p, weight: p.weight.to(x.dtype) } : p),
    samples: [
      {
        name: '[4, 5] none',
        inputs: [{ shape: [4, 5] }, { shape: [4], values: [1, 0, 4, 2], dtype: 'int32' }],
        args: { reduction: 'none' },
      },
      {
        name: '[2, 3, 2] weight, mean',
        inputs: [{ shape: [2, 3, 2] }, { shape: [2, 2], values: [0, 2, 1, 1], dtype: 'int32' }],
        args: { weight: tensor([0.5, 1, 2]) },
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // Under createGraph the backward is recorded ops (grad times the constant mask).
    supportsGradGrad: true,
    fixtures: nllGoldens(),
  }),
];
