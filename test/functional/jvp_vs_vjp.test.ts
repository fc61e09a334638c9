// Automatic differentiation on a DAG, forward mode (JVP) and reverse mode (VJP), line for line
// as the seed's section (examples/jvp_vs_vjp.mjs prints the same): the values are its comments'.
import { describe, expect, it } from 'vitest';
import { autograd, forwardAD, Generator, randn, tensor } from '../../lib/index.js';

describe('forward mode (JVP) and reverse mode (VJP)', () => {
  it('the computational graph: z = x² + xy + y² at (2, 3)', () => {
    const x = tensor(2.0).requiresGrad_();
    const y = tensor(3.0).requiresGrad_();
    const z = x.pow(2).add(x.mul(y)).add(y.pow(2));
    z.backward();
    expect(z.item()).toBe(19);
    expect(x.grad!.item()).toBe(7); // 2x + y
    expect(y.grad!.item()).toBe(8); // x + 2y
  });

  it("forward mode: f(x) = x² + 2x + 1, f(3) = 16 and f'(3) = 8 carried with the value", () => {
    const [y, dy] = forwardAD.dualLevel(() => {
      const x = forwardAD.makeDual(tensor(3.0), tensor(1.0));
      const { primal, tangent } = forwardAD.unpackDual(x.pow(2).add(x.mul(2)).add(1));
      return [primal.item(), tangent!.item()];
    });
    expect([y, dy]).toEqual([16, 8]);
  });

  it('reverse mode: y = xW + b, L = ||y||², one backward for every input', () => {
    const x = tensor([1.0, 2.0, 3.0]).requiresGrad_();
    const w = tensor([
      [1.0, 2.0],
      [3.0, 4.0],
      [5.0, 6.0],
    ]).requiresGrad_();
    const b = tensor([1.0, 1.0]).requiresGrad_();
    const loss = x.matmul(w).add(b).pow(2).sum();
    loss.backward();
    expect(loss.item()).toBe(1370); // y = [23, 29]
    expect(x.grad!.shape).toEqual([3]);
    expect(w.grad!.shape).toEqual([3, 2]);
    expect(b.grad!.shape).toEqual([2]);
    expect(Array.from(x.grad!.toTypedArray())).toEqual([162, 370, 578]); // W 2y
    expect(Array.from(b.grad!.toTypedArray())).toEqual([46, 58]); // 2y
  });

  it('one JVP is a column of the Jacobian, one VJP a row; each full Jacobian agrees', () => {
    const gen = new Generator().manualSeed(0);
    const a = randn([5, 3], { generator: gen });
    const x = randn([3], { generator: gen });
    const f = (t: typeof x) => a.matmul(t).tanh();
    const e1 = tensor([0, 1, 0]);
    const [, column] = autograd.functional.jvp(f, x, e1);
    const [, row] = autograd.functional.vjp(f, x, tensor([0, 0, 1, 0, 0]));
    const j = autograd.functional.jacobian(f, x) as typeof x;
    const jf = autograd.functional.jacobian(f, x, { vectorize: true, strategy: 'forward-mode' }) as typeof x;
    const near = (p: typeof x, q: typeof x) => expect(p.sub(q).abs().max().item()).toBeLessThan(1e-6);
    near(column as typeof x, j.select(1, 1));
    near(row as typeof x, j.select(0, 2));
    near(jf, j);
  });
});
