// Declarations of lib/ops/division.ts's ops for the op harness (test/helpers/opinfo.ts).
import { fmod, floorDivide, remainder, type Tensor, tensor } from '../../../lib/index.js';
import { declareOp, type InputSpec } from '../../helpers/opinfo.js';

// Every quotient a / b at least 0.03 from an integer: no finite-difference step crosses a jump of
// remainder or fmod, and bfloat16's rounding of a quotient never crosses one either. The integer
// runs (3 v rounded) have no zero divisor.
const a34: InputSpec = {
  shape: [3, 4],
  values: [0.3, 1.1, -0.7, 0.05, -1.2, 0.2, 0.6, -0.3, 0.9, -0.4, 1.5, 0.8],
};
const b4: InputSpec = { shape: [4], values: [0.42, -0.65, 0.37, 1.3] };
// Random values with divisors from 0.5 up (integer runs: from 1).
const large = (shape: number[]): InputSpec[] => [{ shape }, { shape, lo: 0.5 }];
const noGrad = (spec: InputSpec): InputSpec => ({ ...spec, grad: false });

function modulo(name: 'remainder' | 'fmod') {
  const fn = name === 'remainder' ? remainder : fmod;
  return [
    declareOp({
      name,
      op: ([a, b]) => fn(a, b),
      samples: [
        { name: '[3, 4] and [4]', inputs: [a34, b4], args: {} },
        { name: '[4, 37] and [4, 37]', inputs: large([4, 37]), args: {}, large: true },
      ],
      dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
      supportsGradGrad: true,
      errorInputs: [
        {
          name: 'an integer zero divisor',
          call: () => fn(tensor([5, 3], { dtype: 'int32' }), tensor([1, 0], { dtype: 'int32' })),
          throws: new RegExp(`${name}: ZeroDivisionError: integer division by zero`),
        },
        {
          name: 'two bool tensors',
          call: () => fn(tensor([true]), tensor([true])),
          throws: new RegExp(`${name}: not implemented for two bool tensors`),
        },
        {
          name: 'shapes that do not broadcast',
          call: () => fn(tensor([1, 2]), tensor([1, 2, 3])),
          throws: new RegExp(`${name}: shapes \\[2\\] and \\[3\\] cannot be broadcast`),
        },
        {
          name: 'a string operand',
          call: () => fn(tensor([1]), 'a' as unknown as Tensor),
          throws: new RegExp(`${name}: expected a Tensor or a number, got string`),
        },
      ],
    }),
    declareOp<{ s: number }>({
      name: `${name}: number divisor`,
      op: ([a], { s }) => fn(a, s),
      // -0.625 is exact in every float dtype (integer divisors: the fixtures).
      samples: [{ name: '[3, 4] and -0.625', inputs: [a34], args: { s: -0.625 } }],
      dtypes: { float32: 'float32', float64: 'float64' },
      supportsGradGrad: true,
    }),
  ];
}

export const divisionOps = [
  ...modulo('remainder'),
  ...modulo('fmod'),
  declareOp({
    name: 'floorDivide',
    op: ([a, b]) => floorDivide(a, b),
    // torch 1.13 has no derivative for floor_divide: the inputs take no gradient here (the test
    // file checks that its backward is an error).
    samples: [
      { name: '[3, 4] and [4]', inputs: [a34, b4].map(noGrad), args: {} },
      { name: '[4, 37] and [4, 37]', inputs: large([4, 37]).map(noGrad), args: {}, large: true },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsGradGrad: false,
    errorInputs: [
      {
        name: 'an integer zero divisor',
        call: () => floorDivide(tensor([5], { dtype: 'int8' }), 0),
        throws: /floorDivide: ZeroDivisionError: integer division by zero \(a zero in the int8 divisor\)/,
      },
      {
        name: 'two bool tensors',
        call: () => floorDivide(tensor([true]), tensor([true])),
        throws: /floorDivide: not implemented for two bool tensors/,
      },
    ],
  }),
];
