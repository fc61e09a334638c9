// Declarations of lib/ops/softmax.ts's ops for the op harness (test/helpers/opinfo.ts).
import { crossEntropy, logSoftmax, logsumexp, softmax } from '../../../lib/ops/softmax.js';
import { tensor } from '../../../lib/index.js';
import { crossEntropyGoldens, softmaxGoldens } from '../../helpers/fixtures.js';
import { declareOp, type Sample } from '../../helpers/opinfo.js';

type P = Record<string, any>;
const rows = (shape: number[], dim: number, large = false): Sample<{ dim: number }> => ({
  name: `[${shape}] dim ${dim}`,
  inputs: [{ shape }],
  args: { dim },
  large,
});
const samples = [rows([3, 4], 1), rows([3, 4], 0), rows([2, 3, 4], 1), rows([4, 37], -1, true), rows([4, 37], 0, true)];
const x23 = () =>
  tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

export const softmaxOps = [
  declareOp<{ dim: number }>({
    name: 'softmax',
    op: ([x], { dim }) => softmax(x, dim),
    samples,
    dtypes: { float32: 'float32', float64: 'float64' },
    // float32's kernel rounds its exp, sum and quotient (or log) separately: a few ulps.
    tolerances: { float64Values: 1e-6 },
    supportsGradGrad: true,
    isa: true,
    fixtures: softmaxGoldens('softmax'),
    errorInputs: [
      {
        name: 'a dim out of range',
        call: () => softmax(x23(), 2),
        throws: /softmax: dim 2 is out of range for a tensor of 2 dims/,
      },
    ],
  }),
  declareOp<{ dim: number }>({
    name: 'logSoftmax',
    op: ([x], { dim }) => logSoftmax(x, dim),
    samples,
    dtypes: { float32: 'float32', float64: 'float64' },
    // float32's kernel rounds its exp, sum and quotient (or log) separately: a few ulps.
    tolerances: { float64Values: 1e-6 },
    supportsGradGrad: true,
    isa: true,
    fixtures: softmaxGoldens('logSoftmax'),
  }),
  declareOp<{ dim: number }>({
    name: 'logsumexp: one dim (the fused row kernel)',
    op: ([x], { dim }) => logsumexp(x, dim),
    samples,
    dtypes: { float32: 'float32', float64: 'float64' },
    // float32's kernel rounds its exp sum and log separately: a few ulps.
    tolerances: { float64Values: 1e-6 },
    supportsGradGrad: true,
    isa: true,
    fixtures: softmaxGoldens('logsumexp'),
  }),
  declareOp<P>({
    name: 'crossEntropy',
    // The weight in the input's dtype, as torch's takes it with class indices (the dtype rules vary the input).
    op: ([x, target], p) => crossEntropy(x, target, p.weight ? { ...p, weight: p.weight.to(x.dtype) } : p),
    samples: [
      {
        name: '[4, 5], class indices, no reduction',
        inputs: [{ shape: [4, 5] }, { shape: [4], values: [1, 0, 4, 2], dtype: 'int32' }],
        args: { reduction: 'none' },
      },
      {
        name: '[4, 5], probabilities',
        inputs: [{ shape: [4, 5] }, { shape: [4, 5], values: Array.from({ length: 20 }, (_, i) => (i % 5) / 10) }],
        args: {},
        layouts: true,
      },
      {
        name: '[5, 3] class indices, weights, an ignored row, smoothing',
        inputs: [{ shape: [5, 3] }, { shape: [5], values: [2, 0, -100, 1, 2], dtype: 'int32' }],
        args: { weight: tensor([0.5, 2, 1.5]), labelSmoothing: 0.2 },
      },
      {
        name: '[3, 4], probabilities, weights, smoothing, summed',
        inputs: [
          { shape: [3, 4] },
          { shape: [3, 4], values: [0.1, 0.2, 0.3, 0.4, 1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25] },
        ],
        args: { weight: tensor([1, 2, 0.5, 1]), labelSmoothing: 0.1, reduction: 'sum' },
      },
      {
        name: '[2, 3, 4] class indices, smoothing',
        inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4], values: [0, 2, 1, 1, 2, 2, 0, 1], dtype: 'int32' }],
        args: { labelSmoothing: 0.1 },
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    // float64: the composite loss in double; float32's fused kernel rounds its logsumexp.
    tolerances: { float64Values: 1e-6 },
    // The fused kernel's backward, and under createGraph the same loss as recorded ops.
    supportsGradGrad: true,
    isa: true,
    fixtures: crossEntropyGoldens(),
    errorInputs: [
      {
        name: 'a target class out of range',
        call: () => crossEntropy(x23(), tensor(new Int32Array([0, 3]))),
        throws: /crossEntropy: target 3 is out of bounds for 3 classes \(row 1\)/,
      },
      {
        name: 'a negative target',
        call: () => crossEntropy(x23(), tensor(new Int32Array([0, -1]))),
        throws: /target -1 is out of bounds/,
      },
      {
        name: 'a bool target',
        call: () => crossEntropy(x23(), tensor([true, false])),
        throws:
          /crossEntropy: target must be int32 class indices of shape \[2\] or float32 class probabilities of the input's shape \[2,3\]; got a bool Tensor of shape \[2\]/,
      },
      {
        name: 'a target of the wrong shape',
        call: () => crossEntropy(x23(), tensor(new Int32Array([0, 1, 2]))),
        throws: /target must be int32 class indices of shape \[2\] .*; got an int32 Tensor of shape \[3\]/,
      },
      {
        // Labels left as float32 (the usual slip): the message says to cast them.
        name: 'float32 class labels',
        call: () => crossEntropy(x23(), tensor([0, 1])),
        throws: /got a float32 Tensor of shape \[2\] \(class labels must be int32: cast them with \.int\(\)\)/,
      },
      {
        name: 'an unknown reduction',
        call: () => crossEntropy(x23(), tensor(new Int32Array([0, 1])), { reduction: 'avg' as never }),
        throws: /reduction must be/,
      },
      {
        name: 'labelSmoothing above 1',
        call: () => crossEntropy(x23(), tensor(new Int32Array([0, 1])), { labelSmoothing: 2 }),
        throws: /labelSmoothing must be in \[0, 1\]/,
      },
    ],
  }),
];
