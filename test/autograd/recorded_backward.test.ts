// lib/autograd/recorded_backward.ts: the kernel ops' backwards recorded while a graph is being
// built (each op's gradgradcheck runs from its declaration), seen end to end: second derivatives
// through a CNN against PyTorch 1.13 (scripts/gen_fixtures_gradgrad.py), the WGAN-GP gradient
// penalty of a small critic backpropagated to its parameters, and a Hessian-vector product of an
// MSE loss through the same network.
import { describe, expect, it } from 'vitest';
import { autograd, nn, type Tensor } from '../../lib/index.js';
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
      // bias moves it only through LeakyReLU's slope, piecewise constant: PyTorch records that
      // path and gives zeros; myelin's slope (as relu's mask) carries no graph, so no gradient.
      if (want === null) expect(p.grad, name).toBeNull();
      else if (p.grad === null)
        expect(
          want.data.every((v) => v === 0),
          `${name}: PyTorch's is not 0`,
        ).toBe(true);
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
