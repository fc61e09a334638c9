// The quantization kernels through the binding, bit for bit against PyTorch 1.13's
// quantize_per_tensor / quantize_per_channel (int_repr) and dequantize (test/fixtures/lowp.json,
// written by scripts/gen_fixtures_lowp.py): ties to even, values past the range, NaN and the
// infinities (torch's int64 conversion makes them qmin), per-channel parameters on any axis.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { floatsFromBits, type QuantizeCase, quantizeCases } from '../helpers/fixtures.js';
import { allSupportedIsas, randomFloats, withIsa, withThreads } from '../helpers/native.js';
import { roundHalfEven } from '../../lib/ops/rounding.js';

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

// PyTorch's quantize_val in fp32, as convert.h states it: an independent reference for the kernels.
function quantizeRef(x: number, scale: number, zeroPoint: number, qint8: boolean): number {
  const [qmin, qmax] = qint8 ? [-128, 127] : [0, 255];
  const inv = Math.fround(1 / Math.fround(scale));
  const f = Math.fround(zeroPoint + roundHalfEven(Math.fround(x * inv)));
  if (!(Math.abs(f) < 2 ** 63)) return qmin; // NaN, infinities and sums past int64: INT64_MIN
  return Math.min(qmax, Math.max(qmin, f));
}

interface Layout {
  outer: number;
  channels: number;
  inner: number;
  scales: Float64Array;
  zeroPoints: Int32Array;
}

function quantizeOn(isa: string, threads: number, l: Layout, x: Float32Array, qint8: boolean) {
  const y = qint8 ? new Int8Array(x.length) : new Uint8Array(x.length);
  withIsa(isa as never, () => withThreads(threads, () => native.quantize({ ...l, x, y })));
  return y;
}

// Every ISA at 1 and 2 threads gives the scalar path's bytes, and both give the reference's.
function expectAllIsasExact(l: Layout, x: Float32Array, what: string) {
  for (const qint8 of [true, false]) {
    const zeroPoints = qint8 ? l.zeroPoints : l.zeroPoints.map((z) => z + 128);
    const lq = { ...l, zeroPoints };
    const want = Array.from(x, (v, i) => {
      const c = Math.floor(i / l.inner) % l.channels;
      return quantizeRef(v, l.scales[c], zeroPoints[c], qint8);
    });
    const scalar = quantizeOn('scalar', 1, lq, x, qint8);
    expect(Array.from(scalar), `scalar ${what} ${qint8 ? 'qint8' : 'quint8'}`).toEqual(want);
    for (const isa of allSupportedIsas)
      for (const threads of [1, 2])
        expect(Array.from(quantizeOn(isa, threads, lq, x, qint8)), `${isa} ${threads}t ${what}`).toEqual(want);
  }
}

const perTensor = (n: number, scale: number, zeroPoint: number): Layout => ({
  outer: 1,
  channels: 1,
  inner: n,
  scales: Float64Array.of(scale),
  zeroPoints: Int32Array.of(zeroPoint),
});

describe('quantize on every ISA against the scalar path', () => {
  it('vector tails: every length to 80 and around the widths and the thread split', () => {
    const lengths = [...Array.from({ length: 81 }, (_, i) => i), 127, 128, 129, 255, 257, 1023, 1025, 131_071, 131_073];
    for (const n of lengths) {
      if (n === 0) continue; // the binding returns before the kernel
      expectAllIsasExact(perTensor(n, 0.037, -3), randomFloats(n, n + 1, -6, 6), `n=${n}`);
    }
  });

  it('halfway values round to even, at the clamp edges and past them', () => {
    // x * inv lands exactly on k + 0.5 (scale 0.5: inv 2; x = (k + 0.5) / 2 is exact).
    const xs: number[] = [];
    for (let k = -300; k <= 300; k++) xs.push((k + 0.5) / 2, k / 2, -(k + 0.5) / 2);
    const x = Float32Array.from(xs);
    for (const zero of [-128, -1, 0, 1, 127]) expectAllIsasExact(perTensor(x.length, 0.5, zero), x, `halves z=${zero}`);
    // The fp32 product rounds first: 1/3 has no exact inverse, so x * inv lands near halves.
    expectAllIsasExact(perTensor(x.length, 1 / 3, 5), x, 'halves scale 1/3');
  });

  it('NaN, infinities, huge values and the int64 bound give qmin; the rest clamps', () => {
    const big = [2 ** 22 - 0.5, 2 ** 22, 2 ** 22 + 1, 2 ** 23 - 1, 2 ** 23, 2 ** 24, 2 ** 31, 2 ** 62];
    const edge = [Math.fround(2 ** 63 - 2 ** 39), 2 ** 63, 2 ** 64, 3.4e38];
    const specials = [
      Number.NaN,
      Infinity,
      -Infinity,
      0,
      -0,
      1e-45,
      -1e-45,
      126.5,
      127.5,
      128.5,
      -128.5,
      -129.5,
      255.5,
    ];
    const xs = [...specials, ...big, ...big.map((v) => -v), ...edge, ...edge.map((v) => -v)];
    // Each value at every position of a vector: repeat the list shifted by one 17 times.
    const x = Float32Array.from({ length: xs.length * 17 }, (_, i) => xs[(i + Math.floor(i / xs.length)) % xs.length]);
    for (const scale of [1, 0.5, 1e-3])
      expectAllIsasExact(perTensor(x.length, scale, -2), x, `specials scale ${scale}`);
    // A scale so small that a moderate x overflows the fp32 product to infinity.
    expectAllIsasExact(perTensor(x.length, 1e-38, 0), x, 'specials scale 1e-38');
  });

  it('per channel, inner sizes around the vector widths', () => {
    for (const inner of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33]) {
      const channels = 3;
      const outer = 2;
      const n = outer * channels * inner;
      const l: Layout = {
        outer,
        channels,
        inner,
        scales: Float64Array.of(0.01, 0.7, 0.05),
        zeroPoints: Int32Array.of(-5, 0, 9),
      };
      expectAllIsasExact(l, randomFloats(n, inner, -40, 40), `inner ${inner}`);
    }
    // Enough elements that the threads split inside channels.
    const big: Layout = {
      outer: 3,
      channels: 5,
      inner: 30_001,
      scales: Float64Array.of(0.01, 0.02, 0.03, 0.04, 0.05),
      zeroPoints: Int32Array.of(-3, -2, -1, 0, 1),
    };
    expectAllIsasExact(big, randomFloats(3 * 5 * 30_001, 7, -3, 3), 'split channels');
  });
});

// The bits of a float32 (NaN payloads and signed zeros included).
const bitsOf = (v: number) => new Uint32Array(Float32Array.of(v).buffer)[0];

describe('minMax and the bfloat16 conversions on every ISA against the scalar path', () => {
  const lengths = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 64, 65, 100, 1000, 4099];

  // Random values with signed zeros every 5th element (which zero comes out depends on the lanes'
  // order, the same on every ISA); optionally infinities, or a NaN at one position.
  function minMaxInput(n: number, special: 'none' | 'inf' | number): Float32Array {
    const x = randomFloats(n, n + 3, -5, 5);
    for (let i = 0; i < n; i += 5) x[i] = (i / 5) % 2 ? 0 : -0;
    if (special === 'inf' && n > 0) {
      x[n >> 1] = Infinity;
      x[n - 1] = -Infinity;
    } else if (typeof special === 'number') x[special] = Number.NaN;
    return x;
  }

  it('minMax: the same bits as the scalar kernel, NaN at the first, a middle and the last element', () => {
    for (const n of lengths) {
      const specials: ('none' | 'inf' | number)[] = n === 0 ? ['none'] : ['none', 'inf', 0, n >> 1, n - 1];
      for (const special of specials) {
        const x = minMaxInput(n, special);
        const want = withIsa('scalar', () => native.minMax(x));
        if (typeof special === 'number') expect(want.every(Number.isNaN), `n=${n} NaN at ${special}`).toBe(true);
        else if (n > 0) {
          // The values themselves (signed zeros aside): the plain minimum and maximum.
          expect(want, `n=${n} ${special}`).toEqual([Math.min(...x), Math.max(...x)]);
        }
        for (const isa of allSupportedIsas) {
          const got = withIsa(isa, () => native.minMax(x));
          expect(got.map(bitsOf), `${isa} n=${n} ${special}`).toEqual(want.map(bitsOf));
        }
      }
    }
  });

  // fp32 bits -> bf16 bits as convert.h states it: nearest even, NaN -> 0xffff.
  const bf16Ref = (u: number) =>
    (u & 0x7fffffff) > 0x7f800000 ? 0xffff : ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;

  it('convertF32ToBf16: ties, overflow, NaNs, subnormals and zeros at every tail and across threads', () => {
    const edges = [
      0x3f808000, 0x3f818000, 0x3f808001, 0x3f807fff, 0x7fc00000, 0xffc00001, 0x7f800001, 0xff800001, 0x7f7fffff,
      0x7f7f8000, 0xff7fffff, 0x7f800000, 0xff800000, 0x00000001, 0x80008000, 0x00018000, 0, 0x80000000,
    ];
    for (const n of [...lengths, 131_071, 131_073, 300_001]) {
      const x = randomFloats(n, n + 5, -1e4, 1e4);
      const u = new Uint32Array(x.buffer);
      for (let i = 0; i < n; i += 3) u[i] = edges[(i / 3) % edges.length];
      const want = Uint16Array.from(u, bf16Ref);
      for (const isa of ['scalar', ...allSupportedIsas])
        for (const threads of [1, 2]) {
          const y = new Uint16Array(n);
          withIsa(isa as never, () => withThreads(threads, () => native.convertF32ToBf16(x, y)));
          let bad = -1;
          for (let i = 0; i < n && bad < 0; i++) if (y[i] !== want[i]) bad = i;
          expect(bad, `${isa} ${threads}t n=${n}: first difference (x bits ${u[bad]?.toString(16)})`).toBe(-1);
        }
    }
  });

  it('roundF32ToBf16: convertF32ToBf16 then convertBf16ToF32, in place or into another array', () => {
    const edges = [0x3f808000, 0x3f818000, 0x3f807fff, 0x7fc00000, 0xff800001, 0x7f7fffff, 0x00000001, 0x80008000];
    for (const n of [...lengths, 2_049, 131_073, 300_001]) {
      const x = randomFloats(n, n + 9, -1e4, 1e4);
      const u = new Uint32Array(x.buffer);
      for (let i = 0; i < n; i += 5) u[i] = edges[(i / 5) % edges.length];
      const want = Uint32Array.from(u, (v) => bf16Ref(v) * 65_536);
      for (const isa of ['scalar', ...allSupportedIsas])
        for (const threads of [1, 2]) {
          const y = new Float32Array(n);
          const inPlace = Float32Array.from(x);
          withIsa(isa as never, () =>
            withThreads(threads, () => {
              native.roundF32ToBf16(x, y);
              native.roundF32ToBf16(inPlace, inPlace);
            }),
          );
          for (const [got, how] of [
            [y, 'into y'],
            [inPlace, 'in place'],
          ] as const) {
            const bits = new Uint32Array(got.buffer);
            let bad = -1;
            for (let i = 0; i < n && bad < 0; i++) if (bits[i] !== want[i]) bad = i;
            expect(bad, `${isa} ${threads}t n=${n} ${how}: first difference (x bits ${u[bad]?.toString(16)})`).toBe(-1);
          }
        }
    }
    const z = new Float32Array(8);
    expect(() => native.roundF32ToBf16(z, new Float32Array(7))).toThrow(
      /^roundF32ToBf16: 'x' and 'y' must have the same length, got 8 and 7$/,
    );
    expect(() => native.roundF32ToBf16(z.subarray(0, 6), z.subarray(2, 8))).toThrow(/overlaps input 'x'/);
  });

  it('convertBf16ToF32: every bit pattern, exact, at every tail and across threads', () => {
    for (const n of [...lengths, 65_536, 131_073, 300_001]) {
      const x = Uint16Array.from({ length: n }, (_, i) => (i * 40_503 + 7) & 0xffff);
      for (const isa of ['scalar', ...allSupportedIsas])
        for (const threads of [1, 2]) {
          const y = new Float32Array(n);
          withIsa(isa as never, () => withThreads(threads, () => native.convertBf16ToF32(x, y)));
          const bits = new Uint32Array(y.buffer);
          let bad = -1;
          for (let i = 0; i < n && bad < 0; i++) if (bits[i] !== x[i] * 65_536) bad = i;
          expect(bad, `${isa} ${threads}t n=${n}: first difference (x ${x[bad]?.toString(16)})`).toBe(-1);
        }
    }
  });
});
