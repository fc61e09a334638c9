// Declarations of lib/ops/attention.ts's ops for the op harness (test/helpers/opinfo.ts).
import { nn } from '../../../lib/index.js';
import { attentionWithWeights } from '../../../lib/ops/attention.js';
import { declareOp } from '../../helpers/opinfo.js';

type P = Record<string, any>;

export const attentionOps = [
  declareOp<P>({
    name: 'scaledDotProductAttention',
    op: ([q, k, v], p) => nn.functional.scaledDotProductAttention(q, k, v, p),
    samples: [
      {
        name: '[2, 3, 4] over [2, 5, 4]',
        inputs: [{ shape: [2, 3, 4] }, { shape: [2, 5, 4] }, { shape: [2, 5, 6] }],
        args: {},
      },
      {
        name: 'causal [2, 3, 4]',
        inputs: [{ shape: [2, 3, 4] }, { shape: [2, 3, 4] }, { shape: [2, 3, 6] }],
        args: { isCausal: true },
        layouts: true,
      },
      {
        name: 'causal, queries [2, 3, 4] over [2, 5, 4]',
        inputs: [{ shape: [2, 3, 4] }, { shape: [2, 5, 4] }, { shape: [2, 5, 3] }],
        args: { isCausal: true },
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // float32 rounds the scale, the products, the softmax's exp and sums.
    // bfloat16: the products, the scale, the mask and the softmax each round to bfloat16, as
    // PyTorch 1.13's attention (made of bf16 ops) does: a few ulps (2^-8 relative each).
    tolerances: { float64Values: 1e-5, bfloat16Values: 2 ** -5 },
    supportsGradGrad: true,
  }),
  // The attention weights MultiheadAttention returns (the output is scaledDotProductAttention's).
  declareOp<P>({
    name: 'attentionWithWeights: weights',
    op: ([q, k, v], p) => attentionWithWeights(q, k, v, p)[1],
    samples: [
      {
        name: '[2, 3, 4] over [2, 5, 4]',
        inputs: [{ shape: [2, 3, 4] }, { shape: [2, 5, 4] }, { shape: [2, 5, 6], grad: false }],
        args: {},
        layouts: true,
      },
      {
        name: 'causal [2, 3, 4]',
        inputs: [{ shape: [2, 3, 4] }, { shape: [2, 3, 4] }, { shape: [2, 3, 6], grad: false }],
        args: { isCausal: true },
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // float32 rounds the scale, the products, the softmax's exp and sums.
    // bfloat16: the products, the scale, the mask and the softmax each round to bfloat16, as
    // PyTorch 1.13's attention (made of bf16 ops) does: a few ulps (2^-8 relative each).
    tolerances: { float64Values: 1e-5, bfloat16Values: 2 ** -5 },
    supportsGradGrad: true,
  }),
];
