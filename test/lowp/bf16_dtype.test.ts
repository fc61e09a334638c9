// The bfloat16 tensor dtype: creation, casts, promotion, item/tolist and printing bit for bit
// against PyTorch 1.13 (test/fixtures/bf16_dtype.json, written by scripts/gen_fixtures_bf16.py),
// every other op computing on it in float32 and rounding (or refusing it with an error that names
// it). Files, modules and optimizers of bfloat16 tensors: bf16_io.test.ts.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { loadFixture } from '../helpers/fixtures.js';
import { callables } from '../helpers/refusals.js';
import { fillRaw } from '../../lib/raw/strided.js';

type Num = number | string;
interface Fx {
  fromDoubles: { values: Num[]; bf16: number[]; viaFloat64: number[] };
  fromFloat32: { x: number[]; bf16: number[] };
  fromInt32: { x: number[]; bf16: number[] };
  toOthers: { bf16: number[]; float32: number[]; float64: Num[]; bool: boolean[]; int32: number[] };
  creation: Record<'full' | 'arange' | 'arangeInt' | 'arangeLong' | 'linspace' | 'ones' | 'bool', number[]>;
  printing: { values?: unknown; arange?: number; requiresGrad?: number[]; text: string }[];
  promotion: Record<string, string>;
}
const fx = loadFixture<Fx>('bf16_dtype');

const num = (v: Num): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity);
const bitsOf = (t: m.Tensor): number[] => {
  expect(t.dtype).toBe('bfloat16');
  return Array.from(t.contiguous().data as Uint16Array);
};
const fromBits = (bits: number[]): m.Tensor =>
  m.Tensor.fromData(Uint16Array.from(bits), [bits.length], { dtype: 'bfloat16' });

describe('bfloat16 creation', () => {
  it("tensor() of JS numbers (doubles) rounds through float32, as torch's", () => {
    const values = fx.fromDoubles.values.map(num);
    expect(bitsOf(m.tensor(values, { dtype: 'bfloat16' }))).toEqual(fx.fromDoubles.bf16);
    expect(bitsOf(m.tensor(Float64Array.from(values), { dtype: 'bfloat16' }))).toEqual(fx.fromDoubles.bf16);
    // A float64 NaN's bfloat16 bits in torch depend on where it sits (0x7fc0 or 0xffff: its scalar
    // and vector conversions differ); compare NaN as NaN, the rest bit for bit.
    const nanAs = (bits: number[]) => bits.map((b) => ((b & 0x7fff) > 0x7f80 ? 'NaN' : b));
    expect(nanAs(bitsOf(m.tensor(values, { dtype: 'float64' }).bfloat16()))).toEqual(nanAs(fx.fromDoubles.viaFloat64));
  });

  it('a value past the largest bfloat16 is infinity, as torch (not an error)', () => {
    expect(m.tensor([1e40, -1e40], { dtype: 'bfloat16' }).tolist()).toEqual([Infinity, -Infinity]);
  });

  it('full, ones, zeros, empty, arange, linspace, eye and booleans', () => {
    expect(bitsOf(m.full([3], 1.1, { dtype: 'bfloat16' }))).toEqual(fx.creation.full);
    expect(bitsOf(m.ones([2], { dtype: 'bfloat16' }))).toEqual(fx.creation.ones);
    expect(bitsOf(m.zeros([2], { dtype: 'bfloat16' }))).toEqual([0, 0]);
    expect(bitsOf(m.empty([2], { dtype: 'bfloat16' }))).toEqual([0, 0]);
    expect(bitsOf(m.arange(-1.3, 2.0, 0.7, { dtype: 'bfloat16' }))).toEqual(fx.creation.arange);
    expect(bitsOf(m.arange(250, 262, 1, { dtype: 'bfloat16' }))).toEqual(fx.creation.arangeInt);
    expect(bitsOf(m.linspace(-1, 1, 7, { dtype: 'bfloat16' }))).toEqual(fx.creation.linspace);
    expect(bitsOf(m.arange(-1.3, 20, 0.7, { dtype: 'bfloat16' }))).toEqual(fx.creation.arangeLong);
    expect(bitsOf(m.full([2], NaN, { dtype: 'bfloat16' }))).toEqual([0x7fc0, 0x7fc0]);
    // The internal fill (zeroing grads, resetting buffers) takes a number as full does; so does
    // torch's fill_ (0x7fc0 for a NaN).
    const raw = m.zeros([3, 2], { dtype: 'bfloat16' });
    fillRaw(raw.t(), NaN);
    expect(bitsOf(raw)).toEqual(Array(6).fill(0x7fc0));
    fillRaw(raw, 1.1);
    expect(bitsOf(raw)).toEqual(Array(6).fill(fx.creation.full[0]));
    expect(bitsOf(m.tensor([true, false], { dtype: 'bfloat16' }))).toEqual(fx.creation.bool);
    // torch 1.13 has no bfloat16 eye on the CPU; its ones are bfloat16's 1 (0x3f80).
    expect(m.eye(2, 3, { dtype: 'bfloat16' }).float().tolist()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const like = m.zerosLike(m.ones([2], { dtype: 'bfloat16' }));
    expect(bitsOf(like)).toEqual([0, 0]);
    expect(bitsOf(m.fullLike(like, 2.5))).toEqual([0x4020, 0x4020]);
  });

  it('rand and randn draw float32 values kept to bfloat16 (rand stays below 1)', () => {
    const u = m.rand([5000], { dtype: 'bfloat16' }).float().data as Float32Array;
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
    const n = m.randn([100], { dtype: 'bfloat16', requiresGrad: true });
    expect(n.dtype).toBe('bfloat16');
    expect(n.requiresGrad).toBe(true);
    // Every value is a bfloat16: the low half of its float32 pattern is zero.
    const words = new Uint32Array(n.float().data.buffer as ArrayBuffer);
    expect(words.every((w) => (w & 0xffff) === 0)).toBe(true);
  });

  it('Tensor.fromData takes a Uint16Array as bfloat16 bits when asked; a Uint16Array is no other dtype', () => {
    expect(fromBits([0x3f80, 0xc020]).tolist()).toEqual([1, -2.5]);
    // 16-bit image data must not silently become tiny floats.
    expect(() => m.Tensor.fromData(Uint16Array.from([1000, 2]), [2])).toThrow(
      /Tensor\.fromData: a Uint16Array .* pass \{ dtype: 'bfloat16' \}/,
    );
    expect(() => m.Tensor.fromData(new Uint16Array(2), [2], { dtype: 'float32' })).toThrow(/Uint16Array.*bfloat16/);
    expect(() => m.Tensor.fromData(new Float32Array(2), [2], { dtype: 'bfloat16' })).toThrow(
      /Float32Array cannot hold bfloat16/,
    );
    expect(m.Tensor.fromData(Uint8Array.from([7, 200]), [2], { dtype: 'uint8' }).dtype).toBe('uint8');
    expect(() => new m.Storage(new Uint16Array(2), 'float32')).toThrow(/Uint16Array cannot hold float32/);
    expect(() => new m.Storage(new Uint16Array(2), 'bfloat16')).not.toThrow();
    // tensor() copies a Uint16Array's values as numbers, as every other typed array's.
    expect(m.tensor(Uint16Array.from([3, 65535])).tolist()).toEqual([3, 65535]);
  });
});

describe('bfloat16 casts', () => {
  it('from float32 as x.to(torch.bfloat16): ties to even, overflow, NaN', () => {
    const x = new Float32Array(Int32Array.from(fx.fromFloat32.x).buffer);
    expect(bitsOf(m.tensor(x).bfloat16())).toEqual(fx.fromFloat32.bf16);
    expect(bitsOf(m.tensor(x).to('bfloat16'))).toEqual(fx.fromFloat32.bf16);
  });

  it('from int32 (through float32: 16777217 rounds twice, as torch)', () => {
    expect(bitsOf(m.tensor(Int32Array.from(fx.fromInt32.x)).bfloat16())).toEqual(fx.fromInt32.bf16);
  });

  it('to float32 and float64 exactly, to bool nonzero-is-true, to int32 truncated', () => {
    const b = fromBits(fx.toOthers.bf16);
    expect(Array.from(new Int32Array((b.float().data as Float32Array).slice().buffer))).toEqual(fx.toOthers.float32);
    expect(b.double().tolist()).toEqual(fx.toOthers.float64.map(num));
    expect(b.tolist()).toEqual(fx.toOthers.float64.map(num));
    expect(b.bool().tolist()).toEqual(fx.toOthers.bool);
    expect(fromBits(fx.toOthers.bf16.slice(0, 8)).int().tolist()).toEqual(fx.toOthers.int32);
    // Out of int32's range, NaN and infinity are refused as float32's are (torch leaves them undefined).
    for (const i of [9, 11, 12]) expect(() => fromBits([fx.toOthers.bf16[i]]).int()).toThrow(RangeError);
  });

  it('item() and tolist() give the values, data the bits', () => {
    const t = m.tensor(
      [
        [3.14159, -0.1],
        [NaN, 1e-40],
      ],
      { dtype: 'bfloat16' },
    );
    expect(t.reshape(4).toTypedArray()).toBeInstanceOf(Uint16Array);
    expect(m.tensor(3.14159, { dtype: 'bfloat16' }).item()).toBe(3.140625);
    expect(t.tolist()).toEqual([
      [3.140625, -0.10009765625],
      [NaN, 2 ** -133],
    ]);
    expect(t.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(t.data as Uint16Array)).toEqual([0x4049, 0xbdcd, 0x7fc0, 0x0001]);
  });

  it('casts are differentiable: float32 <-> bfloat16 gradients are cast back', () => {
    const w = m.tensor([1.5, 2.25], { dtype: 'bfloat16', requiresGrad: true });
    w.float()
      .mul(m.tensor([0.1, 3]))
      .sum()
      .backward();
    expect(w.grad!.dtype).toBe('bfloat16');
    expect(bitsOf(w.grad!)).toEqual(bitsOf(m.tensor([0.1, 3]).bfloat16()));
    const a = m.tensor([0.1, -7], { requiresGrad: true });
    a.bfloat16().double().sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(a.grad!.tolist()).toEqual([1, 1]);
  });

  it('int8 / uint8 convert to bfloat16 exactly', () => {
    const q = m.quantizePerTensor(m.tensor([-1.27, 0.5, 1.27]), 0.01, 0, 'qint8').intRepr();
    expect(q.bfloat16().tolist()).toEqual([-127, 50, 127]);
  });
});

describe('bfloat16 promotion', () => {
  it("is torch's: with float32 float32, with float64 float64, with int32 and bool bfloat16", () => {
    for (const [pair, want] of Object.entries(fx.promotion)) {
      const [a, b] = pair.split(',') as [m.DType, m.DType];
      expect(`${pair}: ${m.promoteTypes(a, b)}`).toBe(`${pair}: ${want}`);
    }
  });

  it('bfloat16 is floating, cannot be the default dtype yet', () => {
    expect(m.isFloatingDType('bfloat16')).toBe(true);
    expect(() => m.setDefaultDtype('bfloat16' as never)).toThrow(/only floating dtypes 'float32' and 'float64'/);
  });
});

describe('bfloat16 printing', () => {
  it("is torch's repr", () => {
    for (const p of fx.printing) {
      let t: m.Tensor;
      if (p.arange !== undefined) t = m.arange(p.arange, undefined, 1, { dtype: 'bfloat16' });
      else if (p.requiresGrad !== undefined) t = m.tensor(p.requiresGrad, { dtype: 'bfloat16', requiresGrad: true });
      else {
        const fix = (v: unknown): unknown => (Array.isArray(v) ? v.map(fix) : num(v as Num));
        t = m.tensor(fix(p.values) as number[], { dtype: 'bfloat16' });
      }
      expect(t.toString()).toBe(p.text);
    }
  });
});

// Every export and Tensor method but the ones that create, view (but expand), copy or convert: given a
// bfloat16 tensor it computes what float32 then rounding gives, or throws an error naming the dtype.
const STORAGE_OPS = new Set([
  'reshape',
  'view',
  'flatten',
  'unflatten',
  'squeeze',
  'unsqueeze',
  'permute',
  'transpose',
  't',
  'select',
  'slice',
  'narrow',
  'mT',
  'T',
  'clone',
  'contiguous',
  'formatTensor',
  'isTensor',
  'toString',
  'detach',
  'to',
  'float',
  'double',
  'int',
  'bool',
  'bfloat16',
  'cpu',
  'size',
  'dim',
  'numel',
  'isContiguous',
  'item',
  'tolist',
  'toTypedArray',
  'requiresGrad_',
  'detach_',
  '_setGradFn',
  'retainGrad',
  'zerosLike',
  'onesLike',
  'fullLike',
  'emptyLike',
  'randLike',
  'randnLike',
  // no tensor argument: they return whatever they are given
  'areDeterministicAlgorithmsEnabled',
  'backendInfo',
  'getNumThreads',
  'getDefaultDtype',
  'initialSeed',
  'isAutocastEnabled',
  'isGradEnabled',
]);

describe('every other op computes in float32 and rounds, or refuses bfloat16 by name', () => {
  it('gives float32-then-rounded values in bfloat16 (bool and int32 results unchanged), or an error naming the dtype', () => {
    // Values that bfloat16 holds exactly: the float32 call sees the same inputs as the bfloat16 one.
    const values = [
      [0.1, -0.25, 3],
      [1, 2, -7],
    ];
    const make = (dtype: 'float32' | 'bfloat16') => m.tensor(values, { dtype: 'bfloat16' }).to(dtype);
    const tensorsIn = (o: unknown): m.Tensor[] =>
      o instanceof m.Tensor
        ? [o]
        : Array.isArray(o)
          ? o.flatMap(tensorsIn)
          : o !== null && typeof o === 'object'
            ? Object.values(o).flatMap(tensorsIn)
            : [];
    const computed: string[] = [];
    const wrong: string[] = [];
    const unnamed: string[] = [];
    for (const { name, f, method } of callables(m)) {
      if (STORAGE_OPS.has(name)) continue;
      const calls: ((d: 'float32' | 'bfloat16') => unknown[])[] = [
        (d) => [make(d)],
        (d) => [make(d), make(d)],
        (d) => [make(d), 1],
        (d) => [make(d), 0, 1],
        (d) => [make(d), [1]],
        (d) => [m.gt(make('float32'), 0), make(d), make(d)], // where: a bool condition
      ];
      if (!method) calls.push((d) => [[make(d), make(d)]]); // cat, stack and the other lists of tensors
      let refusal = '';
      for (const args of calls) {
        let want: unknown;
        let got: unknown;
        try {
          m.manualSeed(1); // dropout and the other random ops draw the same in both dtypes
          want = f(...args('float32'));
        } catch {
          continue; // not a call this op takes
        }
        try {
          m.manualSeed(1);
          got = f(...args('bfloat16'));
        } catch (e) {
          refusal = `${name}: ${(e as Error).message}`;
          continue;
        }
        refusal = '';
        computed.push(name);
        const [ws, gs] = [tensorsIn(want), tensorsIn(got)];
        if (ws.length !== gs.length) wrong.push(`${name}: ${gs.length} tensors, float32 gives ${ws.length}`);
        ws.forEach((w, i) => {
          const g = gs[i];
          const dtype = w.dtype === 'float32' ? 'bfloat16' : w.dtype;
          if (g?.dtype !== dtype) return wrong.push(`${name}: ${g?.dtype} where float32 gives ${w.dtype}`);
          // One rounding of the float32 result is within half a bfloat16 ulp (2^-9 relative); an
          // op made of several ops rounds after each, so a few ulps.
          const [wv, gv] = [w.detach().double().tolist(), g.detach().double().tolist()].map(
            (v) => [v].flat(9) as number[],
          );
          const far = wv.findIndex(
            (x, j) =>
              !(x === gv[j] || (x !== x && gv[j] !== gv[j]) || Math.abs(x - gv[j]) <= 2 ** -6 * Math.abs(x) + 2 ** -8),
          );
          if (far >= 0) wrong.push(`${name}: [${far}] ${gv[far]} where float32 gives ${wv[far]}`);
        });
        break;
      }
      if (refusal && !refusal.includes('bfloat16')) unnamed.push(refusal);
    }
    expect(wrong).toEqual([]);
    expect(unnamed).toEqual([]);
    // The families compute (not only refuse): a sample of them.
    for (const name of [
      'add',
      'mul',
      'exp',
      'sum',
      'mean',
      'amax',
      'softmax',
      'logSoftmax',
      'argmax',
      'sort',
      'eq',
      'where',
      'cat',
      'l1Loss',
      'gelu',
      'relu',
      'dropout',
      'groupNorm',
      'add_',
      'fill_',
    ])
      expect(computed).toContain(name);
  });

  it('refuses with a clear error what has no bfloat16 path: out= of softmax, mixed products', () => {
    const x = m.ones([2, 2], { dtype: 'bfloat16' });
    expect(() => m.softmax(x, 1, { out: m.zeros([2, 2], { dtype: 'bfloat16' }) })).toThrow(
      /softmax with out: bfloat16 tensors are not supported yet/,
    );
    expect(() => m.matmul(x, m.ones([2, 2]))).toThrow(
      /matmul: operands must all be bfloat16 or all float32, got bfloat16 and float32/,
    );
  });

  it("batchNorm updates bfloat16 running statistics (in float32, stored rounded), as PyTorch's", () => {
    const x = m.randn([4, 3]);
    const [mean, variance] = [m.zeros([3]), m.ones([3])];
    const [mean16, var16] = [mean.bfloat16(), variance.bfloat16()];
    m.nn.functional.batchNorm(x.bfloat16().float(), mean, variance, { training: true });
    const y = m.nn.functional.batchNorm(x.bfloat16(), mean16, var16, { training: true });
    expect(y.dtype).toBe('bfloat16');
    expect(mean16.dtype).toBe('bfloat16');
    expect(bitsOf(mean16)).toEqual(bitsOf(mean.bfloat16()));
    expect(bitsOf(var16)).toEqual(bitsOf(variance.bfloat16()));
  });
});

describe('bfloat16 views and copies', () => {
  it('reshape, view, clone and contiguous keep the bits and the graph', () => {
    const w = m.tensor([0.1, 0.2, 0.3, 0.4], { dtype: 'bfloat16', requiresGrad: true });
    const v = w.reshape(2, 2).t().contiguous().view(4).clone();
    expect(v.dtype).toBe('bfloat16');
    expect(v.gradFn).not.toBeNull();
    expect(bitsOf(w.reshape(2, 2).view(4).clone())).toEqual(bitsOf(w));
    v.float()
      .mul(m.tensor([1, 2, 3, 4]))
      .sum()
      .backward();
    // v = w[0, 2, 1, 3]: w's gradient is [1, 3, 2, 4], in bfloat16.
    expect(w.grad!.dtype).toBe('bfloat16');
    expect(w.grad!.tolist()).toEqual([1, 3, 2, 4]);
  });

  it('expand is a view of the bfloat16 storage; its gradient sums back in bfloat16', () => {
    const w = m.tensor([[0.1], [0.2]], { dtype: 'bfloat16', requiresGrad: true });
    const e = w.expand([2, 3]);
    expect(e.storage).toBe(w.storage);
    expect(e.dtype).toBe('bfloat16');
    e.float().sum().backward();
    expect(w.grad!.dtype).toBe('bfloat16');
    expect(w.grad!.tolist()).toEqual([[3], [3]]);
  });
});
