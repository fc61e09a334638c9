// Declarations of lib/ops/activation.ts's ops for the op harness (test/helpers/opinfo.ts).
import { nn, type Tensor } from '../../../lib/index.js';
import { nnActivationGoldens } from '../../helpers/fixtures.js';
import { declareOp, type InputSpec } from '../../helpers/opinfo.js';

const F = nn.functional;
type P = Record<string, any>;

// Values at least 0.1 from 0, where relu and leakyRelu have their kink.
const offKink: InputSpec = {
  shape: [3, 4],
  values: [0.6, -2.4, 1.8, 2.2, 0.4, -0.8, -1.4, 1.2, 3, 0.3, -0.6, 1.6],
};

/**
 * An activation f(x, options). Its forward and backward are one TypeScript loop each; under
 * createGraph the backward multiplies by f'(x) written with recorded ops instead.
 */
function activation(
  name: string,
  fn: (x: Tensor, p: P) => Tensor,
  args: P[],
  opts: {
    input?: InputSpec;
    int?: 'int32' | 'float32';
    /** float32's error bound where its kernel rounds more than once (see float64Values). */
    float32Error?: number;
  } = {},
) {
  return declareOp<P>({
    name,
    op: ([x], p) => fn(x, p),
    samples: [
      // Every variant's layouts: their loops differ.
      ...args.map((a) => ({
        name: `[3, 4] ${JSON.stringify(a)}`,
        inputs: [opts.input ?? { shape: [3, 4] }],
        args: a,
        layouts: true,
      })),
      { name: '[4, 37]', inputs: [{ shape: [4, 37] }], args: args[0], large: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: opts.int ?? 'float32' },
    supportsGradGrad: true,
    isa: true,
    fixtures: nnActivationGoldens(name.split(' ')[0]),
    ...(opts.float32Error ? { tolerances: { float64Values: opts.float32Error } } : {}),
  });
}

export const activationOps = [
  // F.relu is the native unary relu (lib/ops/unary.ts), whose backward is recorded.
  activation('relu (functional)', (x) => F.relu(x), [{}], { input: offKink, int: 'int32' }),
  activation('leakyRelu', (x, p) => F.leakyRelu(x, p.negativeSlope), [{ negativeSlope: 0.1 }, {}], { input: offKink }),
  activation('elu', (x, p) => F.elu(x, p.alpha), [{ alpha: 0.7 }, { alpha: 1.5 }]),
  activation('selu', (x) => F.selu(x), [{}]),
  // gelu and silu round their erf, tanh or sigmoid in float32 before the product: a few ulps.
  activation('gelu', (x, p) => F.gelu(x, p), [{}, { approximate: 'tanh' }], { float32Error: 5e-7 }),
  activation('silu', (x) => F.silu(x), [{}], { float32Error: 5e-7 }),
  activation('softplus', (x, p) => F.softplus(x, p), [{ beta: 1.5, threshold: 3 }, {}]),
  activation('sine', (x, p) => F.sine(x, p.w0), [{ w0: 2 }, { w0: 3 }]),
  // A TypeScript loop each way, selecting 0 at and beyond the bounds: values at least 0.1 from them.
  declareOp<P>({
    name: 'hardtanh',
    op: ([x], p) => F.hardtanh(x, p.min, p.max),
    samples: [
      { name: '[3, 4] [-1, 1]', inputs: [offKink], args: {}, layouts: true },
      {
        name: '[3, 4] [-0.5, 2]',
        inputs: [{ shape: [3, 4], values: [0.6, -2.4, 1.8, 2.2, 0.4, -0.8, -1.4, 1.2, 3, 0.3, -0.6, 1.6] }],
        args: { min: -0.5, max: 2 },
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
  declareOp({
    name: 'relu6',
    op: ([x]) => F.relu6(x),
    samples: [
      {
        name: '[3, 4] around 0 and 6',
        inputs: [{ shape: [3, 4], values: [0.6, -2.4, 5.8, 7.2, 0.4, -0.8, 6.4, 1.2, 3, 0.3, -0.6, 5.5] }],
        args: {},
      },
    ],
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
  }),
];
