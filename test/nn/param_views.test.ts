// Modules and optimizers over views: parameters, gradients, optimizer state and inputs that
// start at an offset of their storage or are non-contiguous must give the bits that fresh
// contiguous copies give, and in-place updates must touch exactly the view's elements.
import { describe, expect, it } from 'vitest';
import { data, manualSeed, nn, optim, randn, stack, Tensor } from '../../lib/index.js';

function values(t: Tensor | null): number[] {
  expect(t).not.toBeNull();
  return Array.from(t!.toTypedArray() as Float32Array);
}

/** A [..shape] view at an offset of a larger storage, and a non-contiguous one. */
function offsetView(shape: number[]): Tensor {
  return randn([3, ...shape]).select(0, 1);
}
function stridedView(shape: number[]): Tensor {
  return randn([...shape].reverse()).permute([...shape.keys()].reverse());
}

describe('optimizers on parameter views', () => {
  const makers: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ['SGD momentum nesterov', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['Adam amsgrad', (ps) => new optim.Adam(ps, { lr: 0.01, amsgrad: true })],
    ['AdamW', (ps) => new optim.AdamW(ps, { lr: 0.01 })],
    ['RMSprop centered', (ps) => new optim.RMSprop(ps, { lr: 0.01, momentum: 0.5, centered: true })],
    ['Adagrad', (ps) => new optim.Adagrad(ps, { lr: 0.1 })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: updates exactly the view, as on a fresh parameter; gradients and loaded state as views`, () => {
      manualSeed(3);
      const big = randn([3, 4, 5]);
      const p = new nn.Parameter(big.select(0, 1)); // contiguous at offset 20
      const q = new nn.Parameter(p.detach().clone());
      const around = [...values(big.select(0, 0)), ...values(big.select(0, 2))];
      const optP = make([p]);
      const optQ = make([q]);
      for (let step = 0; step < 3; step++) {
        const g = stridedView([4, 5]); // a non-contiguous gradient at an offset
        p.grad = g;
        q.grad = g.clone();
        optP.step();
        optQ.step();
        expect(values(p)).toEqual(values(q));
      }
      expect([...values(big.select(0, 0)), ...values(big.select(0, 2))]).toEqual(around);
      // Loaded state whose tensors are views: a third optimizer continues as the others.
      const sd = optQ.stateDict();
      for (const s of Object.values(sd.state)) {
        for (const [k, v] of Object.entries(s)) {
          if (v instanceof Tensor && v.numel() > 1)
            s[k] = stack([randn([...v.shape].reverse()), v.t()])
              .select(0, 1)
              .t();
        }
      }
      const r = new nn.Parameter(q.detach().clone());
      const optR = make([r]);
      optR.loadStateDict(sd);
      const g = randn([4, 5]);
      q.grad = g;
      r.grad = g.clone();
      optQ.step();
      optR.step();
      expect(values(r)).toEqual(values(q));
    });
  }
});

describe('module state loaded from views', () => {
  it('loadStateDict copies offset and strided sources into the parameters', () => {
    const m = new nn.Linear(4, 3);
    const w = stridedView([3, 4]);
    const b = offsetView([3]);
    m.loadStateDict({ weight: w, bias: b });
    expect(values(m.weight)).toEqual(values(w));
    expect(values(m.bias)).toEqual(values(b));
  });
});

describe('resetParameters over parameters that are views', () => {
  it('Embedding zeroes the padding row of a transposed or offset weight', () => {
    for (const weight of [randn([3, 5]).t(), offsetView([5, 3])]) {
      const base = weight.storage.data.slice();
      const m = new nn.Embedding(5, 3, { weight, paddingIdx: 1 });
      m.resetParameters();
      expect(values(m.weight.select(0, 1).detach())).toEqual([0, 0, 0]);
      for (const r of [0, 2, 3, 4]) expect(values(m.weight.select(0, r).detach()).some((v) => v !== 0)).toBe(true);
      // Nothing outside the view was written.
      const inView = new Set<number>();
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 3; j++) inView.add(weight.offset + i * weight.strides[0] + j * weight.strides[1]);
      for (let k = 0; k < base.length; k++) if (!inView.has(k)) expect(m.weight.storage.data[k]).toBe(base[k]);
    }
  });

  it('BatchNorm1d and GroupNorm reset a non-contiguous weight and bias', () => {
    const bn = new nn.BatchNorm1d(4);
    const gn = new nn.GroupNorm(2, 4);
    for (const m of [bn, gn]) {
      m.weight = new nn.Parameter(randn([4, 2]).select(1, 1));
      m.bias = new nn.Parameter(randn([4, 2]).select(1, 0));
      m.resetParameters();
      expect(values(m.weight)).toEqual([1, 1, 1, 1]);
      expect(values(m.bias)).toEqual([0, 0, 0, 0]);
    }
  });
});

describe('recurrent and attention modules on input views', () => {
  it('LSTM, GRU and RNN give the bits of a contiguous copy, forward and backward', () => {
    manualSeed(4);
    for (const m of [
      new nn.LSTM(3, 4, { numLayers: 2 }),
      new nn.GRU(3, 4, { bidirectional: true }),
      new nn.RNN(3, 4),
    ]) {
      for (const x of [offsetView([5, 2, 3]), stridedView([5, 2, 3])]) {
        const xv = x.requiresGrad_();
        const xc = x.detach().clone().requiresGrad_();
        const run = (input: Tensor): Tensor =>
          m instanceof nn.LSTM ? m.forward(input)[0] : (m as nn.GRU).forward(input)[0];
        const w = randn([2, 5, 2, m instanceof nn.GRU ? 8 : 4]);
        m.zeroGrad();
        const yv = run(xv);
        stack([randn(yv.shape), yv])
          .mul(w)
          .sum()
          .backward(); // the gradient reaches the layer as a view
        const gv = [...m.parameters()].map((p) => values(p.grad));
        m.zeroGrad();
        const yc = run(xc);
        yc.mul(w.select(0, 1).clone()).sum().backward();
        expect(values(yv)).toEqual(values(yc));
        expect(values(xv.grad)).toEqual(values(xc.grad));
        [...m.parameters()].forEach((p, i) => expect(values(p.grad)).toEqual(gv[i]));
      }
    }
  });

  it('MultiheadAttention gives the bits of contiguous copies', () => {
    manualSeed(5);
    const m = new nn.MultiheadAttention(8, 2);
    for (const make of [offsetView, stridedView]) {
      const q = make([3, 2, 8]);
      const k = make([4, 2, 8]);
      const [yv, av] = m.forward(q, k, k);
      const [yc, ac] = m.forward(q.clone(), k.clone(), k.clone());
      expect(values(yv)).toEqual(values(yc));
      expect(values(av)).toEqual(values(ac));
    }
  });
});

describe('batchNorm running statistics that are views', () => {
  it('updates exactly the views, as fresh buffers', () => {
    const x = randn([6, 3, 4]);
    const big = randn([2, 3, 3]);
    const rm = big.select(0, 1).select(1, 2); // strided and at an offset: rejected (must be contiguous)
    expect(() => nn.functional.batchNorm(x, rm, rm.clone(), { training: true })).toThrow(/contiguous/);
    const mean = big.select(0, 1).select(0, 1); // contiguous at offset 12
    const vr = big.select(0, 0).select(0, 2); // contiguous at offset 6
    const rest = values(big.select(0, 1).select(0, 0));
    const mean2 = mean.clone();
    const vr2 = vr.clone();
    const y = nn.functional.batchNorm(x, mean, vr, { training: true, momentum: 0.3 });
    const y2 = nn.functional.batchNorm(x, mean2, vr2, { training: true, momentum: 0.3 });
    expect(values(y)).toEqual(values(y2));
    expect(values(mean)).toEqual(values(mean2));
    expect(values(vr)).toEqual(values(vr2));
    expect(values(big.select(0, 1).select(0, 0))).toEqual(rest);
  });
});

describe('DataLoader over a TensorDataset of views', () => {
  it('batches the rows of offset and strided tensors', () => {
    for (const [xs, ys] of [
      [offsetView([7, 20]), offsetView([7])],
      [stridedView([7, 20]), stridedView([7, 3])],
    ]) {
      const loader = new data.DataLoader(new data.TensorDataset(xs, ys), { batchSize: 3 });
      let at = 0;
      for (const [bx, by] of loader as Iterable<Tensor[]>) {
        const n = bx.shape[0];
        expect(values(bx)).toEqual(values(xs.narrow(0, at, n)));
        expect(values(by)).toEqual(values(ys.narrow(0, at, n)));
        at += n;
      }
      expect(at).toBe(7);
    }
  });
});
