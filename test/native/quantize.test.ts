// The quantization kernels through the binding, bit for bit against PyTorch 1.13's
// quantize_per_tensor / quantize_per_channel (int_repr) and dequantize (test/fixtures/lowp.json,
// written by scripts/gen_fixtures_lowp.py): ties to even, values past the range, NaN and the
// infinities (torch's int64 conversion makes them qmin), per-channel parameters on any axis.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { floatsFromBits, type QuantizeCase, quantizeCases } from '../helpers/fixtures.js';
import { withThreads } from '../helpers/native.js';

const cases = quantizeCases();

function layout(c: QuantizeCase) {
  const axis = c.axis ?? 0;
  const channels = c.axis === null ? 1 : c.shape[axis];
  const outer = c.axis === null ? 1 : c.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = c.shape.reduce((a, b) => a * b, 1) / (outer * channels);
  return {
    outer,
    channels,
    inner,
    scales: Float64Array.from(c.scales),
    zeroPoints: Int32Array.from(c.zeroPoints),
  };
}

describe('quantize / dequantize against torch', () => {
  for (const threads of [1, 2]) {
    it(`gives torch's int_repr and dequantized values (${threads} thread(s))`, () => {
      withThreads(threads, () => {
        for (const c of cases) {
          const l = layout(c);
          const x = floatsFromBits(c.x);
          const y = c.dtype === 'qint8' ? new Int8Array(x.length) : new Uint8Array(x.length);
          native.quantize({ ...l, x, y });
          expect(Array.from(y), `${c.dtype} ${JSON.stringify(c.shape)} axis ${c.axis}`).toEqual(c.intRepr);
          const back = new Float32Array(x.length);
          native.dequantize({ ...l, q: y, y: back, perChannel: c.axis !== null });
          expect(Array.from(new Int32Array(back.buffer)), 'dequantized bits').toEqual(c.dequantized);
        }
      });
    });
  }

  it('quantizes large arrays on both threads alike', () => {
    const n = 200_000;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 20);
    const l = { outer: 1, channels: 1, inner: n, scales: Float64Array.of(0.07), zeroPoints: Int32Array.of(-7) };
    const one = new Int8Array(n);
    const two = new Int8Array(n);
    withThreads(1, () => native.quantize({ ...l, x, y: one }));
    withThreads(2, () => native.quantize({ ...l, x, y: two }));
    let differ = 0;
    for (let i = 0; i < n; i++) differ += one[i] !== two[i] ? 1 : 0;
    expect(differ).toBe(0);
    const q = (v: number) => Math.min(127, Math.max(-128, Math.round(Math.fround(v * Math.fround(1 / 0.07))) - 7));
    expect([one[1], one[3], one[n - 1]]).toEqual([q(x[1]), q(x[3]), q(x[n - 1])]);
  });

  it('minMax: the range of the data, NaN when any element is', () => {
    expect(native.minMax(Float32Array.of(3, -2, 7.5, 0))).toEqual([-2, 7.5]);
    expect(native.minMax(Float32Array.from({ length: 37 }, (_, i) => (i === 30 ? -9 : i)))).toEqual([-9, 36]);
    expect(native.minMax(new Float32Array(0))).toEqual([0, 0]);
    const nan = native.minMax(Float32Array.of(1, Number.NaN, 2));
    expect(nan.every(Number.isNaN)).toBe(true);
  });

  it('names the function, the option and the values', () => {
    const args = () => ({
      x: new Float32Array(6),
      y: new Int8Array(6),
      outer: 1,
      channels: 2,
      inner: 3,
      scales: Float64Array.of(0.1, 0.2),
      zeroPoints: Int32Array.of(0, 0),
    });
    expect(() => native.quantize({ ...args(), scales: Float64Array.of(0.1, 0) })).toThrow(
      /^quantize: option 'scales': scale 0\.0+ of channel 1 must be a finite number > 0/,
    );
    expect(() => native.quantize({ ...args(), zeroPoints: Int32Array.of(0, 128) })).toThrow(
      /^quantize: option 'zeroPoints': zero point 128 of channel 1 is outside \[-128, 127\]$/,
    );
    expect(() => native.quantize({ ...args(), y: new Uint8Array(5) })).toThrow(
      /^quantize: option 'y' must hold outer x channels x inner = 6 elements, got 5$/,
    );
    expect(() => native.quantize({ ...args(), scales: Float64Array.of(0.1) })).toThrow(
      /^quantize: options 'scales' and 'zeroPoints' must hold one value per channel \(2\), got 1 and 2$/,
    );
    expect(() => native.quantize({ ...args(), y: new Int16Array(6) as never })).toThrow(
      /^quantize: option 'y' must be an Int8Array \(qint8\) or a Uint8Array \(quint8\), got Int16Array\(6\)$/,
    );
  });
});
