import { describe, expect, it } from 'vitest';
import { native, type ConvShape } from '../../lib/native.js';
import { allSupportedIsas, randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';

interface Geom {
  n: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  groups: number;
  oh?: number;
  ow?: number;
}

function dimsOf(g: Geom): number[] {
  const oh = g.oh ?? Math.floor((g.h + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh) + 1;
  const ow = g.ow ?? Math.floor((g.w + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw) + 1;
  return [g.n, g.c, g.h, g.w, g.oc, oh, ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups];
}

/** The native call's struct of a dims array [n, c, h, w, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups]. */
function shapeOf(d: readonly number[]): ConvShape {
  const [n, c, h, w, oc, oh, ow, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, groups] = d;
  return { n, c, h, w, oc, oh, ow, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, groups };
}

// float64 references of y, dx, dw, db: one loop nest over every (output, tap) pair.
type Floats = Float32Array | Float64Array;

function reference(d: number[], x: Floats, w: Floats, b: Floats | null, dy: Floats) {
  const [n, c, h, wd, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups] = d;
  const cg = c / groups,
    ocg = oc / groups;
  const y = new Float64Array(n * oc * oh * ow);
  const dx = new Float64Array(x.length);
  const dwt = new Float64Array(w.length);
  const db = new Float64Array(oc);
  for (let i = 0; i < n; i++)
    for (let o = 0; o < oc; o++) {
      const g = Math.floor(o / ocg);
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const yi = ((i * oc + o) * oh + oy) * ow + ox;
          let acc = b ? b[o] : 0;
          const gy = dy[yi];
          db[o] += gy;
          for (let ci = 0; ci < cg; ci++)
            for (let a = 0; a < kh; a++) {
              const iy = oy * sh - ph + a * dh;
              if (iy < 0 || iy >= h) continue;
              for (let e = 0; e < kw; e++) {
                const ix = ox * sw - pw + e * dw;
                if (ix < 0 || ix >= wd) continue;
                const xi = ((i * c + g * cg + ci) * h + iy) * wd + ix;
                const wi = ((o * cg + ci) * kh + a) * kw + e;
                acc += x[xi] * w[wi];
                dx[xi] += gy * w[wi];
                dwt[wi] += gy * x[xi];
              }
            }
          y[yi] = acc;
        }
    }
  return { y, dx, dw: dwt, db };
}

function expectNear(got: Floats, want: Float64Array, what: string, tol = 2e-5): void {
  expect(got.length, what).toBe(want.length);
  let scale = 1;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * scale)) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

/** Float32 values rounded to bf16 (nearest even; no NaN here). */
function toBf16(v: Float32Array): Float32Array {
  const u = new Uint32Array(Float32Array.from(v).buffer);
  for (let i = 0; i < u.length; i++) u[i] = ((u[i] + 0x7fff + ((u[i] >>> 16) & 1)) >>> 16) << 16;
  return new Float32Array(u.buffer);
}

/**
 * Image t's fp32 columns of group gi (im2col: [cg*kh*kw, oh*ow]) into col, rows ld apart from
 * column `at` (a tile's images side by side).
 */
function columnsOf(
  d: readonly number[],
  x: Float32Array,
  t: number,
  gi: number,
  col: Float32Array,
  ld: number,
  at: number,
) {
  const [, c, h, wd, , oh, ow, kh, kw, sh, sw, ph, pw, dh, dwl, groups] = d;
  const cg = c / groups;
  for (let ci = 0; ci < cg; ci++)
    for (let a = 0; a < kh; a++)
      for (let e = 0; e < kw; e++)
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++) {
            const iy = oy * sh - ph + a * dh;
            const ix = ox * sw - pw + e * dwl;
            const inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
            col[((ci * kh + a) * kw + e) * ld + at + oy * ow + ox] = inside
              ? x[((t * c + gi * cg + ci) * h + iy) * wd + ix]
              : 0;
          }
}

// f64: the double kernels over Float64Arrays of the same values, against the reference in double.
// bf16: float32 with shape.bf16 (autocast's products), against the reference on x, w and dy
// rounded to bf16 (dy comes rounded, as autocast's backward passes it; x and w the kernels round).
// bf16Tol: the tolerance of a bf16 path that is not exact products (Winograd's).
function run(g: Geom, withBias: boolean, f64 = false, bf16 = false, bf16Tol = 2e-5) {
  const d = dimsOf(g);
  const [n, c, h, wd, oc, oh, ow, kh, kw] = d;
  const A = f64 ? Float64Array : Float32Array;
  const x = A.from(randomFloats(n * c * h * wd, 1));
  const w = A.from(randomFloats(oc * (c / g.groups) * kh * kw, 2));
  const b = withBias ? A.from(randomFloats(oc, 3)) : null;
  const dyRaw = A.from(randomFloats(n * oc * oh * ow, 4));
  const dy = bf16 ? toBf16(dyRaw as Float32Array) : dyRaw;
  const y = new A(dy.length).fill(NaN);
  const dx = new A(x.length).fill(NaN);
  const dw = new A(w.length).fill(NaN);
  const db = new A(oc).fill(NaN);
  const shape = { ...shapeOf(d), bf16 };
  native.conv2d(shape, x, w, b, y);
  native.conv2dBackwardInput(shape, dy, w, dx);
  native.conv2dBackwardWeight(shape, x, dy, dw, withBias ? db : null);
  const ref = bf16
    ? reference(d, toBf16(x as Float32Array), toBf16(w as Float32Array), b, dy)
    : reference(d, x, w, b, dy);
  const tol = f64 ? 1e-13 : bf16 ? bf16Tol : 2e-5;
  expectNear(y, ref.y, 'y', tol);
  expectNear(dx, ref.dx, 'dx', tol);
  expectNear(dw, ref.dw, 'dw', tol);
  if (withBias) expectNear(db, ref.db, 'db', tol);
}

const base = { sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, groups: 1 };

// Every case with and without a bias, the failing one named.
function runAll(list: [string, Geom][], f64 = false, bf16 = false, bf16Tol?: number): void {
  for (const [name, g] of list) {
    for (const bias of [true, false]) {
      try {
        run(g, bias, f64, bf16, bf16Tol);
      } catch (e) {
        throw new Error(`${name} (bias ${bias}): ${(e as Error).message}`);
      }
    }
  }
}
const cases: [string, Geom][] = [
  ['3x3 pad 1', { ...base, n: 2, c: 3, h: 7, w: 9, oc: 5, kh: 3, kw: 3, ph: 1, pw: 1 }],
  ['1x1 fast path', { ...base, n: 3, c: 17, h: 5, w: 6, oc: 9, kh: 1, kw: 1 }],
  ['1x1 groups (fast path)', { ...base, n: 2, c: 6, h: 3, w: 5, oc: 4, kh: 1, kw: 1, groups: 2 }],
  ['1x1 stride 2', { ...base, n: 2, c: 4, h: 7, w: 7, oc: 3, kh: 1, kw: 1, sh: 2, sw: 2 }],
  ['stride > kernel, odd sizes', { ...base, n: 2, c: 3, h: 11, w: 13, oc: 4, kh: 2, kw: 3, sh: 3, sw: 4 }],
  [
    'dilation and padding > kernel',
    { ...base, n: 1, c: 2, h: 6, w: 5, oc: 3, kh: 3, kw: 2, ph: 4, pw: 3, dh: 2, dw: 3 },
  ],
  ['groups', { ...base, n: 2, c: 6, h: 5, w: 5, oc: 9, kh: 3, kw: 3, ph: 1, pw: 1, groups: 3 }],
  ['depthwise', { ...base, n: 2, c: 8, h: 9, w: 7, oc: 8, kh: 3, kw: 3, sh: 2, sw: 1, ph: 1, pw: 1, groups: 8 }],
  ['1-D (H = 1)', { ...base, n: 3, c: 4, h: 1, w: 37, oc: 6, kh: 1, kw: 5, sw: 2, pw: 2, dw: 2 }],
  ['wide, around the GEMM tiles', { ...base, n: 2, c: 16, h: 12, w: 12, oc: 33, kh: 3, kw: 3, ph: 1, pw: 1 }],
  [
    'weight gradient split over K at 2 threads (3 x 20x20 columns)',
    { ...base, n: 3, c: 3, h: 20, w: 20, oc: 5, kh: 3, kw: 3, ph: 1, pw: 1, groups: 1 },
  ],
  // 3 images (too few to split by images at 2 threads) of 40x40: the tiled path, its K split
  // over threads, natural and transposed (AVX-512's tile, kg = 9).
  [
    'tiled weight gradient split over K (3 x 40x40 columns)',
    { ...base, n: 3, c: 3, h: 40, w: 40, oc: 16, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  [
    'tiled weight gradient transposed, split over K',
    { ...base, n: 3, c: 1, h: 40, w: 40, oc: 32, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  // Few input taps, many output channels: the weight gradient is computed transposed (dw^T =
  // col * dy^T) on every ISA's tile (kg = 2), on AVX-512's for kg = 9 (F2's first layer); K split
  // over threads at 2 threads (3 x 20x20 columns); groups map the transposed entries back.
  [
    'weight gradient transposed (1 channel, 1x2 kernel)',
    { ...base, n: 3, c: 1, h: 20, w: 20, oc: 16, kh: 1, kw: 2, pw: 1 },
  ],
  ['weight gradient transposed, groups', { ...base, n: 2, c: 2, h: 9, w: 7, oc: 32, kh: 1, kw: 2, sh: 2, groups: 2 }],
  [
    'weight gradient transposed on AVX-512 (1 -> 32 channels, 3x3)',
    { ...base, n: 3, c: 1, h: 20, w: 20, oc: 32, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  [
    'far-side padding (oh larger than the formula)',
    { ...base, n: 1, c: 2, h: 4, w: 4, oc: 2, kh: 4, kw: 4, ph: 1, pw: 1, oh: 4, ow: 4 },
  ],
  // At 2 threads these split the batch over the threads by images (each thread its own column
  // buffer, sub-tiles and weight-gradient partial): 9 images = shares of 4 and 5, sub-tiles of
  // 4 and a tail of 1; 16x16 planes take the per-image grad-input GEMMs, 6x6 ones the gathered.
  [
    'images split over threads, uneven shares',
    { ...base, n: 9, c: 8, h: 16, w: 16, oc: 16, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  [
    'images split over threads, narrow planes',
    { ...base, n: 8, c: 16, h: 6, w: 6, oc: 48, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  [
    'images split over threads, transposed weight gradient',
    { ...base, n: 10, c: 1, h: 20, w: 20, oc: 32, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  [
    'images split over threads, groups and stride',
    { ...base, n: 16, c: 8, h: 13, w: 12, oc: 32, kh: 3, kw: 3, sh: 2, ph: 1, pw: 1, groups: 2 },
  ],
];

// Runs fn with the convolutions kept on im2col + GEMM (no Winograd), or on Winograd wherever it
// can run, then restores the default.
function withAlgorithm<T>(algorithm: 'im2col' | 'winograd', fn: () => T): T {
  native.setConvAlgorithmForTesting(algorithm);
  try {
    return fn();
  } finally {
    native.setConvAlgorithmForTesting('auto');
  }
}
const im2colOnly = <T>(fn: () => T): T => withAlgorithm('im2col', fn);

describe('native conv2d (im2col + GEMM)', () => {
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`forward, grad-input, grad-weight, grad-bias on ${isa} at ${threads} thread(s)`, () => {
        withIsa(isa, () =>
          withThreads(threads, () =>
            im2colOnly(() => {
              runAll(cases);
            }),
          ),
        );
      });
    }
  }

  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`float64 (the dgemm): forward, grad-input, grad-weight, grad-bias on ${isa} at ${threads} thread(s)`, () => {
        withIsa(isa, () => withThreads(threads, () => runAll(cases, true)));
      });
    }
  }

  it('tiles the batch to bound the column buffer (2 MiB)', () => {
    // 64 channels x 3x3 x 130x130 outputs = 39 MB for one image: one image per tile.
    withThreads(2, () => run({ ...base, n: 2, c: 64, h: 130, w: 130, oc: 2, kh: 3, kw: 3, ph: 1, pw: 1 }, true));
    // 90K floats per image: tiles of 5 images, then 2 (K split over threads, accumulation).
    for (const threads of [1, 2])
      withThreads(threads, () =>
        im2colOnly(() => run({ ...base, n: 7, c: 32, h: 16, w: 16, oc: 64, kh: 3, kw: 3, ph: 1, pw: 1 }, true)),
      );
  });

  it('gives the same bits on every call at a fixed thread count (images split over threads)', () => {
    const d = dimsOf({ ...base, n: 9, c: 8, h: 16, w: 16, oc: 16, kh: 3, kw: 3, ph: 1, pw: 1 });
    const [n, c, h, wd, oc, oh, ow, kh, kw] = d;
    const x = randomFloats(n * c * h * wd, 5);
    const w = randomFloats(oc * c * kh * kw, 6);
    const b = randomFloats(oc, 7);
    const dy = randomFloats(n * oc * oh * ow, 8);
    const once = () => {
      const y = new Float32Array(dy.length);
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(w.length);
      const db = new Float32Array(oc);
      native.conv2d(shapeOf(d), x, w, b, y);
      native.conv2dBackwardInput(shapeOf(d), dy, w, dx);
      native.conv2dBackwardWeight(shapeOf(d), x, dy, dw, db);
      return [y, dx, dw, db];
    };
    for (const threads of [1, 2]) {
      withThreads(threads, () => {
        const first = once();
        for (let r = 0; r < 3; r++) expect(once()).toEqual(first);
      });
    }
  });

  it('rejects bad arguments without touching memory', () => {
    const d = dimsOf({ ...base, n: 1, c: 2, h: 3, w: 3, oc: 2, kh: 2, kw: 2 });
    const x = new Float32Array(18),
      w = new Float32Array(16),
      y = new Float32Array(8);
    const { groups: _, ...noGroups } = shapeOf(d);
    expect(() => native.conv2d(noGroups as ConvShape, x, w, null, y)).toThrow(
      /conv2d: option 'groups' must be an integer, got undefined/,
    );
    expect(() => native.conv2d([...d] as unknown as ConvShape, x, w, null, y)).toThrow(
      /conv2d: argument 'shape' must be an options object, got array of length 16/,
    );
    expect(() => native.conv2d({ ...shapeOf(d), groups: 3 }, x, w, null, y)).toThrow(
      /groups 3 must divide the channels c 2 and oc 2/,
    );
    expect(() => native.conv2d({ ...shapeOf(d), strideH: 0 }, x, w, null, y)).toThrow(
      /conv2d: option 'strideH' must be in \[1, 2147483647\], got number 0/,
    );
    expect(() => native.conv2d(shapeOf(d), x, w, null, new Float32Array(7))).toThrow(
      /'y' must hold \[1,2,2,2\] = 8 floats, got 7/,
    );
    expect(() => native.conv2d(shapeOf(d), x, w, new Float32Array(3), y)).toThrow(/'bias' must hold/);
    expect(() => native.conv2d(shapeOf(d), x, w, null, x.subarray(0, 8))).toThrow(RangeError);
    expect(() => native.conv2d(shapeOf(d), x, new Float64Array(16) as unknown as Float32Array, null, y)).toThrow(
      TypeError,
    );
    expect(() => native.conv2dBackwardInput(shapeOf(d), y, w, new Float32Array(17))).toThrow(/'dx' must hold/);
    expect(() => native.conv2dBackwardWeight(shapeOf(d), x, y, w.subarray(0, 15), null)).toThrow(/'dw' must hold/);
    expect(() => native.conv2d({ ...shapeOf(d), kh: 2 ** 31 - 1, kw: 2 ** 31 - 1 }, x, w, null, y)).toThrow(RangeError);
  });
});

// 3x3, stride 1, undilated, ungrouped: Winograd F(2x2, 3x3), forced here for every size (by default
// it takes >= 16 channels in and out and enough tiles; the last test checks that choice).
const winogradCases: [string, Geom][] = [
  ['C2-like, pad 1, even planes', { ...base, n: 4, c: 32, h: 16, w: 16, oc: 64, kh: 3, kw: 3, ph: 1, pw: 1 }],
  ['odd planes, channels off the GEMM tiles', { ...base, n: 3, c: 17, h: 9, w: 7, oc: 19, kh: 3, kw: 3, ph: 1, pw: 1 }],
  ['no padding (valid)', { ...base, n: 2, c: 16, h: 8, w: 11, oc: 16, kh: 3, kw: 3 }],
  ['padding 2 and 3, unequal', { ...base, n: 2, c: 16, h: 5, w: 6, oc: 20, kh: 3, kw: 3, ph: 2, pw: 3 }],
  ['1x1 and 2x3 inputs with padding', { ...base, n: 3, c: 16, h: 1, w: 1, oc: 16, kh: 3, kw: 3, ph: 1, pw: 1 }],
  ['2x3 input, padding 1', { ...base, n: 2, c: 18, h: 2, w: 3, oc: 16, kh: 3, kw: 3, ph: 1, pw: 1 }],
  [
    'output larger than the formula (far-side padding)',
    { ...base, n: 2, c: 16, h: 6, w: 6, oc: 16, kh: 3, kw: 3, ph: 1, pw: 1, oh: 7, ow: 8 },
  ],
  [
    'images split over threads, uneven shares, blocks',
    { ...base, n: 9, c: 16, h: 12, w: 10, oc: 24, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  [
    'one image (GEMMs threaded, not the batch)',
    { ...base, n: 1, c: 48, h: 20, w: 20, oc: 32, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  ['few channels', { ...base, n: 2, c: 3, h: 6, w: 7, oc: 5, kh: 3, kw: 3, ph: 1, pw: 1 }],
];

describe('native conv2d (Winograd F(2x2, 3x3))', () => {
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`forward, grad-input, grad-weight, grad-bias on ${isa} at ${threads} thread(s), against float64`, () => {
        withIsa(isa, () =>
          withThreads(threads, () =>
            withAlgorithm('winograd', () => {
              runAll(winogradCases);
            }),
          ),
        );
      });
    }
  }

  it('takes the shapes it should (the two paths differ in the last bits), and gives the same bits on every call', () => {
    const g = { ...base, n: 11, c: 16, h: 10, w: 10, oc: 16, kh: 3, kw: 3, ph: 1, pw: 1 };
    const d = dimsOf(g);
    const [n, c, h, wd, oc, oh, ow] = d;
    const x = randomFloats(n * c * h * wd, 11);
    const w = randomFloats(oc * c * 9, 12);
    const dy = randomFloats(n * oc * oh * ow, 13);
    const all = () => {
      const y = new Float32Array(dy.length),
        dx = new Float32Array(x.length),
        dw = new Float32Array(w.length);
      native.conv2d(shapeOf(d), x, w, null, y);
      native.conv2dBackwardInput(shapeOf(d), dy, w, dx);
      native.conv2dBackwardWeight(shapeOf(d), x, dy, dw, null);
      return [y, dx, dw];
    };
    for (const threads of [1, 2]) {
      withThreads(threads, () => {
        const wino = all();
        for (let r = 0; r < 2; r++) expect(all()).toEqual(wino);
        const im2col = im2colOnly(all);
        for (let i = 0; i < 3; i++) expect(wino[i], `output ${i} took the Winograd path`).not.toEqual(im2col[i]);
      });
    }
    // 15 channels, stride 2, groups, dilation, 4x4 planes (4 tiles), too few tiles in the batch
    // (10 x 25), an image too large to transform whole (16 x 32 x 4225 floats > 8 MiB): im2col
    // (bit-identical to the forced im2col path).
    for (const other of [
      { ...g, c: 15 },
      { ...g, sh: 2, sw: 2 },
      { ...g, groups: 2 },
      { ...g, dh: 2, dw: 2, ph: 2, pw: 2 },
      { ...g, h: 4, w: 4 },
      { ...g, n: 10 },
      { ...g, n: 1, h: 130, w: 130 },
    ]) {
      const od = dimsOf(other);
      const xx = randomFloats(od[0] * od[1] * od[2] * od[3], 14);
      const ww = randomFloats(od[4] * (od[1] / other.groups) * 9, 15);
      const yy = () => {
        const y = new Float32Array(od[0] * od[4] * od[5] * od[6]);
        native.conv2d(shapeOf(od), xx, ww, null, y);
        return y;
      };
      expect(yy()).toEqual(im2colOnly(yy));
    }
  });
});

// Few input taps (C * kh * kw <= 32), column stride 1, one group: the direct kernel (forward
// only; the gradients stay on im2col + GEMM) on the vector ISAs.
const directCases: [string, Geom][] = [
  [
    'C1-like: 3 -> 32 channels, 32x32, pad 1',
    { ...base, n: 4, c: 3, h: 32, w: 32, oc: 32, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  [
    '1 channel, 28x28 (rows not a whole number of registers), 13 outputs',
    { ...base, n: 3, c: 1, h: 28, w: 28, oc: 13, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  ['narrow rows (5 and 3 outputs a row)', { ...base, n: 2, c: 2, h: 7, w: 5, oc: 9, kh: 3, kw: 3, ph: 1, pw: 0 }],
  [
    'row stride 2, dilation 2, 5x5',
    { ...base, n: 2, c: 1, h: 21, w: 37, oc: 7, kh: 5, kw: 5, sh: 2, ph: 2, pw: 4, dh: 2, dw: 2 },
  ],
  [
    'padding larger than the kernel, output larger than the formula',
    { ...base, n: 2, c: 2, h: 6, w: 5, oc: 3, kh: 3, kw: 2, ph: 4, pw: 3, oh: 13, ow: 12 },
  ],
  ['one image (rows split over threads)', { ...base, n: 1, c: 3, h: 64, w: 40, oc: 17, kh: 3, kw: 3, ph: 1, pw: 1 }],
  ['LeNet 5x5, no padding', { ...base, n: 5, c: 1, h: 28, w: 28, oc: 6, kh: 5, kw: 5 }],
];

describe('native conv2d (direct, few input taps)', () => {
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`forward (and the gradients beside it) on ${isa} at ${threads} thread(s), against float64`, () => {
        withIsa(isa, () =>
          withThreads(threads, () => {
            runAll(directCases);
          }),
        );
      });
    }
  }

  it('takes the shapes it should on a vector ISA, and gives the same bits on every call', () => {
    const vector = supportedIsas.filter((i) => i !== 'scalar');
    for (const isa of vector) {
      withIsa(isa, () => {
        const y = (g: Geom, seed: number) => () => {
          const d = dimsOf(g);
          const x = randomFloats(d[0] * d[1] * d[2] * d[3], seed);
          const w = randomFloats(d[4] * (d[1] / g.groups) * d[7] * d[8], seed + 1);
          const b = randomFloats(d[4], seed + 2);
          const out = new Float32Array(d[0] * d[4] * d[5] * d[6]);
          // With a bias the two paths round differently (the direct kernel starts from the bias,
          // im2col adds the product to it); without one they can agree to the bit.
          native.conv2d(shapeOf(d), x, w, b, out);
          return out;
        };
        const c1 = y({ ...base, n: 2, c: 3, h: 16, w: 16, oc: 32, kh: 3, kw: 3, ph: 1, pw: 1 }, 21);
        for (const threads of [1, 2]) {
          withThreads(threads, () => {
            expect(c1()).toEqual(c1());
            expect(c1(), `${isa}: 3 channels took the direct path`).not.toEqual(im2colOnly(c1));
          });
        }
        // 4 channels (36 taps), column stride 2, groups: im2col.
        for (const other of [
          { ...base, n: 2, c: 4, h: 16, w: 16, oc: 8, kh: 3, kw: 3, ph: 1, pw: 1 },
          { ...base, n: 2, c: 3, h: 16, w: 16, oc: 8, kh: 3, kw: 3, sw: 2, ph: 1, pw: 1 },
          { ...base, n: 2, c: 4, h: 16, w: 16, oc: 8, kh: 3, kw: 3, ph: 1, pw: 1, groups: 2 },
        ]) {
          const f = y(other, 23);
          expect(f()).toEqual(im2colOnly(f));
        }
      });
    }
  });
});

// Autocast's convolutions (shape.bf16): the products of bf16-rounded operands summed in fp32
// (exact products, so within the fp32 tolerance of the float64 reference on rounded operands,
// and 2^-9 relative away from the unrounded one), on every path the float path has: tiled,
// split by images, 1x1, the shapes Winograd and the direct kernel would take (im2col instead,
// on the ISAs whose fp32 kernels differ; where the table has a bf16 GEMM kernel, Winograd takes
// planes of 64 tiles or more, tested below).
describe('native conv2d with bf16 products (autocast)', () => {
  const all: [string, Geom][] = [...cases, ...winogradCases, ...directCases];
  const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
  // Geometry g's dims, one group's product sizes, and an x holding NaN and denormals (the
  // rounding of x before im2col and the GEMM's rounding while packing must agree on them too).
  const bf16Case = (g: Geom, seed: number) => {
    const d = dimsOf(g);
    const [n, c, h, wd, oc, oh, ow, kh, kw, , , , , , , groups] = d;
    const x = randomFloats(n * c * h * wd, seed);
    x[0] = Number.NaN;
    x[x.length - 1] = 1e-40;
    x[Math.floor(x.length / 2)] = -3e-39;
    return { d, n, c, oc, kh, kw, groups, ocg: oc / groups, kg: (c / groups) * kh * kw, ohw: oh * ow, x };
  };
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`forward, grad-input, grad-weight, grad-bias on ${isa} at ${threads} thread(s)`, () => {
        withIsa(isa, () => withThreads(threads, () => runAll(all, false, true)));
      });
    }
  }

  it('rounds the operands (the fp32 products differ), and takes im2col for Winograd and direct shapes', () => {
    for (const g of [
      { ...base, n: 11, c: 16, h: 10, w: 10, oc: 16, kh: 3, kw: 3, ph: 1, pw: 1 }, // Winograd's
      { ...base, n: 2, c: 3, h: 16, w: 16, oc: 32, kh: 3, kw: 3, ph: 1, pw: 1 }, // the direct kernel's
    ]) {
      const d = dimsOf(g);
      const x = randomFloats(d[0] * d[1] * d[2] * d[3], 31);
      const w = randomFloats(d[4] * d[1] * 9, 32);
      const y = (shape: ConvShape, xx: Float32Array, ww: Float32Array) => {
        const out = new Float32Array(d[0] * d[4] * d[5] * d[6]);
        native.conv2d(shape, xx, ww, null, out);
        return out;
      };
      const bf16 = y({ ...shapeOf(d), bf16: true }, x, w);
      expect(bf16).not.toEqual(y(shapeOf(d), x, w));
      // The same products as the fp32 im2col path on rounded operands (bf16 x bf16 is exact in
      // fp32); only the summation order may differ where the table has a bf16 kernel.
      const im2col = im2colOnly(() => y(shapeOf(d), toBf16(x), toBf16(w)));
      expectNear(bf16, Float64Array.from(im2col), 'against im2col on rounded operands', 2e-6);
    }
  });

  // Winograd with its position GEMMs on the bf16 GEMM (where the table has a bf16 kernel; else
  // im2col, exact): the transformed operands are rounded to bf16 rather than x, w and dy, so the
  // results are off the exact bf16 products by up to 2^-9 of the transformed values, summed over
  // the output transform's 9 positions. Measured up to 6e-3 of the largest value (Zen 4), where
  // rounding x and w alone moves it ~2e-3 from fp32's; 2^-6 leaves room.
  const bf16Kernel = !native.backendInfo().lowpGemm.bf16.includes('via fp32');
  for (const isa of allSupportedIsas) {
    it(`Winograd with bf16 position products on ${isa}, at 1 and 2 threads`, () => {
      withIsa(isa, () =>
        withAlgorithm('winograd', () => {
          for (const threads of [1, 2]) withThreads(threads, () => runAll(winogradCases, false, true, 2 ** -6));
        }),
      );
    });
  }

  it('takes Winograd for planes of 64 tiles or more where the table has a bf16 GEMM kernel', () => {
    // 16x16 planes: 64 tiles an image (the threshold); 8 images make 512 tiles.
    const g = { ...base, n: 8, c: 16, h: 16, w: 16, oc: 32, kh: 3, kw: 3, ph: 1, pw: 1 };
    const d = dimsOf(g);
    const x = randomFloats(d[0] * d[1] * d[2] * d[3], 41);
    const w = randomFloats(d[4] * d[1] * 9, 42);
    const y = () => {
      const out = new Float32Array(d[0] * d[4] * d[5] * d[6]);
      native.conv2d({ ...shapeOf(d), bf16: true }, x, w, null, out);
      return out;
    };
    const im2col = im2colOnly(y);
    if (bf16Kernel) expect(y()).not.toEqual(im2col);
    else expect(y()).toEqual(im2col);
    expectNear(y(), Float64Array.from(im2col), 'against im2col', 2 ** -6);
  });

  // The kernels round dy to bf16 as they read it (the bias's sum and Winograd's transforms too),
  // so autocast's backward passes dy unrounded; and the bf16 GEMM adds the bias as it stores y.
  it('gives the same bits from unrounded dy as from dy rounded to bf16, and y with its bias added', () => {
    const check = (list: [string, Geom][]) => {
      for (const [name, g] of list) {
        const d = dimsOf(g);
        const [n, c, h, wd, oc, oh, ow, kh, kw] = d;
        const shape = { ...shapeOf(d), bf16: true };
        const x = randomFloats(n * c * h * wd, 51);
        const w = randomFloats(oc * (c / g.groups) * kh * kw, 52);
        const b = randomFloats(oc, 53);
        const dyRaw = randomFloats(n * oc * oh * ow, 54);
        const grads = (dy: Float32Array) => {
          const dx = new Float32Array(x.length).fill(NaN);
          const dw = new Float32Array(w.length).fill(NaN);
          const db = new Float32Array(oc).fill(NaN);
          native.conv2dBackwardInput(shape, dy, w, dx);
          native.conv2dBackwardWeight(shape, x, dy, dw, db);
          return { dx, dw, db };
        };
        expect(grads(dyRaw), name).toEqual(grads(toBf16(dyRaw)));
        const y = new Float32Array(dyRaw.length).fill(NaN);
        const yb = new Float32Array(dyRaw.length).fill(NaN);
        native.conv2d(shape, x, w, null, y);
        native.conv2d(shape, x, w, b, yb);
        const plane = oh * ow;
        expect(yb, name).toEqual(y.map((v, i) => Math.fround(v + b[Math.floor(i / plane) % oc])));
      }
    };
    for (const isa of allSupportedIsas) {
      withIsa(isa, () => {
        check([...cases, ...winogradCases, ...directCases]);
        withAlgorithm('winograd', () => check(winogradCases));
      });
    }
  });

  // The forward im2cols x rounded to bf16 (bf16 columns) where the columns are at least as large
  // as x: the same bits as the bf16 GEMM of fp32 columns, rounded as it reads them, with w's
  // panels packed once for the batch. The reference: gemmBf16 per image and group over columns
  // built here, NaN and denormals in x included (the two roundings must agree on them too).
  it('gives the bits of the bf16 GEMM over each image fp32 columns, at tile and block edges', () => {
    const geoms: Geom[] = [
      { ...base, n: 3, c: 5, h: 7, w: 9, oc: 7, kh: 3, kw: 3, ph: 1, pw: 1 },
      { ...base, n: 5, c: 3, h: 9, w: 7, oc: 13, kh: 3, kw: 2, ph: 1, pw: 0, sh: 2 },
      { ...base, n: 1, c: 4, h: 6, w: 5, oc: 130, kh: 1, kw: 1, ph: 1, pw: 1 }, // 1x1, padded
      { ...base, n: 4, c: 6, h: 5, w: 5, oc: 8, kh: 1, kw: 1, sh: 2, sw: 2 }, // columns smaller than x
      { ...base, n: 7, c: 6, h: 8, w: 8, oc: 10, kh: 3, kw: 3, ph: 1, pw: 1, groups: 2 },
      { ...base, n: 6, c: 16, h: 8, w: 8, oc: 67, kh: 3, kw: 3, ph: 1, pw: 1 }, // split by images
    ];
    for (const isa of allSupportedIsas) {
      withIsa(isa, () => {
        let seed = 70;
        for (const g of geoms) {
          seed++;
          const { d, n, oc, groups, ocg, kg, ohw, x } = bf16Case(g, seed);
          const w = randomFloats(oc * kg, seed + 1);
          const b = randomFloats(oc, seed + 2);
          const want = new Float32Array(n * oc * ohw);
          const col = new Float32Array(kg * ohw);
          for (let t = 0; t < n; t++)
            for (let gi = 0; gi < groups; gi++) {
              columnsOf(d, x, t, gi, col, ohw, 0);
              native.gemmBf16({
                transA: false,
                transB: false,
                batch: 1,
                m: ocg,
                n: ohw,
                k: kg,
                alpha: 1,
                a: w,
                aOffset: gi * ocg * kg,
                lda: kg,
                strideA: 0,
                b: col,
                bOffset: 0,
                ldb: ohw,
                strideB: 0,
                beta: 0,
                c: want,
                cOffset: (t * oc + gi * ocg) * ohw,
                ldc: ohw,
                strideC: 0,
                rowBias: b.subarray(gi * ocg, (gi + 1) * ocg),
                colBias: null,
              });
            }
          for (const threads of [1, 2]) {
            withThreads(threads, () => {
              const y = new Float32Array(want.length).fill(7);
              native.conv2d({ ...shapeOf(d), bf16: true }, x, w, b, y);
              expect(bitsOf(y), `${isa}, ${JSON.stringify(g)}, ${threads} thread(s)`).toEqual(bitsOf(want));
            });
          }
        }
      });
    }
  });

  // The weight gradient im2cols bf16 columns too (where the forward does): the same bits as the
  // bf16 GEMM over fp32 columns, rounded as it reads them. At one thread a tile of narrow planes
  // (OHW < 256) is one product per group over the tile's images side by side (K = nt*OHW; tiles
  // of 2^19 floats of columns and gathered dy, the next tile's product added with beta 1); wide
  // planes one product per image, added likewise. The reference makes those products with
  // gemmBf16 over columns and gathered dy built here, NaN, infinity and denormals in x included.
  it('gives the weight gradient the bits of the bf16 GEMM over fp32 columns, at 1 thread', () => {
    const geoms: Geom[] = [
      { ...base, n: 3, c: 5, h: 7, w: 9, oc: 7, kh: 3, kw: 3, ph: 1, pw: 1 },
      { ...base, n: 5, c: 3, h: 9, w: 7, oc: 13, kh: 3, kw: 2, ph: 1, pw: 0, sh: 2 },
      { ...base, n: 2, c: 4, h: 6, w: 5, oc: 6, kh: 1, kw: 1, ph: 1, pw: 1 }, // 1x1, padded
      { ...base, n: 4, c: 6, h: 5, w: 5, oc: 8, kh: 1, kw: 1, sh: 2, sw: 2 }, // columns smaller than x
      { ...base, n: 7, c: 6, h: 8, w: 8, oc: 10, kh: 3, kw: 3, ph: 1, pw: 1, groups: 2 },
      { ...base, n: 13, c: 64, h: 8, w: 8, oc: 70, kh: 3, kw: 3, ph: 1, pw: 1 }, // two tiles (12 + 1)
      { ...base, n: 3, c: 3, h: 17, w: 16, oc: 5, kh: 3, kw: 3, ph: 1, pw: 1 }, // wide planes
    ];
    for (const isa of allSupportedIsas) {
      withIsa(isa, () => {
        let seed = 90;
        for (const g of geoms) {
          seed++;
          const { d, n, c, oc, kh, kw, groups, ocg, kg, ohw, x } = bf16Case(g, seed);
          x[Math.floor(x.length / 3)] = Number.POSITIVE_INFINITY;
          const dy = randomFloats(n * oc * ohw, seed + 1);
          // Images per product: the driver's tile for narrow planes, one for wide ones.
          const tile = ohw >= 256 ? 1 : Math.min(n, Math.floor(2 ** 19 / (c * kh * kw * ohw + oc * ohw)));
          const want = new Float32Array(oc * kg);
          for (let n0 = 0; n0 < n; n0 += tile) {
            const nt = Math.min(tile, n - n0);
            const ld = nt * ohw;
            const col = new Float32Array(kg * ld);
            const wide = new Float32Array(ocg * ld);
            for (let gi = 0; gi < groups; gi++) {
              for (let t = 0; t < nt; t++) {
                columnsOf(d, x, n0 + t, gi, col, ld, t * ohw);
                for (let o = 0; o < ocg; o++)
                  for (let q = 0; q < ohw; q++)
                    wide[o * ld + t * ohw + q] = dy[((n0 + t) * oc + gi * ocg + o) * ohw + q];
              }
              native.gemmBf16({
                transA: false,
                transB: true,
                batch: 1,
                m: ocg,
                n: kg,
                k: ld,
                alpha: 1,
                a: wide,
                aOffset: 0,
                lda: ld,
                strideA: 0,
                b: col,
                bOffset: 0,
                ldb: ld,
                strideB: 0,
                beta: n0 === 0 ? 0 : 1,
                c: want,
                cOffset: gi * ocg * kg,
                ldc: kg,
                strideC: 0,
                rowBias: null,
                colBias: null,
              });
            }
          }
          withThreads(1, () => {
            const dw = new Float32Array(want.length).fill(7);
            native.conv2dBackwardWeight({ ...shapeOf(d), bf16: true }, x, dy, dw, null);
            expect(bitsOf(dw), `${isa}, ${JSON.stringify(g)}`).toEqual(bitsOf(want));
          });
        }
      });
    }
  });

  it('refuses a bf16 flag that is not a boolean', () => {
    const d = dimsOf({ ...base, n: 1, c: 1, h: 3, w: 3, oc: 1, kh: 1, kw: 1 });
    const bad = { ...shapeOf(d), bf16: 1 as unknown as boolean };
    expect(() => native.conv2d(bad, new Float32Array(9), new Float32Array(1), null, new Float32Array(9))).toThrow(
      /bf16.*boolean/,
    );
  });
});
