// resample2d / resample2dBackward (interpolate's kernels) against TypeScript references that
// round like the kernel (each sum of float products taken in double, rounded once to float):
// bit-exact, nearest and linear, up and down, at 1 and 2 threads, plus argument checks.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { randomFloats, withThreads } from '../helpers/native.js';

interface Table {
  index: Int32Array;
  weight: Float32Array | null;
}

// A random table: nearest picks any source; linear picks a source and its successor (clamped)
// with weights that sum to 1, some second weights exactly 0 (rows never read).
function randomTable(inSize: number, outSize: number, linear: boolean, seed: number): Table {
  const r = randomFloats(3 * outSize, seed, 0, 1);
  if (!linear)
    return {
      index: Int32Array.from({ length: outSize }, (_, o) => Math.min(Math.floor(r[o] * inSize), inSize - 1)),
      weight: null,
    };
  const index = new Int32Array(2 * outSize);
  const weight = new Float32Array(2 * outSize);
  for (let o = 0; o < outSize; o++) {
    const a = Math.min(Math.floor(r[o] * inSize), inSize - 1);
    index[2 * o] = a;
    index[2 * o + 1] = Math.min(a + 1, inSize - 1);
    const w1 = r[outSize + o] < 0.25 ? 0 : Math.fround(r[2 * outSize + o]);
    weight[2 * o + 1] = w1;
    weight[2 * o] = Math.fround(1 - w1);
  }
  return { index, weight };
}

// A nearest table of an upsampling: consecutive outputs repeat rows (the kernel's row copy).
function repeatTable(inSize: number, outSize: number): Table {
  return {
    index: Int32Array.from({ length: outSize }, (_, o) => Math.min(Math.floor((o * inSize) / outSize), inSize - 1)),
    weight: null,
  };
}

// A linear table as interpolate builds them (source positions never decrease, the second
// index is the next one or the same at the edge): the kernel's register-held backward path.
// Scales above 1 jump over sources (downsampling).
function orderedTable(inSize: number, outSize: number): Table {
  const index = new Int32Array(2 * outSize);
  const weight = new Float32Array(2 * outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const real = Math.max(scale * (o + 0.5) - 0.5, 0);
    const a = Math.min(Math.floor(real), inSize - 1);
    index[2 * o] = a;
    index[2 * o + 1] = a < inSize - 1 ? a + 1 : a;
    const w1 = Math.fround(Math.min(real - a, 1));
    weight[2 * o + 1] = w1;
    weight[2 * o] = Math.fround(1 - w1);
  }
  return { index, weight };
}

// The TypeScript loops the kernel replaced: JS sums in double and rounds on every store.
function refForward(d: number[], rows: Table, cols: Table, x: Float32Array): Float32Array {
  const [planes, h, w, oh, ow] = d;
  const y = new Float32Array(planes * oh * ow);
  for (let p = 0; p < planes; p++) {
    if (!rows.weight) {
      for (let r = 0; r < oh; r++)
        for (let c = 0; c < ow; c++) y[(p * oh + r) * ow + c] = x[(p * h + rows.index[r]) * w + cols.index[c]];
      continue;
    }
    const rw = rows.weight,
      cw = cols.weight!;
    const tmp = new Float32Array(h * ow);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < ow; c++) {
        const row = (p * h + r) * w;
        tmp[r * ow + c] = cw[2 * c] * x[row + cols.index[2 * c]] + cw[2 * c + 1] * x[row + cols.index[2 * c + 1]];
      }
    }
    for (let r = 0; r < oh; r++) {
      const a0 = rw[2 * r],
        a1 = rw[2 * r + 1],
        t0 = rows.index[2 * r] * ow,
        t1 = rows.index[2 * r + 1] * ow;
      for (let c = 0; c < ow; c++)
        y[(p * oh + r) * ow + c] = a1 === 0 ? a0 * tmp[t0 + c] : a0 * tmp[t0 + c] + a1 * tmp[t1 + c];
    }
  }
  return y;
}

function refBackward(d: number[], rows: Table, cols: Table, dy: Float32Array): Float32Array {
  const [planes, h, w, oh, ow] = d;
  const dx = new Float32Array(planes * h * w);
  for (let p = 0; p < planes; p++) {
    if (!rows.weight) {
      for (let r = 0; r < oh; r++)
        for (let c = 0; c < ow; c++) dx[(p * h + rows.index[r]) * w + cols.index[c]] += dy[(p * oh + r) * ow + c];
      continue;
    }
    const rw = rows.weight,
      cw = cols.weight!;
    const tmp = new Float32Array(h * ow);
    const used = new Uint8Array(h);
    for (let r = 0; r < oh; r++) {
      const t0 = rows.index[2 * r] * ow,
        t1 = rows.index[2 * r + 1] * ow;
      used[rows.index[2 * r]] = 1;
      for (let c = 0; c < ow; c++) tmp[t0 + c] += rw[2 * r] * dy[(p * oh + r) * ow + c];
      if (rw[2 * r + 1] !== 0) {
        used[rows.index[2 * r + 1]] = 1;
        for (let c = 0; c < ow; c++) tmp[t1 + c] += rw[2 * r + 1] * dy[(p * oh + r) * ow + c];
      }
    }
    for (let r = 0; r < h; r++) {
      if (!used[r]) continue;
      const row = (p * h + r) * w;
      for (let c = 0; c < ow; c++) {
        const v = tmp[r * ow + c];
        dx[row + cols.index[2 * c]] += cw[2 * c] * v;
        dx[row + cols.index[2 * c + 1]] += cw[2 * c + 1] * v;
      }
    }
  }
  return dx;
}

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

function run(d: number[], rows: Table, cols: Table, seed: number): void {
  const [planes, h, w, oh, ow] = d;
  const x = randomFloats(planes * h * w, seed);
  const dy = randomFloats(planes * oh * ow, seed + 1);
  const wantY = refForward(d, rows, cols, x);
  const wantDx = refBackward(d, rows, cols, dy);
  for (const threads of [1, 2]) {
    withThreads(threads, () => {
      const y = new Float32Array(wantY.length).fill(NaN); // every element must be written
      native.resample2d(d, rows.index, rows.weight, cols.index, cols.weight, x, y);
      expect(bits(y)).toEqual(bits(wantY));
      const dx = new Float32Array(wantDx.length).fill(NaN);
      native.resample2dBackward(d, rows.index, rows.weight, cols.index, cols.weight, dy, dx);
      expect(bits(dx)).toEqual(bits(wantDx));
    });
  }
}

describe('resample2d', () => {
  // [planes, h, w, oh, ow]: 1-D (h = oh = 1), up, down, mixed, planes below and above the
  // threading grain (16384 elements per thread), odd sizes.
  const shapes = [
    [3, 1, 7, 1, 13],
    [2, 5, 6, 10, 12],
    [4, 9, 8, 4, 3],
    [5, 3, 11, 7, 2],
    [1, 1, 1, 4, 5],
    [0, 3, 3, 6, 6],
    [40, 16, 16, 32, 32],
    [33, 17, 9, 5, 31],
  ];
  for (const linear of [false, true]) {
    for (const d of shapes) {
      it(`${linear ? 'linear' : 'nearest'} ${JSON.stringify(d)}: forward and backward match the reference at 1 and 2 threads`, () => {
        const [, h, w, oh, ow] = d;
        run(d, randomTable(h, oh, linear, 7 + oh), randomTable(w, ow, linear, 11 + ow), 3);
      });
    }
  }
  it("linear tables in interpolate's order (up, down, same size, 1 wide)", () => {
    for (const [planes, h, w, oh, ow] of [
      [3, 5, 7, 11, 16],
      [4, 9, 13, 4, 5],
      [2, 6, 6, 6, 6],
      [3, 1, 1, 3, 4],
      [2, 4, 2, 7, 9],
      [40, 16, 16, 32, 32],
    ]) {
      run([planes, h, w, oh, ow], orderedTable(h, oh), orderedTable(w, ow), 9);
    }
  });
  it('nearest upsampling that repeats rows and columns (the row-copy and integer-factor paths)', () => {
    run([6, 4, 5, 12, 10], repeatTable(4, 12), repeatTable(5, 10), 5);
    run([70, 8, 8, 16, 16], repeatTable(8, 16), repeatTable(8, 16), 6);
    run([3, 5, 7, 15, 21], repeatTable(5, 15), repeatTable(7, 21), 7); // x3 columns
    run([3, 5, 7, 5, 7], repeatTable(5, 5), repeatTable(7, 7), 8); // x1
    run([2, 4, 6, 8, 11], repeatTable(4, 8), repeatTable(6, 11), 9); // not an integer factor
  });
  it('propagates NaN and infinity through the weights', () => {
    const d = [1, 2, 2, 3, 3];
    const rows = randomTable(2, 3, true, 1);
    const cols = randomTable(2, 3, true, 2);
    const x = new Float32Array([NaN, 1, Infinity, 2]);
    const y = new Float32Array(9);
    native.resample2d(d, rows.index, rows.weight, cols.index, cols.weight, x, y);
    expect(bits(y)).toEqual(bits(refForward(d, rows, cols, x)));
  });
});

describe('resample2d argument checks', () => {
  const d = [2, 3, 4, 5, 6];
  const x = new Float32Array(2 * 3 * 4);
  const y = new Float32Array(2 * 5 * 6);
  const near = { rows: repeatTable(3, 5), cols: repeatTable(4, 6) };
  const lin = { rows: randomTable(3, 5, true, 1), cols: randomTable(4, 6, true, 2) };
  const fwd =
    (...a: unknown[]) =>
    () =>
      (native.resample2d as (...v: unknown[]) => void)(...a);
  const bwd =
    (...a: unknown[]) =>
    () =>
      (native.resample2dBackward as (...v: unknown[]) => void)(...a);

  it('checks dims', () => {
    expect(fwd([2, 3, 4, 5], near.rows.index, null, near.cols.index, null, x, y)).toThrow(
      /resample2d: argument 'dims' must have 5 entries/,
    );
    expect(fwd([2, 0, 4, 5, 6], near.rows.index, null, near.cols.index, null, x, y)).toThrow(
      /resample2d: argument 'dims': h must be an integer in \[1, /,
    );
    expect(fwd([2, 3, 4, 5, 1.5], near.rows.index, null, near.cols.index, null, x, y)).toThrow(/ow must be an integer/);
    expect(fwd('x', near.rows.index, null, near.cols.index, null, x, y)).toThrow(
      /'dims' must be an array of 5 integers/,
    );
    expect(fwd(d, near.rows.index, null, near.cols.index, null, x)).toThrow(/resample2d: expected 7 arguments, got 6/);
  });
  it('checks the tables', () => {
    expect(fwd(d, near.rows.index, null, near.cols.index.subarray(1), null, x, y)).toThrow(
      /resample2d: argument 'colIndex' must hold 6 indices, got 5/,
    );
    expect(fwd(d, lin.rows.index, lin.rows.weight, lin.cols.index, null, x, y)).toThrow(
      /'rowWeight' and 'colWeight' must both be Float32Arrays or Float64Arrays \(linear\) or both null/,
    );
    expect(fwd(d, near.rows.index, null, near.cols.index, null, x, y)).not.toThrow();
    expect(fwd(d, near.rows.index, lin.rows.weight, near.cols.index, lin.cols.weight, x, y)).toThrow(
      /resample2d: argument 'rowIndex' must hold 10 indices, got 5/,
    );
    expect(fwd(d, lin.rows.index, lin.rows.weight!.subarray(2), lin.cols.index, lin.cols.weight, x, y)).toThrow(
      /'rowWeight' must hold 10 weights/,
    );
    const badIdx = Int32Array.from(near.rows.index);
    badIdx[4] = 3;
    expect(fwd(d, badIdx, null, near.cols.index, null, x, y)).toThrow(/rowIndex\[4\] = 3 is outside \[0, 3\)/);
    badIdx[4] = -1;
    expect(bwd(d, badIdx, null, near.cols.index, null, y, x)).toThrow(
      /resample2dBackward: rowIndex\[4\] = -1 is outside/,
    );
    expect(fwd(d, new Float32Array(5), null, near.cols.index, null, x, y)).toThrow(/'rowIndex' must be an Int32Array/);
    expect(fwd(d, lin.rows.index, new Float64Array(10), lin.cols.index, lin.cols.weight, x, y)).toThrow(
      /'rowWeight' must be a Float32Array, got Float64Array\(10\)/,
    );
  });
  it('checks the data arrays and overlaps', () => {
    expect(fwd(d, near.rows.index, null, near.cols.index, null, x, y.subarray(1))).toThrow(
      /'y' must hold \[2,5,6\] = 60 floats, got 59/,
    );
    expect(bwd(d, near.rows.index, null, near.cols.index, null, x, y)).toThrow(
      /resample2dBackward: argument 'dy' must hold \[2,5,6\] = 60 floats, got 24/,
    );
    expect(fwd(d, near.rows.index, null, near.cols.index, null, new Int32Array(24), y)).toThrow(
      /'x' must be a Float32Array/,
    );
    const buf = new Float32Array(80);
    expect(fwd(d, near.rows.index, null, near.cols.index, null, buf.subarray(0, 24), buf.subarray(20))).toThrow(
      /'y'.*'x'/,
    );
    const shared = new Float32Array(70);
    const cw = shared.subarray(0, 12);
    cw.set(lin.cols.weight!);
    expect(fwd(d, lin.rows.index, lin.rows.weight, lin.cols.index, cw, x, shared.subarray(10))).toThrow(
      /'y'.*'colWeight'/,
    );
  });
});
