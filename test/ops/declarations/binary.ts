// Declarations of lib/ops/binary.ts's ops for the op harness (test/helpers/opinfo.ts).
import { add, div, mul, sub, type Tensor, tensor } from '../../../lib/index.js';
import { tensorOpsGoldens } from '../../helpers/fixtures.js';
import { declareOp } from '../../helpers/opinfo.js';

function binary(name: 'add' | 'sub' | 'mul' | 'div') {
  const fn: (a: Tensor, b: Tensor) => Tensor = { add, sub, mul, div }[name];
  // A divisor bounded away from 0.
  const lo = name === 'div' ? 1 : undefined;
  return declareOp({
    name,
    op: ([a, b]) => fn(a, b),
    samples: [
      { name: 'broadcast [3, 1, 4] and [2, 1]', inputs: [{ shape: [3, 1, 4] }, { shape: [2, 1], lo }], args: {} },
      { name: 'same shape [3, 4]', inputs: [{ shape: [3, 4] }, { shape: [3, 4], lo }], args: {} },
      // Above the small-tensor path: the native kernel, contiguous and broadcast.
      { name: '[4, 37] and [4, 37]', inputs: [{ shape: [4, 37] }, { shape: [4, 37], lo }], args: {}, large: true },
      { name: '[4, 37] and [37]', inputs: [{ shape: [4, 37] }, { shape: [37], lo }], args: {}, large: true },
    ],
    // True division: integers divide to float32, as torch.div.
    dtypes: { float32: 'float32', float64: 'float64', int32: name === 'div' ? 'float32' : 'int32' },
    supportsGradGrad: true,
    isa: true,
    fixtures: tensorOpsGoldens(name),
    errorInputs: [
      {
        name: 'shapes that do not broadcast',
        call: () => fn(tensor([1, 2]), tensor([1, 2, 3])),
        throws: new RegExp(`${name}: shapes \\[2\\] and \\[3\\] cannot be broadcast \\(axis -1: 2 vs 3\\)`),
      },
      {
        name: 'a string operand',
        call: () => fn(tensor([1]), 'a' as unknown as Tensor),
        throws: new RegExp(`${name}: expected a Tensor or a number, got string`),
      },
    ],
  });
}

// Quotients at least 0.1 from an integer: bfloat16's rounding of one never crosses an integer.
const dividends = { shape: [3, 4], values: [0.3, 1.1, -0.7, 0.05, -1.2, 0.2, 0.6, -0.3, 0.9, -0.4, 1.5, 0.8] };
const divisors = { shape: [4], values: [0.42, -0.65, 0.37, 1.3] };

const divRounding = (['floor', 'trunc'] as const).map((roundingMode) =>
  declareOp({
    name: `div: roundingMode '${roundingMode}'`,
    op: ([a, b]) => div(a, b, { roundingMode }),
    samples: [
      { name: '[3, 4] and [4]', inputs: [dividends, divisors], args: {} },
      { name: '[4, 37] and [37]', inputs: [{ shape: [4, 37] }, { shape: [37], lo: 0.5 }], args: {}, large: true },
    ],
    // Integers keep their dtype with a rounding mode, as torch.div.
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    // A step function: zero gradients, which carry no graph of their own.
    supportsGradGrad: true,
    errorInputs: [
      {
        name: 'an unknown rounding mode',
        call: () => div(tensor([1]), tensor([2]), { roundingMode: 'round' as 'floor' }),
        throws: /div: roundingMode must be 'trunc', 'floor' or null, got "round"/,
      },
      {
        name: "Python's option name",
        call: () => div(tensor([1]), tensor([2]), { rounding_mode: roundingMode } as never),
        throws: /div: unknown option 'rounding_mode'; did you mean 'roundingMode'\?/,
      },
      {
        name: 'an integer zero divisor',
        call: () => div(tensor([1], { dtype: 'int32' }), 0, { roundingMode }),
        throws: /div: ZeroDivisionError: integer division by zero/,
      },
    ],
  }),
);

export const binaryOps = [binary('add'), binary('sub'), binary('mul'), binary('div'), ...divRounding];
