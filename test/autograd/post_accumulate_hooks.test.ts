// registerPostAccumulateGradHook and queueCallback: what DistributedDataParallel builds on.
import { describe, expect, it } from 'vitest';
import { autograd, tensor } from '../../lib/index.js';

describe('post-accumulate-grad hooks and end-of-backward callbacks', () => {
  it('a leaf hook runs once per backward, after .grad holds the accumulated sum', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    const remove = x.registerPostAccumulateGradHook((leaf) => seen.push([...leaf.grad!.data]));
    // x is used twice: the engine sums both contributions before accumulating, so one call.
    x.mul(x).add(x).sum().backward();
    expect(seen).toEqual([[3, 5]]);
    x.mul(2).sum().backward();
    expect(seen).toEqual([
      [3, 5],
      [5, 7],
    ]);
    remove();
    x.sum().backward();
    expect(seen.length).toBe(2);
  });

  it('runs in backward order (the last layer first) and not for autograd.grad', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    const order: string[] = [];
    a.registerPostAccumulateGradHook(() => order.push('a'));
    b.registerPostAccumulateGradHook(() => order.push('b'));
    a.mul(3).exp().mul(b).sum().backward();
    expect(order).toEqual(['b', 'a']);
    autograd.grad(a.mul(b).sum(), [a, b]);
    expect(order).toEqual(['b', 'a']);
  });

  it('refuses tensors that accumulate nothing', () => {
    expect(() => tensor([1]).registerPostAccumulateGradHook(() => {})).toThrow("doesn't require gradient");
    const x = tensor([1], { requiresGrad: true });
    expect(() => x.mul(2).registerPostAccumulateGradHook(() => {})).toThrow('only leaf tensors');
  });

  it('queueCallback runs once the whole backward is done, and only inside one', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    const log: string[] = [];
    b.registerPostAccumulateGradHook(() => {
      log.push('b');
      autograd.queueCallback(() => log.push(`end: a.grad=${a.grad?.data[0]}`));
    });
    a.registerPostAccumulateGradHook(() => log.push('a'));
    a.mul(b).mul(b).sum().backward();
    expect(log).toEqual(['b', 'a', 'end: a.grad=4']);
    expect(() => autograd.queueCallback(() => {})).toThrow(
      'queueCallback: can only be called while a backward pass runs',
    );
  });
});
