// The gradient a leaf keeps in .grad is a contiguous tensor with a storage of its own (as
// torch's AccumulateGrad, which clones what it cannot steal): backward often hands a leaf a
// view (sum's backward: a stride-0 broadcast of one number; x.matmul(w.t()): a transposed
// view; add's backward: the same tensor for both inputs; y.backward(g): the caller's g), and
// in-place work on .grad (zeroGrad without setToNone, clipGradNorm_, grad.mul_) must act on
// exactly that leaf's gradient.
import { describe, expect, it } from 'vitest';
import { nn, optim, randn, stack, type Tensor } from '../../lib/index.js';

function values(t: Tensor | null): number[] {
  expect(t).not.toBeNull();
  return Array.from(t!.toTypedArray() as Float32Array);
}

function expectOwned(t: Tensor | null, what: string): void {
  expect(t, what).not.toBeNull();
  expect(t!.isContiguous(), `${what}: contiguous`).toBe(true);
  expect(t!.offset, `${what}: offset`).toBe(0);
  expect(t!.storage.data.length, `${what}: storage size`).toBe(t!.numel());
}

describe('leaf gradients own a contiguous storage', () => {
  it('after backward through broadcast, transposed, shared and caller-given gradients', () => {
    const w = randn([3, 4]).requiresGrad_();
    w.sum().backward(); // a stride-0 view of one number
    expectOwned(w.grad, 'sum');
    expect(values(w.grad)).toEqual(new Array(12).fill(1));

    const w2 = randn([5, 4]).requiresGrad_();
    randn([2, 4])
      .matmul(w2.t())
      .mul(randn([2, 5]))
      .sum()
      .backward(); // a transposed view
    expectOwned(w2.grad, 'matmul with w.t()');

    const a = randn([3]).requiresGrad_();
    const b = randn([3]).requiresGrad_();
    a.add(b)
      .mul(randn([3]))
      .sum()
      .backward(); // one tensor for both
    expectOwned(a.grad, 'add a');
    expectOwned(b.grad, 'add b');
    expect(a.grad!.storage).not.toBe(b.grad!.storage);

    const p = randn([3]).requiresGrad_();
    const q = randn([3]).requiresGrad_();
    stack([p, q])
      .mul(randn([2, 3]))
      .sum()
      .backward(); // select views at an offset
    expectOwned(p.grad, 'stack p');
    expectOwned(q.grad, 'stack q');

    const x = randn([2, 3]).requiresGrad_();
    const g = randn([6]);
    x.reshape([6]).backward(g); // the caller's tensor
    expectOwned(x.grad, 'caller gradient');
    expect(x.grad!.storage).not.toBe(g.storage);
    expect(values(x.grad)).toEqual(values(g));
  });

  it('in place on one leaf gradient leaves the others and the caller tensor alone', () => {
    const a = randn([4]).requiresGrad_();
    const b = randn([4]).requiresGrad_();
    a.add(b)
      .mul(randn([4]))
      .sum()
      .backward();
    const before = values(b.grad);
    a.grad!.mul_(2);
    expect(values(b.grad)).toEqual(before);

    const x = randn([4]).requiresGrad_();
    const g = randn([4]);
    const gBefore = values(g);
    x.reshape([2, 2]).backward(g.reshape([2, 2]));
    new optim.SGD([x], { lr: 0.1 }).zeroGrad({ setToNone: false });
    expect(values(g)).toEqual(gBefore);
  });
});

describe('zeroGrad without setToNone', () => {
  it('zeroes a gradient that backward produced as a broadcast view (optimizer and module)', () => {
    const lin = new nn.Linear(4, 3);
    const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
    const x = randn([2, 4]);
    for (const zero of [() => opt.zeroGrad({ setToNone: false }), () => lin.zeroGrad({ setToNone: false })]) {
      lin.zeroGrad();
      lin.weight.sum().add(lin.bias!.sum()).backward(); // both: broadcasts of one number
      zero();
      expect(values(lin.weight.grad)).toEqual(new Array(12).fill(0));
      expect(values(lin.bias!.grad)).toEqual(new Array(3).fill(0));
      // The next backward starts from zero: the gradient of this step only.
      lin.call(x).sum().backward();
      expect(values(lin.bias!.grad)).toEqual(new Array(3).fill(2));
    }
  });

  it('zeroes a first gradient that is a broadcast view', () => {
    const w = randn([3, 4]).requiresGrad_();
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.sum().backward();
    opt.zeroGrad({ setToNone: false });
    expect(values(w.grad)).toEqual(new Array(12).fill(0));
    w.mul(2).sum().backward();
    expect(values(w.grad)).toEqual(new Array(12).fill(2));
  });

  it('zeroes a gradient assigned by hand as a non-contiguous view', () => {
    const w = randn([3, 4]).requiresGrad_();
    const big = randn([4, 3]);
    w.grad = big.t();
    new optim.SGD([w], { lr: 0.1 }).zeroGrad({ setToNone: false });
    expect(values(w.grad)).toEqual(new Array(12).fill(0));
    const m = new nn.Linear(3, 4);
    m.weight.grad = randn([3, 4]).t();
    m.zeroGrad({ setToNone: false });
    expect(values(m.weight.grad)).toEqual(new Array(12).fill(0));
  });
});

describe('clipGradNorm_ on gradients backward made as views', () => {
  it('scales each of two gradients that came from one tensor once', () => {
    const a = randn([5]).requiresGrad_();
    const b = randn([5]).requiresGrad_();
    const c = randn([5]);
    a.add(b).mul(c).sum().backward(); // d/da = d/db = c
    const cv = values(c);
    const total = Math.sqrt(2 * cv.reduce((s, v) => s + v * v, 0));
    const coef = Math.fround(0.5 / (total + 1e-6));
    nn.clipGradNorm_([a, b], 0.5);
    const want = cv.map((v) => Math.fround(v * coef));
    expect(values(a.grad)).toEqual(want);
    expect(values(b.grad)).toEqual(want);
  });

  it('clips the gradient of a weight used transposed', () => {
    const w = randn([5, 4]).requiresGrad_();
    randn([2, 4])
      .matmul(w.t())
      .mul(randn([2, 5]))
      .sum()
      .backward();
    const g = values(w.grad);
    const total = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
    const coef = Math.fround(0.1 / (total + 1e-6));
    nn.clipGradNorm_([w], 0.1);
    expect(values(w.grad)).toEqual(g.map((v) => Math.fround(v * coef)));
  });
});

describe('retainGrad', () => {
  it('keeps a gradient of its own, not shared with a leaf that got the same tensor', () => {
    const x = randn([4]).requiresGrad_();
    const y = randn([4]).requiresGrad_();
    const h = x.add(y);
    h.retainGrad();
    h.mul(randn([4]))
      .sum()
      .backward(); // add's backward passes h's gradient on to x and y
    const before = values(h.grad);
    x.grad!.mul_(2);
    y.grad!.mul_(3);
    expect(values(h.grad)).toEqual(before);
    expectOwned(h.grad, 'retained');
  });
});
