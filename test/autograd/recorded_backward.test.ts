// lib/autograd/recorded_backward.ts: the kernel ops' backwards recorded while a graph is being
// built (each op's gradgradcheck runs from its declaration), seen end to end: second derivatives
// through a CNN against PyTorch 1.13 (scripts/gen_fixtures_gradgrad.py), the WGAN-GP gradient
// penalty of a small critic backpropagated to its parameters, a Hessian-vector product of an
// MSE loss through the same network, the zero derivative of piecewise-linear slopes, and
// binaryCrossEntropy's second derivatives at inputs exactly 0 and 1.
import { describe, expect, it } from 'vitest';
import { autograd, nn, type Tensor, tensor } from '../../lib/index.js';
import { decode, type EncodedTensor, expectClose, loadFixture } from '../helpers/fixtures.js';

interface Fixture {
  params: Record<string, EncodedTensor>;
  wgan: {
    real: EncodedTensor;
    fake: EncodedTensor;
    eps: EncodedTensor;
    inputGrad: EncodedTensor;
    penalty: number;
    grads: Record<string, EncodedTensor | null>;
  };
  hvp: { x: EncodedTensor; target: EncodedTensor; v: EncodedTensor[]; loss: number; hvp: EncodedTensor[] };
  slopes: {
    input: EncodedTensor;
    bias: EncodedTensor;
    ops: Record<
      string,
      { outWeight: EncodedTensor; gradWeight: EncodedTensor; graph: boolean; biasGrad?: EncodedTensor }
    >;
  };
  bce: {
    input: number[];
    target: number[];
    weight: number[];
    cases: {
      reduction: 'mean' | 'sum' | 'none';
      wrt: 'input' | 'target';
      grad: EncodedTensor;
      dInput: EncodedTensor | null;
      dTarget: EncodedTensor | null;
    }[];
  };
}

const fx = loadFixture<Fixture>('gradgrad');
const F = nn.functional;

/** The critic of the fixture script, with its parameters. */
function critic(): nn.Sequential {
  const model = new nn.Sequential(
    new nn.Conv2d(2, 4, 3, { padding: 1 }),
    new nn.LeakyReLU(0.2),
    new nn.MaxPool2d(2),
    new nn.Conv2d(4, 4, 3, { padding: 1 }),
    new nn.GroupNorm(2, 4),
    new nn.LeakyReLU(0.2),
    new nn.Flatten(),
    new nn.Linear(4 * 3 * 3, 1),
  );
  model.loadStateDict(Object.fromEntries(Object.entries(fx.params).map(([k, e]) => [k, decode(e)])));
  return model;
}

describe('second derivatives through a CNN (PyTorch 1.13)', () => {
  it('the WGAN-GP gradient penalty and its gradients with respect to the critic', () => {
    const model = critic();
    const { real, fake, eps } = fx.wgan;
    const e = decode(eps);
    const xhat = e
      .mul(decode(real))
      .add(e.neg().add(1).mul(decode(fake)))
      .requiresGrad_();
    const [g] = autograd.grad(model.forward(xhat).sum(), xhat, { createGraph: true });
    expectClose(g!, fx.wgan.inputGrad, 'input gradient', 1e-5, 1e-4);
    const penalty = g!.flatten(1).norm(2, 1).sub(1).pow(2).mean();
    expect(penalty.item()).toBeCloseTo(fx.wgan.penalty, 5);
    penalty.backward();
    for (const [name, p] of model.namedParameters()) {
      const want = fx.wgan.grads[name];
      // The last bias does not move the input gradient: no gradient, as in PyTorch. GroupNorm's
      // bias moves it only through LeakyReLU's slope, piecewise constant: zeros, as in PyTorch.
      if (want === null) expect(p.grad, name).toBeNull();
      else expectClose(p.grad, want, name, 1e-5, 1e-4);
    }
  });

  it('a Hessian-vector product of an MSE loss with respect to the parameters', () => {
    const x = decode(fx.hvp.x);
    const target = decode(fx.hvp.target);
    const lossOf = (...ps: Tensor[]) => {
      let h = F.conv2d(x, ps[0], ps[1], { padding: 1 });
      h = F.maxPool2d(F.leakyRelu(h, 0.2), 2);
      h = F.conv2d(h, ps[2], ps[3], { padding: 1 });
      h = F.leakyRelu(F.groupNorm(h, 2, { weight: ps[4], bias: ps[5] }), 0.2);
      return F.mseLoss(F.linear(h.flatten(1), ps[6], ps[7]), target);
    };
    const params = Object.values(fx.params).map((e) => decode(e));
    const v = fx.hvp.v.map((e) => decode(e));
    const [value, hv] = autograd.functional.hvp(lossOf, params, v) as [Tensor, Tensor[]];
    expect(value.item()).toBeCloseTo(fx.hvp.loss, 5);
    hv.forEach((h, i) => expectClose(h, fx.hvp.hvp[i], `hvp ${i}`, 1e-5, 1e-4));
  });
});

describe('piecewise-linear slopes under createGraph (PyTorch 1.13)', () => {
  const ops: Record<string, (x: Tensor) => Tensor> = {
    relu: (x) => F.relu(x),
    leakyRelu: (x) => F.leakyRelu(x, 0.2),
    hardtanh: (x) => F.hardtanh(x),
    relu6: (x) => F.relu6(x),
    maxPool2d: (x) => F.maxPool2d(x, 2),
    adaptiveMaxPool2d: (x) => F.adaptiveMaxPool2d(x, 2),
    maxPool1d: (x) => F.maxPool1d(x.flatten(2), 2),
    clamp: (x) => x.clamp(-0.5, 0.5),
  };
  it('covers every op of the fixture', () =>
    expect(Object.keys(ops).sort()).toEqual(Object.keys(fx.slopes.ops).sort()));
  for (const [name, f] of Object.entries(ops)) {
    const want = fx.slopes.ops[name];
    it(`${name}: a bias reached only through the slope gets ${want.graph ? 'zeros' : 'no gradient (no graph)'}`, () => {
      const inp = decode(fx.slopes.input, true);
      const b = decode(fx.slopes.bias, true);
      const y = f(inp.add(b.reshape([1, 3, 1, 1])));
      const [g] = autograd.grad(y.mul(decode(want.outWeight)).sum(), inp, { createGraph: true });
      expect(g!.requiresGrad, 'the input gradient has a graph').toBe(want.graph);
      if (!want.graph) return;
      g!.mul(decode(want.gradWeight)).sum().backward();
      expectClose(b.grad, want.biasGrad!, `${name}: bias gradient`, 0, 0);
      expect(inp.grad, `${name}: input gradient`).not.toBeNull();
      expect(Array.from(inp.grad!.toTypedArray()).every((v) => v === 0)).toBe(true);
    });
  }
});

describe('binaryCrossEntropy second derivatives at inputs 0 and 1 (PyTorch 1.13)', () => {
  const { input, target, weight, cases } = fx.bce;
  for (const c of cases) {
    it(`reduction ${c.reduction}, the ${c.wrt}'s gradient and its derivatives`, () => {
      const x = tensor(input).requiresGrad_();
      const t = tensor(target).requiresGrad_();
      const loss = F.binaryCrossEntropy(x, t, { weight: tensor(weight), reduction: c.reduction });
      const [g] = autograd.grad(loss.sum(), c.wrt === 'input' ? x : t, { createGraph: true });
      expectClose(g!, c.grad, 'gradient', 1e-5, 1e-5);
      const [hx, ht] = autograd.grad(g!.sum(), [x, t], { allowUnused: true });
      if (c.dInput) expectClose(hx, c.dInput, 'd/d input', 1e-5, 1e-5);
      else expect(hx).toBeNull();
      if (c.dTarget) expectClose(ht, c.dTarget, 'd/d target', 1e-5, 1e-5);
      else expect(ht).toBeNull();
    });
  }
});
