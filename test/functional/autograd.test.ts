// autograd.functional against torch.autograd.functional (scripts/gen_fixtures_functional.py):
// the same functions, inputs and vectors; results shaped as torch's (a Tensor or an array).
import { describe, expect, it } from 'vitest';
import {
  autograd,
  nn,
  noGrad,
  sigmoid,
  sin,
  type Tensor,
  tanh,
  tensor,
  Tensor as TensorClass,
} from '../../lib/index.js';
import { decode, type EncodedTensor, expectClose, loadFixture } from '../helpers/fixtures.js';

const { vjp, jvp, jacobian, hessian, hvp, vhp } = autograd.functional;
type Fn = (...xs: Tensor[]) => Tensor | Tensor[];

const ONEHOT = tensor([
  [0, 1, 0],
  [1, 0, 0],
  [0, 0, 1],
]);
const FUNCS: Record<string, Fn> = {
  exp_reducer: (x) => x.exp().sum(1),
  adder: (x, y) => x.mul(2).add(y.mul(3)),
  mlp: (x, w1, b1, w2) => tanh(x.matmul(w1.T).add(b1)).matmul(w2.T),
  two_outputs: (x, y) => [x.mul(y), sin(x)],
  pow_reducer: (x) => x.pow(3).sum(),
  classifier: (x, w) => x.matmul(w).logSoftmax(1).mul(ONEHOT).sum().neg().div(3),
  sigmoid_quadratic: (x, y) => sigmoid(x).mul(y).sum().add(x.mul(x).mul(y).sum()),
};

type Enc = EncodedTensor | Enc[];
interface Case {
  name: string;
  inputs: EncodedTensor[];
  vOut: EncodedTensor[];
  vIn: EncodedTensor[];
  vjp: { output: Enc; result: Enc };
  jvp: { output: Enc; result: Enc };
  jacobian: Enc;
  jacobianForward: Enc;
  hessian?: Enc;
  hvp?: { output: Enc; result: Enc };
  vhp?: { output: Enc; result: Enc };
}

const { cases } = loadFixture<{ cases: Case[] }>('functional');

/** got mirrors want: a Tensor where want is one encoded tensor, an array where want is a list. */
function expectLike(got: unknown, want: Enc, what: string): void {
  if (Array.isArray(want)) {
    expect(Array.isArray(got), `${what}: an array`).toBe(true);
    expect((got as unknown[]).length, `${what}: length`).toBe(want.length);
    want.forEach((w, i) => expectLike((got as unknown[])[i], w, `${what}[${i}]`));
    return;
  }
  expect(got, `${what}: a Tensor`).toBeInstanceOf(TensorClass);
  expectClose(got as Tensor, want, what, 1e-4, 1e-4);
}

describe('autograd.functional against torch.autograd.functional', () => {
  for (const c of cases) {
    const f = FUNCS[c.name];
    const xs = () => c.inputs.map((e) => decode(e));
    const inputs = () => (c.inputs.length === 1 ? xs()[0] : xs());
    const vOut = () => {
      const vs = c.vOut.map((e) => decode(e));
      return c.name === 'two_outputs' ? vs : vs[0];
    };
    const vIn = () => {
      const vs = c.vIn.map((e) => decode(e));
      return c.inputs.length === 1 ? vs[0] : vs;
    };
    describe(c.name, () => {
      it('vjp', () => {
        const [out, res] = vjp(f, inputs(), vOut());
        expectLike(out, c.vjp.output, 'output');
        expectLike(res, c.vjp.result, 'vjp');
      });
      it('jvp (forward mode)', () => {
        const [out, res] = jvp(f, inputs(), vIn());
        expectLike(out, c.jvp.output, 'output');
        expectLike(res, c.jvp.result, 'jvp');
      });
      it('jacobian, reverse mode', () => {
        expectLike(jacobian(f, inputs()), c.jacobian, 'jacobian');
      });
      it('jacobian, forward mode', () => {
        expectLike(jacobian(f, inputs(), { vectorize: true, strategy: 'forward-mode' }), c.jacobianForward, 'jacobian');
      });
      if (c.hessian) {
        it('hessian', () => {
          expectLike(hessian(f, inputs()), c.hessian!, 'hessian');
        });
        it('hvp and vhp', () => {
          const [out, h] = hvp(f, inputs(), vIn());
          expectLike(out, c.hvp!.output, 'output');
          expectLike(h, c.hvp!.result, 'hvp');
          expectLike(vhp(f, inputs(), vIn())[1], c.vhp!.result, 'vhp');
        });
      }
    });
  }
});

describe('an LSTM', () => {
  const lstm = loadFixture<{
    lstm: {
      params: Record<string, EncodedTensor>;
      x: EncodedTensor;
      v: EncodedTensor;
      output: EncodedTensor;
      hvp: EncodedTensor;
      vhp: EncodedTensor;
    };
  }>('functional').lstm;
  it("Hessian-vector products in its input match PyTorch's (double backward through the recurrence)", () => {
    const m = new nn.LSTM(2, 3);
    noGrad(() => {
      for (const [name, p] of m.namedParameters()) p.copy_(decode(lstm.params[name]));
    });
    const f = (x: Tensor) => m.forward(x)[0].pow(2).sum();
    const [out, hv] = hvp(f, decode(lstm.x), decode(lstm.v));
    expectClose(out as Tensor, lstm.output, 'output', 1e-4, 1e-4);
    expectClose(hv as Tensor, lstm.hvp, 'hvp', 1e-4, 1e-3);
    expectClose(vhp(f, decode(lstm.x), decode(lstm.v))[1] as Tensor, lstm.vhp, 'vhp', 1e-4, 1e-3);
  });
});

describe('autograd.functional options and errors', () => {
  const x = () => tensor([0.5, -1, 2]);
  it('createGraph keeps a graph; without it results are detached', () => {
    const a = x().requiresGrad_();
    const [, g] = vjp((t) => t.mul(t).sum(), a, null, { createGraph: true });
    expect((g as Tensor).requiresGrad).toBe(true);
    (g as Tensor).sum().backward();
    expect(Array.from(a.grad!.toTypedArray())).toEqual([2, 2, 2]);
    const [out, g2] = vjp((t) => t.mul(t).sum(), a);
    expect((out as Tensor).requiresGrad).toBe(false);
    expect((g2 as Tensor).requiresGrad).toBe(false);
    const [, j] = jvp((t) => t.mul(t), a, x(), { createGraph: true });
    expect((j as Tensor).requiresGrad).toBe(true);
  });
  it('an output independent of an input gives zeros, or an error in strict mode', () => {
    const f = (a: Tensor, _b: Tensor) => a.mul(2).sum();
    const [, g] = vjp(f, [x(), x()]);
    expect(Array.from((g as Tensor[])[1].toTypedArray())).toEqual([0, 0, 0]);
    expect(() => vjp(f, [x(), x()], null, { strict: true })).toThrow(
      /autograd.functional.vjp: the output of the user-provided function is independent of input 1; this is not allowed in strict mode/,
    );
    expect(() => jacobian(f, [x(), x()], { strict: true })).toThrow(/output 0 .* independent of input 1/);
    expect(Array.from((jacobian(f, [x(), x()]) as Tensor[])[1].toTypedArray())).toEqual([0, 0, 0]);
    expect(() => hessian((a: Tensor) => a.sum(), x(), { strict: true })).toThrow(/independent of input 0/);
    expect(Array.from((hessian((a: Tensor) => a.sum(), x()) as Tensor).toTypedArray())).toEqual(new Array(9).fill(0));
  });
  it('a Hessian through a loss whose backward is a kernel equals the one through the same loss written with ops', () => {
    const target = tensor([
      [1, 0, 2],
      [0, 1, 1],
      [2, 2, 0],
    ]);
    const f = (a: Tensor, w: Tensor) => nn.functional.mseLoss(a.matmul(w), target);
    const a = tensor([
      [0.1, 0.2],
      [0.3, -0.4],
      [0.5, 0.6],
    ]);
    const w = tensor([
      [1, 0, -1],
      [0.5, 0.5, 2],
    ]);
    const byOps = (a: Tensor, w: Tensor) => a.matmul(w).sub(target).pow(2).mean();
    const same = (got: Tensor[], want: Tensor[]) =>
      got.forEach((g, i) => {
        expect(g.shape).toEqual(want[i].shape);
        const wv = want[i].toTypedArray();
        g.toTypedArray().forEach((v, k) => expect(v).toBeCloseTo(wv[k], 5));
      });
    same((hessian(f, [a, w]) as Tensor[][]).flat(), (hessian(byOps, [a, w]) as Tensor[][]).flat());
    same((hvp(f, [a, w], [a, w]) as [Tensor, Tensor[]])[1], (hvp(byOps, [a, w], [a, w]) as [Tensor, Tensor[]])[1]);
  });

  it('rejects bad arguments by name', () => {
    expect(() => vjp((t) => t, x())).toThrow(
      /autograd.functional.vjp: v can be omitted only when the output of the user-provided function is a single Tensor with a single element/,
    );
    expect(() => jvp((t) => t, x(), tensor([1, 2]))).toThrow(
      /autograd.functional.jvp: v\[0\] has shape \[2\], but the input has shape \[3\] there/,
    );
    expect(() => vjp((t) => t.sum(), [x(), 3 as unknown as Tensor])).toThrow(
      /autograd.functional.vjp: inputs must be a Tensor or an array of Tensors, but the value at index 1 is number/,
    );
    expect(() => jacobian((t) => t, x(), { strategy: 'forward-mode' })).toThrow(
      /the 'forward-mode' strategy is only implemented with vectorize: true/,
    );
    expect(() => jacobian((t) => t, x(), { strategy: 'sideways' as 'forward-mode' })).toThrow(
      /strategy must be 'reverse-mode' or 'forward-mode', got 'sideways'/,
    );
    expect(() => hessian((t) => t, x())).toThrow(/must have a single element, got shape \[3\]/);
    expect(() => jvp((t) => t, x(), x(), { create_graph: true } as never)).toThrow(/autograd.functional.jvp/);
    expect(() => vjp(3 as unknown as Fn, x())).toThrow(/func must be a function, got number/);
  });
});
