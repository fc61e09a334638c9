import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { Generator, gradcheck, randn, tensor, type Tensor } from '../../lib/index.js';

const g = new Generator().manualSeed(5);
const leaf = (shape: number[], lo?: number) => {
  const t = randn(shape, { generator: g });
  return (lo === undefined ? t : t.abs().add(lo)).detach().requiresGrad_();
};
/** A transposed (non-contiguous) leaf of shape [3, 4]. */
const tleaf = (lo?: number) => {
  const t = leaf([4, 3], lo);
  return t.detach().T.requiresGrad_();
};

describe('unary math: gradients by finite differences on non-contiguous inputs', () => {
  const ops: [string, (x: Tensor) => Tensor, number?][] = [
    ['neg', m.neg],
    ['abs', m.abs, 0.1],
    ['exp', m.exp],
    ['log', m.log, 0.2],
    ['log1p', m.log1p, 0],
    ['expm1', m.expm1],
    ['sqrt', m.sqrt, 0.2],
    ['rsqrt', m.rsqrt, 0.3],
    ['sin', m.sin],
    ['cos', m.cos],
    ['tanh', m.tanh],
    ['sigmoid', m.sigmoid],
    ['relu', (x) => m.relu(x.sub(0.05))],
    ['pow scalar', (x) => x.pow(2.5), 0.2],
    ['pow tensor', (x) => x.pow(x.narrow(0, 0, 1)), 0.3],
    ['pow scalar base', (x) => m.pow(2, x)],
    ['clamp', (x) => x.clamp(-0.3, 0.4)],
    ['clamp min only', (x) => x.clamp(0.1)],
    ['clamp tensor bounds', (x) => x.clamp(x.narrow(0, 0, 1).mul(0.5), null)],
  ];
  for (const [name, f, lo] of ops) {
    it(name, () => {
      expect(gradcheck(f, [tleaf(lo)])).toBe(true);
    });
  }

  it('forward values', () => {
    const x = tensor([-2, -0.5, 0, 1.5]);
    expect(m.sign(x).tolist()).toEqual([-1, -1, 0, 1]);
    expect(m.sign(tensor([NaN, -0])).tolist()).toEqual([0, 0]);
    expect(m.relu(x).tolist()).toEqual([0, 0, 0, 1.5]);
    expect(x.abs().tolist()).toEqual([2, 0.5, 0, 1.5]);
    expect(x.clamp(-1, 1).tolist()).toEqual([-1, -0.5, 0, 1]);
    expect(tensor([NaN]).clamp(0, 1).isnan().item()).toBe(true);
    expect(x.pow(2).tolist()).toEqual([4, 0.25, 0, 2.25]);
    expect(m.exp(tensor([0, 1])).tolist()).toEqual([1, Math.fround(Math.E)]);
  });

  it("relu backward is torch's threshold_backward: out <= 0 ? 0 : grad (NaN output passes grad)", () => {
    // Small (TypeScript path) and large (native kernel, every ISA's row at its width) tensors.
    for (const n of [6, 1000]) {
      const vals = Array.from({ length: n }, (_, i) => [NaN, -0, 0, -2, 3, 0.5][i % 6]);
      const grads = Array.from({ length: n }, (_, i) => [7, 8, NaN, 9, NaN, -4][i % 6]);
      const x = tensor(vals).requiresGrad_();
      m.relu(x).backward(tensor(grads));
      const want = vals.map((v, i) => (v <= 0 ? 0 : grads[i])); // NaN <= 0 is false: grad
      const got = x.grad!.tolist() as number[];
      got.forEach((v, i) =>
        expect(Object.is(v, want[i]) || (Number.isNaN(v) && Number.isNaN(want[i])), `${n}: ${i}`).toBe(true),
      );
    }
  });

  it('int32 inputs: neg/abs/sign/relu/clamp/pow stay int32, float math promotes', () => {
    const i = tensor([-3, 0, 2], { dtype: 'int32' });
    expect(i.neg().dtype).toBe('int32');
    expect(i.abs().tolist()).toEqual([3, 0, 2]);
    expect(i.sign().tolist()).toEqual([-1, 0, 1]);
    expect(i.relu().tolist()).toEqual([0, 0, 2]);
    expect(i.clamp(-1, 1).tolist()).toEqual([-1, 0, 1]);
    expect(i.clamp(-1, 1).dtype).toBe('int32');
    expect(i.pow(2).tolist()).toEqual([9, 0, 4]);
    expect(i.pow(2).dtype).toBe('int32');
    expect(i.exp().dtype).toBe('float32');
    expect(i.sqrt().isnan().tolist()).toEqual([true, false, false]);
  });
});

describe('binary math with broadcasting and scalars', () => {
  it('gradients of maximum/minimum/where/add/div with broadcast operands', () => {
    // Fixed values at least 0.1 apart, so no finite-difference step crosses a kink.
    const a = tensor([
      [0.3, -1.2, 0.9],
      [1.1, 0.2, -0.4],
      [-0.7, 0.6, 1.5],
      [0.05, -0.3, 0.8],
    ]).T.requiresGrad_();
    const b = tensor([0.5, -0.1, 0.4, 1.2], { requiresGrad: true });
    expect(gradcheck((x, y) => m.maximum(x, y), [a, b])).toBe(true);
    expect(gradcheck((x, y) => m.minimum(x, y.unsqueeze(0)), [a, b])).toBe(true);
    const cond = tensor([true, false, true, false]);
    expect(gradcheck((x, y) => m.where(cond, x, y), [a, b])).toBe(true);
    expect(gradcheck((x, y) => m.where(cond, x, 2).mul(y), [a, b])).toBe(true);
    expect(gradcheck((x, y) => x.div(y.abs().add(1)).sub(y), [a, b])).toBe(true);
  });

  it('maximum/minimum split the gradient at ties, as torch', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([1, 3, 2], { requiresGrad: true });
    m.maximum(a, b).sum().backward();
    expect(a.grad!.tolist()).toEqual([0.5, 0, 1]);
    expect(b.grad!.tolist()).toEqual([0.5, 1, 0]);
  });

  it('int32 arithmetic stays int32; mixing with float or a fraction promotes; div is true division', () => {
    const i = tensor([1, 2, 3], { dtype: 'int32' });
    expect(i.add(1).dtype).toBe('int32');
    expect(i.mul(i).tolist()).toEqual([1, 4, 9]);
    expect(i.sub(tensor([true, false, true])).tolist()).toEqual([0, 2, 2]);
    expect(i.add(0.5).tolist()).toEqual([1.5, 2.5, 3.5]);
    expect(i.add(tensor([0.5])).dtype).toBe('float32');
    expect(i.div(2).tolist()).toEqual([0.5, 1, 1.5]);
    expect(m.maximum(i, 2).tolist()).toEqual([2, 2, 3]);
    expect(m.where(tensor([true, false, true]), i, 0).tolist()).toEqual([1, 0, 3]);
    expect(m.where(tensor([true, false, true]), i, 0).dtype).toBe('int32');
  });

  it('comparisons and logical ops give bool, broadcast, accept scalars', () => {
    const a = tensor([[1, 2, 3]]);
    const b = tensor([[2], [1]]);
    expect(a.gt(b).tolist()).toEqual([
      [false, false, true],
      [false, true, true],
    ]);
    expect(a.eq(2).tolist()).toEqual([[false, true, false]]);
    expect(a.le(2).dtype).toBe('bool');
    expect(m.ne(a, tensor([1, 0, 3], { dtype: 'int32' })).tolist()).toEqual([[false, true, false]]);
    const p = tensor([true, true, false, false]);
    const q = tensor([true, false, true, false]);
    expect(m.logicalAnd(p, q).tolist()).toEqual([true, false, false, false]);
    expect(m.logicalOr(p, q).tolist()).toEqual([true, true, true, false]);
    expect(m.logicalXor(p, q).tolist()).toEqual([false, true, true, false]);
    expect(m.logicalNot(tensor([0, 2, NaN])).tolist()).toEqual([true, false, false]);
    expect(m.isnan(tensor([NaN, 1, Infinity])).tolist()).toEqual([true, false, false]);
    expect(m.isfinite(tensor([NaN, 1, -Infinity])).tolist()).toEqual([false, true, false]);
    expect(m.isinf(tensor([NaN, 1, -Infinity])).tolist()).toEqual([false, false, true]);
    expect(a.equal(tensor([[1, 2, 3]]))).toBe(true);
    expect(a.allclose(tensor([[1, 2, 3.000001]]))).toBe(true);
    expect(a.T.gt(1).tolist()).toEqual([[false], [true], [true]]);
  });

  it('errors name the op and the shapes', () => {
    expect(() => tensor([1, 2]).add(tensor([1, 2, 3]))).toThrow(
      /add: shapes \[2\] and \[3\] cannot be broadcast \(axis -1: 2 vs 3\)/,
    );
    expect(() => m.maximum(tensor([[1, 2]]), tensor([1, 2, 3]))).toThrow(/maximum: shapes \[1,2\] and \[3\]/);
    expect(() => m.where(tensor([true, false]), tensor([1, 2, 3]), 0)).toThrow(/where: shapes/);
    expect(() => tensor([1]).gt(tensor([1, 2]).view(2, 1).expand(2, 3))).not.toThrow();
    expect(() => m.clamp(tensor([1]))).toThrow(/clamp: at least one of min and max/);
    expect(() => m.exp('x' as unknown as Tensor)).toThrow(/exp: expected a Tensor, got string/);
    expect(() => tensor([1]).add('a' as unknown as number)).toThrow(/add: expected a Tensor or a number, got string/);
  });
});
