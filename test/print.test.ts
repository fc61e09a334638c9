import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from '../lib/index.js';

describe('printing like PyTorch', () => {
  it('floats: 4 decimals, one width, rows aligned under "tensor("', () => {
    expect(
      tensor(
        [
          [1.5, 2.25],
          [3, 4],
        ],
        { requiresGrad: true },
      ).toString(),
    ).toBe('tensor([[1.5000, 2.2500],\n        [3.0000, 4.0000]], requiresGrad=true)');
    expect(tensor([-1.5, 10.125]).toString()).toBe('tensor([-1.5000, 10.1250])');
    expect(tensor([0.03125]).toString()).toBe('tensor([0.0312])'); // ties round to even, as Python
    expect(tensor(3.5).toString()).toBe('tensor(3.5000)');
  });

  it('integer-valued floats print as "1." and switch to scientific for large ranges', () => {
    expect(tensor([1, 2, -3]).toString()).toBe('tensor([ 1.,  2., -3.])');
    expect(tensor([1, 1e5]).toString()).toBe('tensor([1.0000e+00, 1.0000e+05])');
    expect(tensor([1e-5, 1]).toString()).toBe('tensor([1.0000e-05, 1.0000e+00])');
    expect(tensor([NaN, Infinity, 1]).toString()).toBe('tensor([nan, inf, 1.])');
    expect(tensor([0, 0]).toString()).toBe('tensor([0., 0.])');
  });

  it('int32 and bool tensors; empty tensors', () => {
    expect(
      tensor(
        [
          [1, -20],
          [300, 4],
        ],
        { dtype: 'int32' },
      ).toString(),
    ).toBe('tensor([[  1, -20],\n        [300,   4]])');
    expect(tensor([true, false]).toString()).toBe('tensor([ true, false])');
    expect(zeros([0]).toString()).toBe('tensor([])');
    expect(zeros([0, 3]).toString()).toBe('tensor([], size=[0, 3])');
  });

  it('gradFn, 3-d blank lines, summarisation above 1000 elements, line wrapping, inspect', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(x.mul(2).toString()).toBe('tensor([2., 4.], gradFn=<MulBackward>)');
    expect(arange(8).view(2, 2, 2).toString()).toBe(
      'tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])',
    );
    expect(arange(2000).toString()).toBe('tensor([   0,    1,    2,  ..., 1997, 1998, 1999])');
    expect(arange(1100).view(100, 11).toString().split('\n')[3]).toBe('        ...,');
    const wrapped = arange(30).float().toString().split('\n');
    expect(wrapped.length).toBe(3);
    expect(wrapped[1].startsWith('        ')).toBe(true);
    expect(inspect(tensor([1]))).toBe('tensor([1.])');
    expect(`${tensor([2])}`).toBe('tensor([2.])');
  });
});
