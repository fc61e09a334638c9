import { describe, expect, it } from 'vitest';
import { autograd, noGrad, type Tensor, tensor } from '../../lib/index.js';

describe('autograd engine', () => {
  it('chain rule through a DAG with a shared input: z = x*y + x, dz/dx = y + 1, dz/dy = x', () => {
    const x = tensor([2], { requiresGrad: true });
    const y = tensor([6], { requiresGrad: true });
    const z = x.mul(y).add(x);
    z.backward();
    expect(Array.from(x.grad!.data)).toEqual([7]);
    expect(Array.from(y.grad!.data)).toEqual([2]);
    expect(z.gradFn!.name).toBe('AddBackward');
    expect(x.isLeaf).toBe(true);
    expect(z.isLeaf).toBe(false);
  });

  it('accumulates into .grad across backward calls and frees the graph', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x);
    y.backward(tensor([1, 1, 1]), { retainGraph: true });
    y.backward(tensor([1, 1, 1]));
    expect(Array.from(x.grad!.data)).toEqual([4, 8, 12]);
    expect(() => y.backward(tensor([1, 1, 1]))).toThrow(/backward through the graph a second time/);
  });

  it('backward with createGraph keeps the graph unless retainGraph says otherwise, as PyTorch', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).mul(x).sum();
    y.backward(undefined, { createGraph: true });
    y.backward(); // the graph is still there: x.grad = 2 * 3x^2
    expect(Array.from(x.grad!.data)).toEqual([6, 24]);
    const z = x.mul(x).sum();
    z.backward(undefined, { createGraph: true, retainGraph: false });
    expect(() => z.backward()).toThrow(/retainGraph/);
  });

  it('defineOp refuses what is not a spec, naming itself', () => {
    expect(() => autograd.defineOp(undefined as never)).toThrow(/^autograd\.defineOp: spec must be an object/);
    expect(() => autograd.defineOp(3 as never)).toThrow(/^autograd\.defineOp: options must be an object, got 3/);
    const spec = { name: 'twice', forward: (_c: unknown, a: Tensor) => a.mul(2), backward: () => [] };
    expect(() => autograd.defineOp({ ...spec, dtypes: ['int32'] as never })).toThrow(
      /^autograd\.defineOp: spec\.dtypes must be a list of floating dtypes/,
    );
  });

  it('autograd.grad returns gradients without touching .grad; hooks and retainGrad run', () => {
    const x = tensor([3], { requiresGrad: true });
    const h = x.mul(x);
    h.retainGrad();
    const seen: number[] = [];
    h.registerHook((g) => {
      seen.push(g.item() as number);
    });
    const out = h.mul(2);
    const [gx] = autograd.grad(out, x, { retainGraph: true });
    expect(gx!.item()).toBe(12);
    expect(x.grad).toBeNull();
    out.backward();
    expect(h.grad!.item()).toBe(2);
    expect(seen).toEqual([2, 2]);
    expect(x.grad!.item()).toBe(12);
  });

  it('a deep chain (100k nodes) does not overflow the stack', () => {
    const x = tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(0);
    y.backward();
    expect(x.grad!.item()).toBe(1);
  });

  it('noGrad records nothing; saved tensors modified in place are detected', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(x));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4]);
    const c = a.mul(b);
    b.storage.version++; // what an in-place op does
    expect(() => c.backward(tensor([1, 1]))).toThrow(
      /backward of 'mul': a tensor it saved was modified by an in-place operation/,
    );
  });
});
