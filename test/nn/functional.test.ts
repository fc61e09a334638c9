import { describe, expect, it } from 'vitest';
import { gradcheck, nn, randn, manualSeed, type Tensor, tensor } from '../../lib/index.js';
import { supportedIsas, withIsa } from '../helpers/native.js';
import { close, fromEnc, fx, ints, shaped } from './helpers.js';

const F = nn.functional;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const activations: Record<string, (x: Tensor, o: any) => Tensor> = {
  relu: (x) => F.relu(x),
  leakyRelu: (x, o) => F.leakyRelu(x, o.negativeSlope),
  elu: (x, o) => F.elu(x, o.alpha),
  selu: (x) => F.selu(x),
  gelu: (x, o) => F.gelu(x, { approximate: o.approximate }),
  silu: (x) => F.silu(x),
  sigmoid: (x) => F.sigmoid(x),
  tanh: (x) => F.tanh(x),
  softplus: (x, o) => F.softplus(x, { beta: o.beta, threshold: o.threshold }),
  sine: (x, o) => F.sine(x, o.w0),
};

describe('activations against PyTorch', () => {
  for (const c of fx.activations) {
    it(`${c.name} ${JSON.stringify(c.options)}: forward and backward on every ISA`, () => {
      for (const isa of supportedIsas) {
        withIsa(isa, () => {
          const x = fromEnc(c.x, true);
          const y = activations[c.name](x, c.options);
          expect(y.shape).toEqual(c.x.shape);
          close(y, c.y, 2e-6, `${isa} forward`);
          y.backward(shaped(c.g, c.x.shape));
          close(x.grad, c.dx, 2e-5, `${isa} grad`);
        });
      }
    });
  }

  it('finite-difference gradients of every activation', () => {
    manualSeed(3);
    const x = randn([3, 4]).mul(2).detach().requiresGrad_();
    for (const [name, f] of Object.entries(activations)) {
      // relu/leakyRelu kinks: keep points away from 0
      const opts = { negativeSlope: 0.1, alpha: 0.7, w0: 2, beta: 1.5, threshold: 3 };
      expect(
        gradcheck((t) => f(t, opts), [x]),
        name,
      ).toBe(true);
    }
    expect(gradcheck((t) => F.gelu(t, { approximate: 'tanh' }), [x])).toBe(true);
  });

  it('in-place variants write into the input and keep gradients right', () => {
    const a = tensor([-1, 2, -3, 4]);
    const r = F.relu(a, { inplace: true });
    expect(r).toBe(a);
    expect(a.tolist()).toEqual([0, 2, 0, 4]);
    const leaf = tensor([-1, 0.5, 2]).requiresGrad_();
    const mid = leaf.mul(2);
    F.leakyRelu(mid, 0.1, { inplace: true });
    mid.sum().backward();
    close(leaf.grad, [0.2, 2, 2], 1e-6, 'grad through in-place leakyRelu');
    expect(() => F.elu(tensor([1]).requiresGrad_(), 1, { inplace: true })).toThrow(/leaf/);
  });

  it('gelu of large inputs, softplus thresholds, selu constants', () => {
    const y = F.gelu(tensor([-30, 30])).tolist() as number[];
    expect(y[0]).toBeCloseTo(0, 6);
    expect(y[1]).toBe(30);
    expect(F.softplus(tensor([100])).item()).toBe(100);
    expect(F.selu(tensor([1])).item()).toBeCloseTo(1.0507009873554805, 6);
    expect(() => F.gelu(tensor([1]), { approximate: 'erf' as 'tanh' })).toThrow(/approximate must be 'none' or 'tanh'/);
    expect(() => F.softplus(tensor([1]), { beta: 0 })).toThrow(/beta/);
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const lossFns: Record<string, (x: Tensor, t: Tensor, o: any) => Tensor> = {
  mseLoss: F.mseLoss,
  l1Loss: F.l1Loss,
  smoothL1Loss: F.smoothL1Loss,
  huberLoss: F.huberLoss,
  binaryCrossEntropy: F.binaryCrossEntropy,
  binaryCrossEntropyWithLogits: F.binaryCrossEntropyWithLogits,
  klDiv: F.klDiv,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function lossOptions(o: any): Record<string, unknown> {
  const out = { ...o };
  if (o.weight) out.weight = fromEnc(o.weight);
  if (o.posWeight) out.posWeight = fromEnc(o.posWeight);
  return out;
}

describe('losses against PyTorch', () => {
  for (const c of fx.losses) {
    it(`${c.name} ${JSON.stringify({ ...c.options, weight: !!c.options.weight, posWeight: !!c.options.posWeight })}`, () => {
      const x = fromEnc(c.x, true);
      const t = fromEnc(c.target, c.dtarget !== null);
      const y = lossFns[c.name](x, t, lossOptions(c.options));
      expect(y.shape).toEqual(c.y.shape);
      close(y, c.y.data, 2e-5, 'loss');
      y.backward(shaped(c.g, c.y.shape));
      close(x.grad, c.dx, 2e-5, 'input grad');
      if (c.dtarget) close(t.grad, c.dtarget, 2e-5, 'target grad');
    });
  }

  it('nllLoss: weights, ignoreIndex, reductions, [N, C, d] and unbatched inputs', () => {
    for (const c of fx.nll) {
      const x = fromEnc(c.x, true);
      const o = { ...c.options, weight: c.options.weight ? fromEnc(c.options.weight) : undefined };
      const y = F.nllLoss(x, ints(c.target), o);
      expect(y.shape).toEqual(c.y.shape);
      close(y, c.y.data, 2e-6, `nll ${JSON.stringify(c.options)}`);
      y.backward(shaped(c.g, c.y.shape));
      close(x.grad, c.dx, 2e-6, `nll grad ${JSON.stringify(c.options)}`);
    }
  });

  it('crossEntropy equals nllLoss of logSoftmax', () => {
    manualSeed(5);
    const logits = randn([6, 5]);
    const target = tensor(new Int32Array([0, 4, 2, 2, 1, 3]));
    const a = F.crossEntropy(logits, target).item() as number;
    const b = F.nllLoss(F.logSoftmax(logits, 1), target).item() as number;
    expect(a).toBeCloseTo(b, 5);
  });

  it('finite-difference gradients (input and target) of the elementwise losses', () => {
    manualSeed(7);
    const x = randn([2, 3]).detach().requiresGrad_();
    const t = randn([2, 3]).mul(0.5).detach().requiresGrad_();
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      expect(gradcheck((a, b) => F.mseLoss(a, b, { reduction }), [x, t])).toBe(true);
      expect(gradcheck((a, b) => F.huberLoss(a, b, { reduction, delta: 0.3 }), [x, t])).toBe(true);
      expect(gradcheck((a, b) => F.smoothL1Loss(a, b, { reduction, beta: 0.4 }), [x, t])).toBe(true);
      expect(
        gradcheck(
          (a, b) => F.binaryCrossEntropyWithLogits(a, b.sigmoid(), { reduction, posWeight: tensor([0.5, 2, 3]) }),
          [x, t],
        ),
      ).toBe(true);
    }
    const p = tensor([
      [0.2, 0.7, 0.4],
      [0.9, 0.1, 0.5],
    ]).requiresGrad_();
    const y = tensor([
      [0, 1, 0.3],
      [1, 0, 0.5],
    ]);
    expect(gradcheck((a) => F.binaryCrossEntropy(a, y), [p])).toBe(true);
    const lp = F.logSoftmax(randn([2, 4]), 1)
      .detach()
      .requiresGrad_();
    const q = F.softmax(randn([2, 4]), 1)
      .detach()
      .requiresGrad_();
    expect(gradcheck((a, b) => F.klDiv(a, b, { reduction: 'batchmean' }), [lp, q])).toBe(true);
  });

  it('bad inputs give clear errors', () => {
    const a = tensor([[1, 2, 3, 4]]).reshape(4, 1);
    const b = tensor([1, 2, 3, 4]);
    expect(() => F.mseLoss(a, b)).toThrow(/mseLoss: target of shape \[4\] does not match input of shape \[4,1\]/);
    expect(() => F.l1Loss(b, tensor(new Int32Array([1, 2, 3, 4])))).toThrow(/target must be float32.*int32/);
    expect(() => F.mseLoss(b, b, { reduction: 'avg' as 'mean' })).toThrow(/reduction must be/);
    expect(() => F.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1]))).toThrow(/between 0 and 1, got 1.5/);
    const logp = F.logSoftmax(randn([3, 4]), 1);
    expect(() => F.nllLoss(logp, tensor(new Int32Array([0, 4, 1])))).toThrow(
      /nllLoss: target 4 at position 1 is out of bounds for 4 classes/,
    );
    expect(() => F.nllLoss(logp, tensor(new Int32Array([0, -1, 1])))).toThrow(/target -1/);
    expect(() => F.nllLoss(logp, tensor([0, 1, 2]))).toThrow(/target must be int32 class indices, got float32/);
    expect(() => F.nllLoss(logp, tensor(new Int32Array([0, 1])))).toThrow(
      /target of shape \[2\] does not match input of shape \[3,4\]/,
    );
    expect(() => F.crossEntropy(randn([3, 4]), tensor(new Int32Array([0, 9, 1])))).toThrow(/9/);
    expect(() => F.crossEntropy(randn([3, 4]), tensor(new Int32Array([0, 1, 1])).to('bool'))).toThrow(/int32.*bool/);
    expect(() => F.klDiv(b, b, { reduction: 'batch' as 'mean' })).toThrow(/'batchmean'/);
  });
});

describe('dropout', () => {
  it('zeroes about p of the elements, scales the rest, same mask in backward; identity in eval', () => {
    manualSeed(11);
    const x = randn([100, 100]).detach().requiresGrad_();
    const y = F.dropout(x, 0.3);
    const xv = x.toTypedArray();
    const yv = y.toTypedArray();
    let zeros = 0;
    for (let i = 0; i < xv.length; i++) {
      if (yv[i] === 0) zeros++;
      else expect(Math.abs(yv[i] - xv[i] / 0.7)).toBeLessThan(1e-5 * (1 + Math.abs(xv[i])));
    }
    // 10000 Bernoulli(0.3) draws: sd = sqrt(10000 * 0.21) ~ 46; allow 5 sd
    expect(Math.abs(zeros - 3000)).toBeLessThan(230);
    y.sum().backward();
    const gv = x.grad!.toTypedArray();
    for (let i = 0; i < gv.length; i++) expect(gv[i]).toBeCloseTo(yv[i] === 0 ? 0 : 1 / 0.7, 5);
    expect(F.dropout(x, 0.3, { training: false })).toBe(x);
    expect(
      F.dropout(x, 1)
        .toTypedArray()
        .every((v) => v === 0),
    ).toBe(true);
    expect(() => F.dropout(x, 1.5)).toThrow(/between 0 and 1/);
  });

  it('is reproducible with the seeded generator', () => {
    const x = randn([50]);
    manualSeed(42);
    const a = F.dropout(x, 0.5).toTypedArray();
    manualSeed(42);
    const b = F.dropout(x, 0.5).toTypedArray();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
