// nn layers whose parameters are bfloat16, on bfloat16 inputs: forward and backward run (each op
// in float32, rounded), the parameters' gradients are bfloat16, and the values stay near the same
// layer's in float32 (with the same, bfloat16-held, parameters). The seed-style MLP trains in
// bfloat16 without NaN. Autocast given bfloat16 tensors computes in bfloat16, as PyTorch's.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';

const { nn } = m;

/** A new layer holding bf's parameters as float32 (loadStateDict converts them exactly): bf's float32 twin. */
function floatTwin<M extends m.nn.Module>(make: () => M, bf: M): M {
  const twin = make();
  twin.loadStateDict(bf.stateDict());
  for (const p of twin.parameters()) expect(p.dtype).toBe('float32');
  return twin;
}

const close = (a: m.Tensor, b: m.Tensor, tol: number) => {
  const [x, y] = [a.detach().float().toTypedArray(), b.detach().float().toTypedArray()];
  expect(x.length).toBe(y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (Math.abs(y[i]) + 1));
  expect(worst).toBeLessThanOrEqual(tol);
};

describe('nn layers with bfloat16 parameters', () => {
  const cases: [string, () => m.nn.Module, () => m.Tensor, (mod: m.nn.Module, x: m.Tensor) => m.Tensor][] = [
    ['Linear', () => new nn.Linear(16, 8), () => m.randn([4, 16]), (mod, x) => mod.call(x) as m.Tensor],
    ['Conv2d', () => new nn.Conv2d(2, 3, 3), () => m.randn([2, 2, 6, 6]), (mod, x) => mod.call(x) as m.Tensor],
    ['LayerNorm', () => new nn.LayerNorm(16), () => m.randn([4, 16]), (mod, x) => mod.call(x) as m.Tensor],
    ['LSTM', () => new nn.LSTM(8, 6), () => m.randn([5, 2, 8]), (mod, x) => (mod.call(x) as [m.Tensor])[0]],
  ];
  for (const [name, make, input, run] of cases) {
    it(`${name}: forward and backward in bfloat16, near float32`, () => {
      m.manualSeed(3);
      const bf = make().bfloat16();
      const twin = floatTwin(make, bf);
      const x = input().bfloat16().requiresGrad_();
      const x32 = x.detach().float().requiresGrad_();
      const y = run(bf, x);
      const y32 = run(twin, x32);
      expect(y.dtype).toBe('bfloat16');
      // Each op rounds to bfloat16 (8 significant bits: 2^-8 relative), a few ops in a row.
      close(y, y32, 2 ** -5);
      y.float().sum().backward();
      y32.sum().backward();
      expect(x.grad!.dtype).toBe('bfloat16');
      close(x.grad!, x32.grad!, 2 ** -4);
      const [ps, qs] = [[...bf.parameters()], [...twin.parameters()]];
      ps.forEach((p, i) => {
        expect(p.grad!.dtype).toBe('bfloat16');
        close(p.grad!, qs[i].grad!, 2 ** -4);
      });
    });
  }

  it('the seed-style MLP (784-128-10) trains a few steps in bfloat16 without NaN', () => {
    m.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10)).bfloat16();
    const x = m.randn([32, 784]).bfloat16();
    const t = m.randint(0, 10, [32], { dtype: 'int32' });
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      for (const p of model.parameters()) p.grad = null;
      const loss = nn.functional.crossEntropy(model.call(x) as m.Tensor, t);
      expect(loss.dtype).toBe('bfloat16');
      loss.backward();
      m.noGrad(() => {
        for (const p of model.parameters()) p.sub_(p.grad!.mul(0.1));
      });
      losses.push(loss.item());
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[4]).toBeLessThan(losses[0]);
    for (const p of model.parameters()) expect(p.dtype).toBe('bfloat16');
  });

  it('autocast given bfloat16 tensors computes in bfloat16 (the bfloat16 kernel, as PyTorch)', () => {
    const a = m.randn([4, 8]).bfloat16();
    const w = m.randn([5, 8]).bfloat16();
    const [y, z, c] = m.autocast({ dtype: 'bfloat16' }, () => [
      nn.functional.linear(a, w),
      m.matmul(a, w.t()),
      nn.functional.conv2d(m.randn([1, 2, 5, 5]).bfloat16(), m.randn([3, 2, 3, 3]).bfloat16()),
    ]);
    for (const t of [y, z, c]) expect(t.dtype).toBe('bfloat16');
    expect(Array.from(y.data as Uint16Array)).toEqual(Array.from(nn.functional.linear(a, w).data as Uint16Array));
  });

  // Helpers that write a tensor's storage directly (not through ops) must write bit patterns.
  const bitsOf = (t: m.Tensor): number[] => Array.from(t.contiguous().data as Uint16Array);

  it('nn.init fills bfloat16 tensors with the values rounded, as the float32 fills rounded', () => {
    for (const fill of [
      (t: m.Tensor) => m.nn.init.constant_(t, 0.3),
      (t: m.Tensor) => m.nn.init.ones_(t),
      (t: m.Tensor) => m.nn.init.normal_(t, 0, 2),
      (t: m.Tensor) => m.nn.init.kaimingUniform_(t),
      (t: m.Tensor) => m.nn.init.xavierNormal_(t),
    ]) {
      m.manualSeed(5);
      const b = fill(m.zeros([4, 3], { dtype: 'bfloat16' }));
      m.manualSeed(5);
      const f = fill(m.zeros([4, 3]));
      expect(bitsOf(b)).toEqual(bitsOf(f.bfloat16()));
    }
    // A NaN is torch's scalar fill's, 0x7fc0 (its vectorised cast gives 0xffff).
    expect(bitsOf(m.nn.init.constant_(m.zeros([2], { dtype: 'bfloat16' }), NaN))).toEqual([0x7fc0, 0x7fc0]);
    // A strided view is filled in place, the other elements kept.
    const whole = m.zeros([2, 3], { dtype: 'bfloat16' });
    m.nn.init.constant_(whole.select(1, 1), 0.3);
    expect(whole.float().tolist()).toEqual([
      [0, 0.30078125, 0],
      [0, 0.30078125, 0],
    ]);
    const layer = new m.nn.Linear(3, 2).bfloat16();
    layer.resetParameters();
    for (const v of (layer.weight.tolist() as number[][]).flat()) expect(Math.abs(v)).toBeLessThan(1);
  });

  it('vectorToParameters converts between the vector and each parameter dtype', () => {
    const a = m.zeros([1, 2], { dtype: 'bfloat16' });
    const b = m.zeros([1]);
    m.nn.utils.vectorToParameters(m.tensor([0.1, 1.5, 2.5]), [a, b]);
    expect(bitsOf(a)).toEqual(bitsOf(m.tensor([[0.1, 1.5]]).bfloat16()));
    expect(b.tolist()).toEqual([2.5]);
    const c = m.zeros([2]);
    m.nn.utils.vectorToParameters(m.tensor([0.5, -1.25], { dtype: 'bfloat16' }), [c]);
    expect(c.tolist()).toEqual([0.5, -1.25]);
  });

  it("embedding's maxNorm renormalizes a bfloat16 weight's rows as the float32 one's, rounded", () => {
    const rows = [
      [3, 4],
      [0.3, 0.4],
      [-2, 0.5],
    ];
    const wb = m.tensor(rows, { dtype: 'bfloat16' });
    const wf = m.tensor(rows);
    const idx = m.tensor([0, 1, 2, 0], { dtype: 'int32' });
    m.nn.functional.embedding(idx, wb, { maxNorm: 1 });
    m.nn.functional.embedding(idx, wf, { maxNorm: 1 });
    expect(bitsOf(wb)).toEqual(bitsOf(wf.bfloat16()));
    expect((wb.tolist() as number[][])[1]).toEqual([0.30078125, 0.400390625]);
  });

  it('linear refuses a bfloat16 operand with a float32 one, as torch (matmul and addmm do too)', () => {
    const xb = m.ones([2, 3], { dtype: 'bfloat16' });
    const wf = m.ones([4, 3]);
    expect(() => m.nn.functional.linear(xb, wf)).toThrow(/linear: .*input bfloat16, weight float32/);
    expect(() => m.nn.functional.linear(wf, xb.reshape([3, 2]).t())).toThrow(/linear: .*bfloat16/);
    expect(() => m.nn.functional.linear(xb, wf.bfloat16(), m.zeros([4]))).toThrow(/linear: .*bias float32/);
  });
});
