import { describe, expect, it } from 'vitest';
import { describeOps } from '../helpers/opinfo.js';
import { viewOps } from './declarations/view.js';
import { arange, cat, chunk, gradcheck, randn, split, stack, tensor, Generator, unbind } from '../../lib/index.js';

const g = new Generator().manualSeed(11);
const leaf = (...shape: number[]) => randn(shape, { generator: g }).requiresGrad_();

describe('views share storage', () => {
  it('reshape/view/transpose/select/slice/narrow/expand write through to the base', () => {
    const base = arange(12).float();
    const v = base.view(3, 4);
    expect(v.storage).toBe(base.storage);
    v.select(1, 2).fill_(-1);
    expect(base.tolist()).toEqual([0, 1, -1, 3, 4, 5, -1, 7, 8, 9, -1, 11]);
    const s = v.slice(1, 1, undefined, 2); // columns 1 and 3
    expect(s.shape).toEqual([3, 2]);
    expect(s.tolist()).toEqual([
      [1, 3],
      [5, 7],
      [9, 11],
    ]);
    expect(v.T.storage).toBe(base.storage);
    expect(v.narrow(0, 1, 2).tolist()).toEqual([
      [4, 5, -1, 7],
      [8, 9, -1, 11],
    ]);
    expect(tensor([1, 2]).unsqueeze(1).expand(2, 3).tolist()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(v.T.isContiguous()).toBe(false);
    expect(v.T.contiguous().isContiguous()).toBe(true);
  });

  it('reshape copies when no view is possible, view refuses', () => {
    const t = arange(6).float().view(2, 3).T; // [3,2], strides [1,3]
    const r = t.reshape(6);
    expect(r.tolist()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(r.storage).not.toBe(t.storage);
    expect(() => t.view(6)).toThrow(/view: shape \[6\] is not compatible.*strides \[1,3\].*use reshape/);
    expect(t.view(3, 1, 2).shape).toEqual([3, 1, 2]); // splitting keeps a view
    expect(arange(6).view(-1, 2).shape).toEqual([3, 2]);
    expect(() => arange(6).view(4, -1)).toThrow(/shape \[4,-1\] is invalid for input of size 6/);
    expect(() => arange(6).view(-1, -1)).toThrow(/only one dimension can be inferred/);
  });

  it('flatten, unflatten, squeeze, unsqueeze, permute, mT, t', () => {
    const x = arange(24).view(2, 3, 4);
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(x.flatten(0, 1).shape).toEqual([6, 4]);
    expect(x.unflatten(2, [2, -1]).shape).toEqual([2, 3, 2, 2]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 4, 1]);
    expect(x.unsqueeze(0).squeeze().shape).toEqual([2, 3, 4]);
    expect(tensor([[[1], [2]]]).squeeze(0).shape).toEqual([2, 1]);
    expect(tensor([[[1], [2]]]).squeeze([0, 2]).shape).toEqual([2]);
    expect(x.permute(2, 0, 1).shape).toEqual([4, 2, 3]);
    expect(x.permute(2, 0, 1).tolist()).toEqual(x.permute([2, 0, 1]).tolist());
    expect(x.mT.shape).toEqual([2, 4, 3]);
    expect(x.T.shape).toEqual([4, 3, 2]);
    expect(
      tensor([[1, 2]])
        .t()
        .tolist(),
    ).toEqual([[1], [2]]);
    expect(() => x.permute(0, 0, 1)).toThrow(/permute: dims \[0,0,1\] repeat a dim/);
    expect(() => x.transpose(0, 3)).toThrow(/transpose: dim 3 is out of range for a tensor of 3 dims/);
    expect(() => x.select(1, 3)).toThrow(/select: index 3 is out of range for dim 1 of size 3/);
    expect(() => x.expand(3, 3, 4)).toThrow(/expand: the size of dim 0 \(2\) must match 3/);
    expect(() => x.narrow(2, 2, 3)).toThrow(/narrow: start 2 and length 3 exceed dim 2 of size 4/);
  });
});

describe('joining and splitting', () => {
  it('cat, stack, split, chunk, unbind, repeat, flip', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([[5, 6]]);
    expect(cat([a, b]).tolist()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(cat([a, a], -1).tolist()).toEqual([
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    expect(cat([a, tensor([[9, 9]], { dtype: 'int32' })]).dtype).toBe('float32');
    expect(stack([a, a], 2).shape).toEqual([2, 2, 2]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).tolist()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    const x = arange(7);
    expect(split(x, 3).map((t) => t.tolist())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(split(x, [2, 5]).map((t) => t.shape[0])).toEqual([2, 5]);
    expect(chunk(x, 3).map((t) => t.shape[0])).toEqual([3, 3, 1]);
    expect(unbind(a, 1).map((t) => t.tolist())).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(tensor([1, 2]).repeat(2, 2).tolist()).toEqual([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    expect(a.repeat(1, 2).tolist()).toEqual([
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    expect(a.flip(0).tolist()).toEqual([
      [3, 4],
      [1, 2],
    ]);
    expect(a.flip([0, 1]).tolist()).toEqual([
      [4, 3],
      [2, 1],
    ]);
    expect(a.T.flip(1).tolist()).toEqual([
      [3, 1],
      [4, 2],
    ]);
  });
});

describeOps(viewOps);

describe('gradients of views', () => {
  it('views of views of a non-contiguous input', () => {
    const x = leaf(3, 4);
    expect(
      gradcheck(
        (t) =>
          t.T.slice(0, 1, 4, 2)
            .select(1, 1)
            .mul(t.select(1, 0).narrow(0, 0, 2)),
        [x],
      ),
    ).toBe(true);
    const y = leaf(4, 3).T; // a non-contiguous input itself
    expect(gradcheck((t) => t.reshape(12).mul(t.flatten()), [y])).toBe(true);
  });
});
