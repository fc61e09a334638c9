import { describe, expect, it } from 'vitest';
import {
  addbmm,
  addmm,
  addmv,
  addr,
  autocast,
  autograd,
  baddbmm,
  bmm,
  enableGrad,
  forwardAD,
  full,
  matmul,
  mm,
  mul,
  ones,
  type Tensor,
  tensor,
  zeros,
} from '../../lib/index.js';
import { decode, type EncodedTensor, expectClose, type FixtureCase, loadFixture } from '../helpers/fixtures.js';
import { randomFloats } from '../helpers/native.js';
import { describeOps } from '../helpers/opinfo.js';
import { addmmOps } from './declarations/addmm.js';

describeOps(addmmOps);

function rand(shape: number[], seed: number): Tensor {
  return tensor(
    randomFloats(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
  ).reshape(shape);
}

/** Whether every value is a bfloat16 (the low half of its float32 pattern is zero). */
function allBf16(t: Tensor): boolean {
  return new Uint32Array(t.contiguous().toTypedArray().slice().buffer).every((w) => (w & 0xffff) === 0);
}

describe('addmm and its family', () => {
  it('beta 0 ignores NaN and infinities in input; other betas scale it', () => {
    const [a, b] = [rand([3, 5], 1), rand([5, 4], 2)];
    const product = matmul(a, b).mul(1.5);
    expect(addmm(full([3, 4], NaN), a, b, { beta: 0, alpha: 1.5 }).tolist()).toEqual(product.tolist());
    expect(addmm(full([4], Infinity), a, b, { beta: 0, alpha: 1.5 }).tolist()).toEqual(product.tolist());
    const got = addmm(ones([3, 1]), a, b, { beta: -2, alpha: 1.5 });
    expect(got.sub(product.sub(2)).abs().max().item()).toBeLessThan(1e-5);
  });

  it('an empty product leaves beta * input, as torch', () => {
    expect(addmm(ones([2, 3]), zeros([2, 0]), zeros([0, 3]), { beta: 0.5 }).tolist()).toEqual([
      [0.5, 0.5, 0.5],
      [0.5, 0.5, 0.5],
    ]);
    expect(addmm(full([2, 3], NaN), zeros([2, 0]), zeros([0, 3]), { beta: 0 }).tolist()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('addbmm sums baddbmm over the batch; methods call the functions', () => {
    const [b1, b2, x] = [rand([4, 3, 6], 3), rand([4, 6, 2], 4), rand([3, 2], 5)];
    const summed = bmm(b1, b2).sum(0).mul(0.5).add(x.mul(2));
    expect(addbmm(x, b1, b2, { beta: 2, alpha: 0.5 }).sub(summed).abs().max().item()).toBeLessThan(1e-5);
    expect(x.addbmm(b1, b2, { beta: 2, alpha: 0.5 }).tolist()).toEqual(
      addbmm(x, b1, b2, { beta: 2, alpha: 0.5 }).tolist(),
    );
    expect(x.baddbmm(b1, b2).tolist()).toEqual(baddbmm(x, b1, b2).tolist());
    expect(x.addmm(b1.select(0, 0), b2.select(0, 0)).tolist()).toEqual(
      addmm(x, b1.select(0, 0), b2.select(0, 0)).tolist(),
    );
    const v = rand([6], 6);
    expect(x.select(1, 0).addmv(b1.select(0, 0), v).tolist()).toEqual(
      addmv(x.select(1, 0), b1.select(0, 0), v).tolist(),
    );
    expect(x.addr(x.select(1, 0), x.select(0, 0)).tolist()).toEqual(addr(x, x.select(1, 0), x.select(0, 0)).tolist());
  });

  it('under autocast addmm, addbmm and baddbmm multiply in bf16 and round to it; addmv and addr stay float32', () => {
    const [x, a, b] = [rand([3, 4], 7), rand([3, 40], 8), rand([40, 4], 9)];
    const [b1, b2] = [rand([2, 3, 40], 10), rand([2, 40, 4], 11)];
    const cases: [string, () => Tensor, boolean][] = [
      ['addmm', () => addmm(x, a, b, { beta: 0.5, alpha: 2 }), true],
      ['baddbmm', () => baddbmm(x, b1, b2, { beta: 0.5, alpha: 2 }), true],
      ['addbmm', () => addbmm(x, b1, b2, { beta: 0.5, alpha: 2 }), true],
      ['addmv', () => addmv(x.select(1, 0), a, b.select(1, 0), { beta: 0.5, alpha: 2 }), false],
      ['addr', () => addr(x, x.select(1, 0), x.select(0, 0), { beta: 0.5, alpha: 2 }), false],
    ];
    for (const [name, f, lowered] of cases) {
      const exact = f();
      const cast = autocast({}, f);
      expect(cast.dtype, name).toBe('float32');
      if (!lowered) {
        expect(cast.tolist(), name).toEqual(exact.tolist());
        continue;
      }
      expect(allBf16(cast), name).toBe(true);
      // bf16 operands (8 significant bits) and a bf16 result: within a few bf16 steps of float32's.
      const err = Number(cast.sub(exact).abs().max().item()) / Number(exact.abs().max().item());
      expect(err, name).toBeLessThan(2 ** -6);
      expect(err, name).toBeGreaterThan(0);
    }
  });

  it("under autocast addmm, baddbmm and addbmm match PyTorch 1.13's, output and gradients", () => {
    const fns: Record<string, typeof addmm> = { addmm, baddbmm, addbmm };
    for (const c of loadFixture('linalg').addmmAutocast as FixtureCase[]) {
      const { op, beta, alpha } = c.args as { op: string; beta: number; alpha: number };
      const [x, a, b] = c.inputs.map((e) => decode(e, true));
      const out = autocast({}, () => fns[op](x, a, b, { beta, alpha }));
      // Within 2^-6 of the largest value: PyTorch's bf16 GEMM rounds its partial sums, myelin's sums
      // in fp32 and rounds once (1 to 2 bf16 steps apart at k = 40), and the fixture keeps 6 digits.
      const near = (got: Tensor | null, want: EncodedTensor, what: string) =>
        expectClose(got, want, what, 2 ** -6 * Math.max(...want.data.map((v) => Math.abs(Number(v)))), 0);
      near(out, c.output, `${c.name}: output`);
      expect(allBf16(out), c.name).toBe(true);
      out.backward(decode(c.gradOutput!));
      for (const [i, t] of [x, a, b].entries()) near(t.grad, c.grads![i]!, `${c.name}: grad ${i}`);
    }
  });

  it("under autocast input's gradient is bf16 as PyTorch 1.13's: grad, beta * grad and its sum rounded", () => {
    // The gradient reaching addmm is not bf16 (a float32 op after it): torch rounds it on the way in.
    const g = tensor([
      [1 / 3, 0.1, 0.7],
      [1.1, -2 / 3, 0.05],
    ]);
    const [a, b] = [ones([2, 5]), ones([5, 3])];
    // torch.addmm(x, a, b, beta=beta, alpha=2) under torch.autocast('cpu', dtype=torch.bfloat16),
    // backward(g): x.grad (PyTorch 1.13.1).
    // beta 0.3 multiplies as the bf16 0.30078125 (torch's bf16 product with a scalar).
    const cases: [number[], number, number[] | number[][]][] = [
      [
        [2, 3],
        0.3,
        [
          [0.1005859375, 0.0301513671875, 0.2099609375],
          [0.33203125, -0.201171875, 0.01507568359375],
        ],
      ],
      [[3], 0.3, [0.43359375, -0.1708984375, 0.224609375]],
      [
        [2, 3],
        1,
        [
          [0.333984375, 0.10009765625, 0.69921875],
          [1.1015625, -0.66796875, 0.050048828125],
        ],
      ],
      [[3], 1, [1.4375, -0.56640625, 0.75]],
    ];
    for (const [shape, beta, want] of cases) {
      const x = zeros(shape).requiresGrad_();
      autocast({}, () => addmm(x, a, b, { beta, alpha: 2 })).backward(g);
      expect(x.grad!.tolist(), `shape [${shape}] beta ${beta}`).toEqual(want);
      // A backward that records a graph (createGraph) rounds alike, as PyTorch's.
      const y = autocast({}, () => addmm(x, a.clone().requiresGrad_(), b, { beta, alpha: 2 }));
      const [gx] = enableGrad(() => autograd.grad(y, [x], { gradOutputs: [g], createGraph: true }));
      expect(gx!.tolist(), `createGraph: shape [${shape}] beta ${beta}`).toEqual(want);
    }
  });

  it("under autocast the forward-mode tangent is bf16 as PyTorch 1.13's: beta t_input + t_a b + a t_b, each rounded", () => {
    const mk = (r: number, c: number, off: number, f: (v: number) => number) =>
      tensor(Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => f(off + i * c + j))));
    const x = mk(3, 5, 1, Math.sin);
    const a = mk(3, 4, 2, Math.cos);
    const b = mk(4, 5, 3, (v) => Math.sin(0.7 * v));
    const [tx, ta, tb] = [
      mk(3, 5, 5, (v) => Math.sin(2.1 * v)),
      mk(3, 4, 6, (v) => Math.cos(0.4 * v)),
      mk(4, 5, 7, (v) => Math.sin(1.9 * v)),
    ];
    // The same addmm(x, a, b, beta=0.3) with these tangents under forward_ad and torch.autocast('cpu',
    // dtype=torch.bfloat16), PyTorch 1.13.1: the tangent (bf16). torch's bf16 products round
    // otherwise than the GEMM here (its output differs by an ulp too): within a few bf16 ulps.
    const want = [
      -0.9453125, -0.5859375, 0.25, -0.47265625, 0.009765625, 0.65625, 0.140625, -0.5234375, 1.09375, 0.9765625,
      -0.22265625, 0.369140625, 0.96875, -0.138671875, -0.80859375,
    ];
    const tangent = forwardAD.dualLevel(() => {
      const y = autocast({}, () =>
        addmm(forwardAD.makeDual(x, tx), forwardAD.makeDual(a, ta), forwardAD.makeDual(b, tb), { beta: 0.3 }),
      );
      return forwardAD.unpackDual(y).tangent!;
    });
    expect(tangent.dtype).toBe('float32');
    const got = Array.from(tangent.toTypedArray());
    expect(got).toEqual(Array.from(tangent.bfloat16().float().toTypedArray())); // bf16 values
    got.forEach((v, i) => expect(Math.abs(v - want[i]), `element ${i}`).toBeLessThanOrEqual(2 ** -6 * 1.1));
  });

  it('under autocast with alpha the tangent rounds each product and then its alpha multiple, as PyTorch 1.13', () => {
    // torch's formula maybe_multiply(t_a.mm(b), alpha) on bf16: the product rounded, times alpha
    // rounded again (not alpha inside one rounded GEMM).
    const mk = (r: number, c: number, off: number, f: (v: number) => number) =>
      tensor(Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => f(off + i * c + j))));
    const [x, a, b] = [mk(6, 7, 1, Math.sin), mk(6, 9, 2, Math.cos), mk(9, 7, 3, (v) => Math.sin(0.7 * v))];
    const [ta, tb] = [mk(6, 9, 6, (v) => Math.cos(0.4 * v)), mk(9, 7, 7, (v) => Math.sin(1.9 * v))];
    const alpha = 0.3;
    const tangentOf = (dualA: boolean) =>
      forwardAD.dualLevel(() => {
        const p = dualA ? forwardAD.makeDual(a, ta) : a;
        const q = dualA ? b : forwardAD.makeDual(b, tb);
        return forwardAD.unpackDual(autocast({}, () => addmm(x, p, q, { alpha }))).tangent!;
      });
    const [tangentA, tangentB] = [tangentOf(true), tangentOf(false)];
    const product = (p: Tensor, q: Tensor) => autocast({}, () => mm(p, q));
    const want = (t: Tensor) => Array.from(mul(t.bfloat16(), alpha).float().toTypedArray());
    expect(Array.from(tangentA.toTypedArray())).toEqual(want(product(ta, b)));
    expect(Array.from(tangentB.toTypedArray())).toEqual(want(product(a, tb)));
  });

  it('gradients: input gets beta * grad summed over its broadcast dims, zeros at beta 0', () => {
    const x = rand([4], 12).requiresGrad_();
    const [a, b] = [rand([3, 5], 13).requiresGrad_(), rand([5, 4], 14)];
    addmm(x, a, b, { beta: 0.5, alpha: 2 }).sum().backward();
    expect(x.grad!.tolist()).toEqual([1.5, 1.5, 1.5, 1.5]);
    expect(
      a
        .grad!.sub(b.sum(1).mul(2).expand([3, 5]))
        .abs()
        .max()
        .item(),
    ).toBeLessThan(1e-5);
    const y = rand([3, 4], 15).requiresGrad_();
    addmm(y, a, b, { beta: 0 }).sum().backward();
    expect(y.grad!.abs().sum().item()).toBe(0);
  });
});
