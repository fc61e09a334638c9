import { describe, expect, it } from 'vitest';
import { arange, emptyLike, eye, fullLike, linspace, onesLike, tensor, zerosLike } from '../lib/index.js';

describe('creation', () => {
  it('arange: int32 for integer arguments, float32 otherwise, any step sign', () => {
    expect(arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int32');
    expect(arange(1, 2, 0.25).tolist()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(1, 2, 0.25).dtype).toBe('float32');
    expect(arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
    expect(arange(0, 3, 1, { dtype: 'float32' }).dtype).toBe('float32');
    expect(arange(0).shape).toEqual([0]);
    expect(() => arange(0, 3, 0)).toThrow(/step must be nonzero/);
    expect(() => arange(3, 0, 1)).toThrow(/inconsistent with step sign/);
  });

  it('linspace hits both ends exactly', () => {
    expect(linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const l = linspace(-1, 0.3, 7).tolist() as number[];
    expect(l[0]).toBe(-1);
    expect(l[6]).toBe(Math.fround(0.3));
    expect(linspace(2, 3, 1).tolist()).toEqual([2]);
    expect(() => linspace(0, 1, -1)).toThrow(/steps must be a non-negative integer/);
  });

  it('eye and the *Like functions', () => {
    expect(eye(2, 3).tolist()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(2).tolist()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    const i = tensor([[1, 2]], { dtype: 'int32' });
    expect(zerosLike(i).dtype).toBe('int32');
    expect(onesLike(i).tolist()).toEqual([[1, 1]]);
    expect(fullLike(i, 7, { dtype: 'float32' }).tolist()).toEqual([[7, 7]]);
    expect(emptyLike(i).shape).toEqual([1, 2]);
    expect(zerosLike(tensor([1]), { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('casts: to/float/int/bool truncate toward zero and map nonzero to true', () => {
    const t = tensor([-1.7, -0.2, 0, 0.5, 2.9, NaN]);
    expect(t.int().tolist()).toEqual([-1, 0, 0, 0, 2, 0]);
    expect(t.bool().tolist()).toEqual([true, true, false, true, true, true]);
    expect(t.to('int32').float().tolist()).toEqual([-1, 0, 0, 0, 2, 0]);
    expect(t.float()).toBe(t);
    expect(tensor([true, false]).int().tolist()).toEqual([1, 0]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .T.int()
        .tolist(),
    ).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(() => t.to('float64' as 'float32')).toThrow(/to: dtype must be/);
  });
});
