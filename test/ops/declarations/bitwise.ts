// Declarations of lib/ops/bitwise.ts's ops for the op harness (test/helpers/opinfo.ts).
import {
  bitwiseAnd,
  bitwiseLeftShift,
  bitwiseNot,
  bitwiseOr,
  bitwiseRightShift,
  bitwiseXor,
  type Tensor,
  tensor,
} from '../../../lib/index.js';
import { declareOp, type InputSpec } from '../../helpers/opinfo.js';

const ints = (shape: number[], values: number[]): InputSpec => ({ shape, values, dtype: 'int32' });
const a34 = ints([3, 4], [-7, 0, 5, 12, -1, 255, 1024, -128, 3, 6, -2147483648, 2147483647]);
const b4 = ints([4], [3, -1, 6, 0]);
const counts4 = ints([4], [0, 1, 7, 31]);

const binary = (
  [
    ['bitwiseAnd', bitwiseAnd, b4],
    ['bitwiseOr', bitwiseOr, b4],
    ['bitwiseXor', bitwiseXor, b4],
    ['bitwiseLeftShift', bitwiseLeftShift, counts4],
    ['bitwiseRightShift', bitwiseRightShift, counts4],
  ] as const
).map(([name, fn, other]) =>
  declareOp({
    name,
    op: ([a, b]) => (fn as (a: Tensor, b: Tensor) => Tensor)(a, b),
    samples: [{ name: '[3, 4] and [4]', inputs: [a34, other], args: {} }],
    dtypes: { int32: 'int32' },
    supportsAutograd: false,
    supportsGradGrad: false,
    errorInputs: [
      {
        name: 'a float tensor',
        call: () => fn(tensor([1.5]), tensor([1], { dtype: 'int32' })),
        throws: new RegExp(`${name}: expected a bool, int8, uint8 or int32 tensor, got float32`),
      },
      {
        name: 'a fraction',
        call: () => fn(tensor([1], { dtype: 'int32' }), 1.5),
        throws: new RegExp(`${name}: expected an integer or a boolean operand, got 1.5`),
      },
      ...(name.includes('Shift')
        ? [
            {
              name: 'bool tensors',
              call: () => fn(tensor([true]), tensor([true])),
              throws: new RegExp(`${name}: not implemented for bool tensors`),
            },
          ]
        : []),
    ],
  }),
);

export const bitwiseOps = [
  ...binary,
  declareOp({
    name: 'bitwiseNot',
    op: ([x]) => bitwiseNot(x),
    samples: [{ name: '[3, 4]', inputs: [a34], args: {} }],
    dtypes: { int32: 'int32' },
    supportsAutograd: false,
    supportsGradGrad: false,
    errorInputs: [
      {
        name: 'a float tensor',
        call: () => bitwiseNot(tensor([1.5])),
        throws: /bitwiseNot: expected a bool, int8, uint8 or int32 tensor, got float32/,
      },
    ],
  }),
];
