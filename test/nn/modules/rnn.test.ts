import { describe, expect, it } from 'vitest';
import { cat, Generator, gradcheck, manualSeed, nn, noGrad, randn, type Tensor, zeros } from '../../../lib/index.js';
import { type CellMode, gateCount, recurrentLayer } from '../../../lib/ops/rnn_layer.js';
import { forwardADCheck } from '../../helpers/opinfo.js';
import { close, fromEnc, shaped } from '../helpers.js';
import { seq, stateOf } from '../seq_helpers.js';

function dot(a: Tensor, g: number[]): Tensor {
  return a.mul(shaped(g, a.shape)).sum();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function build(c: any): nn.RNN | nn.LSTM | nn.GRU {
  const o = {
    numLayers: c.options.numLayers,
    bidirectional: c.options.bidirectional,
    batchFirst: c.options.batchFirst,
    bias: c.options.bias,
    projSize: c.options.projSize,
  };
  // Only RNN takes a nonlinearity (as in torch, LSTM and GRU reject the option).
  if (c.kind === 'LSTM') return new nn.LSTM(3, 4, o);
  if (c.kind === 'GRU') return new nn.GRU(3, 4, o);
  return new nn.RNN(3, 4, { ...o, nonlinearity: c.options.nonlinearity });
}

describe('RNN / LSTM / GRU against PyTorch', () => {
  for (const c of seq.rnn) {
    it(`${c.kind} ${JSON.stringify(c.options)}${c.h0.length ? ' with h0' : ''}${c.lengths ? ` lengths ${c.lengths}` : ''}`, () => {
      const m = build(c);
      m.loadStateDict(stateOf(c.state));
      const x = fromEnc(c.x, true);
      const h0 = c.h0.map((e: never) => fromEnc(e, true));
      const opts = c.lengths ? { lengths: c.lengths } : {};
      let y: Tensor;
      let finals: Tensor[];
      if (m instanceof nn.LSTM) {
        const [out, [h, cc]] = m.forward(x, h0.length ? [h0[0], h0[1]] : null, opts);
        y = out;
        finals = [h, cc];
      } else {
        const [out, h] = m.forward(x, h0[0] ?? null, opts);
        y = out;
        finals = [h];
      }
      expect(y.shape).toEqual(c.y.shape);
      close(y, c.y.data, 1e-5, 'output');
      finals.forEach((f, i) => {
        expect(f.shape).toEqual(c.finals[i].shape);
        close(f, c.finals[i].data, 1e-5, `final state ${i}`);
      });
      let loss = dot(y, c.g);
      finals.forEach((f, i) => {
        loss = loss.add(dot(f, c.gFinals[i]));
      });
      loss.backward();
      close(x.grad, c.dx, 1e-4, 'dx');
      h0.forEach((h: Tensor, i: number) => close(h.grad, c.dh0[i], 1e-4, `dh0 ${i}`));
      const params = Object.fromEntries(m.namedParameters());
      expect(Object.keys(params).sort()).toEqual(Object.keys(c.grads).sort());
      for (const [k, e] of Object.entries(c.grads))
        close(params[k].grad, (e as { data: number[] }).data, 1e-4, `grad ${k}`);
    });
  }
});

describe('cells against PyTorch', () => {
  for (const c of seq.cells) {
    it(c.kind, () => {
      const m =
        c.kind === 'LSTMCell'
          ? new nn.LSTMCell(3, 4)
          : c.kind === 'GRUCell'
            ? new nn.GRUCell(3, 4)
            : new nn.RNNCell(3, 4);
      m.loadStateDict(stateOf(c.state));
      const x = fromEnc(c.x, true);
      const h0 = c.h0.map((e: never) => fromEnc(e, true));
      const res = m instanceof nn.LSTMCell ? m.forward(x, [h0[0], h0[1]]) : [(m as nn.GRUCell).forward(x, h0[0])];
      res.forEach((r, i) => close(r, c.out[i], 1e-5, `out ${i}`));
      res
        .map((r, i) => dot(r, c.g[i]))
        .reduce((a, b) => a.add(b))
        .backward();
      close(x.grad, c.dx, 1e-4, 'dx');
      h0.forEach((h: Tensor, i: number) => close(h.grad, c.dh0[i], 1e-4, `dh0 ${i}`));
      const params = Object.fromEntries(m.namedParameters());
      for (const [k, e] of Object.entries(c.grads))
        close(params[k].grad, (e as { data: number[] }).data, 1e-4, `grad ${k}`);
    });
  }
});

describe('recurrent modules', () => {
  it('have PyTorch parameter names, shapes and init range', () => {
    manualSeed(0);
    const m = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const names = [...m.namedParameters()].map(([k, p]) => `${k}:${p.shape.join('x')}`);
    expect(names.slice(0, 8)).toEqual([
      'weight_ih_l0:20x3',
      'weight_hh_l0:20x5',
      'bias_ih_l0:20',
      'bias_hh_l0:20',
      'weight_ih_l0_reverse:20x3',
      'weight_hh_l0_reverse:20x5',
      'bias_ih_l0_reverse:20',
      'bias_hh_l0_reverse:20',
    ]);
    expect(names[8]).toBe('weight_ih_l1:20x10');
    const bound = 1 / Math.sqrt(5);
    for (const p of m.parameters()) for (const v of p.toTypedArray()) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Object.fromEntries(new nn.GRU(2, 3).namedParameters()).weight_hh_l0.shape).toEqual([9, 3]);
  });

  it('finite-difference gradients (bidirectional LSTM, 2-layer GRU, bidirectional RNN; with lengths)', () => {
    manualSeed(1);
    for (const make of [
      () => new nn.LSTM(2, 3, { bidirectional: true }),
      () => new nn.GRU(2, 3, { numLayers: 2 }),
      () => new nn.RNN(2, 3, { nonlinearity: 'tanh', bidirectional: true }),
    ]) {
      const m = make();
      const x = randn([4, 2, 2]).requiresGrad_();
      const h0 = randn([m.numLayers * (m.bidirectional ? 2 : 1), 2, 3]).requiresGrad_();
      const params = [...m.parameters()];
      const f = (xx: Tensor, hh: Tensor, w: Tensor) => {
        void w;
        if (m instanceof nn.LSTM) {
          const [y, [h, c]] = m.forward(xx, [hh, hh.mul(0.5)], { lengths: [4, 2] });
          return [y, h, c];
        }
        const [y, h] = (m as nn.GRU).forward(xx, hh, { lengths: [4, 2] });
        return [y, h];
      };
      expect(gradcheck(f, [x, h0, params[1]])).toBe(true);
    }
  });

  it('finite-difference gradients of no-bias / batch-first layers and of the cells', () => {
    manualSeed(8);
    const gru = new nn.GRU(2, 3, { bias: false, batchFirst: true });
    const rnn = new nn.RNN(2, 3, { nonlinearity: 'relu', numLayers: 2 });
    const x = randn([2, 3, 2]).requiresGrad_();
    expect(gradcheck((xx: Tensor) => gru.forward(xx)[0], [x])).toBe(true);
    expect(
      gradcheck(
        (w: Tensor) => {
          void w;
          return rnn.forward(x)[1];
        },
        [[...rnn.parameters()][4]],
      ),
    ).toBe(true);
    const xc = randn([2, 2]).requiresGrad_();
    const h = randn([2, 3]).requiresGrad_();
    const lstmCell = new nn.LSTMCell(2, 3);
    const gruCell = new nn.GRUCell(2, 3);
    expect(gradcheck((a: Tensor, b: Tensor) => lstmCell.forward(a, [b, b.mul(-1)]), [xc, h])).toBe(true);
    expect(gradcheck((a: Tensor, b: Tensor) => gruCell.forward(a, b), [xc, h])).toBe(true);
  });

  it('padding does not leak into the final states', () => {
    manualSeed(2);
    const m = new nn.GRU(2, 3, { bidirectional: true, batchFirst: true });
    const x = randn([2, 5, 2]);
    const [, hFull] = m.forward(x.narrow(0, 1, 1).narrow(1, 0, 3));
    const garbage = x.clone();
    const [y, h] = m.forward(garbage, null, { lengths: [5, 3] });
    close(h.select(1, 1), hFull.select(1, 0).toTypedArray() as unknown as number[], 1e-6, 'h_n of the short sequence');
    expect(Array.from(y.select(0, 1).narrow(0, 3, 2).toTypedArray())).toEqual(new Array(12).fill(0));
  });

  it('dropout between layers only in training', () => {
    manualSeed(3);
    const m = new nn.LSTM(2, 3, { numLayers: 2, dropout: 0.5 });
    const x = randn([3, 2, 2]);
    m.eval();
    const [a] = m.forward(x);
    const [b] = m.forward(x);
    expect(Array.from(a.toTypedArray())).toEqual(Array.from(b.toTypedArray()));
    m.train();
    const [c] = m.forward(x);
    expect(Array.from(c.toTypedArray())).not.toEqual(Array.from(a.toTypedArray()));
  });

  it('no-grad forward (nothing kept for a backward) equals the recorded forward', () => {
    manualSeed(9);
    for (const m of [
      new nn.LSTM(2, 3, { bidirectional: true }),
      new nn.GRU(2, 3, { numLayers: 2 }),
      new nn.RNN(2, 3),
    ]) {
      const x = randn([4, 2, 2]);
      const rec = m.forward(x, null, { lengths: [4, 3] }) as [Tensor, Tensor | Tensor[]];
      const free = noGrad(() => m.forward(x, null, { lengths: [4, 3] })) as [Tensor, Tensor | Tensor[]];
      expect(rec[0].requiresGrad).toBe(true);
      expect(free[0].requiresGrad).toBe(false);
      expect(Array.from(free[0].toTypedArray())).toEqual(Array.from(rec[0].toTypedArray()));
      const a = [rec[1]].flat();
      [free[1]].flat().forEach((f, i) => expect(Array.from(f.toTypedArray())).toEqual(Array.from(a[i].toTypedArray())));
    }
  });

  it('unbatched input', () => {
    manualSeed(4);
    const m = new nn.LSTM(2, 3, { numLayers: 2 });
    const x = randn([4, 2]);
    const [y, [h, c]] = m.forward(x);
    const [yb, [hb, cb]] = m.forward(x.unsqueeze(1));
    expect(y.shape).toEqual([4, 3]);
    expect(h.shape).toEqual([2, 3]);
    close(y, Array.from(yb.toTypedArray()), 1e-6, 'y');
    close(h, Array.from(hb.toTypedArray()), 1e-6, 'h');
    close(c, Array.from(cb.toTypedArray()), 1e-6, 'c');
  });

  it('clear errors for bad inputs and states', () => {
    const m = new nn.LSTM(3, 4, { numLayers: 2 });
    const x = zeros([5, 2, 3]);
    expect(() => m.forward(x, [zeros([1, 2, 4]), zeros([2, 2, 4])])).toThrow(
      'LSTM: expected h_0 of shape [2,2,4], got [1,2,4]',
    );
    expect(() => m.forward(x, [zeros([2, 2, 4]), zeros([2, 3, 4])])).toThrow(/c_0 of shape \[2,2,4\], got \[2,3,4\]/);
    expect(() => m.forward(zeros([5, 2, 2]))).toThrow(/inputSize. Expected 3, got 2/);
    expect(() => m.forward(zeros([5, 2, 3, 1]))).toThrow(/2-D \(unbatched\) or 3-D/);
    expect(() => m.forward(x, null, { lengths: [5, 6] })).toThrow(/\[1, 5\], got 6/);
    expect(() => m.forward(x, null, { lengths: [5] })).toThrow(/1 entries for a batch of 2/);
    expect(() => new nn.GRU(3, 4).forward(x, zeros([1, 2, 5]))).toThrow(
      /GRU: expected h_0 of shape \[1,2,4\], got \[1,2,5\]/,
    );
    expect(() => new nn.RNN(3, 0)).toThrow(/hiddenSize must be a positive integer/);
    expect(() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow(/unknown nonlinearity/);
    expect(() => new nn.LSTMCell(3, 4).forward(zeros([2, 3]), [zeros([2, 5]), zeros([2, 4])])).toThrow(
      /h_0 of shape \[2,4\], got \[2,5\]/,
    );
  });
});

describe('LSTM projSize', () => {
  it("torch's parameter names and shapes, repr, state shapes, gradcheck, errors", () => {
    manualSeed(11);
    const m = new nn.LSTM(3, 5, { projSize: 2, numLayers: 2, bidirectional: true });
    const shapes = Object.fromEntries([...m.namedParameters()].map(([k, p]) => [k, p.shape]));
    expect(shapes.weight_hr_l0).toEqual([2, 5]);
    expect(shapes.weight_hr_l1_reverse).toEqual([2, 5]);
    expect(shapes.weight_hh_l0).toEqual([20, 2]);
    expect(shapes.weight_ih_l1).toEqual([20, 4]); // 2 directions x projSize 2
    expect(m.toString()).toBe('LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True)');
    const [y, [h, c]] = m.forward(randn([4, 2, 3]));
    expect(y.shape).toEqual([4, 2, 4]);
    expect(h.shape).toEqual([4, 2, 2]);
    expect(c.shape).toEqual([4, 2, 5]);
    const small = new nn.LSTM(2, 3, { projSize: 1 });
    const x = randn([3, 1, 2]).requiresGrad_();
    const h0 = randn([1, 1, 1]).requiresGrad_();
    const c0 = randn([1, 1, 3]).requiresGrad_();
    expect(
      gradcheck(
        (a: Tensor, b: Tensor, d: Tensor) => {
          const [out, [hn, cn]] = small.forward(a, [b, d]);
          return [out, hn, cn];
        },
        [x, h0, c0],
      ),
    ).toBe(true);
    expect(() => new nn.LSTM(3, 5, { projSize: 5 })).toThrow(
      /LSTM: projSize \(5\) has to be smaller than hiddenSize \(5\)/,
    );
    expect(() => new nn.GRU(3, 5, { projSize: 2 })).toThrow(/GRU: projSize argument is only supported for LSTM/);
    expect(() => m.forward(randn([4, 2, 3]), [zeros([4, 2, 5]), zeros([4, 2, 5])])).toThrow(
      /LSTM: expected h_0 of shape \[4,2,2\], got \[4,2,5\]/,
    );
  });
});

describe('forward AD (JVP) through the fused recurrent layer op', () => {
  // recurrentLayer's JVP runs its composite recurrence on dual inputs: checked against finite
  // differences and reverse mode along tangents on every input, as the op harness checks ops.
  const configs: [string, CellMode, boolean, number[] | null, boolean][] = [
    ['LSTM', 'lstm', false, null, false],
    ['LSTM reverse with lengths and a projection', 'lstm', true, [3, 1], true],
    ['GRU with lengths', 'gru', false, [2, 3], false],
    ['RNN tanh reverse', 'tanh', true, null, false],
    ['RNN relu', 'relu', false, [1, 3], false],
  ];
  for (const [name, mode, reverse, lengths, proj] of configs) {
    it(name, () => {
      const gen = new Generator().manualSeed(11);
      const [T, B, H] = [3, 2, 3];
      const P = proj ? 2 : H;
      const G = gateCount(mode) * H;
      const r = (...shape: number[]) => randn(shape, { generator: gen }).mul(0.5).requiresGrad_();
      const inputs = [
        r(T, B, G),
        r(B, P),
        ...(mode === 'lstm' ? [r(B, H)] : []),
        r(G, P),
        r(G),
        ...(proj ? [r(P, H)] : []),
      ];
      const cfg = { mode, reverse, lengths: lengths ? Int32Array.from(lengths) : null };
      const f = (...xs: Tensor[]) => {
        const [xproj, h0, ...rest] = xs;
        const c0 = mode === 'lstm' ? rest.shift()! : null;
        const [whh, bhh, whr] = rest;
        const out = recurrentLayer(xproj, h0, c0, whh, bhh, cfg, whr ?? null);
        return cat([out.output.reshape([-1]), out.h.reshape([-1]), ...(out.c ? [out.c.reshape([-1])] : [])], 0);
      };
      expect(forwardADCheck(f, inputs, new Generator().manualSeed(12))).toBe(true);
    });
  }
});
