// Every tensor an op keeps for its backward is version-checked, not only those it saves with
// ctx.save: an index, mask or condition modified in place between the forward and the backward
// would otherwise send the gradient to the wrong places without a word (PyTorch raises).
// Gradient hooks may replace a gradient only by one of the same shape and dtype.
import { describe, expect, it } from 'vitest';
import { gather, indexSelect, maskedFill, nn, ones, randn, type Tensor, tensor, where } from '../../lib/index.js';

const { embedding } = nn.functional;

const MODIFIED = /modified by an in-place operation/;

describe('a tensor kept for backward and then modified in place', () => {
  const cases: [string, (x: Tensor) => { out: Tensor; kept: Tensor }, (kept: Tensor) => void][] = [
    [
      'gather',
      (x) => {
        const index = tensor([[2], [0]], { dtype: 'int32' });
        return { out: gather(x, 1, index), kept: index };
      },
      (index) => index.fill_(0),
    ],
    [
      'indexSelect',
      (x) => {
        const index = tensor([2, 0], { dtype: 'int32' });
        return { out: indexSelect(x, 1, index), kept: index };
      },
      (index) => index.fill_(1),
    ],
    [
      'maskedFill',
      (x) => {
        const mask = tensor([true, false, true]);
        return { out: maskedFill(x, mask, 0), kept: mask };
      },
      (mask) => mask.fill_(false),
    ],
    [
      'where',
      (x) => {
        const cond = tensor([true, false, true]);
        return { out: where(cond, x, x.mul(2)), kept: cond };
      },
      (cond) => cond.fill_(true),
    ],
    [
      'embedding',
      (x) => {
        const index = tensor([1, 0], { dtype: 'int32' });
        return { out: embedding(index, x), kept: index };
      },
      (index) => index.fill_(0),
    ],
  ];
  for (const [name, run, modify] of cases) {
    it(`${name}: backward throws, naming the op`, () => {
      const x = randn([2, 3], { requiresGrad: true });
      const { out, kept } = run(x);
      modify(kept);
      expect(() => out.sum().backward()).toThrow(new RegExp(`backward of '${name}'.*${MODIFIED.source}`));
    });
    it(`${name}: unmodified, backward runs`, () => {
      const x = randn([2, 3], { requiresGrad: true });
      run(x).out.sum().backward();
      expect(x.grad).not.toBeNull();
    });
  }

  it("gather's gradient is not silently misplaced (it was [0,0,2] for [2,0,0])", () => {
    const x = randn([3], { requiresGrad: true });
    const index = tensor([0, 0], { dtype: 'int32' });
    const y = gather(x, 0, index);
    index.fill_(2);
    expect(() => y.sum().backward()).toThrow(MODIFIED);
    expect(x.grad).toBeNull();
  });
});

describe('gradient hooks', () => {
  it('a hook returning a tensor of another shape is an error', () => {
    const x = randn([2], { requiresGrad: true });
    x.registerHook(() => ones([3]));
    expect(() => x.mul(2).sum().backward()).toThrow(
      'registerHook: a gradient hook returned a tensor of shape [3] for a gradient of shape [2]',
    );
  });
  it('on a non-leaf too', () => {
    const x = randn([2], { requiresGrad: true });
    const y = x.mul(2);
    y.registerHook(() => ones([2, 1]));
    expect(() => y.sum().backward()).toThrow(/shape \[2,1\] for a gradient of shape \[2\]/);
  });
  it('a hook returning another dtype or not a tensor is an error', () => {
    const x = randn([2], { requiresGrad: true });
    x.registerHook(() => tensor([1, 2], { dtype: 'int32' }));
    expect(() => x.mul(2).sum().backward()).toThrow('returned a int32 tensor for a float32 gradient');
    const z = randn([2], { requiresGrad: true });
    z.registerHook((() => 3) as unknown as () => Tensor);
    expect(() => z.mul(2).sum().backward()).toThrow('must return a Tensor or nothing, got 3');
  });
  it('a hook returning a same-shape tensor replaces the gradient', () => {
    const x = randn([2], { requiresGrad: true });
    x.registerHook((g) => g.mul(10));
    x.mul(2).sum().backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([20, 20]);
  });
});

describe('running statistics are not kept for backward', () => {
  it('a second BatchNorm forward (updating the running statistics) before the first backward is no error', () => {
    const bn = new nn.BatchNorm1d(3);
    const x = randn([4, 3], { requiresGrad: true });
    const first = bn.call(x).sum();
    bn.call(randn([4, 3])); // updates runningMean / runningVar in place
    first.backward();
    expect(x.grad?.shape).toEqual([4, 3]);
  });
});
