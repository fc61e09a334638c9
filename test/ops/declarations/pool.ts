// Declarations of lib/ops/pool.ts's ops for the op harness (test/helpers/opinfo.ts).
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool2dWithIndices,
  avgPool1d,
  avgPool2d,
  maxPool1d,
  maxPool1dWithIndices,
  maxPool2d,
  maxPool2dWithIndices,
} from '../../../lib/ops/pool.js';
import type { Tensor } from '../../../lib/index.js';
import { caseGoldens } from '../../helpers/fixtures.js';
import { declareOp, type OpResult, type Sample } from '../../helpers/opinfo.js';

type P = Record<string, any>;

/** A pooling op called as fn(x, size, options); the fixtures' args hold the size under `key`. */
function pool(
  name: string,
  key: 'kernelSize' | 'outputSize',
  fn: (x: Tensor, size: any, o: P) => OpResult,
  samples: Sample<P>[],
  max: boolean,
) {
  return declareOp<P>({
    name,
    op: ([x], { [key]: size, ...options }) => fn(x, size, options),
    // Max pooling draws distinct values 0.1 apart: no ties, and no finite-difference step that
    // moves the maximum.
    samples: max ? samples.map((s) => ({ ...s, inputs: s.inputs.map((i) => ({ ...i, spread: 0.1 })) })) : samples,
    dtypes: { float32: 'float32', float64: 'float64' },
    // The backward is the kernel as a recorded op (its derivative the pool's JVP).
    supportsGradGrad: true,
    threads: true,
    fixtures: caseGoldens('conv', name.replace('WithIndices', ''), { atol: 1e-5, rtol: 1e-5 }),
  });
}
const on = (shape: number[], args: P, layouts = false): Sample<P> => ({
  name: `[${shape}] ${JSON.stringify(args)}`,
  inputs: [{ shape }],
  args,
  layouts,
});

/** A max pooling that returns its values alone (distinct values, as the pooling with indices). */
function valuesOnly(name: string, op: (xs: Tensor[], p: P) => Tensor, shape: number[], args: P) {
  return declareOp<P>({
    name: `${name}: values only`,
    op,
    samples: [{ name: `[${shape}] ${JSON.stringify(args)}`, inputs: [{ shape, spread: 0.1 }], args }],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  });
}

export const poolOps = [
  pool(
    'maxPool2dWithIndices',
    'kernelSize',
    maxPool2dWithIndices,
    [
      on([1, 2, 5, 6], { kernelSize: 2, stride: 2, dilation: [1, 2], ceilMode: true }),
      on([2, 3, 6, 6], { kernelSize: 2 }, true),
    ],
    true,
  ),
  pool(
    'maxPool1dWithIndices',
    'kernelSize',
    maxPool1dWithIndices,
    [on([2, 2, 7], { kernelSize: 3, stride: 2, padding: 1 })],
    true,
  ),
  pool(
    'adaptiveMaxPool2dWithIndices',
    'outputSize',
    adaptiveMaxPool2dWithIndices,
    [on([1, 2, 5, 4], { outputSize: [2, 3] })],
    true,
  ),
  pool(
    'avgPool2d',
    'kernelSize',
    avgPool2d,
    [
      on([1, 2, 5, 6], { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true }),
      on([2, 3, 6, 6], { kernelSize: 3, stride: 2, padding: 1 }, true),
    ],
    false,
  ),
  pool('avgPool1d', 'kernelSize', avgPool1d, [on([1, 2, 5], { kernelSize: 2, padding: 1 })], false),
  pool(
    'adaptiveAvgPool2d',
    'outputSize',
    adaptiveAvgPool2d,
    [on([1, 1, 7, 5], { outputSize: [3, 2] }), on([2, 3, 7, 5], { outputSize: [3, 2] }, true)],
    false,
  ),
  declareOp<P>({
    name: 'adaptiveAvgPool1d',
    op: ([x], p) => adaptiveAvgPool1d(x, p.outputSize),
    samples: [on([2, 6], { outputSize: 4 })],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
  declareOp<P>({
    name: 'adaptiveMaxPool1d',
    op: ([x], p) => adaptiveMaxPool1d(x, p.outputSize),
    samples: [
      { name: '[2, 5] to 3', inputs: [{ shape: [2, 5], spread: 0.1 }], args: { outputSize: 3 } },
      { name: '[2, 3, 7] to 3', inputs: [{ shape: [2, 3, 7], spread: 0.1 }], args: { outputSize: 3 }, layouts: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
  // The max poolings without their indices: the same kernel, the values alone.
  valuesOnly('maxPool2d', ([x], { kernelSize, ...o }) => maxPool2d(x, kernelSize, o), [1, 2, 4, 5], {
    kernelSize: 2,
    stride: 1,
  }),
  valuesOnly('maxPool1d', ([x], { kernelSize, ...o }) => maxPool1d(x, kernelSize, o), [2, 2, 7], {
    kernelSize: 3,
    stride: 2,
  }),
  valuesOnly('adaptiveMaxPool2d', ([x], p) => adaptiveMaxPool2d(x, p.outputSize), [1, 2, 5, 4], {
    outputSize: [2, 3],
  }),
];
