// lib/ops/attention.ts: its ops through the op harness (declarations in test/ops/declarations/attention.ts).
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, noGrad, randn, tensor, type Tensor } from '../../lib/index.js';
import { attentionWithWeights } from '../../lib/ops/attention.js';
import { describeOps } from '../helpers/opinfo.js';
import { attentionOps } from './declarations/attention.js';

describeOps(attentionOps);

// scaledDotProductAttention runs one fused op (a GEMM with the scale as alpha and the mask as its
// input, the softmax in place, a raw backward); attentionWithWeights is the composite of ops.
describe('scaledDotProductAttention: the fused op equals the composite', () => {
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
