import { describe, expect, it } from 'vitest';
import { bernoulli, Generator, manualSeed, rand, randint, randn, randperm, tensor, zeros } from '../lib/index.js';
import * as m from '../lib/index.js';
import { philox4x32 } from '../lib/random.js';

describe('Philox4x32-10 generator', () => {
  it('matches the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, out);
    expect(Array.from(out)).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    const f = 0xffffffff;
    philox4x32(f, f, f, f, f, f, out);
    expect(Array.from(out)).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    expect(Array.from(out)).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });

  it('manualSeed makes draws reproducible; separate generators are independent of the default', () => {
    manualSeed(42);
    const a = randn([5]).tolist();
    const b = rand([3]).tolist();
    manualSeed(42);
    expect(randn([5]).tolist()).toEqual(a);
    expect(rand([3]).tolist()).toEqual(b);
    const g = new Generator().manualSeed(42);
    manualSeed(7);
    expect(randn([5], { generator: g }).tolist()).toEqual(a);
    expect(new Generator().manualSeed(1).nextUint32()).not.toBe(new Generator().manualSeed(2).nextUint32());
  });

  it('pins the first values of seed 0 (they must not change across CPUs, ISAs or thread counts)', () => {
    const g = new Generator().manualSeed(0);
    const u = rand([3], { generator: g }).tolist() as number[];
    const g2 = new Generator().manualSeed(0);
    const words = [g2.nextUint32(), g2.nextUint32(), g2.nextUint32()];
    expect(u).toEqual(words.map((w) => (w >>> 8) / 2 ** 24));
    expect(words[0]).toBe(0x6627e8d5);
  });

  it('getState/setState resume the stream, including a half-used block and a spare normal', () => {
    const g = new Generator().manualSeed(3);
    g.nextUint32();
    g.nextNormal();
    const state = g.getState();
    const next = [g.nextNormal(), g.nextUint32(), g.nextFloat()];
    const h = new Generator().setState(state);
    expect([h.nextNormal(), h.nextUint32(), h.nextFloat()]).toEqual(next);
  });

  it('distributions have the right moments and ranges', () => {
    const g = new Generator().manualSeed(123);
    const n = randn([20000], { generator: g });
    expect(Math.abs(n.mean().item() as number)).toBeLessThan(0.03);
    expect(Math.abs((n.std().item() as number) - 1)).toBeLessThan(0.03);
    const u = rand([20000], { generator: g });
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
    expect(Math.abs((u.mean().item() as number) - 0.5)).toBeLessThan(0.01);
    const r = randint(-3, 4, [5000], { generator: g });
    expect(r.dtype).toBe('int32');
    expect(r.min().item()).toBe(-3);
    expect(r.max().item()).toBe(3);
    const p = randperm(100, { generator: g });
    expect([...(p.data as Int32Array)].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const b = bernoulli(tensor([0, 1, 0.5, 0.5]).expand([2000, 4]).contiguous(), { generator: g });
    const means = b.mean(0).tolist() as number[];
    expect(means[0]).toBe(0);
    expect(means[1]).toBe(1);
    expect(Math.abs(means[2] - 0.5)).toBeLessThan(0.05);
  });

  it("bernoulli samples in p's floating dtype, as torch.bernoulli, drawing the same values", () => {
    const probs = [0, 1, 0.25, 0.5, 0.75, 0.5];
    const want = bernoulli(tensor(probs), { generator: new Generator().manualSeed(7) }).tolist();
    for (const dtype of ['float64', 'bfloat16'] as const) {
      const b = bernoulli(tensor(probs, { dtype }), { generator: new Generator().manualSeed(7) });
      expect(b.dtype).toBe(dtype);
      expect(b.tolist()).toEqual(want);
    }
    // A non-floating p gives the default float32.
    expect(bernoulli(tensor([true, false])).dtype).toBe('float32');
  });

  it('normal_ and uniform_ fill in place, bump the version and use the generator', () => {
    const t = zeros([1000]);
    const v = t.storage.version;
    t.normal_(2, 0.5, { generator: new Generator().manualSeed(1) });
    expect(t.storage.version).toBe(v + 1);
    expect(Math.abs((t.mean().item() as number) - 2)).toBeLessThan(0.1);
    t.uniform_(-1, 1);
    expect(t.min().item()).toBeGreaterThanOrEqual(-1);
    expect(t.max().item()).toBeLessThan(1);
  });

  it("randLike and randnLike keep a floating input's dtype, as torch's rand_like", () => {
    for (const dtype of ['float32', 'float64', 'bfloat16'] as const) {
      const t = m.zeros([2, 3], { dtype });
      expect(m.randLike(t).dtype).toBe(dtype);
      expect(m.randnLike(t).dtype).toBe(dtype);
      expect(m.randnLike(t).shape).toEqual([2, 3]);
    }
    expect(m.randLike(m.zeros([2], { dtype: 'float64' }), { dtype: 'float32' }).dtype).toBe('float32');
    expect(m.randLike(m.zeros([2], { dtype: 'int32' })).dtype).toBe('float32');
    m.manualSeed(3);
    const a = m.randnLike(m.zeros([4], { dtype: 'float64' })).tolist();
    m.manualSeed(3);
    expect(a).toEqual(m.randn([4], { dtype: 'float64' }).tolist());
  });

  it('rejects bad arguments', () => {
    expect(() => manualSeed(1.5)).toThrow(/safe integer/);
    expect(() => randint(3, 3, [2])).toThrow(/high \(3\) must be greater than low \(3\)/);
    expect(() => randn([2], { dtype: 'int32' })).toThrow(/randn: dtype must be 'float32'/);
    expect(() => bernoulli(tensor([1.5]))).toThrow(/bernoulli: probabilities must be in \[0, 1\]/);
    expect(() => randperm(-1)).toThrow(/randperm/);
    expect(() => rand([2, -1])).toThrow(/rand: invalid shape/);
  });
});
