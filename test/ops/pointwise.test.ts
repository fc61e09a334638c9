import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { tensor } from '../../lib/index.js';
import { describeOps } from '../helpers/opinfo.js';
import { pointwiseOps } from './declarations/pointwise.js';

describeOps(pointwiseOps);

describe('unary and pointwise math', () => {
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
    // Two bool tensors select a bool, as torch.where (a number with a bool tensor promotes).
    const yes = tensor([true, true, false]);
    const picked = m.where(tensor([true, false, true]), yes, tensor([false, true, true]));
    expect(picked.dtype).toBe('bool');
    expect(picked.tolist()).toEqual([true, true, false]);
    expect(m.where(tensor([true, false]), tensor(true), tensor([false, false])).dtype).toBe('bool');
    expect(m.where(tensor([true, false]), yes.narrow(0, 0, 2), 0).dtype).toBe('int32');
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

  it('comparisons broadcast against an expanded view', () => {
    expect(() => tensor([1]).gt(tensor([1, 2]).view(2, 1).expand(2, 3))).not.toThrow();
  });
});

describe('a number beside a float64 tensor keeps its float64 value (as torch keeps a Python float)', () => {
  // Values from PyTorch 1.13 (float64 tensors); the number used to become float32 first, so
  // 0.1 was 0.10000000149011612 and 1.3 was 1.2999999523162842.
  const x = () => tensor([0.1000000001, 0.1, 3], { dtype: 'float64' });
  it('comparisons', () => {
    expect(x().gt(0.1).tolist()).toEqual([true, false, true]);
    expect(x().eq(0.1).tolist()).toEqual([false, true, false]);
    expect(x().le(0.1).tolist()).toEqual([false, true, false]);
    expect(m.lt(0.1, x()).tolist()).toEqual([true, false, true]);
  });
  it('pow, where and clamp with a tensor bound', () => {
    const p = x().pow(1.3).tolist() as number[];
    [0.05011872342788156, 0.05011872336272723, 4.171167510947728].forEach((v, i) =>
      expect(Math.abs(p[i] - v)).toBeLessThan(2e-16 * v),
    );
    expect(m.where(x().gt(1), x(), 0.1).tolist()).toEqual([0.1, 0.1, 3]);
    expect(m.clamp(x(), m.zeros([3], { dtype: 'float64' }), 0.1).tolist()).toEqual([0.1, 0.1, 0.1]);
    // float32 tensors still take the number as float32, as torch.
    expect((m.where(x().gt(1), x().float(), 0.1).tolist() as number[])[0]).toBe(Math.fround(0.1));
  });
  it('fill_ and a recorded add_', () => {
    expect(x().fill_(0.1).tolist()).toEqual([0.1, 0.1, 0.1]);
    const y = x().requiresGrad_().mul(1);
    y.add_(0.1);
    expect(y.tolist()).toEqual([0.1000000001 + 0.1, 0.2, 3.1]);
  });
});

describe('an integer beside an int32 tensor keeps its value (torch takes it as an int64)', () => {
  // It went through float32, which holds 16777216 but not 16777217.
  const x = () => tensor([1, 2, 16777217], { dtype: 'int32' });
  it('fill_, where and clamp with a tensor bound', () => {
    expect(x().fill_(16777217).tolist()).toEqual([16777217, 16777217, 16777217]);
    expect(m.where(x().gt(1), x(), 16777217).tolist()).toEqual([16777217, 2, 16777217]);
    expect(m.clamp(x(), m.zeros([3], { dtype: 'int32' }), 16777217).tolist()).toEqual([1, 2, 16777217]);
    // A fraction still promotes to float32, as torch.
    expect(m.where(x().gt(1), x(), 0.5).dtype).toBe('float32');
    expect(x().fill_(2.7).tolist()).toEqual([2, 2, 2]);
  });
});
