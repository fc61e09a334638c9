// The ONNX export of div's rounding modes, remainder, fmod, floorDivide and the bitwise ops, run
// in ONNX Runtime: negative operands, zero and infinite divisors, NaN and -0, float32, float64,
// int32, int8, uint8 and bool, number operands and the in-place methods. Beyond checkCase's
// comparison, every output must equal myelin's bit for bit (signed zeros and NaN included).
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  bitwiseAnd,
  bitwiseLeftShift,
  bitwiseNot,
  bitwiseOr,
  bitwiseRightShift,
  bitwiseXor,
  div,
  floorDivide,
  fmod,
  noGrad,
  remainder,
  type Tensor,
  tensor,
} from '../../lib/index.js';
import { exportModel } from '../../lib/onnx/export.js';
import { Fn } from './cases.js';
import { type Case, checkCase, toOrt } from './ort_check.js';

/** checkCase, then the sample inputs once more with an exact comparison of every element. */
async function exact(c: Case): Promise<void> {
  const session = await ort.InferenceSession.create(await checkCase(c));
  const inputs = c.args as Tensor[];
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((n, i) => {
    feeds[n] = toOrt(inputs[i]);
  });
  const got = await session.run(feeds);
  const want = noGrad(() => c.model.call(...inputs)) as Tensor[];
  session.outputNames.forEach((n, i) => {
    const w = Array.from(want[i].toTypedArray() as ArrayLike<number>, Number);
    const g = Array.from(got[n].data as ArrayLike<number | boolean>, Number);
    const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
    const diff = w.flatMap((v, k) =>
      Object.is(v, g[k]) ? [] : [`[${k}] myelin ${show(v)}, onnxruntime ${show(g[k])}`],
    );
    expect(diff, `${c.name}: output ${i}`).toEqual([]);
  });
}

const f32 = (v: number[]) => tensor(v, { dtype: 'float32' });
const I = Number.POSITIVE_INFINITY;

// Dividends and divisors meeting every sign, zeros of both signs, infinities and NaN, and
// quotients that round up to an integer (1 / 0.1 is 10 in float32, 1 // 0.1 is 9) or lie between
// -1 and 0 (trunc gives -0).
const A = [7, -7, 7, -7, 5.5, -5.5, 0, -0, 3, -3, 1, 1, -1, I, -I, Number.NaN, 2, -2, 0, 1e-30, 4, -4, -1, 1, -1];
const B = [3, 3, -3, -3, 2, 2, 5, 5, 0, 0, 0.1, -0.1, 0.1, 2, 3, 1, I, -I, 0, 1e30, -0, 2.5, 3, -3, I];

function floatFamily(x: Tensor, y: Tensor): Tensor[] {
  return [
    remainder(x, y),
    fmod(x, y),
    floorDivide(x, y),
    div(x, y, { roundingMode: 'floor' }),
    div(x, y, { roundingMode: 'trunc' }),
    div(x, y),
    remainder(x, -2.5),
    fmod(x, 1.5),
    floorDivide(x, -0.75),
    div(x, 3, { roundingMode: 'trunc' }),
  ];
}

function intFamily(x: Tensor, y: Tensor): Tensor[] {
  return [
    remainder(x, y),
    fmod(x, y),
    floorDivide(x, y),
    div(x, y, { roundingMode: 'floor' }),
    div(x, y, { roundingMode: 'trunc' }),
    remainder(x, -3),
    fmod(x, 4),
    floorDivide(x, -4),
    div(x, 3, { roundingMode: 'floor' }),
  ];
}

// Integer operands with both signs and no zero divisor (myelin refuses one), -2^31 / -1 included.
const IA = [7, -7, 7, -7, 0, 6, -6, 1, -1, 100, -2147483648, -2147483648, 2147483647];
const IB = [3, 3, -3, -3, 5, -4, 4, 7, -7, -9, -1, 2, -2];

describe('onnx.export of the division ops', () => {
  it('float32: signs, zero and infinite divisors, NaN, -0, number operands', async () => {
    await exact({ name: 'division_float32', model: new Fn(floatFamily), args: [f32(A), f32(B)] });
  });

  it('trunc keeps -0 (trunc(-0.5), trunc(-0)) through the Where it shares with div', async () => {
    const x = f32([-0.5, -0, 0, 0.5, -1.5, 2.5, -I, Number.NaN]);
    await exact({ name: 'trunc_signed_zero', model: new Fn((t) => [t.trunc()]), args: [x] });
  });

  it('float64', async () => {
    const a = tensor(A, { dtype: 'float64' });
    const b = tensor(B, { dtype: 'float64' });
    await exact({ name: 'division_float64', model: new Fn(floatFamily), args: [a, b] });
  });

  it('int32 (-2^31 // -1 wraps, as in myelin), int32 with float32 promotes', async () => {
    const a = tensor(IA, { dtype: 'int32' });
    const b = tensor(IB, { dtype: 'int32' });
    await exact({ name: 'division_int32', model: new Fn(intFamily), args: [a, b] });
    const mixed = new Fn((x, y) => [remainder(x, y), floorDivide(y, x), div(x, y, { roundingMode: 'trunc' })]);
    await exact({ name: 'division_int32_float32', model: mixed, args: [a.narrow(0, 0, 10), f32(B.slice(0, 10))] });
  });

  it('int8 and uint8 (a number operand wrapped to the dtype: uint8 % -3 is uint8 % 253)', async () => {
    const a8 = tensor([7, -7, 7, -7, 0, 127, -128, -128, 100], { dtype: 'int8' });
    const b8 = tensor([3, 3, -3, -3, 5, -4, -1, 7, -9], { dtype: 'int8' });
    await exact({ name: 'division_int8', model: new Fn(intFamily), args: [a8, b8] });
    const u = tensor([7, 200, 255, 0, 13, 128], { dtype: 'uint8' });
    const v = tensor([3, 7, 16, 5, 255, 3], { dtype: 'uint8' });
    await exact({ name: 'division_uint8', model: new Fn(intFamily), args: [u, v] });
  });

  it('in-place methods and a dynamic batch axis', async () => {
    const model = new Fn((x, y) => [
      x.clone().remainder_(y),
      x.clone().fmod_(y),
      x.clone().floorDivide_(y),
      x.clone().div_(y),
    ]);
    const a = tensor(
      [
        [7, -7.5, 0],
        [-3, 4, 1],
      ],
      { dtype: 'float32' },
    );
    const b = tensor([[2, -2, 0]], { dtype: 'float32' });
    const options = { dynamicAxes: { input_0: { 0: 'batch' } } };
    await exact({ name: 'division_inplace', model, args: [a, b], options, more: [[a.repeat([3, 1]), b]] });
    const ints = new Fn((x, y) => [x.clone().remainder_(y), x.clone().floorDivide_(y), x.clone().fmod_(-3)]);
    await exact({
      name: 'division_inplace_int32',
      model: ints,
      args: [tensor([7, -7, 5, -5], { dtype: 'int32' }), tensor([2, 2, -3, -3], { dtype: 'int32' })],
    });
  });

  it('an integer zero divisor fails the run in onnxruntime, as it fails in myelin', async () => {
    const a = tensor([7, -7], { dtype: 'int32' });
    const feeds = {
      input_0: new ort.Tensor('int32', Int32Array.of(7, -7), [2]),
      input_1: new ort.Tensor('int32', Int32Array.of(2, 0), [2]),
    };
    for (const [f, message] of [
      [(x: Tensor, y: Tensor) => floorDivide(x, y), /Integer modulo by zero/],
      [(x: Tensor, y: Tensor) => div(x, y, { roundingMode: 'trunc' }), /Integer division by zero/],
      [(x: Tensor, y: Tensor) => fmod(x, y), /Integer modulo by zero/],
    ] as const) {
      const model = new Fn(f);
      const session = await ort.InferenceSession.create(exportModel(model, [a, tensor([2, 3], { dtype: 'int32' })]));
      await expect(session.run(feeds)).rejects.toThrow(message);
      expect(() => model.call(a, tensor([2, 0], { dtype: 'int32' }))).toThrow(/ZeroDivisionError/);
    }
  });
});

describe('onnx.export of the bitwise ops (opset 17: through the bits, no opset-18 BitwiseAnd)', () => {
  const ops = (x: Tensor, y: Tensor): Tensor[] => [
    bitwiseAnd(x, y),
    bitwiseOr(x, y),
    bitwiseXor(x, y),
    bitwiseNot(x),
    bitwiseAnd(x, -6),
    bitwiseXor(x, 255),
  ];
  const shifts = (x: Tensor, y: Tensor): Tensor[] => [
    bitwiseLeftShift(x, y),
    bitwiseRightShift(x, y),
    bitwiseLeftShift(x, 3),
    bitwiseRightShift(x, 1),
  ];
  const V = [0, 1, -1, 5, -6, 2147483647, -2147483648, 123456789, -987654321, 255, 256, -256];
  const W = [0, -1, 3, 12, 7, -2147483648, 2147483647, 987654321, 65535, -256, 1, 0x55555555];

  it('int32: negatives and the extremes', async () => {
    const model = new Fn(ops);
    await exact({
      name: 'bitwise_int32',
      model,
      args: [tensor(V, { dtype: 'int32' }), tensor(W, { dtype: 'int32' })],
    });
  });

  it('int8, uint8 and bool, bool with int32', async () => {
    const a8 = tensor([0, 1, -1, 5, -6, 127, -128, 85], { dtype: 'int8' });
    const b8 = tensor([0, -1, 3, 12, 7, -128, 127, -86], { dtype: 'int8' });
    await exact({ name: 'bitwise_int8', model: new Fn(ops), args: [a8, b8] });
    const u = tensor([0, 1, 255, 5, 250, 127, 128, 85], { dtype: 'uint8' });
    const v = tensor([0, 255, 3, 12, 7, 128, 127, 170], { dtype: 'uint8' });
    await exact({ name: 'bitwise_uint8', model: new Fn(ops), args: [u, v] });
    const p = tensor([true, true, false, false]);
    const q = tensor([true, false, true, false]);
    const bools = new Fn((x, y) => [bitwiseAnd(x, y), bitwiseOr(x, y), bitwiseXor(x, y), bitwiseNot(x)]);
    await exact({ name: 'bitwise_bool', model: bools, args: [p, q] });
    const mixed = new Fn((x, y) => [bitwiseAnd(x, y), bitwiseXor(y, x)]);
    await exact({ name: 'bitwise_bool_int32', model: mixed, args: [p, tensor([6, -3, 7, 0], { dtype: 'int32' })] });
  });

  it('shifts: counts taken modulo 32 (32, 33, -1), sign-filling right shifts, 8-bit wrapping', async () => {
    const counts = [0, 1, 31, 32, 33, -1, 4, 16, 30, 2, 5, 8];
    await exact({
      name: 'shift_int32',
      model: new Fn(shifts),
      args: [tensor(V, { dtype: 'int32' }), tensor(counts, { dtype: 'int32' })],
    });
    const c8 = [0, 1, 7, 8, 9, -1, 3, 33];
    await exact({
      name: 'shift_int8',
      model: new Fn(shifts),
      args: [tensor([0, 1, -1, 5, -6, 127, -128, 85], { dtype: 'int8' }), tensor(c8, { dtype: 'int8' })],
    });
    await exact({
      name: 'shift_uint8',
      model: new Fn(shifts),
      args: [
        tensor([0, 1, 255, 5, 250, 127, 128, 85], { dtype: 'uint8' }),
        tensor(
          c8.map((k) => k & 255),
          { dtype: 'uint8' },
        ),
      ],
    });
  });

  it('a dynamic batch axis (the bit axis is appended after it)', async () => {
    const model = new Fn((x, y) => [
      bitwiseAnd(x, y),
      bitwiseOr(x, -3),
      bitwiseXor(y, x),
      bitwiseLeftShift(x, y),
      bitwiseRightShift(x, 2),
    ]);
    const x = tensor(
      [
        [5, -6, 100],
        [-100, 7, 0],
      ],
      { dtype: 'int32' },
    );
    const y = tensor([[3, 1, 4]], { dtype: 'int32' });
    const options = { dynamicAxes: { input_0: { 0: 'batch' } } };
    await exact({ name: 'bitwise_dynamic', model, args: [x, y], options, more: [[x.repeat([4, 1]), y]] });
  });

  it('in-place methods', async () => {
    const model = new Fn((x, y) => [
      x.clone().bitwiseAnd_(y),
      x.clone().bitwiseOr_(y),
      x.clone().bitwiseXor_(y),
      x.clone().bitwiseNot_(),
      x.clone().bitwiseLeftShift_(y),
      x.clone().bitwiseRightShift_(2),
    ]);
    await exact({
      name: 'bitwise_inplace',
      model,
      args: [tensor([5, -6, 100, -100], { dtype: 'int32' }), tensor([3, 1, 4, 2], { dtype: 'int32' })],
    });
  });
});
