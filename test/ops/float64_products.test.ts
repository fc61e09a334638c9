// float64 matmul, mm, bmm, mv, dot, outer, einsum and F.linear through the dgemm: values and the
// gradients of every input against torch 1.13's float64 results
// (scripts/gen_fixtures_float64_products.py) under every ISA at 1 and 2 threads, gradcheck in
// float64 at tight tolerances, and the dtype rules (a float32 with a float64 operand is an error,
// as in torch).
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { bmm, dot, einsum, gradcheck, matmul, mm, mv, outer, randn, type Tensor } from '../../lib/index.js';
import { decodeFloat64, type EncodedFloat64, expectCloseFloat64, loadFixture } from '../helpers/fixtures.js';
import { supportedIsas, withIsa, withThreads } from '../helpers/native.js';

interface Case {
  op: string;
  note: string;
  args: EncodedFloat64[];
  transpose: number[];
  out: EncodedFloat64;
  gradOut: EncodedFloat64;
  grads: EncodedFloat64[];
}

const fx = loadFixture<{ cases: Case[] }>('float64_products');
const F = m.nn.functional;

const ops: Record<string, (...ts: Tensor[]) => Tensor> = {
  mm: (a, b) => mm(a, b),
  matmul: (a, b) => matmul(a, b),
  bmm: (a, b) => bmm(a, b),
  mv: (a, b) => mv(a, b),
  dot: (a, b) => dot(a, b),
  outer: (a, b) => outer(a, b),
  linear: (x, w, b) => F.linear(x, w, b),
};

function apply(c: Case, args: Tensor[]): Tensor {
  const used = args.map((t, i) => (c.transpose.includes(i) ? t.transpose(-2, -1) : t));
  if (c.op.startsWith('einsum:')) return einsum(c.op.slice('einsum:'.length), ...used);
  return ops[c.op](...used);
}

describe('float64 products (torch 1.13)', () => {
  for (const c of fx.cases) {
    const label = `${c.op} ${c.args.map((a) => `[${a.shape}]`).join(' x ')} (${c.note})`;
    it(`${label}: values and gradients on every ISA, 1 and 2 threads`, () => {
      for (const isa of supportedIsas) {
        for (const threads of [1, 2]) {
          withIsa(isa, () =>
            withThreads(threads, () => {
              const args = c.args.map((e) => decodeFloat64(e).requiresGrad_(true));
              const y = apply(c, args);
              expectCloseFloat64(y, c.out, `${isa}/${threads} ${label} output`);
              y.backward(decodeFloat64(c.gradOut));
              args.forEach((a, i) =>
                expectCloseFloat64(a.grad as Tensor, c.grads[i], `${isa}/${threads} ${label} grad ${i}`),
              );
            }),
          );
        }
      }
    });
  }
});

describe('float64 products: gradcheck (eps 1e-6, atol 1e-8, rtol 1e-7)', () => {
  const opts = { eps: 1e-6, atol: 1e-8, rtol: 1e-7 };
  const r = (...shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });
  const checks: [string, () => [(...ts: Tensor[]) => Tensor, Tensor[]]][] = [
    ['matmul, broadcast batch dims', () => [(a, b) => matmul(a, b), [r(2, 1, 3, 4), r(3, 4, 2)]]],
    ['matmul, 1-D x 3-D', () => [(a, b) => matmul(a, b), [r(4), r(2, 4, 3)]]],
    ['mm, transposed operand', () => [(a, b) => mm(a.mT, b), [r(5, 3), r(5, 4)]]],
    ['bmm', () => [(a, b) => bmm(a, b), [r(2, 3, 4), r(2, 4, 5)]]],
    ['outer', () => [(a, b) => outer(a, b), [r(4), r(3)]]],
    ['einsum bij,bjk->bik', () => [(a, b) => einsum('bij,bjk->bik', a, b), [r(2, 3, 4), r(2, 4, 2)]]],
    ['einsum ij,jk,kl->il', () => [(a, b, d) => einsum('ij,jk,kl->il', a, b, d), [r(2, 3), r(3, 4), r(4, 2)]]],
    ['F.linear with bias', () => [(x, w, b) => F.linear(x, w, b), [r(2, 3, 4), r(5, 4), r(5)]]],
  ];
  for (const [what, make] of checks) {
    it(what, () => {
      const [fn, inputs] = make();
      expect(gradcheck(fn, inputs, opts)).toBe(true);
    });
  }
});

describe('float64 products: dtypes', () => {
  it('float32 with float64 is an error, as in torch; the result keeps float64', () => {
    const a = randn([2, 3], { dtype: 'float64' });
    const b = randn([3, 2]);
    expect(() => matmul(a, b)).toThrow(/matmul: operands must all be float32 or all float64, got float64 and float32/);
    expect(() => einsum('ij,jk->ik', b.mT, a.mT)).toThrow(/einsum: operands must all be float32 or all float64/);
    expect(() => F.linear(a, b.mT)).toThrow(/linear: expected a float64 tensor \(as the input\), got float32/);
    expect(matmul(a, a.mT).dtype).toBe('float64');
  });
});

describe('nn.Linear after .double()', () => {
  it('computes in float64 as F.linear does, with float64 gradients, and passes gradcheck', () => {
    const layer = new m.nn.Linear(4, 3);
    const w32 = layer.weight;
    expect(layer.double()).toBe(layer);
    expect(layer.weight.dtype).toBe('float64');
    expect(layer.bias?.dtype).toBe('float64');
    expect(Array.from(layer.weight.toTypedArray())).toEqual(Array.from(w32.toTypedArray()));
    expect(layer.weight.requiresGrad).toBe(true);
    expect([...layer.parameters()]).toEqual([layer.weight, layer.bias]);
    const x = randn([2, 5, 4], { dtype: 'float64', requiresGrad: true });
    const y = layer.call(x);
    expect(y.dtype).toBe('float64');
    const want = F.linear(x, layer.weight, layer.bias);
    expect(Array.from(y.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
    y.sum().backward();
    expect(layer.weight.grad?.dtype).toBe('float64');
    expect(gradcheck((t: Tensor) => layer.call(t), [x], { eps: 1e-6, atol: 1e-8, rtol: 1e-7 })).toBe(true);
    // Back to float32 with .float(), and .to('float64') as .double().
    expect(layer.float().weight.dtype).toBe('float32');
    expect(layer.to('float64').weight.dtype).toBe('float64');
  });
});
