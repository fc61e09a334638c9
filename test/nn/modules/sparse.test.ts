import { describe, expect, it } from 'vitest';
import { manualSeed, nn, tensor, zeros } from '../../../lib/index.js';
import { close, fromEnc, ints, shaped } from '../helpers.js';
import { seq } from '../seq_helpers.js';

describe('Embedding against PyTorch', () => {
  for (const c of seq.embedding) {
    it(JSON.stringify(c.options), () => {
      const m = new nn.Embedding(6, 3, { paddingIdx: c.options.paddingIdx, maxNorm: c.options.maxNorm });
      m.loadStateDict({ weight: fromEnc(c.weight) });
      const y = m.forward(ints(c.indices));
      expect(y.shape).toEqual(c.y.shape);
      close(y, c.y.data, 1e-6, 'forward');
      y.mul(shaped(c.g, y.shape)).sum().backward();
      close(m.weight, c.weightAfter, 1e-6, 'weight after (maxNorm renormalises in place)');
      close(m.weight.grad, c.dweight, 1e-6, 'weight grad');
    });
  }
});

describe('Embedding', () => {
  it('N(0,1) init with a zero padding row that gets no gradient', () => {
    manualSeed(0);
    const m = new nn.Embedding(50, 8, { paddingIdx: -1 });
    expect(m.paddingIdx).toBe(49);
    const w = m.weight.toTypedArray();
    expect(Array.from(w.subarray(49 * 8))).toEqual(new Array(8).fill(0));
    const mean = Array.from(w).reduce((a, b) => a + b, 0) / (49 * 8);
    expect(Math.abs(mean)).toBeLessThan(0.2);
    const idx = tensor(new Int32Array([49, 3, 49]));
    m.forward(idx).sum().backward();
    const g = m.weight.grad!.toTypedArray();
    expect(Array.from(g.subarray(49 * 8))).toEqual(new Array(8).fill(0));
    expect(Array.from(g.subarray(3 * 8, 4 * 8))).toEqual(new Array(8).fill(1));
  });

  it('fromPretrained copies and freezes by default', () => {
    const src = tensor([
      [1, 2],
      [3, 4],
    ]);
    const frozen = nn.Embedding.fromPretrained(src);
    expect(frozen.weight.requiresGrad).toBe(false);
    expect(frozen.forward(tensor(new Int32Array([1]))).tolist()).toEqual([[3, 4]]);
    (src.storage.data as Float32Array)[0] = 9;
    expect(frozen.weight.tolist()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(nn.Embedding.fromPretrained(src, { freeze: false }).weight.requiresGrad).toBe(true);
  });

  it('clear errors for bad indices and options', () => {
    const m = new nn.Embedding(5, 2);
    expect(() => m.forward(tensor(new Int32Array([0, 5])))).toThrow(
      'embedding: index 5 is out of range for an embedding of 5 rows',
    );
    expect(() => m.forward(tensor(new Int32Array([-1])))).toThrow(/index -1 is out of range/);
    expect(() => m.forward(tensor([0, 1]))).toThrow('embedding: indices must be an int32 tensor, got float32');
    expect(() => new nn.Embedding(5, 2, { paddingIdx: 5 })).toThrow(/paddingIdx must be within \[-5, 5\)/);
    expect(() => new nn.Embedding(0, 2)).toThrow(/numEmbeddings must be a positive integer/);
    expect(() => nn.Embedding.fromPretrained(zeros([3]))).toThrow(/2-D/);
  });
});
