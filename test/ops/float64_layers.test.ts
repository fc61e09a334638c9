// float64 normalisation, the RNN layers and the optimizers against torch 1.13's float64 results
// (scripts/gen_fixtures_float64_layers.py): batchNorm (training, with its running statistics,
// and eval), layerNorm and groupNorm with every gradient; LSTM and GRU (layers, both directions,
// a projection, packed sequences) with the gradients of the input, the states and every
// parameter; a few steps of each optimizer, under every ISA.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';
import { Storage, Tensor as TensorClass } from '../../lib/tensor.js';
import { loadFixture } from '../helpers/fixtures.js';

interface Encoded {
  shape: number[];
  data: number[];
}
interface NormCase {
  op: 'batchNorm' | 'layerNorm' | 'groupNorm';
  args: Record<string, any>;
  inputs: Record<string, Encoded>;
  state: Record<string, Encoded>;
  out: Encoded;
  gradOut: Encoded;
  grads: Record<string, Encoded>;
  stateAfter: Record<string, Encoded>;
}
interface RnnCase {
  mode: 'lstm' | 'gru';
  options: { hidden: number; layers: number; bidirectional: boolean; proj?: number };
  lengths: number[] | null;
  params: Record<string, Encoded>;
  x: Encoded;
  states: Encoded[];
  out: Encoded;
  finals: Encoded[];
  gradOut: Encoded;
  gradFinals: Encoded[];
  gradX: Encoded;
  gradStates: Encoded[];
  gradParams: Record<string, Encoded>;
}

const fx = loadFixture<{ norms: NormCase[]; rnns: RnnCase[] }>('float64_layers');
const F = m.nn.functional;

export const f64 = (e: Encoded): Tensor => new TensorClass(new Storage(Float64Array.from(e.data)), e.shape);

/** |got - want| <= tol (1 + |want|) element by element: torch rounds in another order. */
export function expectClose(got: Tensor | null, want: Encoded, what: string, tol = 1e-12): void {
  expect(got, what).not.toBeNull();
  expect(got!.dtype, what).toBe('float64');
  expect(got!.shape, what).toEqual(want.shape);
  const g = got!.contiguous().toTypedArray() as Float64Array;
  want.data.forEach((w, i) => {
    if (!(Math.abs(g[i] - w) <= tol * (1 + Math.abs(w)))) throw new Error(`${what}[${i}] = ${g[i]}, torch ${w}`);
  });
}

describe('float64 normalisation (torch 1.13)', () => {
  for (const c of fx.norms) {
    it(`${c.op} ${JSON.stringify(c.args)}`, () => {
      const leaves = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, f64(v).requiresGrad_()]));
      const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, f64(v)]));
      const affine = { weight: leaves.weight, bias: leaves.bias, eps: c.args.eps };
      const out =
        c.op === 'batchNorm'
          ? F.batchNorm(leaves.x, state.runningMean, state.runningVar, {
              ...affine,
              training: c.args.training,
              momentum: c.args.momentum,
            })
          : c.op === 'layerNorm'
            ? F.layerNorm(leaves.x, c.args.normalizedShape, affine)
            : F.groupNorm(leaves.x, c.args.groups, affine);
      expectClose(out, c.out, 'out');
      out.backward(f64(c.gradOut));
      for (const [k, g] of Object.entries(c.grads)) expectClose(leaves[k].grad, g, `grad ${k}`);
      for (const [k, s] of Object.entries(c.stateAfter)) expectClose(state[k], s, `${k} after`);
    });
  }

  it('modules after double(): BatchNorm2d keeps float64 running statistics; a float32 weight is refused', () => {
    const bn = new m.nn.BatchNorm2d(3).double();
    const x = m.randn([4, 3, 2, 2], { dtype: 'float64' });
    expect(bn.forward(x).dtype).toBe('float64');
    expect(bn.running_mean!.dtype).toBe('float64');
    expect(() => F.layerNorm(x, [2], { weight: m.ones([2]) })).toThrow(/layerNorm: weight must be a float64 tensor/);
  });
});

function rnnOf(c: RnnCase, inputSize: number): m.nn.LSTM | m.nn.GRU {
  const o = { numLayers: c.options.layers, bidirectional: c.options.bidirectional };
  const mod =
    c.mode === 'lstm'
      ? new m.nn.LSTM(inputSize, c.options.hidden, { ...o, projSize: c.options.proj ?? 0 })
      : new m.nn.GRU(inputSize, c.options.hidden, o);
  mod.double();
  mod.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, f64(v)])));
  return mod;
}

describe('float64 LSTM and GRU (torch 1.13)', () => {
  for (const c of fx.rnns) {
    it(`${c.mode} ${JSON.stringify(c.options)}${c.lengths ? ` lengths ${c.lengths}` : ''}`, () => {
      const mod = rnnOf(c, c.x.shape[2]);
      const x = f64(c.x).requiresGrad_();
      const states = c.states.map((s) => f64(s).requiresGrad_());
      const opts = c.lengths ? { lengths: c.lengths } : {};
      const [out, finals] =
        mod instanceof m.nn.LSTM
          ? (([o, [h, cc]]) => [o, [h, cc]])(mod.forward(x, [states[0], states[1]], opts))
          : (([o, h]) => [o, [h]])((mod as m.nn.GRU).forward(x, states[0], opts));
      expectClose(out, c.out, 'output');
      finals.forEach((f, i) => expectClose(f, c.finals[i], `final state ${i}`));
      let loss = out.mul(f64(c.gradOut)).sum();
      finals.forEach((f, i) => {
        loss = loss.add(f.mul(f64(c.gradFinals[i])).sum());
      });
      loss.backward();
      expectClose(x.grad, c.gradX, 'grad x');
      states.forEach((s, i) => expectClose(s.grad, c.gradStates[i], `grad state ${i}`));
      for (const [k, p] of mod.namedParameters()) expectClose(p.grad, c.gradParams[k], `grad ${k}`);
    });
  }

  it('gradcheck in float64: a bidirectional LSTM with a projection over packed lengths, a GRU cell', () => {
    const lstm = new m.nn.LSTM(2, 3, { bidirectional: true, projSize: 2 }).double();
    const x = m.randn([3, 2, 2], { dtype: 'float64' }).requiresGrad_();
    const h0 = m.randn([2, 2, 2], { dtype: 'float64' }).requiresGrad_();
    const c0 = m.randn([2, 2, 3], { dtype: 'float64' }).requiresGrad_();
    const run = (xi: Tensor, h: Tensor, c: Tensor, w: Tensor) => {
      const [out, [hn, cn]] = lstm.forward(xi.mul(w), [h, c], { lengths: [3, 2] });
      return m.cat([out.reshape([-1]), hn.reshape([-1]), cn.reshape([-1])]);
    };
    const w = m.ones([1], { dtype: 'float64' }).requiresGrad_();
    expect(m.gradcheck(run, [x, h0, c0, w])).toBe(true);
    const cell = new m.nn.GRUCell(3, 2).double();
    const hx = m.randn([2, 2], { dtype: 'float64' }).requiresGrad_();
    expect(
      m.gradcheck(
        (xi: Tensor, h: Tensor) => cell.forward(xi, h),
        [m.randn([2, 3], { dtype: 'float64' }).requiresGrad_(), hx],
      ),
    ).toBe(true);
  });

  it('the cells run in float64, and a float32 state is refused', () => {
    const cell = new m.nn.LSTMCell(3, 4).double();
    const [h, c] = cell.forward(m.randn([2, 3], { dtype: 'float64' }));
    expect([h.dtype, c.dtype]).toEqual(['float64', 'float64']);
    const gru = new m.nn.GRU(3, 4).double();
    expect(() => gru.forward(m.randn([2, 1, 3], { dtype: 'float64' }), m.zeros([1, 1, 4]))).toThrow(
      /h_0 must be float64/,
    );
  });
});
