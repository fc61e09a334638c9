// Declarations of lib/ops/special.ts's ops for the op harness (test/helpers/opinfo.ts). Their
// backwards are recorded ops: exact second derivatives.
import { erf, erfc, erfinv } from '../../../lib/ops/special.js';
import { declareOp } from '../../helpers/opinfo.js';
import { FLOAT32_4ULP } from './unary.js';

const samples = [
  { name: '[3, 4]', inputs: [{ shape: [3, 4] }], args: {} },
  { name: '[4, 37]', inputs: [{ shape: [4, 37] }], args: {}, large: true },
];

export const specialOps = [
  declareOp({
    name: 'erf',
    op: ([x]) => erf(x),
    samples,
    dtypes: { float32: 'float32', float64: 'float64', int32: 'float32' },
    supportsGradGrad: true,
    isa: true,
    tolerances: { float64Values: FLOAT32_4ULP },
  }),
  declareOp({
    name: 'erfc',
    op: ([x]) => erfc(x),
    samples,
    dtypes: { float32: 'float32', float64: 'float64', int32: 'float32' },
    supportsGradGrad: true,
  }),
  declareOp({
    name: 'erfinv',
    op: ([x]) => erfinv(x),
    // Inside (-1, 1), away from its poles at +-1.
    samples: [
      {
        name: '[3, 4] in (-0.8, 0.8)',
        inputs: [{ shape: [3, 4], values: [-0.75, -0.5, -0.3, -0.1, 0, 0.05, 0.2, 0.35, 0.5, 0.6, 0.7, 0.8] }],
        args: {},
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
];
