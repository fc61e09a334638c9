// int32 matmul, mm, bmm, mv, dot, outer and einsum against torch 1.13's CPU results
// (scripts/gen_fixtures_int32_products.py): exact, wrapping modulo 2^32 on overflow. Then the
// native int32 GEMM under them against a plain wrapping loop on every ISA: odd shapes around the
// tiles and cache blocks, transposed, offset and strided operands, broadcast batches.
import { describe, expect, it } from 'vitest';
import {
  bmm,
  dot,
  einsum,
  matmul,
  mm,
  mv,
  narrow,
  outer,
  reshape,
  select,
  tensor,
  type Tensor,
} from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { decode, type EncodedTensor, loadFixture } from '../helpers/fixtures.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';

interface Case {
  op: string;
  note: string;
  args: EncodedTensor[];
  transpose: number[];
  out: EncodedTensor;
}

const fx = loadFixture<{ cases: Case[] }>('int32_products');

const ops: Record<string, (...ts: Tensor[]) => Tensor> = {
  mm: (a, b) => mm(a, b),
  matmul: (a, b) => matmul(a, b),
  bmm: (a, b) => bmm(a, b),
  mv: (a, b) => mv(a, b),
  dot: (a, b) => dot(a, b),
  outer: (a, b) => outer(a, b),
};

function run(c: Case): Tensor {
  const args = c.args.map((e, i) => {
    const t = decode(e);
    return c.transpose.includes(i) ? t.transpose(-2, -1) : t;
  });
  if (c.op.startsWith('einsum:')) return einsum(c.op.slice('einsum:'.length), ...args);
  return ops[c.op](...args);
}

describe('int32 products (torch 1.13)', () => {
  for (const c of fx.cases) {
    it(`${c.op} ${c.args.map((a) => `[${a.shape}]`).join(' x ')} (${c.note})`, () => {
      const y = run(c);
      expect(y.dtype).toBe('int32');
      expect(y.shape).toEqual(c.out.shape);
      expect(Array.from(y.toTypedArray() as Int32Array)).toEqual(c.out.data);
      expect(y.requiresGrad).toBe(false);
    });
  }

  it('the methods take int32 operands too', () => {
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'int32' },
    );
    expect(a.matmul(a).tolist()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(a.mm(a).dtype).toBe('int32');
  });

  it('refuses a mix of int32 and float32, naming both', () => {
    const i = tensor([[1, 2]], { dtype: 'int32' });
    const f = tensor([[1], [2]]);
    expect(() => matmul(i, f)).toThrow(/matmul: operands must all be float32 or all int32, got int32 and float32/);
    expect(() => mm(f.t(), i.t())).toThrow(/mm: .*got float32 and int32/);
    expect(() => einsum('ij,jk->ik', i, f)).toThrow(/einsum: .*got int32 and float32/);
    expect(() => outer(tensor([true]), tensor([true]))).toThrow(/outer/);
  });

  it("einsum's sums within one operand are exact, and an error past int32 (torch gives int64)", () => {
    const a = tensor(
      [
        [2 ** 30, 2 ** 30 - 1],
        [5, -7],
      ],
      { dtype: 'int32' },
    );
    expect(einsum('ij->i', a).tolist()).toEqual([2 ** 31 - 1, -2]);
    expect(() =>
      einsum(
        'ij->j',
        tensor(
          [
            [2 ** 30, 1],
            [2 ** 30, 2],
          ],
          { dtype: 'int32' },
        ),
      ),
    ).toThrow(/einsum: the sum 2147483648 does not fit in int32/);
    expect(
      einsum(
        'ij->j',
        tensor(
          [
            [2 ** 30, 1],
            [2 ** 30 - 1, 2],
          ],
          { dtype: 'int32' },
        ),
      ).tolist(),
    ).toEqual([2 ** 31 - 1, 3]);
    // A sum that contracts a product wraps, as torch's int32 products do.
    const big = tensor([2 ** 30, 2 ** 30], { dtype: 'int32' });
    expect(einsum('i,i->', big, tensor([2, 2], { dtype: 'int32' })).item()).toBe(0);
  });
});

/** n int32 values over the whole range (products and sums wrap), from seed. */
function randomInts(n: number, seed: number): Int32Array {
  return Int32Array.from(randomFloats(n, seed), (x) => x * 2 ** 31);
}

function ints(shape: number[], seed: number): Tensor {
  return reshape(
    tensor(
      randomInts(
        shape.reduce((x, y) => x * y, 1),
        seed,
      ),
    ),
    shape,
  );
}

/** [..., m, k] x [..., k, n] (equal batch dims) by the i-p-j loop, modulo 2^32. */
function wrappingProduct(a: Tensor, b: Tensor): number[] {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.ndim - 1];
  const batch = a.numel() / (m * k);
  const ad = a.toTypedArray() as Int32Array;
  const bd = b.toTypedArray() as Int32Array;
  const c = new Int32Array(batch * m * n);
  for (let s = 0; s < batch; s++)
    for (let i = 0; i < m; i++)
      for (let p = 0; p < k; p++) {
        const aip = ad[s * m * k + i * k + p];
        for (let j = 0; j < n; j++) {
          const at = s * m * n + i * n + j;
          c[at] = (c[at] + Math.imul(aip, bd[s * k * n + p * n + j])) | 0;
        }
      }
  return Array.from(c);
}

// The ways an operand [r, c] reaches the GEMM: contiguous, a transposed view, an offset view with
// rows longer than it (narrow), and a view with a column stride of 2 (select: copied first).
const layouts: Record<string, (rows: number, cols: number, seed: number) => Tensor> = {
  contiguous: (r, c, seed) => ints([r, c], seed),
  transposed: (r, c, seed) => ints([c, r], seed).t(),
  offset: (r, c, seed) => narrow(ints([r, c + 3], seed), 1, 2, c),
  strided: (r, c, seed) => select(ints([r, c, 2], seed), 2, 1),
};

describe('the native int32 GEMM against the wrapping loop', () => {
  // [m, k, n]: tiny, around the tiles (4x4, 6x16, 6x32, 4x16), across KC = 256, MC = 96, NC = 512.
  const shapes = [
    [1, 1, 1],
    [5, 7, 3],
    [7, 17, 33],
    [13, 65, 31],
    [97, 257, 20],
    [3, 5, 515],
  ];
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): every shape and operand layout`, () => {
        withThreads(threads, () =>
          withIsa(isa, () => {
            let seed = 1;
            for (const [m, k, n] of shapes)
              for (const [la, makeA] of Object.entries(layouts))
                for (const [lb, makeB] of Object.entries(layouts)) {
                  const a = makeA(m, k, seed++);
                  const b = makeB(k, n, seed++);
                  const want = wrappingProduct(a, b);
                  const got = Array.from(mm(a, b).toTypedArray() as Int32Array);
                  if (got.some((v, i) => v !== want[i]))
                    throw new Error(
                      `${m}x${k}x${n}, a ${la}, b ${lb}: got ${got.slice(0, 4)}, want ${want.slice(0, 4)}`,
                    );
                }
            // Batched, B broadcast over the batch; and a batch of transposed views.
            const a = ints([4, 9, 21], 91);
            const b = ints([21, 11], 92);
            expect(Array.from(matmul(a, b).toTypedArray() as Int32Array)).toEqual(
              wrappingProduct(a, b.expand([4, 21, 11]).contiguous()),
            );
            const at = ints([3, 21, 9], 93).transpose(1, 2);
            const bt = ints([3, 11, 21], 94).transpose(1, 2);
            expect(Array.from(bmm(at, bt).toTypedArray() as Int32Array)).toEqual(wrappingProduct(at, bt));
          }),
        );
      });
    }
  }

  it('gemmInt32 refuses float arrays and a C that overlaps A, naming the function', () => {
    const args = {
      transA: false,
      transB: false,
      batch: 1,
      m: 2,
      n: 2,
      k: 2,
      a: new Int32Array(4),
      aOffset: 0,
      lda: 2,
      strideA: 0,
      b: new Int32Array(4),
      bOffset: 0,
      ldb: 2,
      strideB: 0,
      c: new Int32Array(4),
      cOffset: 0,
      ldc: 2,
      strideC: 0,
    };
    expect(() => native.gemmInt32({ ...args, b: new Float32Array(4) as never })).toThrow(
      /gemmInt32: option 'b' must be an Int32Array, got Float32Array/,
    );
    expect(() => native.gemmInt32({ ...args, c: args.a })).toThrow(/gemmInt32: .*overlap/);
    expect(() => native.gemmInt32({ ...args, m: 3 })).toThrow(/gemmInt32: .*'a'/);
  });
});
