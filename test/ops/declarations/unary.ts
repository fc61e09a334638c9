// Declarations of lib/ops/unary.ts's ops for the op harness (test/helpers/opinfo.ts).
import {
  abs,
  cos,
  exp,
  expm1,
  log,
  log1p,
  neg,
  relu,
  rsqrt,
  sigmoid,
  sign,
  sin,
  sqrt,
  type Tensor,
  tanh,
} from '../../../lib/index.js';
import { nnActivationGoldens, tensorOpsGoldens } from '../../helpers/fixtures.js';
import { declareOp, type InputSpec } from '../../helpers/opinfo.js';

type Name =
  | 'neg'
  | 'sign'
  | 'abs'
  | 'exp'
  | 'log'
  | 'log1p'
  | 'expm1'
  | 'sqrt'
  | 'rsqrt'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu';

/** The ops whose float32 result is the exact value rounded once (bit-equal to float64's). */
const EXACT = new Set<Name>(['neg', 'sign', 'abs', 'sqrt', 'relu']);
export const FLOAT32_4ULP = 2 ** -21;

/**
 * `lo`: the inputs' domain (|x| + lo) where the function needs it. Integer inputs stay int32
 * for the ops with an integer forward and promote to float32 for the rest.
 */
function unary(name: Name, opts: { lo?: number; int?: 'int32' | 'float32'; inputs?: InputSpec[] } = {}) {
  const fn: (x: Tensor) => Tensor = {
    neg,
    sign,
    abs,
    exp,
    log,
    log1p,
    expm1,
    sqrt,
    rsqrt,
    sin,
    cos,
    tanh,
    sigmoid,
    relu,
  }[name];
  return declareOp({
    name,
    op: ([x]) => fn(x),
    samples: [
      { name: '[3, 4]', inputs: opts.inputs ?? [{ shape: [3, 4], lo: opts.lo }], args: {} },
      // 148 elements: the native kernel (above the small-tensor path), a ragged SIMD tail.
      { name: '[4, 37]', inputs: [{ shape: [4, 37], lo: opts.lo }], args: {}, large: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: opts.int ?? 'float32' },
    supportsGradGrad: true,
    isa: true,
    // float32's transcendentals are within 2 ulp of the exact value and rsqrt rounds twice:
    // float64's values rounded to float32 are compared within 4 float32 ulps.
    tolerances: EXACT.has(name) ? undefined : { float64Values: FLOAT32_4ULP },
    errorInputs: [
      {
        name: 'a string',
        call: () => fn('x' as unknown as Tensor),
        throws: new RegExp(`${name}: expected a Tensor, got string`),
      },
    ],
    // nn.json also has sigmoid and tanh as activations (F.sigmoid and F.tanh are these ops).
    fixtures: [...tensorOpsGoldens(name), ...(name === 'sigmoid' || name === 'tanh' ? nnActivationGoldens(name) : [])],
  });
}

// Values at least 0.1 from 0, where abs, sign and relu have their kink: no finite-difference
// step crosses it.
const offKink: InputSpec[] = [
  { shape: [3, 4], values: [0.3, -1.2, 0.9, 1.1, 0.2, -0.4, -0.7, 0.6, 1.5, 0.15, -0.3, 0.8] },
];

export const unaryOps = [
  unary('neg', { int: 'int32' }),
  unary('sign', { int: 'int32', inputs: offKink }),
  unary('abs', { int: 'int32', inputs: offKink }),
  unary('exp'),
  unary('log', { lo: 0.2 }),
  unary('log1p', { lo: 0 }),
  unary('expm1'),
  unary('sqrt', { lo: 0.2 }),
  unary('rsqrt', { lo: 0.3 }),
  unary('sin'),
  unary('cos'),
  unary('tanh'),
  unary('sigmoid'),
  unary('relu', { int: 'int32', inputs: offKink }),
];
