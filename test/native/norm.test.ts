import { describe, expect, it } from 'vitest';
import { native, type Isa } from '../../lib/native.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';

// Every ISA at 1 and 2 threads against the scalar kernels at 1 thread (the oracle), and the
// scalar kernels against float64 references. Sizes straddle the vector widths (8, 16), the
// summation chunk (256) and the threading grain (2^14 elements a thread).

function expectNear(got: Float32Array | null, want: Float32Array | null, tol: number, what: string): void {
  expect(got === null, `${what}: presence`).toBe(want === null);
  if (!got || !want) return;
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) {
      expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

type Outputs = Record<string, Float32Array | null>;

function runBatchNorm([N, C, S]: number[], training: boolean, affine: boolean, seed: number): Outputs {
  const x = randomFloats(N * C * S, seed, -2, 3);
  const dy = randomFloats(N * C * S, seed + 1);
  const w = affine ? randomFloats(C, seed + 2, 0.5, 1.5) : null;
  const b = affine ? randomFloats(C, seed + 3) : null;
  const rm = randomFloats(C, seed + 4);
  const rv = randomFloats(C, seed + 5, 0.5, 2);
  const saveMean = new Float32Array(C);
  const saveInvstd = new Float32Array(C);
  const y = new Float32Array(N * C * S);
  native.batchNorm([N, C, S], x, w, b, training, 0.1, 1e-5, rm, rv, saveMean, saveInvstd, y);
  const dx = new Float32Array(N * C * S);
  const dw = affine ? new Float32Array(C) : null;
  const db = affine ? new Float32Array(C) : null;
  native.batchNormBackward([N, C, S], x, dy, w, saveMean, saveInvstd, training, dx, dw, db);
  return { y, saveMean, saveInvstd, rm, rv, dx, dw, db };
}

function runLayerNorm([R, D]: number[], affine: boolean, seed: number): Outputs {
  const x = randomFloats(R * D, seed, -1, 4);
  const dy = randomFloats(R * D, seed + 1);
  const w = affine ? randomFloats(D, seed + 2, 0.5, 1.5) : null;
  const b = affine ? randomFloats(D, seed + 3) : null;
  const mean = new Float32Array(R);
  const invstd = new Float32Array(R);
  const y = new Float32Array(R * D);
  native.layerNorm([R, D], x, w, b, 1e-5, mean, invstd, y);
  const dx = new Float32Array(R * D);
  const dw = new Float32Array(D);
  const db = new Float32Array(D);
  native.layerNormBackward([R, D], x, dy, w, mean, invstd, dx, dw, db);
  return { y, mean, invstd, dx, dw, db };
}

function runGroupNorm([N, C, S, G]: number[], affine: boolean, seed: number): Outputs {
  const x = randomFloats(N * C * S, seed, -3, 2);
  const dy = randomFloats(N * C * S, seed + 1);
  const w = affine ? randomFloats(C, seed + 2, 0.5, 1.5) : null;
  const b = affine ? randomFloats(C, seed + 3) : null;
  const mean = new Float32Array(N * G);
  const invstd = new Float32Array(N * G);
  const y = new Float32Array(N * C * S);
  native.groupNorm([N, C, S, G], x, w, b, 1e-5, mean, invstd, y);
  const dx = new Float32Array(N * C * S);
  const dw = new Float32Array(C);
  const db = new Float32Array(C);
  native.groupNormBackward([N, C, S, G], x, dy, w, mean, invstd, dx, dw, db);
  return { y, mean, invstd, dx, dw, db };
}

function compareIsas(name: string, run: () => Outputs): void {
  const want = withThreads(1, () => withIsa('scalar', run));
  for (const isa of supportedIsas as Isa[]) {
    for (const threads of [1, 2]) {
      const got = withThreads(threads, () => withIsa(isa, run));
      for (const k of Object.keys(want)) expectNear(got[k], want[k], 2e-5, `${name} ${isa} ${threads}t ${k}`);
    }
  }
}

const bnShapes = [
  [2, 3, 1],
  [5, 4, 1],
  [3000, 24, 1],
  [2, 3, 7],
  [3, 2, 8],
  [2, 5, 9],
  [2, 3, 15],
  [3, 2, 16],
  [2, 3, 17],
  [2, 2, 33],
  [3, 2, 1100],
  [4, 8, 1100],
];

describe('native batch norm', () => {
  for (const shape of bnShapes) {
    for (const training of [true, false]) {
      it(`[${shape}] ${training ? 'training' : 'eval'}: every ISA and thread count agrees with scalar`, () => {
        compareIsas(`bn [${shape}]`, () => runBatchNorm(shape, training, shape[2] !== 7, shape[2]));
      });
    }
  }

  it('batchNormBackward writes dx over dy itself with the same bits as into a buffer of its own (every ISA, 1 and 2 threads)', () => {
    for (const [N, C, S] of [
      [3000, 24, 1],
      [2, 3, 17],
      [4, 8, 1100],
    ]) {
      const x = randomFloats(N * C * S, 7, -2, 3);
      const dy = randomFloats(N * C * S, 8);
      const w = randomFloats(C, 9, 0.5, 1.5);
      const saveMean = new Float32Array(C);
      const saveInvstd = new Float32Array(C);
      native.batchNorm(
        [N, C, S],
        x,
        w,
        null,
        true,
        0.1,
        1e-5,
        null,
        null,
        saveMean,
        saveInvstd,
        new Float32Array(x.length),
      );
      for (const isa of supportedIsas)
        for (const threads of [1, 2])
          withIsa(isa, () =>
            withThreads(threads, () => {
              const dx = new Float32Array(dy.length);
              const dw = new Float32Array(C);
              native.batchNormBackward([N, C, S], x, dy, w, saveMean, saveInvstd, true, dx, dw, null);
              const inPlace = dy.slice();
              const dw2 = new Float32Array(C);
              native.batchNormBackward([N, C, S], x, inPlace, w, saveMean, saveInvstd, true, inPlace, dw2, null);
              expect(
                Buffer.from(inPlace.buffer).equals(Buffer.from(dx.buffer)),
                `${isa} ${threads} [${N},${C},${S}] dx`,
              ).toBe(true);
              expect(Array.from(dw2)).toEqual(Array.from(dw));
            }),
          );
    }
  });

  it('scalar kernels match a float64 reference (stats, running stats, output, gradients)', () => {
    for (const [N, C, S] of [
      [5, 3, 1],
      [3, 2, 37],
      [2, 2, 1100],
    ]) {
      const got = withIsa('scalar', () => runBatchNorm([N, C, S], true, true, 7));
      const x = randomFloats(N * C * S, 7, -2, 3);
      const dy = randomFloats(N * C * S, 8);
      const w = randomFloats(C, 9, 0.5, 1.5);
      const b = randomFloats(C, 10);
      const rm0 = randomFloats(C, 11);
      const rv0 = randomFloats(C, 12, 0.5, 2);
      const M = N * S;
      const at = (n: number, c: number, s: number) => (n * C + c) * S + s;
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sum += x[at(n, c, s)];
        const mean = sum / M;
        let sq = 0;
        for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sq += (x[at(n, c, s)] - mean) ** 2;
        const invstd = 1 / Math.sqrt(sq / M + 1e-5);
        expect(got.saveMean![c]).toBeCloseTo(mean, 6);
        expect(Math.abs(got.saveInvstd![c] / invstd - 1)).toBeLessThan(1e-6);
        expect(Math.abs(got.rm![c] - (0.9 * rm0[c] + 0.1 * mean))).toBeLessThan(1e-6);
        expect(Math.abs(got.rv![c] - (0.9 * rv0[c] + (0.1 * sq) / (M - 1)))).toBeLessThan(1e-6);
        let sg = 0;
        let sgx = 0;
        for (let n = 0; n < N; n++) {
          for (let s = 0; s < S; s++) {
            const xhat = (x[at(n, c, s)] - mean) * invstd;
            expect(Math.abs(got.y![at(n, c, s)] - (xhat * w[c] + b[c]))).toBeLessThan(1e-5);
            sg += dy[at(n, c, s)];
            sgx += dy[at(n, c, s)] * xhat;
          }
        }
        expect(Math.abs(got.db![c] - sg)).toBeLessThan(1e-4);
        expect(Math.abs(got.dw![c] - sgx)).toBeLessThan(1e-4);
        for (let n = 0; n < N; n++) {
          for (let s = 0; s < S; s++) {
            const xhat = (x[at(n, c, s)] - mean) * invstd;
            const want = w[c] * invstd * (dy[at(n, c, s)] - sg / M - (xhat * sgx) / M);
            expect(Math.abs(got.dx![at(n, c, s)] - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)));
          }
        }
      }
    }
  });

  it('stays accurate for a large mean over many elements (two-pass statistics)', () => {
    const [N, C, S] = [4, 1, 70000];
    const x = randomFloats(N * C * S, 3, 999, 1001); // mean ~1000, std ~0.58
    for (const isa of supportedIsas) {
      const mean = new Float32Array(1);
      const invstd = new Float32Array(1);
      withIsa(isa, () =>
        native.batchNorm([N, C, S], x, null, null, true, 0.1, 0, null, null, mean, invstd, new Float32Array(N * S)),
      );
      let sum = 0;
      for (const v of x) sum += v;
      const m = sum / x.length;
      let sq = 0;
      for (const v of x) sq += (v - m) ** 2;
      expect(Math.abs(mean[0] - m), isa).toBeLessThan(1e-4);
      expect(Math.abs(invstd[0] * Math.sqrt(sq / x.length) - 1), isa).toBeLessThan(1e-5);
    }
  });
});

describe('native layer norm', () => {
  for (const shape of [
    [3, 1],
    [4, 7],
    [5, 8],
    [3, 9],
    [2, 15],
    [3, 16],
    [2, 17],
    [3, 33],
    [2, 1000],
    [2, 1100],
    [40, 1000],
    [300, 130],
  ]) {
    for (const affine of [true, false]) {
      it(`[${shape}] ${affine ? 'affine' : 'no affine'}: every ISA and thread count agrees with scalar`, () => {
        compareIsas(`ln [${shape}]`, () => runLayerNorm(shape, affine, shape[1]));
      });
    }
  }

  it('scalar kernels match a float64 reference', () => {
    const [R, D] = [3, 37];
    const got = withIsa('scalar', () => runLayerNorm([R, D], true, 5));
    const x = randomFloats(R * D, 5, -1, 4);
    const dy = randomFloats(R * D, 6);
    const w = randomFloats(D, 7, 0.5, 1.5);
    const b = randomFloats(D, 8);
    const dw = new Float64Array(D);
    const db = new Float64Array(D);
    for (let r = 0; r < R; r++) {
      let m = 0;
      for (let j = 0; j < D; j++) m += x[r * D + j] / D;
      let v = 0;
      for (let j = 0; j < D; j++) v += (x[r * D + j] - m) ** 2 / D;
      const is = 1 / Math.sqrt(v + 1e-5);
      let a = 0;
      let bb = 0;
      for (let j = 0; j < D; j++) {
        const xhat = (x[r * D + j] - m) * is;
        expect(Math.abs(got.y![r * D + j] - (xhat * w[j] + b[j]))).toBeLessThan(1e-5);
        a += (dy[r * D + j] * w[j]) / D;
        bb += (dy[r * D + j] * w[j] * xhat) / D;
        dw[j] += dy[r * D + j] * xhat;
        db[j] += dy[r * D + j];
      }
      for (let j = 0; j < D; j++) {
        const xhat = (x[r * D + j] - m) * is;
        const want = is * (dy[r * D + j] * w[j] - a - xhat * bb);
        expect(Math.abs(got.dx![r * D + j] - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)));
      }
    }
    for (let j = 0; j < D; j++) {
      expect(Math.abs(got.dw![j] - dw[j])).toBeLessThan(1e-5);
      expect(Math.abs(got.db![j] - db[j])).toBeLessThan(1e-5);
    }
  });

  it('parameter gradients alone (dx null) equal those computed with dx', () => {
    const [R, D] = [50, 21];
    const x = randomFloats(R * D, 1);
    const dy = randomFloats(R * D, 2);
    const w = randomFloats(D, 3);
    const mean = new Float32Array(R);
    const invstd = new Float32Array(R);
    native.layerNorm([R, D], x, w, null, 1e-5, mean, invstd, new Float32Array(R * D));
    const dw1 = new Float32Array(D);
    const dw2 = new Float32Array(D);
    native.layerNormBackward([R, D], x, dy, w, mean, invstd, new Float32Array(R * D), dw1, null);
    native.layerNormBackward([R, D], x, dy, w, mean, invstd, null, dw2, null);
    expect(Array.from(dw2)).toEqual(Array.from(dw1));
  });
});

describe('native group norm', () => {
  const shapes = [
    [2, 4, 1, 2],
    [3, 6, 1, 3],
    [2, 6, 7, 3],
    [2, 4, 8, 2],
    [3, 6, 9, 1],
    [2, 4, 16, 4],
    [2, 6, 17, 2],
    [2, 4, 33, 2],
    [4, 8, 1100, 4],
    [2, 2, 1100, 1],
  ];
  for (const shape of shapes) {
    for (const affine of [true, false]) {
      it(`[${shape}] ${affine ? 'affine' : 'no affine'}: every ISA and thread count agrees with scalar`, () => {
        compareIsas(`gn [${shape}]`, () => runGroupNorm(shape, affine, shape[2]));
      });
    }
  }

  it('group norm with one group per channel over [N, C, S] equals layer norm of each (n, c) row (to rounding)', () => {
    const [N, C, S] = [3, 4, 21];
    const x = randomFloats(N * C * S, 9);
    const yg = new Float32Array(N * C * S);
    native.groupNorm([N, C, S, C], x, null, null, 1e-5, new Float32Array(N * C), new Float32Array(N * C), yg);
    const yl = new Float32Array(N * C * S);
    native.layerNorm([N * C, S], x, null, null, 1e-5, new Float32Array(N * C), new Float32Array(N * C), yl);
    expectNear(yg, yl, 1e-6, 'y');
  });
});

describe('native norm argument checks', () => {
  const f = (n: number) => new Float32Array(n);
  it('batchNorm / batchNormBackward', () => {
    expect(() =>
      native.batchNorm([2, 3, 4], f(23), null, null, true, 0.1, 1e-5, null, null, f(3), f(3), f(24)),
    ).toThrow(/batchNorm: argument 'x' must hold \[2,3,4\] = 24 floats, got 23/);
    expect(() => native.batchNorm([2, 3], f(6), null, null, true, 0.1, 1e-5, null, null, f(3), f(3), f(6))).toThrow(
      /batchNorm: argument 'dims' must have 3 entries, got 2/,
    );
    expect(() => native.batchNorm([2, 0, 4], f(0), null, null, true, 0.1, 1e-5, null, null, f(0), f(0), f(0))).toThrow(
      /c must be an integer in \[1,/,
    );
    expect(() => native.batchNorm([1, 3, 1], f(3), null, null, true, 0.1, 1e-5, null, null, f(3), f(3), f(3))).toThrow(
      /more than 1 value per channel when training/,
    );
    expect(() => native.batchNorm([2, 3, 1], f(6), null, null, false, 0.1, 1e-5, null, null, f(3), f(3), f(6))).toThrow(
      /required when training is false/,
    );
    expect(() => native.batchNorm([2, 3, 1], f(6), null, null, true, 0.1, 1e-5, f(3), null, f(3), f(3), f(6))).toThrow(
      /both be Float32Arrays or both be null/,
    );
    expect(() => native.batchNorm([2, 3, 1], f(6), f(2), null, true, 0.1, 1e-5, null, null, f(3), f(3), f(6))).toThrow(
      /'weight' must hold \[3\] = 3 floats, got 2/,
    );
    expect(() => native.batchNorm([2, 3, 1], f(6), null, null, true, NaN, 1e-5, null, null, f(3), f(3), f(6))).toThrow(
      /momentum must be a finite number/,
    );
    expect(() => native.batchNorm([2, 3, 1], f(6), null, null, true, 0.1, -1, null, null, f(3), f(3), f(6))).toThrow(
      /eps must be a finite number >= 0/,
    );
    const buf = f(12);
    expect(() =>
      native.batchNorm(
        [2, 3, 1],
        buf.subarray(0, 6),
        null,
        null,
        true,
        0.1,
        1e-5,
        null,
        null,
        f(3),
        f(3),
        buf.subarray(3, 9),
      ),
    ).toThrow(/output 'y' overlaps input 'x'/);
    expect(() =>
      native.batchNorm(
        [2, 3, 1],
        f(6),
        null,
        null,
        true,
        0.1,
        1e-5,
        null,
        null,
        buf.subarray(0, 3),
        buf.subarray(2, 5),
        f(6),
      ),
    ).toThrow(/overlaps/);
    expect(() => native.batchNormBackward([2, 3, 1], f(6), f(6), null, f(3), f(3), true, f(5), null, null)).toThrow(
      /batchNormBackward: argument 'dx' must hold \[2,3,1\] = 6 floats, got 5/,
    );
    expect(() =>
      native.batchNormBackward([2, 3, 1], f(6), new Float64Array(6) as never, null, f(3), f(3), true, null, null, null),
    ).toThrow(/argument 'dy' must be a Float32Array, got Float64Array\(6\)/);
    // dx may be dy itself, but nothing else of dy's memory, and dy's memory stays off dweight.
    const g = f(12);
    expect(() =>
      native.batchNormBackward([2, 3, 1], f(6), g.subarray(0, 6), null, f(3), f(3), true, g.subarray(1, 7), null, null),
    ).toThrow(/output 'dx' overlaps input 'dy'/);
    expect(() =>
      native.batchNormBackward(
        [2, 3, 1],
        f(6),
        g.subarray(0, 6),
        null,
        f(3),
        f(3),
        true,
        g.subarray(0, 6),
        g.subarray(3, 6),
        null,
      ),
    ).toThrow(/output 'dx' overlaps input 'dweight'/);
    expect(() =>
      native.batchNormBackward([2, 3, 1], f(6), g.subarray(0, 6), null, f(3), f(3), true, g.subarray(0, 6), null, null),
    ).not.toThrow();
  });

  it('layerNorm / groupNorm', () => {
    expect(() => native.layerNorm([2, 0], f(0), null, null, 1e-5, f(2), f(2), f(0))).toThrow(
      /layerNorm: argument 'dims': d must be an integer in \[1,/,
    );
    expect(() => native.layerNorm([2, 3], f(6), null, null, 1e-5, f(1), f(2), f(6))).toThrow(
      /'mean' must hold \[2\] = 2 floats, got 1/,
    );
    expect(() => native.layerNormBackward([2, 3], f(6), f(6), f(4), f(2), f(2), null, null, null)).toThrow(
      /layerNormBackward: argument 'weight' must hold \[3\] = 3 floats, got 4/,
    );
    expect(() => native.groupNorm([2, 6, 3, 4], f(36), null, null, 1e-5, f(8), f(8), f(36))).toThrow(
      /groupNorm: groups 4 must divide the channels c 6/,
    );
    expect(() => native.groupNorm([2, 6, 3, 3], f(36), null, null, 1e-5, f(6), f(6), f(35))).toThrow(
      /'y' must hold \[2,6,3\] = 36 floats, got 35/,
    );
    const x = f(36);
    expect(() => native.groupNormBackward([2, 6, 3, 3], x, f(36), null, f(6), f(6), x, null, null)).toThrow(
      /output 'dx' overlaps input 'x'/,
    );
  });
});
