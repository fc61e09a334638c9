// float64 normalisation, the RNN layers and the optimizers against torch 1.13's float64 results
// (scripts/gen_fixtures_float64_layers.py): batchNorm (training, with its running statistics,
// and eval), layerNorm and groupNorm with every gradient; LSTM and GRU (layers, both directions,
// a projection, packed sequences) with the gradients of the input, the states and every
// parameter; a few steps of each optimizer, under every ISA.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';
import { Tensor as TensorClass } from '../../lib/tensor.js';
import { decodeFloat64, type EncodedFloat64, expectCloseFloat64, loadFixture } from '../helpers/fixtures.js';
import { supportedIsas, withIsa, withThreads } from '../helpers/native.js';

interface NormCase {
  op: 'batchNorm' | 'layerNorm' | 'groupNorm';
  args: Record<string, any>;
  inputs: Record<string, EncodedFloat64>;
  state: Record<string, EncodedFloat64>;
  out: EncodedFloat64;
  gradOut: EncodedFloat64;
  grads: Record<string, EncodedFloat64>;
  stateAfter: Record<string, EncodedFloat64>;
}
interface RnnCase {
  mode: 'lstm' | 'gru';
  options: { hidden: number; layers: number; bidirectional: boolean; proj?: number };
  lengths: number[] | null;
  params: Record<string, EncodedFloat64>;
  x: EncodedFloat64;
  states: EncodedFloat64[];
  out: EncodedFloat64;
  finals: EncodedFloat64[];
  gradOut: EncodedFloat64;
  gradFinals: EncodedFloat64[];
  gradX: EncodedFloat64;
  gradStates: EncodedFloat64[];
  gradParams: Record<string, EncodedFloat64>;
}

interface OptimCase {
  name: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, number | boolean | number[]>;
  param: EncodedFloat64;
  grads: EncodedFloat64[];
  after: EncodedFloat64[];
  state: Record<string, EncodedFloat64>;
}

const fx = loadFixture<{ norms: NormCase[]; rnns: RnnCase[]; optims: OptimCase[] }>('float64_layers');
const F = m.nn.functional;

describe('float64 normalisation (torch 1.13)', () => {
  for (const c of fx.norms) {
    it(`${c.op} ${JSON.stringify(c.args)}`, () => {
      const leaves = Object.fromEntries(
        Object.entries(c.inputs).map(([k, v]) => [k, decodeFloat64(v).requiresGrad_()]),
      );
      const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decodeFloat64(v)]));
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
      expectCloseFloat64(out, c.out, 'out');
      out.backward(decodeFloat64(c.gradOut));
      for (const [k, g] of Object.entries(c.grads)) expectCloseFloat64(leaves[k].grad, g, `grad ${k}`);
      for (const [k, s] of Object.entries(c.stateAfter)) expectCloseFloat64(state[k], s, `${k} after`);
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
  mod.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, decodeFloat64(v)])));
  return mod;
}

describe('float64 LSTM and GRU (torch 1.13)', () => {
  for (const c of fx.rnns) {
    it(`${c.mode} ${JSON.stringify(c.options)}${c.lengths ? ` lengths ${c.lengths}` : ''}`, () => {
      const mod = rnnOf(c, c.x.shape[2]);
      const x = decodeFloat64(c.x).requiresGrad_();
      const states = c.states.map((s) => decodeFloat64(s).requiresGrad_());
      const opts = c.lengths ? { lengths: c.lengths } : {};
      const [out, finals] =
        mod instanceof m.nn.LSTM
          ? (([o, [h, cc]]) => [o, [h, cc]])(mod.forward(x, [states[0], states[1]], opts))
          : (([o, h]) => [o, [h]])((mod as m.nn.GRU).forward(x, states[0], opts));
      expectCloseFloat64(out, c.out, 'output');
      finals.forEach((f, i) => expectCloseFloat64(f, c.finals[i], `final state ${i}`));
      let loss = out.mul(decodeFloat64(c.gradOut)).sum();
      finals.forEach((f, i) => {
        loss = loss.add(f.mul(decodeFloat64(c.gradFinals[i])).sum());
      });
      loss.backward();
      expectCloseFloat64(x.grad, c.gradX, 'grad x');
      states.forEach((s, i) => expectCloseFloat64(s.grad, c.gradStates[i], `grad state ${i}`));
      for (const [k, p] of mod.namedParameters()) expectCloseFloat64(p.grad, c.gradParams[k], `grad ${k}`);
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

// torch's keyword names in camelCase, and its state names as myelin's.
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const stateNames: Record<string, string> = {
  momentum_buffer: 'momentumBuffer',
  exp_avg: 'expAvg',
  exp_avg_sq: 'expAvgSq',
  max_exp_avg_sq: 'maxExpAvgSq',
  square_avg: 'squareAvg',
  grad_avg: 'gradAvg',
  sum: 'sum',
};

describe('float64 optimizer steps (torch 1.13), every ISA', () => {
  for (const c of fx.optims) {
    for (const isa of supportedIsas) {
      it(`${c.name} ${JSON.stringify(c.options)} (${isa})`, () => {
        withIsa(isa, () =>
          withThreads(2, () => {
            const p = new m.nn.Parameter(decodeFloat64(c.param));
            const opts = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [camel(k), v]));
            const opt = new (m.optim[c.name] as any)([p], opts) as m.optim.Optimizer;
            c.grads.forEach((g, i) => {
              p.grad = decodeFloat64(g);
              opt.step();
              expectCloseFloat64(p, c.after[i], `param after step ${i + 1}`);
            });
            const state = opt.state.get(p)!;
            for (const [k, v] of Object.entries(c.state))
              expectCloseFloat64(state[stateNames[k]] as Tensor, v, `state ${k}`);
            // state_dict round trip keeps float64 state; a float32 state loads as float64, as torch casts it.
            const sd = opt.stateDict();
            const again = new (m.optim[c.name] as any)([p], opts) as m.optim.Optimizer;
            const key = Number(Object.keys(sd.state)[0]);
            const cast = Object.fromEntries(
              Object.entries(sd.state[key]).map(([k, v]) => [k, v instanceof TensorClass ? v.to('float32') : v]),
            ) as m.optim.OptimizerStateDict['state'][number];
            again.loadStateDict({ ...sd, state: { [key]: cast } });
            for (const v of Object.values(again.state.get(p)!))
              if (v instanceof TensorClass) expect(v.dtype).toBe('float64');
          }),
        );
      });
    }
  }

  it('clipGradNorm_ scales float64 gradients in double and returns a float64 norm', () => {
    const p = m.zeros([3], { dtype: 'float64' }).requiresGrad_();
    p.grad = m.tensor([3, 4, 12], { dtype: 'float64' });
    const total = m.nn.utils.clipGradNorm_([p], 1);
    expect(total.dtype).toBe('float64');
    expect(total.item()).toBe(13);
    const g = p.grad.toTypedArray() as Float64Array;
    expect(g[0]).toBe(3 * (1 / (13 + 1e-6)));
  });
});

/** The float32 model's parameters copied into a float64 twin (same values, widened exactly). */
function twin<M extends m.nn.Module>(make: () => M): [M, M] {
  m.manualSeed(3);
  const a = make();
  const b = make();
  b.loadStateDict(a.stateDict());
  return [a, b.double()];
}

describe('float64 training agrees with float32', () => {
  const cases: [string, () => m.nn.Module, (mod: m.nn.Module, x: Tensor) => Tensor, number[]][] = [
    [
      'TransformerEncoderLayer + Adam',
      () => new m.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
      (mod, x) => (mod as m.nn.TransformerEncoderLayer).forward(x),
      [2, 5, 8],
    ],
    [
      'LSTM + SGD momentum',
      () => new m.nn.LSTM(4, 6, { numLayers: 2, batchFirst: true }),
      (mod, x) => (mod as m.nn.LSTM).forward(x)[0],
      [3, 5, 4],
    ],
  ];
  for (const [name, make, run, shape] of cases) {
    it(name, () => {
      const [f32, f64m] = twin(make);
      m.manualSeed(4);
      const x = m.randn(shape);
      const target = m.randn(shape.slice(0, -1).concat(name.startsWith('LSTM') ? 6 : 8));
      const optOf = (mod: m.nn.Module) =>
        name.includes('Adam')
          ? new m.optim.Adam(mod.parameters(), { lr: 1e-2 })
          : new m.optim.SGD(mod.parameters(), { lr: 0.1, momentum: 0.9 });
      const [o32, o64] = [optOf(f32), optOf(f64m)];
      const losses: number[][] = [[], []];
      for (let step = 0; step < 4; step++) {
        for (const [k, mod, opt, xi, ti] of [
          [0, f32, o32, x, target],
          [1, f64m, o64, x.double(), target.double()],
        ] as const) {
          opt.zeroGrad();
          const loss = m.nn.functional.mseLoss(run(mod, xi), ti);
          expect(loss.dtype).toBe(k === 0 ? 'float32' : 'float64');
          loss.backward();
          opt.step();
          losses[k].push(loss.item());
        }
      }
      // The float32 run rounds every op: agreement within float32's error, growing with the steps.
      losses[0].forEach((l, i) => expect(Math.abs(l - losses[1][i])).toBeLessThan(1e-5 * (1 + Math.abs(l))));
      // The trained models compute the same function. (Their raw parameters may not agree to
      // float32's error under Adam: the attention's key bias has a zero gradient in exact
      // arithmetic, float32 rounding noise there, which Adam's normalised step turns into +-lr.)
      for (const p of f64m.parameters()) expect(p.dtype).toBe('float64');
      const y32 = run(f32, x).toTypedArray() as Float32Array;
      const y64 = run(f64m, x.double()).toTypedArray() as Float64Array;
      y64.forEach((v, j) => expect(Math.abs(v - y32[j])).toBeLessThan(1e-4 * (1 + Math.abs(v))));
    });
  }
});

describe('float64 in-place copy', () => {
  it('copy_ into a float64 tensor that is part of a graph: the gradient reaches src, the old value gets none', () => {
    const a = m.randn([2, 3], { dtype: 'float64' }).requiresGrad_();
    const src = m.randn([3], { dtype: 'float64' }).requiresGrad_();
    const t = a.mul(2);
    t.copy_(src);
    expect(t.dtype).toBe('float64');
    t.sum().backward();
    expect(a.grad!.dtype).toBe('float64');
    expect(Array.from(a.grad!.toTypedArray())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(src.grad!.toTypedArray())).toEqual([2, 2, 2]);
  });
});
