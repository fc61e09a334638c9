// Declarations of lib/ops/addmm.ts's ops for the op harness (test/helpers/opinfo.ts).
import {
  addbmm,
  addmm,
  addmv,
  addr,
  baddbmm,
  full,
  type AddProductOptions,
  type Tensor,
  tensor,
  zeros,
} from '../../../lib/index.js';
import { caseGoldens } from '../../helpers/fixtures.js';
import { declareOp } from '../../helpers/opinfo.js';

interface Args {
  beta: number;
  alpha: number;
  /** The op gets input + NaN: beta 0 must ignore it. */
  nanInput?: boolean;
}

type AddProduct = (input: Tensor, a: Tensor, b: Tensor, opts?: AddProductOptions) => Tensor;

const sample = (shapes: number[][], beta: number, alpha: number, nanInput = false, large = false) => ({
  name: `${shapes.map((s) => `[${s}]`).join(' ')} beta ${beta} alpha ${alpha}${nanInput ? ' NaN input' : ''}`,
  inputs: shapes.map((shape) => ({ shape })),
  args: { beta, alpha, nanInput },
  large,
  layouts: !large,
});

function addProduct(name: string, fn: AddProduct, samples: ReturnType<typeof sample>[]) {
  const errorInputs = errors.filter((e) => e.name.startsWith(`${name}:`));
  return declareOp<Args>({
    name,
    op: ([input, a, b], { beta, alpha, nanInput }) =>
      fn(nanInput ? input.add(full(input.shape, NaN, { dtype: input.dtype })) : input, a, b, { beta, alpha }),
    samples,
    dtypes: { float32: 'float32', float64: 'float64' },
    supportsGradGrad: true,
    isa: true,
    fixtures: caseGoldens<Args>('linalg', 'addmm', undefined, (c) => c.args.op === name),
    errorInputs,
  });
}

const x = () => zeros([2, 3]);

/** Bad inputs: each names the op and the shapes or values. */
const errors = [
  {
    name: 'addmm: k differs',
    call: () => addmm(x(), zeros([2, 4]), zeros([5, 3])),
    throws: /addmm: mat1 and mat2 shapes cannot be multiplied \(\[2,4\] and \[5,3\]\)/,
  },
  {
    name: 'addmm: input does not broadcast',
    call: () => addmm(zeros([4]), zeros([2, 4]), zeros([4, 3])),
    throws: /addmm: input of shape \[4\] does not broadcast to the product's shape \[2,3\]/,
  },
  {
    name: 'addmm: 1-D mat1',
    call: () => addmm(x(), zeros([4]), zeros([4, 3])),
    throws: /addmm: mat1 must be 2-D, got shape \[4\]/,
  },
  {
    name: 'addmm: mixed dtypes',
    call: () => addmm(x(), zeros([2, 4], { dtype: 'float64' }), zeros([4, 3])),
    throws: /addmm: input, mat1, mat2 must have one dtype .*float32, float64, float32/,
  },
  {
    // bfloat16 is one of the dtypes taken: the message lists it.
    name: 'addmm: bfloat16 with float32',
    call: () => addmm(x(), zeros([2, 4], { dtype: 'bfloat16' }), zeros([4, 3])),
    throws:
      /addmm: input, mat1, mat2 must have one dtype \(float32, float64 or bfloat16\), got float32, bfloat16, float32/,
  },
  {
    name: 'addmm: int32',
    call: () => addmm(tensor([1], { dtype: 'int32' }), zeros([1, 1]), zeros([1, 1])),
    throws: /addmm: input must be a float32, float64 or bfloat16 tensor, got int32/,
  },
  {
    name: 'addmm: beta a string',
    call: () => addmm(x(), zeros([2, 4]), zeros([4, 3]), { beta: '2' as unknown as number }),
    throws: /addmm: .*beta/,
  },
  {
    name: 'addmm: unknown option',
    call: () => addmm(x(), zeros([2, 4]), zeros([4, 3]), { gamma: 1 } as AddProductOptions),
    throws: /addmm: .*gamma/,
  },
  {
    name: 'baddbmm: batch sizes differ',
    call: () => baddbmm(zeros([2, 3]), zeros([2, 2, 4]), zeros([3, 4, 3])),
    throws: /baddbmm: batch1 and batch2 shapes cannot be multiplied \(\[2,2,4\] and \[3,4,3\]\)/,
  },
  {
    name: 'addbmm: input does not broadcast',
    call: () => addbmm(zeros([3, 3]), zeros([2, 2, 4]), zeros([2, 4, 3])),
    throws: /addbmm: input of shape \[3,3\] does not broadcast to the product's shape \[2,3\]/,
  },
  {
    name: 'addmv: vec length',
    call: () => addmv(zeros([3]), zeros([3, 4]), zeros([5])),
    throws: /addmv: mat and vec shapes cannot be multiplied \(\[3,4\] and \[5\]\)/,
  },
  {
    name: 'addmv: input does not broadcast',
    call: () => addmv(zeros([4]), zeros([3, 4]), zeros([4])),
    throws: /addmv: input of shape \[4\] does not broadcast to the product's shape \[3\]/,
  },
  {
    name: 'addr: 2-D vec1',
    call: () => addr(zeros([3, 4]), zeros([3, 1]), zeros([4])),
    throws: /addr: vec1 must be 1-D, got shape \[3,1\]/,
  },
  {
    name: 'addr: input does not broadcast',
    call: () => addr(zeros([4, 3]), zeros([3]), zeros([4])),
    throws: /addr: input of shape \[4,3\] does not broadcast to the product's shape \[3,4\]/,
  },
];

export const addmmOps = [
  addProduct('addmm', addmm, [
    sample(
      [
        [2, 3],
        [2, 4],
        [4, 3],
      ],
      1,
      1,
    ),
    sample([[3], [2, 4], [4, 3]], 0.5, -2),
    sample([[], [3, 2], [2, 4]], 2, 0.25),
    sample(
      [
        [2, 3],
        [2, 4],
        [4, 3],
      ],
      0,
      1.5,
      true,
    ),
    // Past one GEMM tile in every dim.
    sample(
      [
        [19, 21],
        [19, 37],
        [37, 21],
      ],
      0.75,
      1.25,
      false,
      true,
    ),
  ]),
  addProduct('baddbmm', baddbmm, [
    sample(
      [
        [3, 5],
        [2, 3, 4],
        [2, 4, 5],
      ],
      0.5,
      1.5,
    ),
    sample(
      [
        [2, 3, 5],
        [2, 3, 4],
        [2, 4, 5],
      ],
      0,
      -1,
      true,
    ),
  ]),
  addProduct('addbmm', addbmm, [
    sample(
      [
        [2, 3],
        [3, 2, 4],
        [3, 4, 3],
      ],
      1,
      0.5,
    ),
    sample([[3], [3, 2, 4], [3, 4, 3]], -1, 2),
  ]),
  addProduct('addmv', addmv, [
    sample([[3], [3, 4], [4]], -1, 2),
    sample([[], [3, 4], [4]], 0.5, 1),
    sample([[3], [3, 4], [4]], 0, 1, true),
  ]),
  addProduct('addr', addr, [
    sample([[3, 4], [3], [4]], 0.5, 2),
    sample([[4], [3], [4]], 1, -1),
    sample([[3, 4], [3], [4]], 0, 1, true),
  ]),
];
