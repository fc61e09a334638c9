// Gradients where PyTorch selects rather than multiplies by a 0/1 mask (and the few places where
// it does multiply), replayed from scripts/gen_fixtures_grad_select.py: an infinite or NaN
// upstream gradient must leave the masked places 0 (not NaN) exactly where PyTorch's does.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';
import { loadFixture } from '../helpers/fixtures.js';

interface Case {
  name: string;
  inputs: (number | string)[][];
  upstream: (number | string)[];
  out: { shape: number[]; data: (number | string)[] };
  grads: (number | string)[][];
}

const num = (v: number | string) =>
  typeof v === 'number' ? v : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number.NaN;
const F = m.nn.functional;
const x3 = () => m.tensor([0, 0, 0]);

const ops: Record<string, (...xs: Tensor[]) => Tensor> = {
  'clamp min': (x) => x.clamp(0),
  'clamp min max': (x) => x.clamp(0, 1),
  'clamp max': (x) => x.clamp(null, 1),
  'clamp tensor bounds': (x, lo, hi) => x.clamp(lo, hi),
  'clamp tensor min': (x, lo) => x.clamp(lo),
  maximum: (a, b) => m.maximum(a, b),
  minimum: (a, b) => m.minimum(a, b),
  relu: (x) => x.relu(),
  hardtanh: (x) => F.hardtanh(x),
  relu6: (x) => F.relu6(x),
  'max all': (x) => x.max(),
  'min all': (x) => x.min(),
  'max dim': (x) => x.reshape(1, 3).max(1).values,
  'amax (multiplies)': (x) => x.amax(0),
  'abs at 0 (multiplies)': (x) => x.abs(),
  where: (x) => m.where(m.tensor([true, false, true]), x, x3()),
  masked_fill: (x) => m.maskedFill(x, m.tensor([true, false, true]), 0),
  'norm 2 of zeros': (x) => x.norm(),
  'pow 0': (x) => x.pow(0),
  'pow tensor': (x) => x.pow(m.tensor([0, 1, 2])),
  'leaky_relu slope 0 (multiplies)': (x) => F.leakyRelu(x, 0),
  'clamp of NaN': (x) => x.clamp(0, 1),
  'maximum with NaN': (a, b) => m.maximum(a, b),
  'sqrt after clamp (the reported case)': (x) => x.clamp(0).sqrt(),
  'std of a constant': (x) => x.std(),
  'std dim of a constant row': (x) => x.reshape(2, 2).std(1),
  'norm 0.5 with zeros': (x) => x.norm(0.5),
  'norm 1.5 with zeros': (x) => x.norm(1.5),
  'norm 3 of zeros': (x) => x.norm(3),
  'norm inf ties': (x) => x.norm(Infinity),
  'smooth_l1 beta 0 at 0': (x) => F.smoothL1Loss(x, m.zeros([4]), { reduction: 'sum', beta: 0 }),
  'smooth_l1 beta 1': (x) => F.smoothL1Loss(x, m.zeros([5]), { reduction: 'sum' }),
};

function expectSame(got: ArrayLike<number>, want: (number | string)[], what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = num(want[i]);
    const g = got[i];
    const ok = Number.isNaN(w)
      ? Number.isNaN(g)
      : Number.isFinite(w)
        ? Math.abs(g - w) <= 1e-6 + 1e-5 * Math.abs(w)
        : g === w;
    if (!ok) expect.fail(`${what}[${i}]: got ${g}, PyTorch ${w}`);
  }
}

describe('backward selects where PyTorch selects (fixtures)', () => {
  const { cases } = loadFixture<{ cases: Case[] }>('grad_select');
  it('replays every case', () => {
    for (const c of cases) expect(ops[c.name.split(', g ')[0]], c.name).toBeTypeOf('function');
  });
  for (const c of cases) {
    it(c.name, () => {
      const xs = c.inputs.map((v) => m.tensor(v.map(num)).requiresGrad_());
      const y = ops[c.name.split(', g ')[0]](...xs);
      expect(y.shape).toEqual(c.out.shape);
      expectSame(y.toTypedArray() as Float32Array, c.out.data, 'forward');
      y.backward(m.tensor(c.upstream.map(num)).reshape(c.out.shape));
      xs.forEach((x, i) => expectSame(x.grad!.toTypedArray() as Float32Array, c.grads[i], `grad ${i}`));
    });
  }
});

describe('select-based backwards are differentiable', () => {
  it('clamp, maximum, max() and std pass gradcheck', () => {
    const x = m
      .tensor([
        [0.3, -1.2, 2.1],
        [0.7, 0.05, -0.4],
      ])
      .requiresGrad_();
    const lo = m.tensor([-0.5, 0.1, 0.2]).requiresGrad_();
    const hi = m.tensor([[1.5], [0.6]]).requiresGrad_();
    expect(m.gradcheck((a) => a.clamp(-0.5, 0.6), [x])).toBe(true);
    expect(m.gradcheck((a, l, h) => a.clamp(l, h), [x, lo, hi])).toBe(true);
    expect(m.gradcheck((a, l) => m.maximum(a, l), [x, lo])).toBe(true);
    expect(m.gradcheck((a) => a.max().mul(a.min()), [x])).toBe(true);
    expect(m.gradcheck((a) => a.std(1), [x])).toBe(true);
    expect(m.gradcheck((a) => m.stack([a.norm(1.5), a.norm(0.5), a.norm(3), a.norm(Infinity)]), [x])).toBe(true);
  });

  it('double backward through clamp and maximum reaches the upstream gradient', () => {
    const x = m.tensor([0.5, -1, 2]).requiresGrad_();
    const [g] = m.autograd.grad(x.clamp(0, 1).pow(2).sum(), [x], { createGraph: true });
    const [gg] = m.autograd.grad(g!.sum(), [x]);
    // d/dx of 2 clamp(x) 1[0 <= x <= 1]: 2 inside, 0 outside.
    expect(Array.from(gg!.data)).toEqual([2, 0, 0]);
    const y = m.tensor([1, 1, 1]).requiresGrad_();
    const [gm] = m.autograd.grad(m.maximum(x, y).pow(2).sum(), [y], { createGraph: true });
    // d/dy of 2 max(x, y) 1[y wins]: 2 where y wins, 0 where x does.
    const [gy] = m.autograd.grad(gm!.sum(), [y]);
    expect(Array.from(gy!.data)).toEqual([2, 2, 0]);
  });
});

describe('clipGradNorm_ with non-finite gradients (fixtures)', () => {
  interface Clip {
    grads: (number | string)[][];
    maxNorm: number;
    normType: number | string;
    total: number | string;
    after: (number | string)[][];
  }
  const { clipGradNorm } = loadFixture<{ clipGradNorm: Clip[] }>('grad_select');
  for (const c of clipGradNorm) {
    it(`norm ${c.normType} of [${c.grads.map((g) => g.join(', ')).join('], [')}]`, () => {
      const ps = c.grads.map((g) => {
        const p = m.zeros([g.length]).requiresGrad_();
        p.grad = m.tensor(g.map(num));
        return p;
      });
      const total = m.nn.clipGradNorm_(ps, c.maxNorm, { normType: num(c.normType) });
      expectSame([total.item() as number], [c.total], 'total');
      ps.forEach((p, i) => expectSame(p.grad!.toTypedArray() as Float32Array, c.after[i], `grad ${i}`));
    });
  }

  it('errorIfNonfinite throws instead, naming the norm', () => {
    const p = m.zeros([2]).requiresGrad_();
    p.grad = m.tensor([1, Number.NaN]);
    expect(() => m.nn.clipGradNorm_([p], 1, { errorIfNonfinite: true })).toThrow(
      /clipGradNorm_: the total norm of order 2 of the gradients is non-finite \(NaN\)/,
    );
    expect(p.grad.toTypedArray()[0]).toBe(1);
    expect(() => m.nn.clipGradNorm_([p], 1, { error_if_nonfinite: true } as never)).toThrow(
      /clipGradNorm_: unknown option 'error_if_nonfinite'; did you mean 'errorIfNonfinite'\?/,
    );
  });
});

describe('hardtanh and relu6', () => {
  it('clamp forward, gradcheck away from the bounds, module reprs and errors as torch', () => {
    const x = m.tensor([
      [-2, -0.5, 0.3],
      [0.9, 1.4, 7],
    ]);
    expect(Array.from(m.nn.functional.hardtanh(x).data)).toEqual([-1, -0.5, 0.3, 0.9, 1, 1].map(Math.fround));
    expect(Array.from(m.nn.functional.relu6(x).data)).toEqual([0, 0, 0.3, 0.9, 1.4, 6].map(Math.fround));
    const y = m.tensor([-1.7, -0.4, 0.2, 0.8, 2.5]).requiresGrad_();
    expect(m.gradcheck((a) => m.nn.functional.hardtanh(a, -0.5, 1), [y])).toBe(true);
    expect(new m.nn.Hardtanh(-2, 3).toString()).toBe('Hardtanh(min_val=-2.0, max_val=3.0)');
    expect(new m.nn.ReLU6().toString()).toBe('ReLU6()');
    expect(() => new m.nn.Hardtanh(1, 1)).toThrow(/Hardtanh: maxVal \(1\) must be greater than minVal \(1\)/);
    expect(() => m.nn.functional.hardtanh(x, Number.NaN)).toThrow(/hardtanh: minVal must be a finite number/);
  });
});
