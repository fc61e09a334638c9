// Seed 001, p5 §3-4 (parameter space and quantization): quantization approximates continuous
// values by discrete levels; storing float32 parameters as 8-bit integers (int8) instead of 32
// bits cuts memory, at the price of a slightly less exact model. Each test asserts one of those
// statements with myelin's quantization API.
import { describe, expect, it } from 'vitest';
import { abs, manualSeed, nn, noGrad, quantization, quantizePerTensor, randn, tensor } from '../../lib/index.js';

manualSeed(1);

describe('seed 001 p5: quantization', () => {
  it('§4 maps continuous values to discrete levels: int8 codes on a grid of step scale', () => {
    const x = randn([1000]);
    const scale = 0.02;
    const q = quantizePerTensor(x, scale, 0, 'qint8');
    const codes = q.intRepr();
    expect(codes.dtype).toBe('int8');
    expect((codes.toTypedArray() as Int8Array).BYTES_PER_ELEMENT).toBe(1);
    const back = q.dequantize().toTypedArray() as Float32Array;
    const xs = x.toTypedArray() as Float32Array;
    const ks = codes.toTypedArray() as Int8Array;
    for (let i = 0; i < xs.length; i++) {
      // Every value is one of 256 levels k * scale; inside the range it is the nearest level.
      expect(back[i]).toBe(Math.fround(ks[i] * Math.fround(scale)));
      if (Math.abs(xs[i]) < 127 * scale) expect(Math.abs(back[i] - xs[i])).toBeLessThanOrEqual(scale / 2 + 1e-7);
    }
    // Outside [-128, 127] * scale the levels saturate.
    expect(
      quantizePerTensor(tensor([10, -10, 2.55, -2.57]), scale, 0, 'qint8')
        .intRepr()
        .tolist(),
    ).toEqual([127, -128, 127, -128]);
  });

  it('§4 stores float32 parameters as int8: a quarter of the weight memory', () => {
    const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
    const int8 = quantization.quantizeDynamic(model, { types: [nn.Linear], dtype: 'qint8' });
    const before = nn.summary(model, [1, 784]).paramBytes;
    const after = nn.summary(int8, [1, 784]).paramBytes;
    expect(after / before).toBeGreaterThan(0.25);
    expect(after / before).toBeLessThan(0.27); // the biases, scales and zero points stay wide
  });

  it('§4 the model is slightly less exact: outputs close to float32, not equal', () => {
    const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
    const int8 = quantization.quantizeDynamic(model);
    const x = randn([64, 784]).abs();
    noGrad(() => {
      const exact = model.call(x);
      const approx = int8.call(x);
      const err = abs(exact.sub(approx)).max().item() as number;
      const spread = abs(exact).max().item() as number;
      expect(err).toBeGreaterThan(0); // not exact...
      expect(err / spread).toBeLessThan(0.02); // ...but close
    });
  });
});
