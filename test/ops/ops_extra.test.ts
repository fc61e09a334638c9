// The ops of ops_extra beyond their PyTorch fixtures: gradients against finite differences
// (twice for the ones whose backward is written with differentiable ops), views, dtype limits
// against torch.finfo/iinfo, and the errors for bad input.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';
import { loadFixture } from '../helpers/fixtures.js';

const { randn, gradcheck } = m;
/** x -> d/dx sum(f(x)^2), recorded, so gradcheck of it checks f's second derivative. */
const grad1 = (f: (x: Tensor) => Tensor) => (x: Tensor) =>
  m.enableGrad(() => m.autograd.grad(f(x).pow(2).sum(), [x], { createGraph: true })[0]!);

describe('gradients against finite differences', () => {
  m.manualSeed(3);
  const a = randn([4, 5]).requiresGrad_();
  const b = randn([2, 3, 4]).requiresGrad_();
  const v = randn([4]).requiresGrad_();

  it('diagonal, diagEmbed, diag, trace, tril, triu (and their second derivatives)', () => {
    const fns: [string, (x: Tensor) => Tensor, Tensor][] = [
      ['diagonal', (x) => x.diagonal(1), a],
      ['diagonal dims', (x) => m.diagonal(x, -1, 2, 0), b],
      ['diagEmbed', (x) => m.diagEmbed(x, 1, 0, 2), b],
      ['diag vector', (x) => m.diag(x, -1), v],
      ['diag matrix', (x) => m.diag(x, 2), a],
      ['trace', (x) => x.trace().reshape([1]), a],
      ['tril', (x) => x.tril(-1), b],
      ['triu', (x) => m.triu(x, 1), b],
    ];
    for (const [name, f, x] of fns) {
      expect(gradcheck(f, [x]), name).toBe(true);
      expect(gradcheck(grad1(f), [x]), `${name} (second order)`).toBe(true);
    }
  });

  it('frac, erf, erfc, erfinv (and their second derivatives)', () => {
    const x = m.tensor([-2.3, -0.7, 0.2, 0.9, 1.6, 3.1]).requiresGrad_();
    const y = m.tensor([-0.95, -0.4, 0.1, 0.6, 0.9]).requiresGrad_();
    expect(gradcheck((t) => t.frac(), [x])).toBe(true);
    for (const [name, f, t] of [
      ['erf', m.erf, x],
      ['erfc', m.erfc, x],
      ['erfinv', m.erfinv, y],
    ] as const) {
      expect(gradcheck(f, [t]), name).toBe(true);
      expect(gradcheck(grad1(f), [t]), `${name} (second order)`).toBe(true);
    }
  });

  it('floor, ceil, trunc and round have zero gradients (none of them NaN)', () => {
    const x = m.tensor([-1.5, 0.5, 2.7]).requiresGrad_();
    for (const f of [m.floor, m.ceil, m.trunc, (t: Tensor) => m.round(t, { decimals: 1 }), m.round]) {
      x.grad = null;
      f(x).backward(m.tensor([Number.POSITIVE_INFINITY, Number.NaN, 1]));
      expect(Array.from(x.grad!.data)).toEqual([0, 0, 0]);
    }
  });
});

describe('diagonal is a view; tril/triu/diag copies', () => {
  it('writes through diagonal reach the matrix', () => {
    const x = m.zeros([3, 3]);
    x.diagonal().fill_(7);
    expect(Array.from(x.data)).toEqual([7, 0, 0, 0, 7, 0, 0, 0, 7]);
    expect(x.diagonal(5).shape).toEqual([0]);
    expect(m.diag(x).storage).not.toBe(x.storage);
  });

  it('works on non-contiguous inputs', () => {
    const x = m.arange(24).reshape(2, 3, 4).permute(2, 0, 1);
    const ref = m.arange(24).reshape(2, 3, 4).permute(2, 0, 1).contiguous();
    expect(Array.from(x.diagonal(0, 1, 2).data)).toEqual(Array.from(ref.diagonal(0, 1, 2).data));
    expect(Array.from(x.tril(0).data)).toEqual(Array.from(ref.tril(0).data));
  });
});

describe('finfo and iinfo match torch', () => {
  const { dtypeInfo } = loadFixture<{ dtypeInfo: Record<string, Record<string, number | string>> }>('ops_extra');
  for (const [name, want] of Object.entries(dtypeInfo)) {
    it(name, () => {
      const info =
        name.startsWith('float') || name === 'bfloat16' ? m.finfo(name as 'float32') : m.iinfo(name as 'int32');
      for (const [field, value] of Object.entries(want)) expect((info as never)[field], field).toBe(value);
    });
  }
  it('defaults and errors', () => {
    expect(m.finfo().eps).toBe(2 ** -23);
    expect(m.finfo(m.zeros([1]).dtype).bits).toBe(32);
    expect(String(m.finfo())).toBe(
      'finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)',
    );
    expect(String(m.finfo('float16'))).toMatch(
      /resolution=0\.001, min=-65504, max=65504, eps=0\.000976562, smallest_normal=6\.10352e-05/,
    );
    expect(String(m.iinfo('int32'))).toBe('iinfo(min=-2.14748e+09, max=2.14748e+09, dtype=int32)');
    expect(() => m.finfo('int32')).toThrow(/finfo: int32 is not a floating point dtype; use iinfo/);
    expect(() => m.iinfo('float32')).toThrow(/iinfo: float32 is a floating point dtype; use finfo/);
    expect(() => m.iinfo('bool')).toThrow(/iinfo: bool is not an integer dtype/);
    expect(() => m.finfo('double' as never)).toThrow(/finfo: unknown dtype 'double'/);
  });
});

describe('unique', () => {
  it('destructures as torch: values, then inverse and counts when asked for', () => {
    const x = m.tensor([2, 1, 2, 3], { dtype: 'int32' });
    const [values, counts] = m.unique(x, { returnCounts: true });
    expect(Array.from(values.data)).toEqual([1, 2, 3]);
    expect(Array.from(counts.data)).toEqual([1, 2, 1]);
    const r = x.unique({ returnInverse: true });
    expect(r.counts).toBeNull();
    expect(Array.from(r.inverse!.data)).toEqual([1, 0, 1, 2]);
  });

  it('sorted: false keeps the order of first appearance; NaNs are each distinct and sort last', () => {
    const x = m.tensor([3, 1, Number.NaN, 3, 0, Number.NaN]);
    const u = m.unique(x, { sorted: false, returnInverse: true, returnCounts: true });
    expect(Array.from(u.values.data).map(String)).toEqual(['3', '1', 'NaN', '0', 'NaN']);
    expect(Array.from(u.inverse!.data)).toEqual([0, 1, 2, 0, 3, 4]);
    expect(Array.from(m.unique(x).data).map(String)).toEqual(['0', '1', '3', 'NaN', 'NaN']);
    const rows = m.tensor([
      [1, 2],
      [0, 5],
      [1, 2],
    ]);
    expect(m.unique(rows, { dim: 0, sorted: false }).tolist()).toEqual([
      [1, 2],
      [0, 5],
    ]);
  });

  it('is not differentiable and names bad options', () => {
    const x = m.tensor([1, 2, 2]).requiresGrad_();
    expect(m.unique(x).requiresGrad).toBe(false);
    expect(() => m.unique(x, { return_counts: true } as never)).toThrow(
      /unique: unknown option 'return_counts'; did you mean 'returnCounts'\?/,
    );
    expect(() => m.unique(m.tensor(1), { dim: 0 })).toThrow(/unique: dim needs a tensor of at least 1 dim/);
    expect(() => m.unique(x, { dim: 1 })).toThrow(/unique: dim 1 is out of range/);
  });
});

describe('errors name the op and the values', () => {
  it('diagonal, diag, diagEmbed, trace, tril, triu', () => {
    expect(() => m.diagonal(m.zeros([3, 3]), 0, 1, 1)).toThrow(
      /diagonal: diagonal dimensions cannot be identical 1, 1/,
    );
    expect(() => m.diagonal(m.zeros([3]))).toThrow(/diagonal: expected a tensor of at least 2 dims, got 1 dim/);
    expect(() => m.diagonal(m.zeros([3, 3]), 0.5)).toThrow(/diagonal: offset must be an integer, got 0.5/);
    expect(() => m.diag(m.zeros([2, 2, 2]))).toThrow(
      /diag: expected a vector or a matrix, got a tensor of shape \[2,2,2\]/,
    );
    expect(() => m.diagEmbed(m.zeros([2]), 0, 0, 0)).toThrow(/diagEmbed: diagonal dimensions cannot be identical 0, 0/);
    expect(() => m.trace(m.zeros([2, 2, 2]))).toThrow(/trace: expected a matrix, got a tensor of shape \[2,2,2\]/);
    expect(() => m.tril(m.zeros([3]))).toThrow(/tril: expected a tensor of at least 2 dims/);
    expect(() => m.triu(m.zeros([3, 3]), 1.5)).toThrow(/triu: diagonal must be an integer/);
    expect(() => m.trace(null as never)).toThrow(/trace: expected a Tensor, got null/);
  });

  it('rounding and the error functions', () => {
    expect(() => m.round(m.zeros([2]), { decimals: 0.5 })).toThrow(/round: decimals must be an integer, got 0.5/);
    expect(() => m.round(m.zeros([2]), { decimal: 1 } as never)).toThrow(/round: unknown option 'decimal'/);
    expect(() => m.round(m.zeros([2], { dtype: 'int32' }), { decimals: 1 })).toThrow(/round: decimals needs a float32/);
    expect(() => m.frac(m.zeros([2], { dtype: 'int32' }))).toThrow(
      /frac: expected a float32 or float64 tensor, got int32/,
    );
    expect(() => m.erfinv('x' as never)).toThrow(/erfinv: expected a Tensor, got string/);
    expect(Array.from(m.floor(m.tensor([-2, 3], { dtype: 'int32' })).data)).toEqual([-2, 3]);
  });
});

describe('sliding windows: Tensor.unfold, F.unfold, F.fold, nn.Unfold, nn.Fold', () => {
  const F = m.nn.functional;
  it('gradients (overlapping windows sum) and second derivatives', () => {
    m.manualSeed(5);
    const t = randn([2, 6, 3]).requiresGrad_();
    const img = randn([1, 2, 5, 4]).requiresGrad_();
    const cols = randn([1, 2 * 2 * 3, 10]).requiresGrad_();
    const fns: [string, (x: Tensor) => Tensor, Tensor][] = [
      ['Tensor.unfold overlapping', (x) => x.unfold(1, 3, 1), t],
      ['Tensor.unfold strided', (x) => x.unfold(1, 2, 3), t],
      ['F.unfold', (x) => F.unfold(x, [2, 3], { padding: 1, stride: [2, 1], dilation: [1, 2] }), img],
      ['F.fold', (x) => F.fold(x, [4, 5], [2, 3], { stride: [2, 1], padding: [0, 1] }), cols],
    ];
    for (const [name, f, x] of fns) {
      expect(gradcheck(f, [x]), name).toBe(true);
      expect(gradcheck(grad1(f), [x]), `${name} (second order)`).toBe(true);
    }
  });

  it('Tensor.unfold is a view; fold(unfold(x)) counts how often each pixel is covered', () => {
    const x = m.arange(6);
    const w = x.unfold(0, 3, 2);
    expect(w.tolist()).toEqual([
      [0, 1, 2],
      [2, 3, 4],
    ]);
    expect(w.storage).toBe(x.storage);
    const ones = m.ones([1, 1, 3, 3]);
    const cover = F.fold(F.unfold(ones, 2), [3, 3], 2);
    expect(Array.from(cover.data)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });

  it('modules: torch reprs, shapes, errors at construction', () => {
    const unfoldM = new m.nn.Unfold(2, { dilation: 2, padding: 1, stride: 2 });
    expect(unfoldM.toString()).toBe('Unfold(kernel_size=2, dilation=2, padding=1, stride=2)');
    expect(new m.nn.Fold([4, 5], 2).toString()).toBe(
      'Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=1)',
    );
    expect(unfoldM.call(m.zeros([2, 3, 6, 6])).shape).toEqual([2, 12, 9]);
    expect(() => new m.nn.Unfold(2, { kernel_size: 2 } as never)).toThrow(/Unfold: unknown option 'kernel_size'/);
    expect(() => new m.nn.Fold([4, 5], 0)).toThrow(/Fold: kernelSize must be a positive integer or a pair/);
  });

  it('errors in torch words', () => {
    expect(() => m.arange(5).unfold(0, 6, 1)).toThrow(
      /unfold: maximum size for tensor at dimension 0 is 5 but size is 6/,
    );
    expect(() => m.arange(5).unfold(0, 2, 0)).toThrow(/unfold: step is 0 but must be > 0/);
    expect(() => F.unfold(m.zeros([2, 3, 5, 5]), 6)).toThrow(
      /unfold: given input with spatial size \(5, 5\), kernelSize=\(6, 6\).*calculated shape of the array of sliding blocks as \(0, 0\)/,
    );
    expect(() => F.unfold(m.zeros([5, 5]), 2)).toThrow(/unfold: expected a 3-D or 4-D input/);
    expect(() => F.fold(m.zeros([2, 13, 16]), [5, 5], 2)).toThrow(
      /fold: expected size of input's dimension 1 to be divisible by the product of kernelSize, but got input.size\(1\)=13/,
    );
    expect(() => F.fold(m.zeros([2, 12, 15]), [5, 5], 2)).toThrow(
      /match the calculated number of sliding blocks 4 \* 4 = 16, but got input.size\(2\)=15/,
    );
    expect(() => F.unfold(m.zeros([1, 1, 4, 4]), 2, { padding: -1 })).toThrow(/padding must be a non-negative integer/);
  });
});
