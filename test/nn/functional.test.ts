import { describe, expect, it } from 'vitest';
import { nn, randn, manualSeed, tensor } from '../../lib/index.js';
import { close } from './helpers.js';

const F = nn.functional;

// The activations' and losses' PyTorch fixtures and finite-difference checks run in the op
// harness (test/ops/declarations/activation.ts and loss.ts).
describe('activations', () => {
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

describe('losses', () => {
  it('crossEntropy equals nllLoss of logSoftmax', () => {
    manualSeed(5);
    const logits = randn([6, 5]);
    const target = tensor(new Int32Array([0, 4, 2, 2, 1, 3]));
    const a = F.crossEntropy(logits, target).item() as number;
    const b = F.nllLoss(F.logSoftmax(logits, 1), target).item() as number;
    expect(a).toBeCloseTo(b, 5);
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
