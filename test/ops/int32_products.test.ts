// int32 matmul, mm, bmm, mv, dot, outer and einsum against torch 1.13's CPU results
// (scripts/gen_fixtures_int32_products.py): exact, wrapping modulo 2^32 on overflow.
import { describe, expect, it } from 'vitest';
import { bmm, dot, einsum, matmul, mm, mv, outer, tensor, type Tensor } from '../../lib/index.js';
import { decode, type EncodedTensor, loadFixture } from '../helpers/fixtures.js';

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
