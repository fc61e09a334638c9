// The reduced-precision GEMMs through the binding, on every ISA this CPU runs (the dot-product
// kernels of avx512bf16 / avx2vnni, and the fallbacks through the fp32 GEMM of avx512, avx2 and
// scalar), at 1 and 2 threads, against references computed here, at the register tile's and the
// cache blocks' edges:
//   bf16: the reference sums the bf16 products in float64; fp32 sums in any order differ from it
//         by at most k * 2^-24 * sum |a b| (and a bf16 output by one rounding more).
//   int8: exact (the sums are integers; the output pass is the same fp32 operations).
import { describe, expect, it } from 'vitest';
import { type GemmBf16Args, type GemmU8S8Args, native } from '../../lib/native.js';
import { allSupportedIsas, randomFloats, withIsa, withThreads } from '../helpers/native.js';

const f32 = Math.fround;

const word = new Float32Array(1);
const wordBits = new Uint32Array(word.buffer);
function bf16Bits(x: number): number {
  if (Number.isNaN(x)) return 0xffff;
  word[0] = x;
  const u = wordBits[0];
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}
function bf16Values(bits: Uint16Array): Float64Array {
  return Float64Array.from(bits, (b) => {
    wordBits[0] = b << 16;
    return word[0];
  });
}

interface Bf16Case {
  m: number;
  n: number;
  k: number;
  ta: boolean;
  tb: boolean;
  aBits: boolean; // A as Uint16Array bf16 bits (else Float32Array, rounded as read)
  bBits: boolean;
  outBits: boolean; // C as Uint16Array
  beta: number;
  bias: boolean;
  batch: number;
}

function runBf16(c: Bf16Case, seed: number): void {
  const lda = (c.ta ? c.m : c.k) + 2;
  const ldb = (c.tb ? c.k : c.n) + 1;
  const ldc = c.n + 3;
  const sa = (c.ta ? c.k : c.m) * lda + 1;
  const sb = c.batch > 1 && seed % 2 ? 0 : (c.tb ? c.n : c.k) * ldb; // stride 0: a broadcast B
  const sc = c.m * ldc + 2;
  const af = randomFloats(sa * c.batch + 3, seed, -2, 2);
  const bf = randomFloats(Math.max(sb * c.batch, (c.tb ? c.n : c.k) * ldb) + 3, seed + 1, -2, 2);
  const ah = Uint16Array.from(af, bf16Bits);
  const bh = Uint16Array.from(bf, bf16Bits);
  const av = bf16Values(ah);
  const bv = bf16Values(bh);
  const c0 = randomFloats(sc * c.batch, seed + 2);
  const cf = c0.slice();
  const ch = new Uint16Array(c0.length).fill(0x7777);
  const rowBias = c.bias ? randomFloats(c.m, seed + 3) : null;
  const colBias = c.bias ? randomFloats(c.n, seed + 4) : null;
  const alpha = 0.75;
  const args: GemmBf16Args = {
    transA: c.ta,
    transB: c.tb,
    batch: c.batch,
    m: c.m,
    n: c.n,
    k: c.k,
    alpha,
    a: c.aBits ? ah : af,
    aOffset: 1,
    lda,
    strideA: sa,
    b: c.bBits ? bh : bf,
    bOffset: 2,
    ldb,
    strideB: sb,
    beta: c.outBits ? 0 : c.beta,
    c: c.outBits ? ch : cf,
    cOffset: 0,
    ldc,
    strideC: sc,
    rowBias,
    colBias,
  };
  native.gemmBf16(args);
  const beta = c.outBits ? 0 : c.beta;
  let bad = 0;
  for (let t = 0; t < c.batch; t++) {
    for (let i = 0; i < c.m; i++) {
      for (let j = 0; j < ldc; j++) {
        const at = t * sc + i * ldc + j;
        if (j >= c.n) {
          expect(c.outBits ? ch[at] : cf[at]).toBe(c.outBits ? 0x7777 : c0[at]);
          continue;
        }
        let sum = 0;
        let mag = 0;
        for (let p = 0; p < c.k; p++) {
          const ea = 1 + t * sa + (c.ta ? p * lda + i : i * lda + p);
          const eb = 2 + t * sb + (c.tb ? j * ldb + p : p * ldb + j);
          const prod = av[ea] * bv[eb];
          sum += prod;
          mag += Math.abs(prod);
        }
        let want = alpha * sum;
        let tol = alpha * (c.k + 2) * 2 ** -23 * mag;
        if (beta !== 0) {
          want += beta * c0[at];
          tol += 2 ** -22 * Math.abs(beta * c0[at]);
        }
        if (rowBias && colBias) want += rowBias[i] + colBias[j];
        tol += 2 ** -21 * (Math.abs(want) + 4);
        if (c.outBits) tol += Math.abs(want) * 2 ** -8;
        const got = c.outBits ? bf16Values(ch.subarray(at, at + 1))[0] : cf[at];
        if (!(Math.abs(got - want) <= tol) && bad++ < 3) {
          expect.fail(`${JSON.stringify(c)} batch ${t} at (${i}, ${j}): ${got} vs ${want} (tolerance ${tol})`);
        }
      }
    }
  }
}

interface S8Case {
  m: number;
  n: number;
  k: number;
  tb: boolean;
  aZero: number;
  bZero: boolean;
  out: 'sums' | 'f32' | 'u8';
  extreme: boolean; // operands at 255 and -128: the sums a 16-bit intermediate would saturate
}

/** round half to even, as nearbyint in the default rounding mode */
function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function runS8(c: S8Case, seed: number): void {
  const lda = c.k + 3;
  const ldb = (c.tb ? c.k : c.n) + 2;
  const ldc = c.n + 1;
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 8;
  };
  const a = new Uint8Array(c.m * lda + 2).map(() => (c.extreme ? (next() % 4 ? 255 : 254) : next() & 255));
  const b = new Int8Array((c.tb ? c.n : c.k) * ldb + 2).map(() =>
    c.extreme ? (next() % 4 ? -128 : 127) : (next() & 255) - 128,
  );
  const bZero = c.bZero ? Int32Array.from({ length: c.n }, () => (next() % 21) - 10) : null;
  const colScale = c.out === 'sums' ? null : randomFloats(c.n, seed, 0.001, 0.01);
  const colBias = c.out === 'sums' ? null : randomFloats(c.n, seed + 1);
  const cn = c.m * ldc + 1;
  const output = () =>
    c.out === 'sums'
      ? new Int32Array(cn).fill(0x5555)
      : c.out === 'f32'
        ? new Float32Array(cn).fill(7)
        : new Uint8Array(cn).fill(77);
  const out = output();
  const outScale = 0.37;
  const args: GemmU8S8Args = {
    m: c.m,
    n: c.n,
    k: c.k,
    a,
    aOffset: 0,
    lda,
    aZero: c.aZero,
    b,
    bOffset: 0,
    ldb,
    transB: c.tb,
    bPacked: null,
    bZero,
    c: out,
    cOffset: 0,
    ldc,
    colScale,
    rowBias: null,
    colBias,
    outScale,
    outZero: 100,
  };
  native.gemmU8S8(args);
  const inv = f32(1 / outScale);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < ldc; j++) {
      const at = i * ldc + j;
      if (j >= c.n) {
        expect(out[at]).toBe(c.out === 'sums' ? 0x5555 : c.out === 'f32' ? 7 : 77);
        continue;
      }
      let acc = 0;
      for (let p = 0; p < c.k; p++) {
        const bv = c.tb ? b[j * ldb + p] : b[p * ldb + j];
        acc = (acc + Math.imul(a[i * lda + p] - c.aZero, bv - (bZero ? bZero[j] : 0))) | 0;
      }
      let want: number;
      if (c.out === 'sums') {
        want = acc;
      } else {
        const v = f32(f32(f32(acc) * (colScale as Float32Array)[j]) + (colBias as Float32Array)[j]);
        if (c.out === 'f32') {
          want = v;
        } else {
          const x = Math.min(Math.max(f32(v * inv), -65536), 65536);
          want = Math.min(Math.max(roundEven(x) + 100, 0), 255);
        }
      }
      if (out[at] !== want) expect.fail(`${JSON.stringify(c)} at (${i}, ${j}): ${out[at]} vs ${want}`);
    }
  }
  // B packed once (its column sums and micro-panels): the same sums, so the same bits.
  const bPacked = native.gemmU8S8PackB({ n: c.n, k: c.k, b, bOffset: 0, ldb, transB: c.tb });
  expect(native.gemmU8S8PackedBFits(bPacked, c.n, c.k)).toBe(true);
  const fromPacked = output();
  native.gemmU8S8({ ...args, bPacked, c: fromPacked });
  for (let e = 0; e < cn; e++)
    if (!Object.is(fromPacked[e], out[e]))
      expect.fail(`${JSON.stringify(c)}, packed B, element ${e}: ${fromPacked[e]} vs ${out[e]}`);
}

describe('gemmBf16 and gemmU8S8 on every ISA', () => {
  for (const isa of allSupportedIsas) {
    it(`${isa}: bf16 GEMM at tile and block edges`, () => {
      withIsa(isa, () => {
        let seed = 1;
        for (const threads of [1, 2]) {
          withThreads(threads, () => {
            // 6 x 64 is the AVX512_BF16 tile, 6 x 16 / 6 x 64 the fallbacks' fp32 tiles.
            for (const [m, n, k] of [
              [1, 1, 1],
              [5, 15, 2],
              [6, 16, 3],
              [7, 17, 17],
              [13, 63, 4],
              [6, 64, 33],
              [12, 65, 1],
              [3, 129, 64],
              [19, 130, 5],
            ]) {
              seed++;
              runBf16(
                {
                  m,
                  n,
                  k,
                  ta: seed % 3 === 0,
                  tb: seed % 2 === 0,
                  aBits: seed % 4 < 2,
                  bBits: seed % 3 !== 1,
                  outBits: seed % 5 === 1,
                  beta: seed % 4 === 1 ? 0.5 : 0,
                  bias: seed % 3 === 2,
                  batch: 1,
                },
                seed,
              );
            }
            // Past MC (2052 rows, one column), NC and long k (NC shrinks), a batch, k = 0.
            const big: [number, number, number, number][] = [
              [2053, 3, 5, 1],
              [7, 390, 6, 1],
              [9, 70, 2100, 1],
              [9, 33, 40, 5],
              [5, 17, 0, 1],
            ];
            for (const [m, n, k, batch] of big) {
              seed++;
              runBf16(
                {
                  m,
                  n,
                  k,
                  ta: seed % 2 === 0,
                  tb: seed % 3 === 0,
                  aBits: seed % 2 === 1,
                  bBits: true,
                  outBits: false,
                  beta: 0.5,
                  bias: true,
                  batch,
                },
                seed,
              );
            }
          });
        }
      });
    });

    // A batch whose A is shared (stride 0: a convolution's weights over its images) packs A once
    // for all its products: each product's bits are those of the product alone (batch 1).
    it(`${isa}: bf16 GEMM with a shared A, bit for bit as each product alone`, () => {
      withIsa(isa, () => {
        let seed = 60;
        for (const threads of [1, 2]) {
          withThreads(threads, () => {
            // Tile edges (m, n off 6 and 64, odd k), an odd batch, past MC (2052 rows).
            for (const [m, n, k, batch] of [
              [1, 1, 1, 2],
              [7, 65, 9, 3],
              [13, 64, 576, 5],
              [128, 63, 33, 4],
              [2053, 7, 3, 2],
            ]) {
              seed++;
              const ta = seed % 2 === 0;
              const lda = (ta ? m : k) + 1;
              const ldb = n + 2;
              const sb = k * ldb + 1;
              const ldc = n + 1;
              const sc = m * ldc + 3;
              const af = randomFloats((ta ? k : m) * lda + 1, seed, -2, 2);
              const a = seed % 3 === 0 ? Uint16Array.from(af, bf16Bits) : af;
              const b = randomFloats(sb * batch, seed + 1, -2, 2);
              const rowBias = randomFloats(m, seed + 2);
              const outBits = seed % 4 === 1;
              const args = (bat: number, bOffset: number, c: Float32Array | Uint16Array): GemmBf16Args => ({
                transA: ta,
                transB: false,
                batch: bat,
                m,
                n,
                k,
                alpha: 1,
                a,
                aOffset: 1,
                lda,
                strideA: 0,
                b,
                bOffset,
                ldb,
                strideB: sb,
                beta: 0,
                c,
                cOffset: 0,
                ldc,
                strideC: sc,
                rowBias,
                colBias: null,
              });
              const out = () => (outBits ? new Uint16Array(sc * batch) : new Float32Array(sc * batch));
              const together = out();
              native.gemmBf16(args(batch, 0, together));
              const alone = out();
              for (let t = 0; t < batch; t++) native.gemmBf16(args(1, t * sb, alone.subarray(t * sc)));
              expect(together, `${m}x${n}x${k}, batch ${batch}, ${threads} thread(s)`).toEqual(alone);
            }
          });
        }
      });
    });

    it(`${isa}: u8 x s8 GEMM, exact, at tile and block edges`, () => {
      withIsa(isa, () => {
        let seed = 100;
        for (const threads of [1, 2]) {
          withThreads(threads, () => {
            // 6 x 16 is the AVX-VNNI tile, 6 x 64 the AVX512_VNNI one; k in quads of 4.
            for (const [m, n, k] of [
              [1, 1, 1],
              [5, 15, 3],
              [6, 16, 4],
              [7, 17, 5],
              [13, 63, 37],
              [6, 64, 8],
              [12, 65, 1],
              [3, 129, 64],
              // M = 1, 2, mr - 1, mr + 1 of the 4 x 16 AVX2 tile, N and k tails.
              [1, 17, 9],
              [2, 33, 70],
              [3, 16, 6],
              [5, 47, 13],
            ]) {
              seed++;
              const out = (['sums', 'f32', 'u8'] as const)[seed % 3];
              runS8(
                {
                  m,
                  n,
                  k,
                  tb: seed % 2 === 0,
                  aZero: seed % 4 === 1 ? 0 : 128 - (seed % 50),
                  bZero: seed % 5 < 2,
                  out,
                  extreme: seed % 6 === 5,
                },
                seed,
              );
            }
            // Saturation of 16-bit pairs; sums past 2^24 (the fp32 path's chunks) and 2^31
            // (int32 wraps); block edges.
            runS8({ m: 7, n: 70, k: 1100, tb: true, aZero: 0, bZero: false, out: 'sums', extreme: true }, seed++);
            runS8({ m: 2, n: 3, k: 70000, tb: true, aZero: 0, bZero: false, out: 'sums', extreme: true }, seed++);
            runS8({ m: 2053, n: 5, k: 8, tb: false, aZero: 3, bZero: true, out: 'f32', extreme: false }, seed++);
            runS8({ m: 6, n: 390, k: 9, tb: true, aZero: 0, bZero: true, out: 'u8', extreme: false }, seed++);
            runS8({ m: 4, n: 6, k: 0, tb: false, aZero: 5, bZero: true, out: 'f32', extreme: false }, seed++);
          });
        }
      });
    });
  }
});

describe('gemmBf16 / gemmU8S8 argument checks', () => {
  const bf16Args = (): GemmBf16Args => ({
    transA: false,
    transB: false,
    batch: 1,
    m: 2,
    n: 3,
    k: 4,
    alpha: 1,
    a: new Float32Array(8),
    aOffset: 0,
    lda: 4,
    strideA: 0,
    b: new Uint16Array(12),
    bOffset: 0,
    ldb: 3,
    strideB: 0,
    beta: 0,
    c: new Float32Array(6),
    cOffset: 0,
    ldc: 3,
    strideC: 0,
    rowBias: null,
    colBias: null,
  });
  const s8Args = (): GemmU8S8Args => ({
    m: 2,
    n: 3,
    k: 4,
    a: new Uint8Array(8),
    aOffset: 0,
    lda: 4,
    aZero: 0,
    b: new Int8Array(12),
    bOffset: 0,
    ldb: 3,
    transB: false,
    bPacked: null,
    bZero: null,
    c: new Int32Array(6),
    cOffset: 0,
    ldc: 3,
    colScale: null,
    rowBias: null,
    colBias: null,
    outScale: 1,
    outZero: 0,
  });

  it('names the function, the option and the values', () => {
    expect(() => native.gemmBf16({ ...bf16Args(), a: new Int32Array(8) as never })).toThrow(
      /^gemmBf16: option 'a' must be a Float32Array or a Uint16Array \(bfloat16 bits\), got Int32Array\(8\)$/,
    );
    expect(() => native.gemmBf16({ ...bf16Args(), a: new Float32Array(7) })).toThrow(
      /^gemmBf16: option 'a': A \(m x k\) \(1 x 2 x 4\) at offset 0 with lda 4 reaches element 7 of an array of length 7$/,
    );
    expect(() => native.gemmBf16({ ...bf16Args(), c: new Uint16Array(6), beta: 1 })).toThrow(
      /^gemmBf16: option 'beta' must be 0 when C is bfloat16/,
    );
    expect(() => native.gemmBf16({ ...bf16Args(), colBias: new Float32Array(2) })).toThrow(
      /^gemmBf16: option 'colBias' must hold one bias per column of C \(3 floats\), got 2$/,
    );
    const shared = new Float32Array(20);
    expect(() => native.gemmBf16({ ...bf16Args(), a: shared, c: shared, cOffset: 4 })).toThrow(
      /^gemmBf16: output 'c' overlaps input 'a'/,
    );
    expect(() => native.gemmU8S8({ ...s8Args(), b: new Uint8Array(12) as never })).toThrow(
      /^gemmU8S8: option 'b' must be an Int8Array, got Uint8Array\(12\)$/,
    );
    expect(() => native.gemmU8S8({ ...s8Args(), bZero: new Int32Array([0, 200, 0]) })).toThrow(
      /^gemmU8S8: option 'bZero': zero point 200 of column 1 is outside \[-128, 127\]$/,
    );
    expect(() => native.gemmU8S8({ ...s8Args(), c: new Float32Array(6) })).toThrow(
      /^gemmU8S8: option 'colScale' must be a Float32Array when C is a Float32Array or a Uint8Array$/,
    );
    expect(() =>
      native.gemmU8S8({ ...s8Args(), c: new Uint8Array(6), colScale: new Float32Array(3), outScale: 0 }),
    ).toThrow(/^gemmU8S8: option 'outScale' must be a finite number > 0/);
    expect(() => native.gemmU8S8({ ...s8Args(), aZero: 256 })).toThrow(
      /^gemmU8S8: option 'aZero' must be in \[0, 255\], got number 256$/,
    );
    expect(() => native.convertF32ToBf16(new Float32Array(3), new Uint16Array(2))).toThrow(
      /^convertF32ToBf16: 'x' and 'y' must have the same length, got 3 and 2$/,
    );
  });

  it('refuses a packed B of another shape, or made under another kernel table', () => {
    const pack = (n: number, k: number) =>
      native.gemmU8S8PackB({ n, k, b: new Int8Array(n * k), bOffset: 0, ldb: n, transB: false });
    const stale =
      /^gemmU8S8: option 'bPacked' is no packing of a 4 x 3 B for the running kernels \(.+\): it was packed for another shape or kernel table; pack B again with gemmU8S8PackB$/;
    expect(() => native.gemmU8S8({ ...s8Args(), bPacked: pack(3, 5) })).toThrow(stale);
    expect(() => native.gemmU8S8({ ...s8Args(), bPacked: pack(2, 4) })).toThrow(stale);
    expect(() => native.gemmU8S8({ ...s8Args(), bPacked: pack(3, 4).subarray(1) })).toThrow(stale);
    expect(() => native.gemmU8S8({ ...s8Args(), bPacked: new Uint8Array(pack(3, 4).length) })).toThrow(stale);
    const moved = new Uint8Array(pack(3, 4).length + 1);
    moved.set(pack(3, 4), 1);
    expect(() => native.gemmU8S8({ ...s8Args(), bPacked: moved.subarray(1) })).toThrow(
      /^gemmU8S8: option 'bPacked' does not start at a multiple of 4 bytes: pass the Uint8Array gemmU8S8PackB returned$/,
    );
    expect(() =>
      native.gemmU8S8PackB({ n: 2 ** 31 - 1, k: 0, b: new Int8Array(0), bOffset: 0, ldb: 1, transB: true }),
    ).toThrow(/^gemmU8S8PackB: the packing of a 0 x 2147483647 B would take \d+ bytes, more than 2\^32$/);
    // Each table packs in its own layout (scalar: sums only; avx2: 4 x 16 panels; ...): a
    // packing is only taken by a table of the same layout.
    const names = new Map<string, Uint8Array>();
    for (const isa of allSupportedIsas) {
      withIsa(isa, () => {
        const name = native.backendInfo().lowpGemm.int8;
        if (!names.has(name)) names.set(name, pack(3, 4));
      });
    }
    for (const isa of allSupportedIsas) {
      withIsa(isa, () => {
        const name = native.backendInfo().lowpGemm.int8;
        for (const [other, packed] of names) {
          expect(native.gemmU8S8PackedBFits(packed, 3, 4)).toBe(other === name);
          if (other !== name) expect(() => native.gemmU8S8({ ...s8Args(), bPacked: packed })).toThrow(stale);
          else native.gemmU8S8({ ...s8Args(), bPacked: packed });
        }
      });
    }
    if (allSupportedIsas.includes('avx2')) expect(names.size).toBeGreaterThanOrEqual(2);
  });
});
