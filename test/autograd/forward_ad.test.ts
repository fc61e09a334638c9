// Forward-mode AD: dual levels, makeDual/unpackDual, tangents through views and in-place ops,
// the errors. Each op's JVP is checked by the op harness (test/helpers/opinfo.ts, forwardAD).
import { describe, expect, it } from 'vitest';
import {
  autograd,
  type Tensor,
  exp,
  forwardAD,
  matmul,
  randn,
  Generator,
  sin,
  tensor,
  zeros,
} from '../../lib/index.js';
import { defineOp } from '../../lib/autograd/define_op.js';

const { dualLevel, makeDual, unpackDual } = forwardAD;
const values = (t: Tensor | null) => Array.from(t!.toTypedArray() as Float32Array);
const close = (got: Tensor | null, want: number[]) => values(got).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));

describe('forwardAD', () => {
  it('dualLevel returns what its function returns, and the tangent of an op', () => {
    const x = tensor([0.5, 1, 2]);
    const t = tensor([1, 0, 2]);
    const r = dualLevel(() => {
      const y = exp(makeDual(x, t));
      const { primal, tangent } = unpackDual(y);
      return { primal: values(primal), tangent: values(tangent) };
    });
    expect(r.primal).toEqual(values(exp(x)));
    r.tangent.forEach((v, i) => expect(v).toBeCloseTo([Math.exp(0.5), 0, 2 * Math.exp(2)][i], 5));
  });

  it('drops the tangents when the level exits; the primal itself never gets one', () => {
    const x = tensor([1, 2]);
    let dual: Tensor | null = null;
    dualLevel(() => {
      dual = makeDual(x, tensor([3, 4]));
      expect(unpackDual(x).tangent).toBeNull();
      expect(unpackDual(dual).tangent).not.toBeNull();
    });
    expect(unpackDual(dual!).tangent).toBeNull();
    dualLevel(() => expect(unpackDual(dual!).tangent).toBeNull());
  });

  it('the dual shares the primal storage, and reverse mode goes through it', () => {
    const x = tensor([1, 2]).requiresGrad_();
    dualLevel(() => {
      const d = makeDual(x, tensor([1, 1]));
      expect(d.storage).toBe(x.storage);
      d.mul(d).sum().backward();
    });
    expect(values(x.grad)).toEqual([2, 4]);
  });

  it('refuses nesting, a missing level, and tangents that do not fit', () => {
    expect(() => dualLevel(() => dualLevel(() => 0))).toThrow(/nested dual levels are not supported/);
    expect(() => makeDual(tensor([1]), tensor([1]))).toThrow(/forwardAD.makeDual: no dual level is open/);
    dualLevel(() => {
      expect(() => makeDual(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(
        /forwardAD.makeDual: the tangent's shape \[3\] differs from the primal's \[2\]/,
      );
      expect(() => makeDual(tensor([1, 2], { dtype: 'int32' }), tensor([1, 2]))).toThrow(
        /only floating-point tensors can have a tangent, got int32/,
      );
      expect(() => makeDual(tensor([1, 2]), tensor([1, 2], { dtype: 'int32' }))).toThrow(
        /the tangent's dtype int32 differs from the primal's float32/,
      );
      expect(() => unpackDual(3 as unknown as Tensor)).toThrow(
        /forwardAD.unpackDual: expected its argument to be a Tensor/,
      );
    });
    expect(() => dualLevel((async () => 0) as unknown as () => number)).toThrow(/returned a Promise/);
    // A failed level is closed: a new one opens.
    expect(dualLevel(() => 7)).toBe(7);
  });

  it('an op without a JVP rule refuses dual inputs by name', () => {
    const noRule = defineOp({
      name: 'noRule',
      forward: (_ctx, x: Tensor) => x.detach().mul(2),
      backward: (_ctx, g) => [g.mul(2)],
    });
    dualLevel(() => {
      expect(() => noRule(makeDual(tensor([1]), tensor([1])))).toThrow(
        /noRule: forward-mode AD is not implemented for this op \(it has no JVP rule\)/,
      );
      // Without a tangent it runs.
      expect(values(noRule(tensor([1])))).toEqual([2]);
    });
  });

  it('a view of a dual carries the same view of the tangent', () => {
    dualLevel(() => {
      const t = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const d = makeDual(zeros([2, 3]), t);
      const col = unpackDual(d.select(1, 1)).tangent!;
      expect(values(col)).toEqual([2, 5]);
      expect(col.storage).toBe(t.storage);
      expect(values(unpackDual(d.T.reshape([6])).tangent)).toEqual([1, 4, 2, 5, 3, 6]);
    });
  });

  it('in-place ops update the tangent, through views to the base', () => {
    dualLevel(() => {
      const d = makeDual(tensor([1, 2, 3]), tensor([1, 1, 1]));
      d.mul_(tensor([2, 3, 4]));
      expect(values(d)).toEqual([2, 6, 12]);
      expect(values(unpackDual(d).tangent)).toEqual([2, 3, 4]);
      // A view's in-place op writes into the base's tangent.
      d.narrow(0, 1, 2).mul_(d.narrow(0, 0, 2));
      expect(values(d)).toEqual([2, 12, 72]);
      // d(x1 x0) = t1 x0 + x1 t0 = 3*2 + 6*2; d(x2 x1) = 4*6 + 12*3
      expect(values(unpackDual(d).tangent)).toEqual([2, 18, 60]);
    });
  });

  it('an in-place op with a dual operand gives a plain tensor (and its base) a tangent', () => {
    dualLevel(() => {
      const base = zeros([2, 2]);
      const row = base.select(0, 1);
      row.add_(makeDual(tensor([1, 2]), tensor([5, 6])));
      expect(values(base)).toEqual([0, 0, 1, 2]);
      expect(values(unpackDual(row).tangent)).toEqual([5, 6]);
      expect(values(unpackDual(base).tangent)).toEqual([0, 0, 5, 6]);
      // copy_ of a constant over a dual zeroes the tangent there.
      row.copy_(tensor([7, 8]));
      expect(values(unpackDual(base).tangent)).toEqual([0, 0, 0, 0]);
    });
  });

  it('a clone has its own copy of the tangent', () => {
    dualLevel(() => {
      const t = tensor([1, 2]);
      const c = makeDual(tensor([3, 4]), t).clone();
      c.mul_(2);
      expect(values(unpackDual(c).tangent)).toEqual([2, 4]);
      expect(values(t)).toEqual([1, 2]);
    });
  });

  it('tangents that require grad record a graph: reverse over forward gives a Hessian-vector product', () => {
    // f(x) = sum(sin(x) x); the JVP along v is <grad f, v>; its gradient in x is H v.
    const gen = new Generator().manualSeed(3);
    const x = randn([4], { generator: gen }).requiresGrad_();
    const v = randn([4], { generator: gen });
    const hv = dualLevel(() => {
      const y = sin(makeDual(x, v)).mul(makeDual(x, v)).sum();
      const jvp = unpackDual(y).tangent!;
      return autograd.grad(jvp, x)[0]!;
    });
    // H = diag(2 cos x - x sin x)
    const xs = values(x);
    close(
      hv,
      xs.map((xi, i) => (2 * Math.cos(xi) - xi * Math.sin(xi)) * values(v)[i]),
    );
  });

  it('a backward inside a dual level gives the gradient a tangent (forward over reverse)', () => {
    const gen = new Generator().manualSeed(4);
    const a = randn([3, 3], { generator: gen });
    const x = randn([3], { generator: gen }).requiresGrad_();
    const v = randn([3], { generator: gen });
    // f(x) = sum((A x)^2): grad f = 2 Aᵀ A x, H v = 2 Aᵀ A v
    const hv = dualLevel(() => {
      const xd = makeDual(x, v);
      const ax = matmul(a, xd.reshape([3, 1]));
      const [g] = autograd.grad(ax.mul(ax).sum().add(xd.sum()), xd, { createGraph: true });
      return unpackDual(g!).tangent;
    });
    const ata = matmul(a.T, a).mul(2);
    close(hv, values(matmul(ata, v.reshape([3, 1]))));
  });
});
