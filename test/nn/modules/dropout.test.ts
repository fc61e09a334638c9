// Channel-wise dropout (dropout1d/2d/3d and the modules): whole channels zeroed, the rest scaled
// by 1 / (1 - p), identity in eval, masks from the seeded generator.
import { describe, expect, it } from 'vitest';
import { Generator, manualSeed, nn, noGrad, ones, type Tensor } from '../../../lib/index.js';
import { shaped } from '../helpers.js';

const F = nn.functional;

/** Per (leading index) channel: the distinct values of the channel's map. */
function channelValues(y: Tensor, channels: number): number[][] {
  const v = y.toTypedArray() as Float32Array;
  const inner = v.length / channels;
  return Array.from({ length: channels }, (_, c) => [...new Set(v.subarray(c * inner, (c + 1) * inner))]);
}

describe('dropout2d', () => {
  it('zeroes whole channels with frequency p and scales the kept ones by 1 / (1 - p)', () => {
    const p = 0.3;
    const x = ones([16, 64, 3, 5]);
    const y = F.dropout2d(x, p, { generator: new Generator().manualSeed(1) });
    expect(y.shape).toEqual([16, 64, 3, 5]);
    const chans = channelValues(y, 16 * 64);
    const scale = Math.fround(1 / (1 - p));
    let dropped = 0;
    for (const vals of chans) {
      expect(vals.length).toBe(1); // one value per channel: dropped or kept as a whole
      expect([0, scale]).toContain(vals[0]);
      if (vals[0] === 0) dropped++;
    }
    // 1024 channels: sd of the dropped fraction is sqrt(0.3 * 0.7 / 1024) ~ 0.014.
    expect(Math.abs(dropped / 1024 - p)).toBeLessThan(0.06);
    const mean = (y.toTypedArray() as Float32Array).reduce((a, b) => a + b, 0) / y.numel();
    expect(Math.abs(mean - 1)).toBeLessThan(0.1);
  });

  it('multiplies the gradient by the same mask', () => {
    const x = shaped(
      Array.from({ length: 2 * 6 * 4 }, (_, i) => 1 + i / 10),
      [2, 6, 2, 2],
      true,
    );
    const y = F.dropout2d(x, 0.5, { generator: new Generator().manualSeed(3) });
    y.sum().backward();
    const xv = x.toTypedArray() as Float32Array;
    const yv = y.toTypedArray() as Float32Array;
    const g = x.grad!.toTypedArray() as Float32Array;
    for (let i = 0; i < xv.length; i++) expect(g[i]).toBeCloseTo(yv[i] / xv[i], 6);
    const kept = channelValues(x.grad!, 12).map((v) => v[0]);
    expect(kept.some((k) => k === 0) && kept.some((k) => k === 2)).toBe(true);
  });

  it('is the identity in eval, for p = 0 and with training false; p = 1 drops everything', () => {
    const x = ones([2, 3, 4, 4]);
    const m = new nn.Dropout2d(0.5);
    m.eval();
    expect(m.forward(x)).toBe(x);
    expect(F.dropout2d(x, 0)).toBe(x);
    expect(F.dropout2d(x, 0.7, { training: false })).toBe(x);
    expect(Array.from(F.dropout2d(x, 1).toTypedArray()).every((v) => v === 0)).toBe(true);
    m.train();
    const y = m.forward(x);
    expect(y).not.toBe(x);
  });

  it('draws reproducible masks from a seeded generator', () => {
    const x = ones([4, 8, 2, 2]);
    const a = F.dropout2d(x, 0.5, { generator: new Generator().manualSeed(42) }).toTypedArray();
    const b = new nn.Dropout2d(0.5, { generator: new Generator().manualSeed(42) }).forward(x).toTypedArray();
    expect(b).toEqual(a);
    const c = F.dropout2d(x, 0.5, { generator: new Generator().manualSeed(43) }).toTypedArray();
    expect(c).not.toEqual(a);
  });

  it('uses the default generator, reseeded by manualSeed', () => {
    const x = ones([4, 8, 2, 2]);
    manualSeed(7);
    const a = F.dropout2d(x, 0.5).toTypedArray();
    manualSeed(7);
    expect(new nn.Dropout2d().forward(x).toTypedArray()).toEqual(a);
  });

  it('reads a 3-D input as one unbatched [C, H, W] sample', () => {
    const y = F.dropout2d(ones([40, 3, 3]), 0.5, { generator: new Generator().manualSeed(5) });
    const chans = channelValues(y, 40);
    expect(chans.every((v) => v.length === 1)).toBe(true);
    const zeros = chans.filter((v) => v[0] === 0).length;
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThan(40);
  });

  it('works in place', () => {
    const x = ones([2, 8, 3, 3]);
    const y = noGrad(() => F.dropout2d(x, 0.5, { inplace: true, generator: new Generator().manualSeed(9) }));
    expect(y).toBe(x);
    expect(channelValues(x, 16).every((v) => v.length === 1 && (v[0] === 0 || v[0] === 2))).toBe(true);
  });
});

describe('dropout1d and dropout3d', () => {
  it('drop whole channels of [N, C, L] / [C, L] and [N, C, D, H, W]', () => {
    const g = new Generator().manualSeed(2);
    for (const shape of [
      [8, 16, 7],
      [16, 7],
    ]) {
      const y = F.dropout1d(ones(shape), 0.5, { generator: g });
      const chans = channelValues(
        y,
        shape.slice(0, -1).reduce((a, b) => a * b, 1),
      );
      expect(chans.every((v) => v.length === 1 && (v[0] === 0 || v[0] === 2))).toBe(true);
    }
    const y3 = new nn.Dropout3d(0.25, { generator: g }).forward(ones([2, 8, 2, 3, 2]));
    expect(channelValues(y3, 16).every((v) => v.length === 1 && (v[0] === 0 || v[0] === Math.fround(4 / 3)))).toBe(
      true,
    );
  });

  it('print as PyTorch does and name the op in errors', () => {
    expect(String(new nn.Dropout2d())).toBe('Dropout2d(p=0.5, inplace=False)');
    expect(String(new nn.Dropout1d(0.2))).toBe('Dropout1d(p=0.2, inplace=False)');
    expect(String(new nn.Dropout3d(0.1, { inplace: true }))).toBe('Dropout3d(p=0.1, inplace=True)');
    expect(() => new nn.Dropout2d(1.5)).toThrow('Dropout2d: probability has to be between 0 and 1, but got 1.5');
    expect(() => F.dropout2d(ones([2, 3]), 0.5)).toThrow(
      'dropout2d: expected a 3-D or 4-D input [C, H, W] (unbatched) or [N, C, H, W], got shape [2,3]',
    );
    expect(() => F.dropout1d(ones([2, 3, 4, 5]), 0.5)).toThrow(/dropout1d: expected a 2-D or 3-D input/);
    expect(() => F.dropout2d(ones([2, 3, 4]), -0.1)).toThrow(
      'dropout2d: probability has to be between 0 and 1, but got -0.1',
    );
  });
});
