import { describe, expect, it } from 'vitest';
import { einsum, manualSeed, nn, randn, type Tensor, tensor, zeros } from '../../../lib/index.js';
import { close, fromEnc, shaped } from '../helpers.js';
import { maskOf, seq, stateOf } from '../seq_helpers.js';

const F = nn;

describe('scaledDotProductAttention against PyTorch (torch 2.0 mask semantics)', () => {
  for (const c of seq.sdpa) {
    it(c.name, () => {
      const [q, k, v] = [fromEnc(c.q, true), fromEnc(c.k, true), fromEnc(c.v, true)];
      const y = F.scaledDotProductAttention(q, k, v, {
        attnMask: c.mask ? maskOf(c.mask) : null,
        isCausal: c.name === 'causal',
        scale: c.name === 'scale' ? 0.3 : undefined,
      });
      close(y, c.y, 1e-5, 'forward');
      y.mul(shaped(c.g, y.shape)).sum().backward();
      close(q.grad, c.dq, 1e-4, 'dq');
      close(k.grad, c.dk, 1e-4, 'dk');
      close(v.grad, c.dv, 1e-4, 'dv');
    });
  }

  // Its gradients (first and second order) are checked by the op harness
  // (test/ops/declarations/attention.ts).
  it('equals attention written with einsum (seed 000)', () => {
    manualSeed(5);
    const q = randn([2, 3, 4]).requiresGrad_();
    const k = randn([2, 5, 4]).requiresGrad_();
    const v = randn([2, 5, 3]).requiresGrad_();
    const scores = einsum('bqd,bkd->bqk', q, k).div(2);
    const ref = einsum('bqk,bkd->bqd', scores.softmax(-1), v);
    close(F.scaledDotProductAttention(q, k, v), Array.from(ref.toTypedArray()), 1e-5, 'einsum attention');
  });

  it('dropout on the weights, and clear mask errors', () => {
    manualSeed(6);
    const q = randn([2, 3, 4]);
    const k = randn([2, 5, 4]);
    const y = F.scaledDotProductAttention(q, k, k, { dropoutP: 0.5 });
    expect(Array.from(y.toTypedArray())).not.toEqual(Array.from(F.scaledDotProductAttention(q, k, k).toTypedArray()));
    expect(() => F.scaledDotProductAttention(q, k, k, { attnMask: zeros([3, 4]) })).toThrow(
      'scaledDotProductAttention: attnMask of shape [3,4] cannot be broadcast to the attention scores [2,3,5]',
    );
    expect(() => F.scaledDotProductAttention(q, k, k, { attnMask: tensor(new Int32Array(15)).reshape(3, 5) })).toThrow(
      /attnMask must be a bool, float32, float64 or bfloat16 tensor, got int32/,
    );
    expect(() => F.scaledDotProductAttention(q, randn([2, 5, 3]), k)).toThrow(/same last dim/);
  });

  it("a float attnMask of another dtype: the sum rounded to the query's dtype, as PyTorch 1.13's", () => {
    manualSeed(7);
    const q = randn([2, 3, 4]).bfloat16();
    const k = randn([2, 5, 4]).bfloat16();
    const mask = randn([3, 5]).mul(3);
    // torch 1.13 (F._scaled_dot_product_attention, MultiheadAttention): bfloat16 scores plus the
    // float32 mask summed in float32 and rounded once, the rest in bfloat16 (not the mask rounded first).
    const scores = q.mul(0.5).matmul(k.mT);
    const want = scores.add(mask).to('bfloat16').softmax(-1).matmul(k);
    const y = F.scaledDotProductAttention(q, k, k, { attnMask: mask });
    expect(y.dtype).toBe('bfloat16');
    expect(y.tolist()).toEqual(want.tolist());
    const y32 = F.scaledDotProductAttention(q.float(), k.float(), k.float(), { attnMask: mask.double() });
    expect(y32.dtype).toBe('float32');
    const m = new nn.MultiheadAttention(4, 1);
    m.bfloat16();
    const x = randn([3, 2, 4]).bfloat16();
    expect(m.forward(x, x, x, { attnMask: randn([3, 3]) })[0].dtype).toBe('bfloat16');
  });
});

describe('MultiheadAttention against PyTorch', () => {
  for (const c of seq.mha) {
    it(JSON.stringify(c.options), () => {
      const o = c.options;
      const m = new nn.MultiheadAttention(8, 2, { batchFirst: o.batchFirst, kdim: o.kdim, vdim: o.vdim, bias: o.bias });
      m.loadStateDict(stateOf(c.state));
      const [q, k, v] = [fromEnc(c.q, true), fromEnc(c.k, true), fromEnc(c.v, true)];
      const [y, w] = m.forward(q, k, v, {
        attnMask: c.attnMask ? maskOf(c.attnMask) : null,
        keyPaddingMask: c.keyPaddingMask ? maskOf(c.keyPaddingMask) : null,
        averageAttnWeights: o.averageAttnWeights,
      });
      expect(y.shape).toEqual(c.y.shape);
      expect(w!.shape).toEqual(c.w.shape);
      close(y, c.y.data, 1e-5, 'output');
      close(w, c.w.data, 1e-5, 'weights');
      y.mul(shaped(c.g, y.shape))
        .sum()
        .add(w!.mul(shaped(c.gw, w!.shape)).sum())
        .backward();
      close(q.grad, c.dq, 1e-4, 'dq');
      close(k.grad, c.dk, 1e-4, 'dk');
      close(v.grad, c.dv, 1e-4, 'dv');
      const params = Object.fromEntries(m.namedParameters());
      expect(Object.keys(params).sort()).toEqual(Object.keys(c.grads).sort());
      for (const [key, e] of Object.entries(c.grads))
        close(params[key].grad, (e as { data: number[] }).data, 1e-4, `grad ${key}`);
    });
  }

  it('clear errors', () => {
    expect(() => new nn.MultiheadAttention(10, 3)).toThrow(
      'MultiheadAttention: embedDim 10 must be divisible by numHeads 3',
    );
    const m = new nn.MultiheadAttention(8, 2);
    const x = zeros([3, 2, 8]);
    expect(() => m.forward(x, x, x, { attnMask: zeros([3, 4]) })).toThrow(
      /attnMask must have shape \[3, 3\] or \[4, 3, 3\], got \[3,4\]/,
    );
    expect(() => m.forward(x, x, x, { keyPaddingMask: zeros([3, 2]) })).toThrow(
      /keyPaddingMask must have shape \[2,3\], got \[3,2\]/,
    );
    expect(() => m.forward(x, x, x, { keyPaddingMask: tensor(new Int32Array(6)).reshape(2, 3) })).toThrow(
      /keyPaddingMask must be a bool, float32, float64 or bfloat16 tensor, got int32/,
    );
    expect(() => m.forward(zeros([3, 2, 6]), x, x)).toThrow(/expected query's last dim 8/);
  });

  it('isCausal equals the explicit causal mask (bool True = masked, float -inf)', () => {
    manualSeed(8);
    const m = new nn.MultiheadAttention(4, 2, { batchFirst: true });
    const x = randn([2, 3, 4]);
    const [yc, wc] = m.forward(x, x, x, { isCausal: true });
    const boolMask = maskOf({ shape: [3, 3], data: [0, 1, 1, 0, 0, 1, 0, 0, 0] });
    const [yb, wb] = m.forward(x, x, x, { attnMask: boolMask });
    const [yf] = m.forward(x, x, x, { attnMask: triuMask(3) });
    close(yc, Array.from(yb.toTypedArray()), 1e-6, 'bool mask');
    close(yc, Array.from(yf.toTypedArray()), 1e-6, 'float mask');
    close(wc, Array.from(wb!.toTypedArray()), 1e-6, 'weights');
    expect(wc!.select(1, 0).select(1, 2).tolist()).toEqual([0, 0]);
  });

  it('unbatched input and needWeights: false', () => {
    manualSeed(7);
    const m = new nn.MultiheadAttention(4, 2);
    const x = randn([3, 4]);
    const [y, w] = m.forward(x, x, x);
    const [yb, wb] = m.forward(x.unsqueeze(1), x.unsqueeze(1), x.unsqueeze(1));
    close(y, Array.from(yb.toTypedArray()), 1e-6, 'y');
    close(w, Array.from(wb!.toTypedArray()), 1e-6, 'w');
    expect(m.forward(x, x, x, { needWeights: false })[1]).toBe(null);
  });
});

describe('TransformerEncoderLayer / TransformerEncoder against PyTorch', () => {
  for (const c of seq.encoder) {
    it(JSON.stringify(c.options), () => {
      const o = c.options;
      const layer = new nn.TransformerEncoderLayer(8, 2, {
        dimFeedforward: 16,
        dropout: 0,
        activation: o.activation,
        normFirst: o.normFirst,
        batchFirst: o.batchFirst,
      });
      const m = o.numLayers ? new nn.TransformerEncoder(layer, o.numLayers, { norm: new nn.LayerNorm(8) }) : layer;
      m.loadStateDict(stateOf(c.state));
      m.eval();
      const x = fromEnc(c.x, true);
      const opts = o.mask
        ? { mask: triuMask(3), srcKeyPaddingMask: maskOf({ shape: [2, 3], data: [0, 0, 1, 0, 0, 0] }) }
        : {};
      const y = m instanceof nn.TransformerEncoder ? m.forward(x, opts) : m.forward(x);
      close(y, c.y, 1e-4, 'forward');
      y.mul(shaped(c.g, y.shape)).sum().backward();
      close(x.grad, c.dx, 1e-3, 'dx');
      const params = Object.fromEntries(m.namedParameters());
      for (const [key, e] of Object.entries(c.grads))
        close(params[key].grad, (e as { data: number[] }).data, 1e-3, `grad ${key}`);
    });
  }
});

function triuMask(n: number): Tensor {
  const d = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i * n + j] = -Infinity;
  return shaped(Array.from(d), [n, n]);
}
