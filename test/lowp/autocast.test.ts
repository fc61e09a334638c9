// autocast against PyTorch 1.13's torch.autocast('cpu', dtype=torch.bfloat16) (fixtures from
// scripts/gen_fixtures_autocast.py): each op runs in bf16 where torch's returned bfloat16 (its CPU
// lower-precision list) and in exact float32 where torch's returned float32; values and
// gradients within bf16 tolerance of torch's; the scope's state rules; bad options.
import { describe, expect, it } from 'vitest';
import {
  autocast,
  AutocastScope,
  bmm,
  conv1d,
  conv2d,
  dot,
  einsum,
  exp,
  isAutocastEnabled,
  logSoftmax,
  matmul,
  mm,
  mv,
  nn,
  outer,
  relu,
  softmax,
  tanh,
  type Tensor,
  tensor,
  crossEntropy,
} from '../../lib/index.js';
import { loadFixture } from '../helpers/fixtures.js';

interface Enc {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  inputs: Enc[];
  dtype: 'bfloat16' | 'float32';
  output: Enc;
  gradOutput?: Enc;
  grads?: Enc[];
  exact?: { output: Enc; grads: Enc[] };
}
interface Mlp {
  x: Enc;
  target: number[];
  params: Enc[];
  logits: Enc;
  loss: number;
  grads: Enc[];
  gradsFp32: Enc[];
}
const fx = loadFixture<{ cases: Case[]; mlp: Mlp }>('autocast');
const F = nn.functional;

const toTensor = (e: Enc, requiresGrad = false) =>
  (tensor(Float32Array.from(e.data)).reshape(e.shape) as Tensor).requiresGrad_(requiresGrad);
const absEnc = (e: Enc): Enc => ({ shape: e.shape, data: e.data.map(Math.abs) });
const attention = (q: Tensor, k: Tensor, v: Tensor) =>
  matmul(softmax(matmul(q, k.transpose(-2, -1)).mul(8 ** -0.5), -1), v);

/** myelin's op for each fixture case. */
const OPS: Record<string, (...ts: Tensor[]) => Tensor> = {
  linear: (x, w, b) => F.linear(x, w, b),
  linear_nobias_3d: (x, w) => F.linear(x, w),
  matmul_2d: matmul,
  matmul_batched: matmul,
  matmul_fold: matmul,
  matmul_vec_mat: matmul,
  matmul_vec_vec: matmul,
  mm,
  bmm,
  mv,
  dot,
  outer,
  einsum_bij_bjk: (a, b) => einsum('bij,bjk->bik', a, b),
  conv1d: (x, w, b) => conv1d(x, w, b, { padding: 1 }),
  conv2d: (x, w, b) => conv2d(x, w, b, { padding: 1 }),
  bilinear: (a, b, w, bias) => F.bilinear(a, b, w, bias),
  relu,
  add: (a, b) => a.add(b),
  mul: (a, b) => a.mul(b),
  sum: (x) => x.sum(),
  softmax: (x) => softmax(x, -1),
  log_softmax: (x) => logSoftmax(x, -1),
  layer_norm: (x, weight, bias) => F.layerNorm(x, [7], { weight, bias }),
  mse_loss: (a, b) => F.mseLoss(a, b),
  exp,
  tanh,
  attention,
};

/** Listed ops myelin does not run in bf16 yet: they stay exact float32 under autocast. */
const NOT_YET_BF16 = new Set(['conv1d', 'conv2d']);

const isBf16Value = (v: number) => (new Uint32Array(new Float32Array([v]).buffer)[0] & 0xffff) === 0;

const values = (t: Tensor) => Float32Array.from(t.flatten().tolist() as number[]);

/**
 * got within tol(i) of want, element by element. scale[i] is the same op on the operands'
 * absolute values: the sum of the products' magnitudes, which cancellation hides in the value.
 */
function expectClose(got: Tensor, want: Enc, tol: (i: number) => number, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  const data = values(got);
  for (let i = 0; i < want.data.length; i++) {
    if (!(Math.abs(data[i] - want.data[i]) <= tol(i)))
      expect.fail(`${what}[${i}]: ${data[i]} vs ${want.data[i]} (tolerance ${tol(i)})`);
  }
}
/**
 * Against the exact result rounded to bf16: fp32 sums of the bf16 products then the rounding to
 * bf16 are at most one bf16 unit in the last place (2^-7 relative) off it.
 */
const exactTol = (want: Enc, scale: Float32Array) => (i: number) =>
  2 ** -7 * Math.abs(want.data[i]) + 2 ** -16 * scale[i];
/**
 * Against torch's bf16 result: Debian's torch 1.13 sums bf16 products less exactly (up to ~1%
 * of the products' magnitudes), so 2^-5 of the scale.
 */
const torchTol = (scale: Float32Array) => (i: number) => 2 ** -5 * scale[i] + 1e-30;
/** Against another result over a whole tensor (a network's output or gradients): 2^-5 of its largest magnitude. */
const tensorTol = (want: Enc) => {
  const m = Math.max(...want.data.map(Math.abs));
  return () => 2 ** -5 * m;
};

function run(c: Case, inside: boolean, abs = false): { out: Tensor; grads: (Tensor | null)[] } {
  const leaves = c.inputs.map((e) => toTensor(abs ? absEnc(e) : e, c.grads !== undefined));
  const out = inside ? autocast({ dtype: 'bfloat16' }, () => OPS[c.name](...leaves)) : OPS[c.name](...leaves);
  // Backward outside the scope, as in PyTorch: the precision is the forward's.
  if (c.gradOutput) out.backward(toTensor(abs ? absEnc(c.gradOutput) : c.gradOutput));
  return { out, grads: leaves.map((l) => l.grad) };
}

describe('autocast: which ops run in bf16 (PyTorch 1.13 CPU lists)', () => {
  for (const c of fx.cases) {
    const bf16 = c.dtype === 'bfloat16' && !NOT_YET_BF16.has(c.name);
    it(`${c.name}: ${bf16 ? 'bf16 products, bf16 output' : 'exact float32'} inside autocast (torch: ${c.dtype})`, () => {
      const inside = run(c, true);
      const outside = run(c, false);
      const got = values(inside.out);
      if (bf16) {
        expect(Array.from(got).every(isBf16Value), 'every output value is a bf16 value').toBe(true);
        const abs = run(c, false, true);
        const scales = [abs.out, ...abs.grads].map((t) => values(t!).map(Math.abs));
        // Attention's softmax between its products has no such scale: take each tensor's largest value.
        if (c.name === 'attention')
          [c.output, ...c.grads!].forEach((e, i) => scales[i].fill(Math.max(...e.data.map(Math.abs))));
        expectClose(inside.out, c.output, torchTol(scales[0]), `${c.name} output against torch`);
        if (c.exact) expectClose(inside.out, c.exact.output, exactTol(c.exact.output, scales[0]), `${c.name} output`);
        inside.grads.forEach((g, i) => {
          expect(g, `grad ${i}`).not.toBeNull();
          expect(Array.from(values(g!)).every(isBf16Value), `grad ${i}: bf16 values`).toBe(true);
          expectClose(g!, c.grads![i], torchTol(scales[i + 1]), `${c.name} grad ${i} against torch`);
          if (c.exact)
            expectClose(g!, c.exact.grads[i], exactTol(c.exact.grads[i], scales[i + 1]), `${c.name} grad ${i}`);
          // Close to float32's gradient: each operand's rounding moves a product by 2^-9 of its
          // magnitude, the output's and the gradient's roundings add as much again.
          const fp32 = { shape: [...outside.grads[i]!.shape], data: Array.from(values(outside.grads[i]!)) };
          expectClose(g!, fp32, (j) => 2 ** -6 * scales[i + 1][j], `${c.name} grad ${i} against float32`);
        });
      } else {
        expect(got).toEqual(values(outside.out));
        inside.grads.forEach((g, i) => expect(values(g!)).toEqual(values(outside.grads[i]!)));
      }
    });
  }

  it('int32 products are not autocast (torch casts only float32)', () => {
    const ai = tensor([[3, 4]], { dtype: 'int32' });
    expect(autocast({}, () => mm(ai, ai.T)).tolist()).toEqual([[25]]);
  });
});

describe('autocast: training', () => {
  function mlpStep(inside: boolean) {
    const params = fx.mlp.params.map((p) => toTensor(p, true));
    const forward = () => {
      let h = toTensor(fx.mlp.x);
      for (let i = 0; i < 3; i++) {
        h = F.linear(h, params[2 * i], params[2 * i + 1]);
        if (i < 2) h = relu(h);
      }
      return { logits: h, loss: crossEntropy(h, tensor(fx.mlp.target, { dtype: 'int32' })) };
    };
    const { logits, loss } = inside ? autocast({}, forward) : forward();
    loss.backward();
    return { logits, loss, grads: params.map((p) => p.grad!) };
  }

  it("an MLP's logits, loss and parameter gradients match torch's under autocast", () => {
    const r = mlpStep(true);
    expectClose(r.logits, fx.mlp.logits, tensorTol(fx.mlp.logits), 'logits');
    expect(Math.abs(r.loss.item() - fx.mlp.loss)).toBeLessThan(fx.mlp.loss * 2 ** -6);
    r.grads.forEach((g, i) => expectClose(g, fx.mlp.grads[i], tensorTol(fx.mlp.grads[i]), `grad ${i}`));
    // Parameters and their gradients stay float32 tensors.
    for (const g of r.grads) expect(g.dtype).toBe('float32');
  });

  it("an MLP's gradients under autocast are as close to float32's as torch's are to its own", () => {
    const bf = mlpStep(true);
    const fp = mlpStep(false);
    const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));
    const relDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      maxAbs(Array.from(a, (v, i) => v - b[i])) / maxAbs(b);
    bf.grads.forEach((g, i) => {
      const mine = relDiff(values(g), values(fp.grads[i]));
      const torchs = relDiff(fx.mlp.grads[i].data, fx.mlp.gradsFp32[i].data);
      // Through three bf16 layers and a batch sum the deviation reaches 10-30% of the largest
      // gradient in torch (cancellation); myelin's fp32 sums of the same bf16 products do better.
      expect(mine, `grad ${i}: ${mine} vs torch's ${torchs}`).toBeLessThanOrEqual(torchs + 2 ** -7);
    });
    // ... and not equal to them: the products did run in bf16.
    expect(values(bf.grads[0])).not.toEqual(values(fp.grads[0]));
  });
});

describe('autocast: the scope', () => {
  const x = tensor([[1.00390625, 1]]);
  const w = tensor([[1, 1]]);
  // 1.00390625 + 1 = 2.00390625 in float32; bf16 rounds the operand to 1 (ties to even): 2.
  const product = () => mm(x, w.T).item();

  it('returns what fn returns, on only inside', () => {
    expect(product()).toBe(2.00390625);
    expect(autocast({ dtype: 'bfloat16' }, product)).toBe(2);
    expect(autocast(undefined, () => isAutocastEnabled())).toBe(true);
    expect(isAutocastEnabled()).toBe(false);
  });

  it('nests, and enabled: false turns it off inside an enabled scope', () => {
    autocast({}, () => {
      expect(autocast({ enabled: false }, () => [isAutocastEnabled(), product()])).toEqual([false, 2.00390625]);
      expect(product()).toBe(2);
      autocast({}, () => expect(product()).toBe(2));
      expect(isAutocastEnabled()).toBe(true);
    });
    expect(isAutocastEnabled()).toBe(false);
  });

  it('an exception restores the state, even with a scope entered inside left open', () => {
    expect(() =>
      autocast({}, () => {
        autocast({ enabled: false }).enter();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isAutocastEnabled()).toBe(false);
    expect(() => autocast({}, () => Promise.resolve(1))).toThrow(/^autocast: fn returned a Promise/);
    expect(isAutocastEnabled()).toBe(false);
  });

  it('as a scope object: enter() and exit(), nested in order', () => {
    const outer = autocast({ dtype: 'bfloat16' });
    expect(outer).toBeInstanceOf(AutocastScope);
    expect(isAutocastEnabled()).toBe(false);
    outer.enter();
    expect(product()).toBe(2);
    const inner = new AutocastScope({ enabled: false }).enter();
    expect(product()).toBe(2.00390625);
    expect(() => outer.exit()).toThrow(/^autocast.exit: an autocast scope entered inside this one is still open/);
    expect(() => inner.enter()).toThrow(/^autocast.enter: this scope is already entered/);
    inner.exit();
    expect(() => inner.exit()).toThrow(/^autocast.exit: this scope is not entered/);
    expect(isAutocastEnabled()).toBe(true);
    outer.exit();
    expect(isAutocastEnabled()).toBe(false);
  });

  it('rejects bad options with clear errors', () => {
    expect(() => autocast({ dtype: 'float16' } as never, product)).toThrow(
      /^autocast: dtype must be 'bfloat16' \(CPU autocast runs in bfloat16 only, as PyTorch's\), got the string 'float16'/,
    );
    expect(() => autocast({ dtype: 'bfloat16', cacheEnable: true } as never, product)).toThrow(
      /^autocast: unknown option 'cacheEnable'/,
    );
    expect(() => autocast({ enabled: 1 } as never, product)).toThrow(/^autocast: /);
    expect(() => autocast('bfloat16' as never, product)).toThrow(/^autocast: options must be an object/);
    expect(() => autocast({}, 3 as never)).toThrow(/^autocast: fn must be a function, got/);
    expect(isAutocastEnabled()).toBe(false);
  });
});

describe('autocast: recurrent layers and attention modules (PyTorch 1.13 CPU)', () => {
  interface ModuleCase {
    name: string;
    state: Record<string, Enc>;
    input: Enc;
    dtype: 'bfloat16' | 'float32';
    output: Enc;
  }
  const modules = (fx as unknown as { modules: ModuleCase[] }).modules;
  const make: Record<string, () => nn.Module> = {
    rnn_tanh: () => new nn.RNN(8, 16, { batchFirst: true }),
    rnn_relu: () => new nn.RNN(8, 16, { nonlinearity: 'relu' }),
    rnn_cell: () => new nn.RNNCell(8, 16),
    lstm: () => new nn.LSTM(8, 16, { batchFirst: true }),
    lstm_cell: () => new nn.LSTMCell(8, 16),
    gru: () => new nn.GRU(8, 16),
    gru_cell: () => new nn.GRUCell(8, 16),
    multihead_attention: () => new nn.MultiheadAttention(16, 2, { batchFirst: true }),
  };
  const first = (y: Tensor | Tensor[]) => (Array.isArray(y) ? y[0] : y);

  for (const c of modules) {
    // LSTM and GRU kernels call no listed op in torch; the Elman RNN's cell and attention call linear.
    it(`${c.name}: ${c.dtype === 'bfloat16' ? 'bf16 products' : 'exact float32'} inside autocast (torch: ${c.dtype})`, () => {
      const m = make[c.name]();
      m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, toTensor(v)])));
      const x = toTensor(c.input);
      const forward = () =>
        first(c.name === 'multihead_attention' ? m.call(x, x, x) : (m.call(x) as Tensor | Tensor[]));
      const inside = autocast({}, forward);
      const outside = forward();
      if (c.dtype === 'float32') {
        expect(values(inside)).toEqual(values(outside));
        return;
      }
      expect(values(inside)).not.toEqual(values(outside));
      expectClose(inside, c.output, tensorTol(c.output), `${c.name} against torch`);
      const fp32 = { shape: [...outside.shape], data: Array.from(values(outside)) };
      expectClose(inside, fp32, tensorTol(fp32), `${c.name} against float32`);
      if (c.name === 'multihead_attention') expect(Array.from(values(inside)).every(isBf16Value)).toBe(true);
      // Its gradients flow (bf16 products in the backward too).
      inside.sum().backward();
      for (const p of m.parameters()) expect(p.grad, 'every parameter gets a gradient').not.toBeNull();
    });
  }
});
