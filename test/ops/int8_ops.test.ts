// int8 and uint8 as integer dtypes against torch 1.13's CPU results (scripts/gen_fixtures_int8.py):
// wrapping arithmetic, result dtypes, true division, reductions, comparisons, casts and products.
// torch's int16 (uint8 with int8) and int64 (sum, prod, cumsum, argmax) are int32 here.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { type Tensor, tensor } from '../../lib/index.js';
import { loadFixture } from '../helpers/fixtures.js';
import { callables } from '../helpers/refusals.js';

interface Enc {
  shape: number[];
  dtype: string;
  data: (number | string)[]; // 'inf', '-inf', 'nan' for a float division by zero
}
type Arg = Enc | number | string | Enc[];
interface Case {
  op: string;
  note: string;
  args: Arg[];
  out: Enc;
}

const fx = loadFixture<{ cases: Case[] }>('int8_ops');

// The dtypes myelin gives where torch's result dtype is one myelin does not have.
const STANDS_IN: Record<string, string> = { int16: 'int32', int64: 'int32' };

function isEnc(a: unknown): a is Enc {
  return typeof a === 'object' && a !== null && 'dtype' in a;
}

function decode(e: Enc): Tensor {
  return tensor(e.data.map(Number), { dtype: e.dtype as m.DType }).reshape(e.shape);
}

const arg = (a: Arg): unknown => (Array.isArray(a) ? a.map(decode) : isEnc(a) ? decode(a) : a);

const ops: Record<string, (...a: never[]) => Tensor> = {
  add: m.add,
  sub: m.sub,
  mul: m.mul,
  div: m.div,
  pow: m.pow,
  maximum: m.maximum,
  minimum: m.minimum,
  neg: m.neg,
  abs: m.abs,
  sign: m.sign,
  relu: m.relu,
  eq: m.eq,
  lt: m.lt,
  ge: m.ge,
  clamp: m.clamp,
  where: m.where,
  maskedFill: (x: Tensor, mask: Tensor, v: number) => x.maskedFill(mask, v),
  sum: (x: Tensor, dim?: number) => m.sum(x, dim),
  prod: (x: Tensor) => m.prod(x),
  max: (x: Tensor) => m.max(x) as Tensor,
  min: (x: Tensor) => m.min(x) as Tensor,
  argmax: (x: Tensor) => m.argmax(x),
  cumsum: m.cumsum,
  fill: (x: Tensor, v: number) => x.clone().fill_(v),
  matmul: m.matmul,
  dot: m.dot,
  einsum: (eq: string, a: Tensor, b: Tensor) => m.einsum(eq, a, b),
  cat: (ts: Tensor[]) => m.cat(ts),
  to: (x: Tensor, d: m.DType) => x.to(d),
};

describe('int8 and uint8 ops against torch 1.13', () => {
  it('has a case of every op', () => {
    expect(new Set(fx.cases.map((c) => c.op))).toEqual(new Set(Object.keys(ops)));
  });
  for (const c of fx.cases) {
    const args = c.args.map((a) => (isEnc(a) ? `${a.dtype}[${a.shape}]` : Array.isArray(a) ? 'list' : String(a)));
    it(`${c.op}(${args.join(', ')}): ${c.note}`, () => {
      const out = (ops[c.op] as (...a: unknown[]) => Tensor)(...c.args.map(arg));
      expect(out.dtype).toBe(STANDS_IN[c.out.dtype] ?? c.out.dtype);
      expect(out.shape).toEqual(c.out.shape);
      const got = Array.from(out.toTypedArray() as ArrayLike<number>);
      const want = c.out.data.map((v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v)));
      if (c.out.dtype !== 'float32') expect(got).toEqual(want);
      else
        got.forEach((v, i) => {
          if (Number.isFinite(want[i])) expect(v).toBeCloseTo(want[i], 5);
          else expect(v).toBe(want[i]);
        });
    });
  }
});

describe('int8 and uint8 tensors', () => {
  const i8 = (...v: number[]) => tensor(v, { dtype: 'int8' });
  const u8 = (...v: number[]) => tensor(v, { dtype: 'uint8' });

  it('quantize by hand as PyTorch: round, clamp, to int8, widen, compute', () => {
    const x = tensor([-1, -0.26, 0, 0.3, 1.2]);
    const q = x.div(0.01).round().clamp(-128, 127).to('int8');
    expect(q.dtype).toBe('int8');
    expect(q.tolist()).toEqual([-100, -26, 0, 30, 120]);
    expect(q.to('int32').mul(3).tolist()).toEqual([-300, -78, 0, 90, 360]);
    expect(q.sub(5).tolist()).toEqual([-105, -31, -5, 25, 115]);
    expect(q.max().item()).toBe(120);
    expect(q.eq(0).tolist()).toEqual([false, false, true, false, false]);
  });

  it('promotes as torch.result_type, with int32 for torch int16', () => {
    expect(m.promoteTypes('int8', 'int8')).toBe('int8');
    expect(m.promoteTypes('uint8', 'uint8')).toBe('uint8');
    expect(m.promoteTypes('int8', 'int32')).toBe('int32');
    expect(m.promoteTypes('uint8', 'bool')).toBe('uint8');
    expect(m.promoteTypes('int8', 'float32')).toBe('float32');
    expect(m.promoteTypes('uint8', 'int8')).toBe('int32');
    expect(i8(1).add(300).dtype).toBe('int8');
    expect(u8(1).add(0.5).dtype).toBe('float32');
    expect(tensor([true]).add(2).dtype).toBe('int32');
    // A 0-d tensor counts only when its category is higher (torch.result_type's three tiers).
    const zeroD = (v: number, dtype: m.DType) => tensor(v, { dtype });
    expect(i8(100).add(zeroD(300, 'int32')).dtype).toBe('int8');
    expect(i8(100).add(zeroD(300, 'int32')).tolist()).toEqual([-112]);
    expect(u8(1).mul(zeroD(1, 'int8')).dtype).toBe('uint8');
    expect(tensor([true]).add(zeroD(1, 'int8')).dtype).toBe('int8');
    expect(tensor([1, 2], { dtype: 'int32' }).add(zeroD(1.5, 'float64')).dtype).toBe('float64');
    expect(tensor([1, 2]).mul(zeroD(3, 'float64')).dtype).toBe('float32');
    expect(tensor([1, 2], { dtype: 'bfloat16' }).sub(zeroD(1, 'float32')).dtype).toBe('bfloat16');
    expect(zeroD(1, 'float64').add(zeroD(1, 'float32')).dtype).toBe('float64');
    expect(zeroD(1, 'int8').add(3.5).dtype).toBe('float32');
    expect(m.remainder(i8(100), zeroD(300, 'int32')).tolist()).toEqual([12]);
    expect(m.remainder(i8(100), zeroD(300, 'int32')).dtype).toBe('int8');
    expect(() => m.floorDivide(i8(5), zeroD(256, 'int32'))).toThrow(/floorDivide: ZeroDivisionError/);
    expect(m.bitwiseOr(i8(1), zeroD(2, 'int32')).dtype).toBe('int8');
  });

  it('creates them and checks the values fit', () => {
    expect(m.zeros([2], { dtype: 'int8' }).tolist()).toEqual([0, 0]);
    expect(m.full([2], 255, { dtype: 'uint8' }).tolist()).toEqual([255, 255]);
    expect(() => m.full([2], 300, { dtype: 'uint8' })).toThrow(
      'full: value 300 cannot be converted to uint8 without overflow',
    );
    expect(m.arange(0, 3, 1, { dtype: 'int8' }).dtype).toBe('int8');
  });

  it('create as torch 1.13 converts: full and tensor wrap what c10 takes, arange wraps every value', () => {
    expect(m.full([2], -1, { dtype: 'uint8' }).tolist()).toEqual([255, 255]);
    expect(m.full([1], -255, { dtype: 'uint8' }).tolist()).toEqual([1]);
    expect(m.full([1], 1.5, { dtype: 'uint8' }).tolist()).toEqual([1]);
    expect(() => m.full([1], -1.5, { dtype: 'uint8' })).toThrow('full: value -1.5 cannot be converted to uint8');
    expect(() => m.full([2], 200, { dtype: 'int8' })).toThrow('full: value 200 cannot be converted to int8');
    expect(() => m.full([2], -256, { dtype: 'uint8' })).toThrow('full: value -256 cannot be converted to uint8');
    expect(tensor([-1], { dtype: 'uint8' }).tolist()).toEqual([255]);
    expect(() => tensor([300], { dtype: 'int8' })).toThrow('tensor: value 300 (element 0) cannot be converted to int8');
    expect(m.arange(-1, 3, 1, { dtype: 'uint8' }).tolist()).toEqual([255, 0, 1, 2]);
    expect(m.arange(250, 260, 1, { dtype: 'uint8' }).tolist()).toEqual([250, 251, 252, 253, 254, 255, 0, 1, 2, 3]);
    expect(m.arange(120, 130, 1, { dtype: 'int8' }).tolist()).toEqual([
      120, 121, 122, 123, 124, 125, 126, 127, -128, -127,
    ]);
    expect(m.arange(-300, -298, 1, { dtype: 'uint8' }).tolist()).toEqual([212, 213]);
    expect(m.arange(0, 300, 100, { dtype: 'int8' }).tolist()).toEqual([0, 100, -56]);
    expect(m.arange(3, -2, -1, { dtype: 'uint8' }).tolist()).toEqual([3, 2, 1, 0, 255]);
    // The truncated start and step count, the numbers as given say how many.
    expect(m.arange(-0.5, 3, 1, { dtype: 'uint8' }).tolist()).toEqual([0, 1, 2, 3]);
    expect(m.arange(-1.7, 3, 1, { dtype: 'int8' }).tolist()).toEqual([-1, 0, 1, 2, 3]);
    expect(m.arange(0, 3, 1.5, { dtype: 'int8' }).tolist()).toEqual([0, 1]);
    expect(() => m.arange(0, 3, 0.5, { dtype: 'int8' })).toThrow(/arange: step must be nonzero/);
    expect(() => tensor([Number.NaN]).to('int8')).toThrow(/to: value NaN .*out of range for int32/);
  });

  // Golden values from torch 1.13 (Debian's python3-torch): torch.linspace(..., dtype=...) and
  // torch.arange(..., dtype=torch.int32).
  it('linspace converts its ends to the dtype first, as torch (a negative uint8 end wraps before the step)', () => {
    const lin = (a: number, b: number, n: number, dtype: 'int8' | 'uint8' | 'int32') =>
      m.linspace(a, b, n, { dtype }).tolist();
    expect(lin(-200, 200, 7, 'uint8')).toEqual([56, 80, 104, 128, 152, 176, 200]);
    expect(lin(-1, 1, 3, 'uint8')).toEqual([255, 128, 1]);
    expect(lin(-129, 130, 3, 'uint8')).toEqual([127, 128, 130]);
    expect(lin(-255, 255, 5, 'uint8')).toEqual([1, 64, 128, 191, 255]);
    expect(lin(-1, 1, 3, 'int8')).toEqual([-1, 0, 1]);
    // Fractional ends truncate before the step; the middle value of an odd count comes from the end.
    expect(lin(1.9, 0.9, 3, 'int32')).toEqual([1, 0, 0]);
    expect(lin(-2.5, 2.5, 3, 'int32')).toEqual([-2, 0, 2]);
    expect(lin(0.5, 300.7, 6, 'int32')).toEqual([0, 60, 120, 180, 240, 300]);
    // One step is the start alone: torch converts no end.
    expect(lin(0, 255, 1, 'int8')).toEqual([0]);
    expect(lin(0, 300, 0, 'uint8')).toEqual([]);
    expect(() => lin(300, 0, 1, 'int8')).toThrow('linspace: value 300 cannot be converted to int8 without overflow');
    expect(() => lin(0, 300, 5, 'uint8')).toThrow('linspace: value 300 cannot be converted to uint8 without overflow');
    expect(() => lin(-0.5, 255.5, 4, 'uint8')).toThrow('linspace: value -0.5 cannot be converted to uint8');
    expect(() => lin(-200, 200, 7, 'int8')).toThrow('linspace: value -200 cannot be converted to int8');
  });

  it('int32 arange counts from the truncated start and step, as its 8-bit twins and torch', () => {
    const ar = (a: number, b: number, step: number) => m.arange(a, b, step, { dtype: 'int32' }).tolist();
    expect(ar(0.5, 5, 1.5)).toEqual([0, 1, 2]);
    expect(ar(-2.7, 5, 1.5)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(ar(0, 5, 1.5)).toEqual([0, 1, 2, 3]);
    expect(ar(-0.5, 3, 1)).toEqual([0, 1, 2, 3]);
    expect(ar(1, -3, -1.5)).toEqual([1, 0, -1]);
    // torch checks the bounds' order on the truncated values: 0.9 to 0.1 by 1 is 0 to 0, empty.
    expect(ar(0.9, 0.1, 1)).toEqual([]);
    expect(ar(0.5, 0.2, 1)).toEqual([]);
    expect(() => ar(0.9, -0.9, 1)).toThrow(
      'arange: invalid size -1 (ceil((end - start) / step) with start 0.9, end -0.9, step 1; int32)',
    );
    expect(() => ar(0.5, 3, 0.7)).toThrow('arange: step must be nonzero (step 0.7 truncates to 0 for int32)');
    expect(() => ar(1.9, 0.9, 3)).toThrow(
      'arange: upper bound and lower bound inconsistent with step sign (start 1.9, end 0.9, step 3)',
    );
    expect(m.arange(0.5, 5, 1.5).tolist()).toEqual([0.5, 2, 3.5]);
  });

  it('never require gradients, and floating ops promote them to float32', () => {
    expect(() => i8(1).requiresGrad_()).toThrow(/only floating point tensors .* can require gradients, got int8/);
    expect(m.exp(u8(0)).dtype).toBe('float32');
    expect(() => i8(1, 2).mean()).toThrow('mean: input dtype must be floating point, got int8; cast with .float()');
  });

  it('print their dtype, as torch', () => {
    expect(i8(1, -2).toString()).toBe('tensor([ 1, -2], dtype=int8)');
    expect(u8(200).toString()).toBe('tensor([200], dtype=uint8)');
  });

  it('keep uint8 apart from bool through copies, views and results', () => {
    const u = u8(1, 2, 3);
    expect(u.clone().dtype).toBe('uint8');
    expect(u.reshape(3, 1).contiguous().dtype).toBe('uint8');
    expect(m.where(tensor([true, false, true]), u, u8(9)).dtype).toBe('uint8');
    expect(m.Tensor.fromData(Uint8Array.of(7), [1], { dtype: 'uint8' }).add(1).tolist()).toEqual([8]);
    expect(tensor([true]).add(tensor([true])).dtype).toBe('int32');
  });

  it('refuse a number argument of fill_, maskedFill, where and clamp that overflows, as torch', () => {
    const mask = tensor([true, false]);
    expect(() => u8(1, 2).fill_(-256)).toThrow('fill_: value -256 cannot be converted to uint8 without overflow');
    expect(() => i8(1, 2).fill_(128)).toThrow('fill_: value 128 cannot be converted to int8 without overflow');
    expect(() => u8(1, 2).maskedFill(mask, 300)).toThrow(/maskedFill: value 300 cannot be converted to uint8/);
    expect(() => m.where(mask, i8(1, 2), 200)).toThrow(/where: value 200 cannot be converted to int8/);
    expect(() => i8(1, 100).clamp(0, 200)).toThrow(/clamp: value 200 cannot be converted to int8/);
    expect(i8(1).mul_(300).tolist()).toEqual([44]); // arithmetic takes its number unchecked
  });

  it('refuse a fraction outside the dtype before truncating it, as c10 (torch 1.13: overflow error)', () => {
    for (const v of [-1.5, -0.5, 255.9])
      expect(() => u8(1).fill_(v)).toThrow(`fill_: value ${v} cannot be converted to uint8 without overflow`);
    for (const v of [127.5, -128.5])
      expect(() => i8(1).fill_(v)).toThrow(`fill_: value ${v} cannot be converted to int8 without overflow`);
    expect(() => u8(1, 2).maskedFill(tensor([true, false]), -1.5)).toThrow(/maskedFill: value -1.5 cannot/);
    // In range, a fraction truncates; an integer keeps c10's [-max, max] for uint8.
    expect(u8(0).fill_(1.5).tolist()).toEqual([1]);
    expect(i8(0).fill_(-0.5).tolist()).toEqual([0]);
    expect(u8(0).fill_(-1).tolist()).toEqual([255]);
  });

  it('take their own array back through Tensor.fromData, and a bool storage over it stays bool', () => {
    const u = m.Tensor.fromData(u8(3, 0, 255, 200).toTypedArray(), [4]);
    expect([u.dtype, u.tolist()]).toEqual(['uint8', [3, 0, 255, 200]]);
    expect(() => m.Tensor.fromData(Uint8Array.of(2), [1])).toThrow(/bool mask/);
    const b = m.Tensor.fromData(u8(1, 0).toTypedArray(), [2], { dtype: 'bool' });
    expect([b.dtype, b.clone().dtype]).toEqual(['bool', 'bool']);
  });

  it('raise integers to integer powers exactly, wrapping as torch 1.13', () => {
    expect(m.pow(i8(3, -1, 1, 2, 0), i8(40, -3, -5, -1, -1)).tolist()).toEqual([33, -1, 1, 0, 0]);
    expect(m.pow(i8(-1, -1, 1, 0), i8(-1, -2, -3, -1)).tolist()).toEqual([-1, 1, 1, 0]);
    expect(u8(3).pow(40).tolist()).toEqual([33]);
    expect(u8(200).pow(3).tolist()).toEqual([0]);
    const i32 = (...v: number[]) => tensor(v, { dtype: 'int32' });
    expect(i32(3).pow(40).tolist()).toEqual([689956897]);
    expect(i32(-3).pow(39).tolist()).toEqual([1201670133]);
    expect(m.pow(i32(-1, 2), i32(-4, -2)).tolist()).toEqual([1, 0]);
    expect(() => i8(3).pow(-1)).toThrow(/pow: integers to negative integer powers are not allowed/);
    expect(() => i32(3).pow(-1)).toThrow(/pow: integers to negative integer powers are not allowed/);
    expect(i32(4).pow(-0.5).tolist()).toEqual([0.5]);
    // uint8 with int8 is int32 here (torch: int16, where 200 ** 2 wraps to -25536).
    expect(m.pow(u8(200, 3), i8(2, 12)).tolist()).toEqual([40000, 531441]);
  });

  it('convert with char() and byte(), as torch.Tensor.char and byte', () => {
    expect(tensor([300.7, -1]).char().tolist()).toEqual([44, -1]);
    expect(tensor([300.7, -1]).byte().tolist()).toEqual([44, 255]);
    expect(tensor([1], { dtype: 'int8' }).char().dtype).toBe('int8');
  });

  it('draw from randint when the range fits', () => {
    const r = m.randint(-128, 128, [50], { dtype: 'int8' });
    expect(r.dtype).toBe('int8');
    expect(m.randint(0, 256, [3], { dtype: 'uint8' }).dtype).toBe('uint8');
    expect(() => m.randint(0, 257, [3], { dtype: 'uint8' })).toThrow(
      'randint: [0, 257) does not fit in uint8 [0, 255]',
    );
  });

  it('compare with a number as torch converts it: wrapped to 8 bits, exact for int32', () => {
    expect(i8(44).eq(300).item()).toBe(true);
    expect(u8(255).eq(-1).item()).toBe(true);
    expect(tensor([16777217], { dtype: 'int32' }).eq(16777216).item()).toBe(false);
    expect(
      tensor([2 ** 31 - 1], { dtype: 'int32' })
        .lt(2 ** 31)
        .item(),
    ).toBe(true);
  });

  it('refuse a product of int8 with another dtype, as torch', () => {
    expect(() => m.matmul(i8(1, 2), tensor([1, 2], { dtype: 'int32' }))).toThrow(
      'matmul: operands of an int8 or uint8 product must all have that one dtype, got int8 and int32',
    );
    const [a, b] = [m.ones([2, 2], { dtype: 'int8' }), m.ones([2, 2], { dtype: 'uint8' })];
    expect(() => m.mm(a, b)).toThrow(
      'mm: operands of an int8 or uint8 product must all have that one dtype, got int8 and uint8',
    );
    expect(() => m.mm(m.ones([2, 2]), b)).toThrow(/mm: .* got float32 and uint8/);
    expect(() => m.einsum('ij,jk->ik', a, b)).toThrow(/einsum: .* got int8 and uint8/);
  });
});

// Every export and Tensor method that computes given int32 tensors computes given int8 and uint8
// ones (the same call: alone, twice, with numbers, in a list), but the ones torch refuses too.
const INT32_ONLY: Record<string, string> = {
  oneHot: "torch's one_hot takes int64 indices only",
};

describe('every op that takes int32 takes int8 and uint8', () => {
  it('computes where int32 computes', () => {
    const gaps: string[] = [];
    const make = (d: m.DType) => () =>
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: d },
      );
    for (const { name, f, method } of callables(m)) {
      // Global state (seeds, the default dtype, thread counts) and files are left alone.
      if (INT32_ONLY[name] || /^(manualSeed|seed|set|use|enable|disable|save|load|onnx|export)/.test(name)) continue;
      const calls = (mk: () => Tensor): unknown[][] => {
        const c: unknown[][] = [[mk()], [mk(), mk()], [mk(), 1], [mk(), 0, 1], [mk(), [1]], [mk(), 0]];
        if (!method) c.push([[mk(), mk()]]);
        return c;
      };
      const int32Calls = calls(make('int32'));
      const k = int32Calls.findIndex((args) => {
        try {
          f(...args);
          return true;
        } catch {
          return false;
        }
      });
      if (k < 0) continue;
      for (const d of ['int8', 'uint8'] as const) {
        try {
          f(...calls(make(d))[k]);
        } catch (e) {
          gaps.push(`${name}(${d}): ${(e as Error).message}`);
        }
      }
    }
    expect(gaps).toEqual([]);
  });
});
