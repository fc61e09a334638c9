import { describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import {
  adaptiveAvgPool2d,
  autograd,
  manualSeed,
  maxPool2d,
  nn,
  noGrad,
  randn,
  relu,
  type Tensor,
  tensor,
} from '../../lib/index.js';

import { defineOp, returnsFreshGrads } from '../../lib/autograd/define_op.js';

const { batchNorm } = nn.functional;

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

// relu and batchNorm write their input's gradient over the output's when the engine owns it (made
// by the backward before them, for them alone); whatever else can see a gradient must keep it.
describe('gradients the engine lets a backward overwrite', () => {
  const bits = (t: Tensor) => Buffer.from(Float32Array.from(t.data as Float32Array).buffer).toString('hex');
  // x -> batchNorm -> relu -> maxPool2d -> * c -> sum: the pool's gradient goes to relu alone,
  // relu's to batchNorm alone, batchNorm's to the leaf x.
  function graph() {
    manualSeed(3);
    const x = randn([4, 3, 6, 6], { requiresGrad: true });
    const weight = randn([3], { requiresGrad: true });
    const bias = randn([3], { requiresGrad: true });
    const c = randn([4, 3, 3, 3]);
    const h = batchNorm(x, null, null, { weight, bias, training: true });
    const r = relu(h);
    const p = maxPool2d(r, 2);
    return { x, weight, bias, h, r, p, loss: p.mul(c).sum() };
  }
  // The reference: a hook on every intermediate, so that no backward owns its gradient.
  function reference() {
    const g = graph();
    const seen = { h: '', r: '', p: '' };
    for (const k of ['h', 'r', 'p'] as const) g[k].registerHook((t) => void (seen[k] = bits(t)));
    g.loss.backward();
    return { ...seen, x: bits(g.x.grad!), weight: bits(g.weight.grad!), bias: bits(g.bias.grad!) };
  }
  const ref = reference();
  const leaves = (g: ReturnType<typeof graph>) => ({
    x: bits(g.x.grad!),
    weight: bits(g.weight.grad!),
    bias: bits(g.bias.grad!),
  });
  const refLeaves = { x: ref.x, weight: ref.weight, bias: ref.bias };

  it('gives the same gradient bits as with no gradient overwritten', () => {
    const g = graph();
    g.loss.backward();
    expect(leaves(g)).toEqual(refLeaves);
  });

  it('keeps a retained gradient of a non-leaf (retainGrad on relu output and batchNorm output)', () => {
    for (const k of ['r', 'h'] as const) {
      const g = graph();
      g[k].retainGrad();
      g.loss.backward();
      expect(bits(g[k].grad!), k).toBe(ref[k]);
      expect(leaves(g)).toEqual(refLeaves);
    }
  });

  it('keeps a gradient a hook kept, and the tensor a hook returned in its place', () => {
    const g = graph();
    let kept: Tensor | null = null;
    g.r.registerHook((t) => void (kept = t));
    g.loss.backward();
    expect(bits(kept!)).toBe(ref.r);
    expect(leaves(g)).toEqual(refLeaves);

    const g2 = graph();
    let mine: Tensor | null = null;
    g2.h.registerHook((t) => {
      mine = t.mul(1);
      return mine;
    });
    g2.loss.backward();
    expect(bits(mine!)).toBe(ref.h);
    expect(leaves(g2)).toEqual(refLeaves);
  });

  it('keeps what autograd.grad collects', () => {
    const g = graph();
    const [gr, gh, gx] = autograd.grad(g.loss, [g.r, g.h, g.x]);
    expect([bits(gr!), bits(gh!), bits(gx!)]).toEqual([ref.r, ref.h, ref.x]);
  });

  it('never writes the caller gradient, and leaves the graph usable a second time (retainGraph)', () => {
    const g = graph();
    const t = randn([4, 3, 6, 6]);
    const before = bits(t);
    g.r.backward(t, { retainGraph: true });
    expect(bits(t)).toBe(before);
    const once = leaves(g);
    g.x.grad = null;
    g.weight.grad = null;
    g.bias.grad = null;
    g.r.backward(t);
    expect(leaves(g)).toEqual(once);
    expect(bits(t)).toBe(before);

    const g2 = graph();
    g2.loss.backward(undefined, { retainGraph: true });
    const first = bits(g2.x.grad!);
    g2.x.grad = null;
    g2.loss.backward();
    expect(bits(g2.x.grad!)).toBe(first);
  });

  it('sums two gradients of one tensor in place with the bits of a new sum (a tensor used twice)', () => {
    // relu's output goes to a max pool and to an average pool: its gradient is their sum.
    const build = () => {
      const g = graph();
      const a = adaptiveAvgPool2d(g.r, 1).sum();
      return { g, a };
    };
    const one = build();
    const [fromMax] = autograd.grad(one.g.loss, [one.g.r], { retainGraph: true });
    const [fromAvg] = autograd.grad(one.a, [one.g.r]);
    const two = build();
    two.g.r.retainGrad();
    two.g.loss.add(two.a).backward();
    expect(bits(two.g.r.grad!)).toBe(bits(fromMax!.add(fromAvg!)));
  });

  it('overwrites no gradient that two backwards were handed (one fresh tensor returned for two inputs)', () => {
    // An op whose backward hands the same new tensor to both inputs: neither relu may write it.
    const twin = defineOp({
      name: 'twin',
      forward: (_ctx, a: Tensor, b: Tensor) => a.add(b),
      backward: (_ctx, g) => {
        const shared = g.mul(1);
        return [shared, shared];
      },
    });
    returnsFreshGrads(twin);
    const x = tensor([-2, -1, 1, 2], { requiresGrad: true });
    twin(relu(x), relu(x.neg()))
      .mul(tensor([1, 2, 3, 4]))
      .sum()
      .backward();
    expect(Array.from(x.grad!.data)).toEqual([-1, -2, 3, 4]);
  });

  it('with createGraph overwrites nothing and the gradients keep their graph', () => {
    const g = graph();
    const [gx] = autograd.grad(g.loss, [g.x], { createGraph: true });
    expect(gx!.requiresGrad).toBe(true);
    const want = new Float32Array(Uint8Array.from(Buffer.from(ref.x, 'hex')).buffer);
    const got = gx!.data as Float32Array;
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
  });
});
