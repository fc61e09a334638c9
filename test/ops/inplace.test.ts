import { describe, expect, it } from 'vitest';
import { arange, noGrad, tensor, zeros } from '../../lib/index.js';

describe('in-place ops', () => {
  it('add_/sub_/mul_/div_ with broadcasting and scalars, on views, bump the version', () => {
    const t = arange(6).float().view(2, 3);
    const v0 = t.storage.version;
    t.add_(1)
      .mul_(tensor([1, 2, 3]))
      .sub_(tensor([[1], [2]]))
      .div_(2);
    expect(t.tolist()).toEqual([
      [0, 1.5, 4],
      [1, 4, 8],
    ]);
    expect(t.storage.version).toBe(v0 + 4);
    const col = t.select(1, 0); // a strided view
    col.fill_(9);
    expect(t.tolist()).toEqual([
      [9, 1.5, 4],
      [9, 4, 8],
    ]);
    t.T.zero_();
    expect(t.sum().item()).toBe(0);
    expect(() => t.add_(tensor([[1], [2], [3]]).view(3, 1, 1))).toThrow(
      /add_: output with shape \[2,3\] doesn't match the broadcast shape \[3,2,3\]/,
    );
  });

  it('copy_, clamp_ and unary in-place variants; int32 in-place keeps int32 and rejects float results', () => {
    const t = zeros([2, 2]);
    t.copy_(tensor([1, -2]));
    expect(t.tolist()).toEqual([
      [1, -2],
      [1, -2],
    ]);
    t.copy_(
      tensor(
        [
          [5, 6],
          [7, 8],
        ],
        { dtype: 'int32' },
      ),
    );
    expect(t.tolist()).toEqual([
      [5, 6],
      [7, 8],
    ]);
    t.clamp_(6, 7);
    expect(t.tolist()).toEqual([
      [6, 6],
      [7, 7],
    ]);
    t.neg_();
    expect(t.tolist()).toEqual([
      [-6, -6],
      [-7, -7],
    ]);
    const i = tensor([1, 2], { dtype: 'int32' });
    i.add_(3).mul_(2);
    expect(i.tolist()).toEqual([8, 10]);
    expect(i.dtype).toBe('int32');
    expect(() => i.add_(0.5)).toThrow(/add_: result type float32 can't be cast to the int32 tensor/);
    // A bool tensor takes only bool results, as torch's can_cast (bool with bool stays bool there).
    const flags = tensor([true, false]);
    expect(() => flags.add_(1)).toThrow(/add_: result type int32 can't be cast to the bool tensor/);
    expect(() => flags.bitwiseOr_(tensor([1, 2], { dtype: 'int8' }))).toThrow(
      /bitwiseOr_: result type int8 can't be cast to the bool tensor/,
    );
    expect(() => flags.remainder_(2)).toThrow(/remainder_: result type int32 can't be cast to the bool tensor/);
    expect(flags.tolist()).toEqual([true, false]);
    expect(flags.bitwiseXor_(true).tolist()).toEqual([false, true]);
    expect(flags.add_(tensor([true, false])).tolist()).toEqual([true, true]);
    expect(flags.mul_(tensor([true, false])).tolist()).toEqual([true, false]);
    const self = arange(4).float();
    self.add_(self.flip(0)); // overlapping source is read before it is written
    expect(self.tolist()).toEqual([3, 3, 3, 3]);
  });

  it('in-place on a leaf that requires grad throws in grad mode, works under noGrad', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(/add_: a leaf tensor that requires grad is being used in an in-place operation/);
    expect(() => w.zero_()).toThrow(/copy_: a leaf tensor that requires grad/);
    noGrad(() => w.mul_(3));
    expect(w.tolist()).toEqual([3, 6]);
    expect(w.isLeaf).toBe(true);
  });

  it('in-place on a non-leaf rebases its history so gradients stay right', () => {
    const x = tensor([0.5, 1, 1.5], { requiresGrad: true });
    const y = x.mul(2);
    y.mul_(x); // y = 2x * x
    expect(y.gradFn!.name).toBe('MulBackward');
    y.add_(1).exp_();
    y.sum().backward();
    const xs = [0.5, 1, 1.5];
    (x.grad!.tolist() as number[]).forEach((gv, i) =>
      expect(gv / (4 * xs[i] * Math.exp(2 * xs[i] ** 2 + 1))).toBeCloseTo(1, 5),
    );
    // a leaf that does not require grad becomes a non-leaf when mixed with one that does
    const a = zeros([3]);
    const b = tensor([1, 2, 3], { requiresGrad: true });
    a.add_(b.mul(b));
    expect(a.isLeaf).toBe(false);
    a.sum().backward();
    expect(b.grad!.tolist()).toEqual([2, 4, 6]);
  });

  it('modifying a tensor saved for backward is detected', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.add(0);
    const y = h.mul(h);
    h.add_(1);
    expect(() => y.sum().backward()).toThrow(
      /backward of 'mul': a tensor it saved was modified by an in-place operation/,
    );
  });

  it('in-place on a view of a tensor that requires grad is refused while recording', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const h = x.mul(1);
    expect(() => h.select(0, 0).zero_()).toThrow(
      /copy_: in-place modification of a view of a tensor that requires grad is not supported/,
    );
  });
});
