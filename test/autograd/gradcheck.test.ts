import { describe, expect, it } from 'vitest';
import { autograd, gradcheck, tensor, type Tensor } from '../../lib/index.js';

describe('gradcheck', () => {
  it('passes for correct gradients, with several inputs and outputs', () => {
    const a = tensor([[0.5, -1, 2]], { requiresGrad: true });
    const b = tensor([1.5, 0.25, -0.75], { requiresGrad: true });
    expect(gradcheck((x, y) => [x.mul(y), x.div(y).sum()], [a, b])).toBe(true);
    expect(gradcheck((x, y) => x.mul(y), [a, tensor([1, 2, 3])])).toBe(true);
  });

  it('throws naming the input and the worst element when a backward is wrong', () => {
    const wrong = autograd.defineOp({
      name: 'wrongSquare',
      forward(ctx, x: Tensor) {
        ctx.save(x);
        return x.detach().mul(x.detach());
      },
      backward(ctx, g) {
        const [x] = ctx.saved;
        return [
          g
            .mul(x)
            .mul(2)
            .add(tensor([0, 0, 0.5])),
        ]; // input element 2 gets 0.5 too much for every output element
      },
    });
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = tensor([1, 1, 1], { requiresGrad: true });
    expect(() => gradcheck((p, q) => wrong(p).mul(q), [y, x])).toThrow(
      /gradcheck: Jacobian mismatch for input 0 \(shape \[3\]\): worst at input element 2, output element 0: analytic 0\.5, numeric 0,/,
    );
  });

  it('rejects calls with nothing to check', () => {
    expect(() => gradcheck((x) => x, [tensor([1])])).toThrow(/no input requires grad/);
    expect(() => gradcheck((x) => x, [tensor([1]).requiresGrad_().expand(3)])).toThrow(/expanded view/);
  });
});
