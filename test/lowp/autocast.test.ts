// autocast against PyTorch 1.13's torch.autocast('cpu', dtype=torch.bfloat16) (fixtures from
// scripts/gen_fixtures_autocast.py): each op runs in bf16 where torch's returned bfloat16 (its CPU
// lower-precision list) and in exact float32 where torch's returned float32; values and
// gradients within bf16 tolerance of torch's; the scope's state rules; bad options.
import { describe, expect, it } from 'vitest';
import {
  autocast,
  AutocastScope,
  autograd,
  bmm,
  conv1d,
  conv2d,
  convTranspose1d,
  convTranspose2d,
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
  randn,
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
  conv1d_strided_groups_nobias: (x, w) => conv1d(x, w, null, { stride: 2, padding: 2, dilation: 2, groups: 2 }),
  conv2d: (x, w, b) => conv2d(x, w, b, { padding: 1 }),
  conv2d_strided_dilated_groups: (x, w, b) =>
    conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 3 }),
  conv2d_1x1_nobias: (x, w) => conv2d(x, w),
  conv_transpose1d: (x, w, b) => convTranspose1d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
  conv_transpose2d_groups: (x, w, b) =>
    convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
  conv_transpose2d_dilated_nobias: (x, w) => convTranspose2d(x, w, null, { stride: [1, 2], dilation: 2 }),
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
    const bf16 = c.dtype === 'bfloat16';
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

  it("matmul's forward-mode tangent is bf16 as PyTorch 1.13's: t_a b + a t_b, each product and the sum rounded", () => {
    const mk = (r: number, c: number, off: number, f: (v: number) => number) =>
      tensor(Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => f(off + i * c + j))));
    const [a, b] = [mk(3, 4, 2, Math.cos), mk(4, 5, 3, (v) => Math.sin(0.7 * v))];
    const [ta, tb] = [mk(3, 4, 6, (v) => Math.cos(0.4 * v)), mk(4, 5, 7, (v) => Math.sin(1.9 * v))];
    // torch.matmul(a, b) with these tangents under forward_ad and torch.autocast('cpu',
    // dtype=torch.bfloat16), PyTorch 1.13.1. torch's bf16 products round otherwise than the GEMM
    // here (an ulp at times): within a few bf16 ulps.
    const want = [
      -0.6875, -0.59375, -0.005859375, -0.205078125, -0.005859375, 0.40625, 0.41015625, -0.546875, 0.83984375, 1.25,
      -0.248046875, 0.125, 1.2421875, -0.1689453125, -1.0546875,
    ];
    const tangent = autograd.forwardAD.dualLevel(() => {
      const { makeDual, unpackDual } = autograd.forwardAD;
      return unpackDual(autocast({}, () => matmul(makeDual(a, ta), makeDual(b, tb)))).tangent!;
    });
    const got = Array.from(tangent.toTypedArray());
    expect(got).toEqual(Array.from(tangent.bfloat16().float().toTypedArray())); // bf16 values
    got.forEach((v, i) => expect(Math.abs(v - want[i]), `element ${i}`).toBeLessThanOrEqual(2 ** -6 * 1.25));
  });

  it("linear's forward-mode tangent is bf16 as PyTorch 1.13's: (t_b + t_x Wᵀ) + x t_Wᵀ, each rounded", () => {
    const mk = (r: number, c: number, off: number, f: (v: number) => number) =>
      tensor(Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => f(off + i * c + j))));
    const [x, tx] = [mk(3, 4, 2, Math.cos), mk(3, 4, 6, (v) => Math.cos(0.4 * v))];
    const [w, tw] = [mk(5, 4, 8, (v) => Math.sin(1.3 * v)), mk(5, 4, 9, (v) => Math.cos(2.3 * v))];
    const b = tensor([0, 1, 2, 3, 4].map(Math.sin));
    const tb = tensor([0, 1, 2, 3, 4].map((v) => Math.cos(3 * v)));
    // torch.nn.functional.linear(x, w, b) with these tangents under forward_ad and
    // torch.autocast('cpu', dtype=torch.bfloat16), PyTorch 1.13.1: within a few bf16 ulps.
    const want = [
      0.80078125, -0.0263671875, 1.7578125, -1.171875, 0.201171875, 2.1875, -0.376953125, -0.1181640625, -1.890625,
      0.232421875, 1.25, -2.203125, 0.5078125, -0.921875, 1.890625,
    ];
    const tangent = autograd.forwardAD.dualLevel(() => {
      const { makeDual, unpackDual } = autograd.forwardAD;
      return unpackDual(autocast({}, () => nn.functional.linear(makeDual(x, tx), makeDual(w, tw), makeDual(b, tb))))
        .tangent!;
    });
    const got = Array.from(tangent.toTypedArray());
    expect(got).toEqual(Array.from(tangent.bfloat16().float().toTypedArray())); // bf16 values
    got.forEach((v, i) => expect(Math.abs(v - want[i]), `element ${i}`).toBeLessThanOrEqual(2 ** -6 * 2.2));
  });

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

describe('autocast: convolutions', () => {
  /** t's values rounded to bf16 (nearest even), as float32. */
  const rounded = (t: Tensor) => {
    const u = new Uint32Array(Float32Array.from(values(t)).buffer);
    for (let i = 0; i < u.length; i++) u[i] = ((u[i] + 0x7fff + ((u[i] >>> 16) & 1)) >>> 16) << 16;
    return tensor(new Float32Array(u.buffer)).reshape(t.shape);
  };

  it('a layer Winograd would take in float32 (8x8 planes) runs im2col with bf16 products, forward and backward', () => {
    const x = randn([16, 16, 8, 8]).requiresGrad_(true);
    const w = randn([16, 16, 3, 3]).requiresGrad_(true);
    const b = randn([16]).requiresGrad_(true);
    const g = randn([16, 16, 8, 8]);
    const y = autocast({}, () => conv2d(x, w, b, { padding: 1 }));
    y.backward(g);
    // The exact result on the bf16-rounded operands, rounded (float64 convolution).
    const [xd, wd, bd] = [x, w, b].map((t) => rounded(t.detach()).double().requiresGrad_(true));
    const yd = conv2d(xd, wd, bd, { padding: 1 });
    yd.backward(rounded(g).double());
    const abs = conv2d(x.detach().abs(), w.detach().abs(), null, { padding: 1 });
    const enc = (t: Tensor): Enc => ({ shape: [...t.shape], data: Array.from(values(rounded(t.float()))) });
    const scale = values(abs);
    expectClose(y, enc(yd), exactTol(enc(yd), scale), 'output');
    for (const [got, want] of [
      [x.grad!, xd.grad!],
      [w.grad!, wd.grad!],
      [b.grad!, bd.grad!],
    ]) {
      expect(Array.from(values(got)).every(isBf16Value)).toBe(true);
      const m = Math.max(...Array.from(values(want.float()), Math.abs));
      expectClose(got, enc(want), () => 2 ** -7 * m, 'gradient');
    }
  });

  it('a layer of 16x16 planes takes Winograd with bf16 position products (where the table has a bf16 GEMM kernel)', () => {
    const x = randn([4, 16, 16, 16]).requiresGrad_(true);
    const w = randn([16, 16, 3, 3]).requiresGrad_(true);
    const b = randn([16]).requiresGrad_(true);
    const g = randn([4, 16, 16, 16]);
    const y = autocast({}, () => conv2d(x, w, b, { padding: 1 }));
    y.backward(g);
    const [xd, wd, bd] = [x, w, b].map((t) => rounded(t.detach()).double().requiresGrad_(true));
    const yd = conv2d(xd, wd, bd, { padding: 1 });
    yd.backward(rounded(g).double());
    // Winograd's transformed operands, not x, w and g, are what the bf16 GEMM rounds: the
    // results sit up to ~6e-3 of their largest magnitude off the exact bf16 products (measured;
    // rounding x and w alone moves them ~2e-3 from float32's, and Debian's torch 1.13 bf16
    // convolution up to 2^-5 of the products' magnitudes, torchTol).
    for (const [got, want] of [
      [y, yd],
      [x.grad!, xd.grad!],
      [w.grad!, wd.grad!],
      [b.grad!, bd.grad!],
    ]) {
      expect(Array.from(values(got)).every(isBf16Value)).toBe(true);
      const m = Math.max(...Array.from(values(want.float()), Math.abs));
      expectClose(got, { shape: [...want.shape], data: Array.from(values(want.float())) }, () => 2 ** -6 * m, 'value');
    }
  });

  it('a recorded backward (createGraph) and its second derivative run in bf16; float64 is not autocast', () => {
    const x = randn([2, 3, 7, 7]).requiresGrad_(true);
    const w = randn([4, 3, 3, 3]).requiresGrad_(true);
    const [gx] = autocast({}, () => autograd.grad(conv2d(x, w).pow(2).sum(), x, { createGraph: true }));
    expect(Array.from(values(gx!)).every(isBf16Value)).toBe(true);
    const [gx32] = autograd.grad(conv2d(x, w).pow(2).sum(), x);
    const m = Math.max(...Array.from(values(gx32!), Math.abs));
    expectClose(gx!, { shape: [...gx32!.shape], data: Array.from(values(gx32!)) }, () => 2 ** -6 * m, 'dx');
    // The second derivative sums two bf16 gradients (through dy = 2y and through the recorded
    // transposed convolution): close to float32's.
    const [gw] = autograd.grad(gx!.sum(), w);
    const [gw32] = autograd.grad(autograd.grad(conv2d(x, w).pow(2).sum(), x, { createGraph: true })[0]!.sum(), w);
    const mw = Math.max(...Array.from(values(gw32!), Math.abs));
    expect(values(gw!)).not.toEqual(values(gw32!));
    expectClose(gw!, { shape: [...gw32!.shape], data: Array.from(values(gw32!)) }, () => 2 ** -6 * mw, 'd2w');
    const xd = x.detach().double();
    const wd = w.detach().double();
    expect(autocast({}, () => conv2d(xd, wd)).tolist()).toEqual(conv2d(xd, wd).tolist());
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

describe("autocast: PyTorch 1.13's CPU float32 list widens bfloat16 inputs", () => {
  // Under torch.autocast('cpu', dtype=torch.bfloat16), PyTorch 1.13.1 gives float32 for each of
  // these on bfloat16 inputs (checked with torch: nll_loss, mse_loss, l1_loss, smooth_l1_loss,
  // huber_loss, kl_div, binary_cross_entropy (with a float32 weight too),
  // binary_cross_entropy_with_logits, prod, trace, conv_transpose1d/2d, the reflect and
  // replicate pads), computed on the widened inputs; the constant and circular pads keep bfloat16.
  const F = nn.functional;
  const bf = (shape: number[], seed: number, lo = -1, hi = 1) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = Array.from({ length: n }, (_, i) => lo + (hi - lo) * ((Math.sin(seed * 97 + i * 13.1) + 1) / 2));
    return tensor(v).reshape(shape).bfloat16();
  };
  const [x, y] = [bf([4, 5], 1), bf([4, 5], 2)];
  const prob = bf([4, 5], 3, 0.05, 0.95);
  const labels = bf([4, 5], 4, 0, 1).gt(0.5).float().bfloat16();
  const classes = tensor([0, 1, 2, 4], { dtype: 'int32' });
  const img = bf([1, 2, 6, 6], 5);
  const seq = bf([1, 2, 6], 6);
  const w2 = bf([2, 3, 3, 3], 7);
  const w1 = bf([2, 3, 3], 8);
  const cases: [string, (...t: Tensor[]) => Tensor, Tensor[]][] = [
    ['nllLoss', (a, b) => F.nllLoss(a, b), [x, classes]],
    ['nllLoss with a weight', (a, b, w) => F.nllLoss(a, b, { weight: w }), [x, classes, bf([5], 9, 0.5, 2)]],
    ['mseLoss', (a, b) => F.mseLoss(a, b), [x, y]],
    ['l1Loss', (a, b) => F.l1Loss(a, b), [x, y]],
    ['smoothL1Loss', (a, b) => F.smoothL1Loss(a, b), [x, y]],
    ['huberLoss', (a, b) => F.huberLoss(a, b), [x, y]],
    ['klDiv', (a, b) => F.klDiv(a, b), [x, prob]],
    ['binaryCrossEntropy', (a, b) => F.binaryCrossEntropy(a, b), [prob, labels]],
    [
      'binaryCrossEntropy, float32 weight',
      (a, b, w) => F.binaryCrossEntropy(a, b, { weight: w }),
      [prob, labels, randn([5])],
    ],
    ['binaryCrossEntropyWithLogits', (a, b) => F.binaryCrossEntropyWithLogits(a, b), [x, labels]],
    ['prod', (a) => a.prod(), [prob]],
    ['prod over a dim', (a) => a.prod(1), [prob]],
    ['trace', (a) => a.reshape([5, 4]).narrow(0, 0, 4).trace(), [x]],
    ['convTranspose2d', (a, w) => convTranspose2d(a, w), [img, w2]],
    ['convTranspose1d', (a, w) => convTranspose1d(a, w), [seq, w1]],
    ['reflect pad', (a) => F.pad(a, [1, 1, 1, 1], 'reflect'), [img]],
    ['replicate pad', (a) => F.pad(a, [1, 2], 'replicate'), [seq]],
  ];
  for (const [name, f, inputs] of cases) {
    it(`${name}: float32, as on the widened inputs`, () => {
      const got = autocast({}, () => f(...inputs));
      expect(got.dtype).toBe('float32');
      const want = f(...inputs.map((t) => (t.dtype === 'bfloat16' ? t.float() : t)));
      expect(Array.from(got.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
    });
  }

  it('the constant and circular pads keep bfloat16; float32 inputs are untouched', () => {
    expect(autocast({}, () => nn.functional.pad(img, [1, 1], 'constant')).dtype).toBe('bfloat16');
    expect(autocast({}, () => nn.functional.pad(img, [1, 1, 1, 1], 'circular')).dtype).toBe('bfloat16');
    const [a, b] = [x.float(), y.float()];
    expect(Array.from(autocast({}, () => F.mseLoss(a, b)).toTypedArray())).toEqual(
      Array.from(F.mseLoss(a, b).toTypedArray()),
    );
  });
});
