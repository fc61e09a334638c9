import { describe, expect, it } from 'vitest';
import { manualSeed, nn, randn, Tensor, tensor } from '../../../lib/index.js';
import { close, fx, shaped } from '../helpers.js';

const F = nn.functional;

function loadState(m: nn.Module, state: Record<string, number[]>): void {
  const own = m.stateDict();
  const sd: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(state)) {
    sd[k] =
      own[k].dtype === 'int32' ? new Tensor(tensor(new Int32Array(v)).storage, own[k].shape) : shaped(v, own[k].shape);
  }
  m.loadStateDict(sd);
}

describe('BatchNorm1d against PyTorch', () => {
  for (const c of fx.batchnorm) {
    it(`${c.name}: ${c.steps.length} training steps (outputs, grads, running stats), then eval`, () => {
      const bn = new nn.BatchNorm1d(c.shape[1], c.options);
      expect(Object.keys(bn.stateDict())).toEqual(c.keys);
      expect(bn.toString()).toBe(c.repr);
      loadState(bn, c.init);
      for (const [i, s] of c.steps.entries()) {
        bn.zeroGrad();
        const x = shaped(s.x, c.shape, true);
        const y = bn.call(x) as Tensor;
        close(y, s.y, 1e-5, `step ${i} forward`);
        y.backward(shaped(s.g, c.shape));
        close(x.grad, s.dx, 1e-4, `step ${i} dx`);
        if (s.dweight) {
          close(bn.weight!.grad, s.dweight, 1e-4, `step ${i} dweight`);
          close(bn.bias!.grad, s.dbias, 1e-4, `step ${i} dbias`);
        }
        const state = bn.stateDict();
        for (const [k, v] of Object.entries(s.state as Record<string, number[]>))
          close(state[k], v, 1e-5, `step ${i} ${k}`);
      }
      bn.eval();
      const x = shaped(c.eval.x, c.shape, true);
      const y = bn.call(x) as Tensor;
      close(y, c.eval.y, 1e-5, 'eval forward');
      y.backward(shaped(c.eval.g, c.shape));
      close(x.grad, c.eval.dx, 1e-4, 'eval dx');
    });
  }

  it('train vs eval: batch statistics vs running statistics; eval leaves the running stats alone', () => {
    manualSeed(1);
    const bn = new nn.BatchNorm1d(3);
    const x = randn([64, 3]).mul(4).add(10);
    const yTrain = bn.call(x) as Tensor;
    // train mode: each channel of the output has mean 0 and (biased) variance 1
    const m = yTrain.mean(0).toTypedArray();
    const v = yTrain.var(0, { correction: 0 }).toTypedArray();
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(m[c])).toBeLessThan(1e-5);
      expect(Math.abs(v[c] - 1)).toBeLessThan(1e-3);
    }
    expect(bn.numBatchesTracked!.item()).toBe(1);
    const rm = Array.from(bn.runningMean!.toTypedArray());
    bn.eval();
    const yEval = bn.call(x) as Tensor;
    expect(Array.from(bn.runningMean!.toTypedArray())).toEqual(rm);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    expect(yEval.allclose(yTrain, { atol: 1e-3 })).toBe(false);
  });

  it('bad inputs', () => {
    const bn = new nn.BatchNorm1d(4);
    expect(() => bn.call(randn([2, 3]))).toThrow(
      /BatchNorm1d: expected 4 channels \(dim 1\), got input of shape \[2,3\]/,
    );
    expect(() => bn.call(randn([2, 4, 3, 3]))).toThrow(/expected 2D or 3D input \(got 4D/);
    expect(() => bn.call(randn([1, 4]))).toThrow(/more than 1 value per channel when training/);
    expect(() => new nn.BatchNorm1d(0)).toThrow(/positive integer/);
  });
});

describe('LayerNorm against PyTorch', () => {
  for (const c of fx.layernorm) {
    it(`normalizedShape ${JSON.stringify(c.normalizedShape)}, input ${JSON.stringify(c.shape)}, affine ${c.affine}`, () => {
      const ln = new nn.LayerNorm(c.normalizedShape, { elementwiseAffine: c.affine });
      expect(ln.toString()).toBe(c.repr);
      if (c.affine)
        ln.loadStateDict({ weight: shaped(c.weight, c.normalizedShape), bias: shaped(c.bias, c.normalizedShape) });
      const x = shaped(c.x, c.shape, true);
      const y = ln.call(x) as Tensor;
      close(y, c.y, 1e-5, 'forward');
      y.backward(shaped(c.g, c.shape));
      close(x.grad, c.dx, 1e-4, 'dx');
      if (c.affine) {
        close(ln.weight!.grad, c.dweight, 1e-4, 'dweight');
        close(ln.bias!.grad, c.dbias, 1e-4, 'dbias');
      }
    });
  }

  it('non-contiguous input, bad shapes', () => {
    manualSeed(4);
    const xt = randn([4, 3]);
    close(
      F.layerNorm(xt.t(), [4]),
      Array.from(F.layerNorm(xt.t().contiguous(), [4]).toTypedArray()),
      1e-6,
      'transposed input',
    );
    expect(() => F.layerNorm(randn([3, 5]), [4])).toThrow(
      /expected input with shape \[\*, 4\], but got input of shape \[3,5\]/,
    );
    expect(() => new nn.LayerNorm(4).call(randn([2, 3]))).toThrow(/layerNorm/);
  });
});
