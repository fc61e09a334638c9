// lib/ops/attention.ts: its ops through the op harness (declarations in test/ops/declarations/attention.ts).
import { describe, expect, it } from 'vitest';
import {
  autograd,
  enableGrad,
  Generator,
  gradcheck,
  manualSeed,
  nn,
  noGrad,
  randn,
  tensor,
  type Tensor,
} from '../../lib/index.js';
import { attentionWithWeights } from '../../lib/ops/attention.js';
import { describeOps, gradgradcheck } from '../helpers/opinfo.js';
import { attentionOps } from './declarations/attention.js';

describeOps(attentionOps);

const maxDiff = (a: Tensor, b: Tensor) => {
  const x = Array.from(a.contiguous().toTypedArray()) as number[];
  const y = Array.from(b.contiguous().toTypedArray()) as number[];
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) expect(Number.isNaN(x[i])).toBe(Number.isNaN(y[i]));
    else m = Math.max(m, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  }
  return m;
};

// scaledDotProductAttention runs one fused op (a GEMM with the scale as alpha and the mask as its
// input, the softmax in place, a raw backward); attentionWithWeights is the composite of ops.
describe('scaledDotProductAttention: the fused op equals the composite', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['no mask', {}, false],
    ['causal, scale 0.3', { isCausal: true, scale: 0.3 }, false],
    ['bool mask broadcast over heads', { attnMask: 'bool' }, false],
    ['float mask', { attnMask: 'float' }, false],
    ['transposed (non-contiguous) q, k, v', {}, true],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [name, opts, strided] of cases) {
      it(`${name} (${dtype})`, () => {
        manualSeed(3);
        const make = (shape: number[]) =>
          (strided
            ? randn([shape[0], shape[2], shape[1], shape[3]]).to(dtype).transpose(1, 2)
            : randn(shape).to(dtype)
          ).requiresGrad_();
        const q = make([2, 3, 5, 8]);
        const k = make([2, 3, 7, 8]);
        const v = make([2, 3, 7, 4]);
        const options: Record<string, unknown> = { ...opts };
        if (opts.attnMask === 'bool') options.attnMask = randn([1, 5, 7]).gt(-1);
        if (opts.attnMask === 'float') options.attnMask = randn([2, 3, 5, 7]).to(dtype);
        const fused = nn.scaledDotProductAttention(q, k, v, options);
        expect(fused.gradFn?.name).toBe('ScaledDotProductAttentionBackward');
        const g = randn(fused.shape).to(dtype);
        fused.mul(g).sum().backward();
        const grads = [q, k, v].map((t) => t.grad as Tensor);
        for (const t of [q, k, v]) t.grad = null;
        const composite = attentionWithWeights(q, k, v, options)[0];
        composite.mul(g).sum().backward();
        const tol = dtype === 'float32' ? 1e-5 : 1e-12;
        expect(maxDiff(fused, composite)).toBeLessThan(tol);
        [q, k, v].forEach((t, i) => expect(maxDiff(grads[i], t.grad as Tensor)).toBeLessThan(tol));
        expect(
          maxDiff(
            noGrad(() => nn.scaledDotProductAttention(q, k, v, options)),
            composite,
          ),
        ).toBeLessThan(tol);
      });
    }
  }

  it('a scale of 0 lets an infinity in q make NaN, as the composite (q * 0)', () => {
    const q = tensor([
      [
        [Infinity, 1],
        [1, 1],
      ],
    ]);
    const k = randn([1, 3, 2]);
    const v = randn([1, 3, 2]);
    const y = nn.scaledDotProductAttention(q, k, v, { scale: 0 }).tolist() as number[][][];
    const want = attentionWithWeights(q, k, v, { scale: 0 })[0].tolist() as number[][][];
    expect(y[0][0].every(Number.isNaN)).toBe(true);
    expect(y).toEqual(want);
  });

  it('takes a bool mask or a float32, float64 or bfloat16 one with any floating q, and says so', () => {
    // A floating mask adds in the promoted dtype: the same as that mask's values in float64.
    manualSeed(4);
    const mask = randn([2, 4]).bfloat16();
    for (const dtype of ['float32', 'float64', 'bfloat16'] as const) {
      const [q, k, v] = [randn([1, 2, 3]), randn([1, 4, 3]), randn([1, 4, 2])].map((t) => t.to(dtype));
      for (const m of [mask, mask.float(), mask.double(), mask.gt(0)]) {
        const y = nn.scaledDotProductAttention(q, k, v, { attnMask: m });
        expect(y.dtype).toBe(dtype);
        const want = attentionWithWeights(q.double(), k.double(), v.double(), {
          attnMask: m.dtype === 'bool' ? m : m.double(),
        })[0].to(dtype);
        expect(maxDiff(y, want), `${dtype} q, ${m.dtype} mask`).toBeLessThan(dtype === 'bfloat16' ? 2 ** -5 : 1e-6);
      }
      expect(() => nn.scaledDotProductAttention(q, k, v, { attnMask: mask.to('int32') })).toThrow(
        'scaledDotProductAttention: attnMask must be a bool, float32, float64 or bfloat16 tensor, got int32',
      );
    }
  });

  it('a row whose keys are all masked gives NaN, as the composite', () => {
    const q = randn([1, 2, 3]);
    const mask = tensor([
      [false, false, false],
      [true, false, true],
    ]);
    const y = nn.scaledDotProductAttention(q, randn([1, 3, 3]), randn([1, 3, 2]), { attnMask: mask });
    const rows = y.tolist() as number[][][];
    expect(rows[0][0].every(Number.isNaN)).toBe(true);
    expect(rows[0][1].some(Number.isNaN)).toBe(false);
  });
});

// The fused op's createGraph backward records the composite's formulas (the weights recomputed
// from q and k, the mask added, the scale applied): its first and second derivatives against
// finite differences and against the composite's, with each kind of mask and a given scale.
describe('scaledDotProductAttention: second derivatives of the fused op', () => {
  const cases: [string, (dtype: 'float64') => Record<string, unknown>][] = [
    ['bool mask broadcast over heads', () => ({ attnMask: randn([1, 3, 5]).gt(-0.8) })],
    ['float mask', (dtype) => ({ attnMask: randn([2, 2, 3, 5]).to(dtype) })],
    ['scale 0.7', () => ({ scale: 0.7 })],
    ['bool mask and scale 1.9', () => ({ attnMask: randn([3, 5]).gt(-0.8), scale: 1.9 })],
    ['causal, scale 0.4', () => ({ isCausal: true, scale: 0.4 })],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      manualSeed(11);
      const dtype = 'float64';
      const q = randn([2, 2, 3, 4]).to(dtype).requiresGrad_();
      const k = randn([2, 2, 5, 4]).to(dtype).requiresGrad_();
      const v = randn([2, 2, 5, 3]).to(dtype).requiresGrad_();
      const options = make(dtype);
      const fused = (...xs: Tensor[]) => nn.scaledDotProductAttention(xs[0], xs[1], xs[2], options);
      const composite = (...xs: Tensor[]) => attentionWithWeights(xs[0], xs[1], xs[2], options)[0];
      expect(fused(q, k, v).gradFn?.name).toBe('ScaledDotProductAttentionBackward');
      expect(gradgradcheck(fused, [q, k, v], new Generator().manualSeed(5))).toBe(true);
      // The first gradients with a graph and their own gradients equal the composite's.
      const u = randn([2, 2, 3, 3]).to(dtype);
      const w = [q, k, v].map((t) => randn(t.shape).to(dtype));
      const second = (f: (...xs: Tensor[]) => Tensor) =>
        enableGrad(() => {
          const gs = autograd.grad(f(q, k, v), [q, k, v], { gradOutputs: [u], createGraph: true });
          const dot = gs.map((g, i) => (g as Tensor).mul(w[i]).sum()).reduce((a, b) => a.add(b));
          return [...gs.map((g) => (g as Tensor).detach()), ...autograd.grad(dot, [q, k, v])] as Tensor[];
        });
      const got = second(fused);
      const want = second(composite);
      got.forEach((g, i) => expect(maxDiff(g, want[i]), `derivative ${i}`).toBeLessThan(1e-12));
    });
  }

  it('a float mask that requires grad runs the composite, with the mask gradient', () => {
    manualSeed(12);
    const q = randn([2, 2, 3, 4]).to('float64').requiresGrad_();
    const k = randn([2, 2, 5, 4]).to('float64').requiresGrad_();
    const v = randn([2, 2, 5, 3]).to('float64').requiresGrad_();
    const mask = randn([2, 1, 3, 5]).to('float64').requiresGrad_();
    const f = (...xs: Tensor[]) => nn.scaledDotProductAttention(xs[0], xs[1], xs[2], { attnMask: xs[3], scale: 0.6 });
    const y = f(q, k, v, mask);
    expect(y.gradFn?.name).not.toBe('ScaledDotProductAttentionBackward');
    expect(gradcheck(f, [q, k, v, mask])).toBe(true);
    expect(gradgradcheck(f, [q, k, v, mask], new Generator().manualSeed(6))).toBe(true);
    y.sum().backward();
    expect(mask.grad?.shape).toEqual([2, 1, 3, 5]);
  });
});
