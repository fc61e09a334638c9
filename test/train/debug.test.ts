// The debugging toolkit of lib/train/debug*.ts (seed 002's checklist).
import { describe, expect, it } from 'vitest';
import { crossEntropy, manualSeed, nn, optim, randint, randn, type Tensor, tensor, train } from '../../lib/index.js';
import { mseLoss } from '../../lib/ops/loss.js';

const { Linear, ReLU, Sequential, Module, Parameter } = nn;

class Net extends Module {
  layers: InstanceType<typeof Sequential>;
  constructor(...mods: InstanceType<typeof Module>[]) {
    super();
    this.layers = new Sequential(...mods);
  }
  forward(x: Tensor): Tensor {
    return this.layers.call(x);
  }
}

class Sqrt extends Module {
  forward(x: Tensor): Tensor {
    return x.sqrt();
  }
}

/** x * sqrt(s): at s = 0 the forward is finite, the gradient of s is not. */
class SqrtScale extends Module {
  s = new Parameter(tensor([0]));
  forward(x: Tensor): Tensor {
    return x.mul(this.s.sqrt());
  }
}

const fill = (t: Tensor, values: number[] | number) => {
  const d = t.data as Float32Array;
  if (typeof values === 'number') d.fill(values);
  else d.set(values);
};

const snapshot = (m: InstanceType<typeof Module>) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.toTypedArray())]));

describe('recordActivations', () => {
  it('a ReLU behind a large negative bias is dead (ratio 1); half-negative biases give 0.5', () => {
    manualSeed(0);
    const net = new Net(new Linear(4, 8), new ReLU(), new Linear(8, 2));
    const first = net.layers[0] as InstanceType<typeof Linear>;
    fill(first.weight, 0.01);
    fill(first.bias!, -100);
    const x = randn([16, 4]);
    const rec = train.recordActivations(net);
    net.call(x);
    expect(rec.get('layers.1')!.deadRatio).toBe(1);
    expect(rec.get('layers.1')!.zeroFraction).toBe(1);
    expect(rec.deadReluRatios()).toEqual({ 'layers.1': 1 });
    expect(rec.get('layers.0')!.deadRatio).toBe(0);

    fill(first.bias!, [-100, 100, -100, 100, -100, 100, 100, 100]);
    rec.reset();
    net.call(x);
    expect(rec.get('layers.1')!.deadRatio).toBe(3 / 8);
    expect(train.deadReluRatio(net, x)).toEqual({ 'layers.1': 3 / 8 });
    expect(rec.table()).toMatch(/layers\.1 +ReLU +\[16, 8\] .* 37\.5$/m);
    rec.remove();
  });

  it('a unit is dead only when zero for every sample of every recorded call', () => {
    const relu = new ReLU();
    const rec = train.recordActivations(relu, { modules: [ReLU] });
    relu.call(
      tensor([
        [1, -1, -1],
        [-1, -1, 2],
      ]),
    );
    expect(rec.get('')!.deadRatio).toBeCloseTo(1 / 3, 12);
    relu.call(tensor([[-1, 5, -1]]));
    const s = rec.get('')!;
    expect(s.deadRatio).toBe(0);
    expect(s.calls).toBe(2);
    expect(s.count).toBe(9);
    rec.remove();
    relu.call(tensor([[1, 1, 1]]));
    expect(rec.get('')!.calls).toBe(2);
    expect(relu._hooks.length).toBe(0);
  });

  it('mean, std (unbiased), min, max and shape over the calls equal the direct values', () => {
    manualSeed(1);
    const lin = new Linear(3, 5);
    const net = new Sequential(lin);
    const rec = train.recordActivations(net, { modules: ['0'], keepOutputs: true });
    const xs = [randn([4, 3]), randn([6, 3])];
    const all: number[] = [];
    for (const x of xs) all.push(...(net.call(x) as Tensor).toTypedArray());
    const n = all.length;
    const mean = all.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const s = rec.get('0')!;
    expect(s.count).toBe(n);
    expect(s.mean).toBeCloseTo(mean, 6);
    expect(s.std).toBeCloseTo(std, 6);
    expect(s.min).toBe(Math.min(...all));
    expect(s.max).toBe(Math.max(...all));
    expect(s.shape).toEqual([6, 5]);
    expect(rec.outputs.get('0')!.shape).toEqual([6, 5]);
    expect(rec.get('')).toBeUndefined();
    rec.remove();
  });
});

describe('detectAnomaly', () => {
  it('names the layer whose forward output first holds NaN, with the index', () => {
    manualSeed(2);
    const net = new Net(new Linear(4, 6), new ReLU(), new Linear(6, 3), new ReLU());
    const w = (net.layers[2] as InstanceType<typeof Linear>).weight.data as Float32Array;
    w[1 * 6 + 2] = NaN; // output unit 1
    const handle = train.detectAnomaly(net);
    let err: unknown;
    try {
      net.call(randn([5, 4]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(train.AnomalyError);
    const a = err as InstanceType<typeof train.AnomalyError>;
    expect(a.message).toBe(
      'detectAnomaly: layers.2 (Linear) produced NaN in its output at index [0, 1] (its inputs were finite)',
    );
    expect([a.where, a.phase, a.index]).toEqual(['layers.2', 'forward', [0, 1]]);
    handle.remove();
    expect(() => net.call(randn([5, 4]))).not.toThrow();
    for (const m of net.modules()) expect([m._hooks.length, m._preHooks.length]).toEqual([0, 0]);
    for (const p of net.parameters()) expect(p._hooks.length).toBe(0);
  });

  it('names a non-finite model input', () => {
    const net = new Net(new Linear(2, 2));
    const x = tensor([
      [1, 2],
      [3, Infinity],
    ]);
    expect(() => train.withAnomalyDetection(net, () => net.call(x))).toThrow(
      'detectAnomaly: input 0 of the model (Net) has Inf at index [1, 1]',
    );
    expect(net._preHooks.length).toBe(0);
  });

  it('names the module whose backward produced a non-finite gradient', () => {
    manualSeed(3);
    // ReLU zeros feed sqrt: finite forward, infinite gradient in Sqrt's backward.
    const net = new Net(new Linear(4, 6), new ReLU(), new Sqrt(), new Linear(6, 1));
    fill((net.layers[0] as InstanceType<typeof Linear>).bias!, [-100, 0, 0, 0, 0, 0]);
    fill((net.layers[3] as InstanceType<typeof Linear>).weight, 1);
    const handle = train.detectAnomaly(net);
    const out = net.call(randn([3, 4]).abs()) as Tensor;
    expect(() => out.sum().backward()).toThrow(
      'detectAnomaly: the backward of layers.2 (Sqrt) produced Inf in the gradient of its input 0 at index [0, 0]',
    );
    handle.remove();
  });

  it('names a parameter whose gradient is non-finite, and a non-finite gradient from the loss', () => {
    const net = new Net(new SqrtScale());
    const handle = train.detectAnomaly(net);
    const out = net.call(tensor([[1, 2]])) as Tensor;
    expect(() => out.sum().backward()).toThrow(
      'detectAnomaly: the gradient of parameter layers.0.s has Inf at index [0]',
    );

    const lin = new Sequential(new Linear(2, 2));
    fill((lin[0] as InstanceType<typeof Linear>).weight, 0);
    fill((lin[0] as InstanceType<typeof Linear>).bias!, 0);
    const h2 = train.detectAnomaly(lin);
    const y = lin.call(tensor([[1, 2]])) as Tensor;
    expect(() => y.sqrt().sum().backward()).toThrow(
      'detectAnomaly: the gradient arriving at the output of the model (Sequential) from the loss has Inf at index [0, 0]',
    );
    handle.remove();
    h2.remove();
  });

  it('stays silent through normal training steps; hooks do not pile up on a reused input', () => {
    manualSeed(4);
    const net = new Net(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    const opt = new optim.SGD([...net.parameters()], { lr: 0.1 });
    const handle = train.detectAnomaly(net);
    const x = randn([8, 3]).requiresGrad_();
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      crossEntropy(net.call(x) as Tensor, randint(0, 2, [8])).backward();
      opt.step();
    }
    for (const p of net.parameters()) expect(p._hooks.length).toBe(1);
    expect(x._hooks.length).toBe(1); // one hook on the reused input, whatever the steps
    handle.remove();
    expect(x._hooks.length).toBe(0);
  });
});

describe('gradientStats', () => {
  it('equals the values computed by hand', () => {
    // loss = sum(x W^T + b): dW[j] = sum_n x[n] = [5, 7, 9] for each j, db = [2, 2].
    const lin = new Linear(3, 2);
    fill(lin.weight, 0.5);
    fill(lin.bias!, 0);
    const net = new Net(lin);
    (net as unknown as { unused: unknown }).unused = new Parameter(tensor([1, 2]));
    (
      net.call(
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ) as Tensor
    )
      .sum()
      .backward();
    const r = train.gradientStats(net, { exploding: 10, vanishing: 3 });
    const w = r.get('layers.0.weight')!;
    expect(w.shape).toEqual([2, 3]);
    expect(w.norm).toBeCloseTo(Math.sqrt(310), 5);
    expect(w.mean).toBeCloseTo(7, 6);
    expect(w.std).toBeCloseTo(Math.sqrt(16 / 5), 6);
    expect(w.maxAbs).toBe(9);
    expect(w.paramNorm).toBeCloseTo(Math.sqrt(1.5), 6);
    expect(w.ratio).toBeCloseTo(Math.sqrt(310 / 1.5), 5);
    expect([w.exploding, w.vanishing, w.nonFinite]).toEqual([true, false, 0]);
    const b = r.get('layers.0.bias')!;
    expect([b.norm, b.mean, b.std, b.maxAbs, b.paramNorm, b.ratio]).toEqual([Math.sqrt(8), 2, 0, 2, 0, Infinity]);
    expect([b.exploding, b.vanishing]).toEqual([false, true]);
    expect(r.totalNorm).toBeCloseTo(Math.sqrt(318), 5);
    expect(r.withoutGrad).toEqual(['unused']);
    expect(r.exploding).toEqual(['layers.0.weight']);
    expect(r.vanishing).toEqual(['layers.0.bias']);
    const text = r.table();
    expect(text).toMatch(/layers\.0\.weight +\[2, 3\] +17\.6068 +7\.0000 +1\.7889 +9\.0000 +14\.3759 +EXPLODING/);
    expect(text).toMatch(/no gradient: unused/);
  });

  it('counts non-finite gradient elements', () => {
    const p = new Parameter(tensor([1, 2, 3]));
    const holder = new Net();
    (holder as unknown as { p: unknown }).p = p;
    p.grad = tensor([1, NaN, Infinity]);
    const s = train.gradientStats(holder).get('p')!;
    expect(s.nonFinite).toBe(2);
    expect(Number.isNaN(s.maxAbs)).toBe(true);
  });
});

function smallProblem(seed: number) {
  manualSeed(seed);
  const model = new Sequential(new Linear(6, 16), new ReLU(), new Linear(16, 3));
  return { model, x: randn([12, 6]), y: randint(0, 3, [12]) };
}

describe('overfitSingleBatch', () => {
  it('a small MLP drives the loss on one batch towards zero', () => {
    const { model, x, y } = smallProblem(5);
    const optimizer = new optim.Adam([...model.parameters()], { lr: 0.05 });
    const r = train.overfitSingleBatch({
      model,
      inputs: x,
      targets: y,
      lossFn: crossEntropy,
      optimizer,
      steps: 200,
      targetLoss: 0.05,
    });
    expect(r.passed).toBe(true);
    expect(r.finalLoss).toBeLessThan(0.05);
    expect(r.initialLoss).toBeGreaterThan(0.5);
    expect(r.losses.length).toBeLessThan(201);
    expect(r.reason).toMatch(/^the loss fell below 0\.05 in \d+ updates/);
  });

  it('fails with lr 0 (the loss never moves) and restores the model when asked', () => {
    const { model, x, y } = smallProblem(6);
    const before = snapshot(model);
    const r = train.overfitSingleBatch({
      model,
      inputs: [x],
      targets: y,
      lossFn: new nn.CrossEntropyLoss(),
      optimizer: new optim.SGD([...model.parameters()], { lr: 0 }),
      steps: 20,
    });
    expect(r.passed).toBe(false);
    expect(r.losses.length).toBe(21);
    expect(new Set(r.losses).size).toBe(1);
    expect(r.reason).toMatch(/did not fall to 0\.1 x the initial loss/);

    const opt = new optim.SGD([...model.parameters()], { lr: 0.5 });
    const r2 = train.overfitSingleBatch({
      model,
      inputs: x,
      targets: y,
      lossFn: crossEntropy,
      optimizer: opt,
      steps: 5,
      stopEarly: false,
      restore: true,
    });
    expect(r2.losses[5]).toBeLessThan(r2.losses[0]);
    expect(snapshot(model)).toEqual(before);
  });
});

describe('lrRangeTest', () => {
  // Linear regression y = x w + noise; MSE's Hessian is ~2I, so SGD diverges past lr ~1.
  function regression() {
    manualSeed(7);
    const w = randn([4, 1]);
    const batches = Array.from({ length: 5 }, () => {
      const x = randn([32, 4]);
      return [x, x.matmul(w).add(randn([32, 1]).mul(0.01))] as [Tensor, Tensor];
    });
    const model = new Sequential(new Linear(4, 1));
    return { batches, model };
  }

  it('the loss blows up past a large lr; the suggestion lies where it falls fastest; all is restored', () => {
    const { batches, model } = regression();
    const optimizer = new optim.SGD([...model.parameters()], { lr: 0.01, momentum: 0.9 });
    // One real step so the optimizer has momentum state to restore.
    optimizer.zeroGrad();
    mseLoss(model.call(batches[0][0]) as Tensor, batches[0][1]).backward();
    optimizer.step();
    const before = snapshot(model);
    const momentum = Array.from(
      (optimizer.state.get(model.parameters().next().value!)!.momentumBuffer as Tensor).toTypedArray(),
    );

    const r = train.lrRangeTest({
      model,
      data: batches,
      lossFn: mseLoss,
      optimizer,
      startLr: 1e-5,
      endLr: 100,
      numIter: 100,
    });
    expect(r.diverged).toBe(true);
    const stop = r.lrs[r.lrs.length - 1];
    expect(stop).toBeGreaterThan(0.05);
    expect(stop).toBeLessThan(100);
    expect(r.losses[r.losses.length - 1]).toBeGreaterThan(5 * Math.min(...r.losses.slice(0, -1)));
    expect(r.suggestedLr).not.toBeNull();
    expect(r.suggestedLr!).toBeGreaterThan(1e-3);
    expect(r.suggestedLr!).toBeLessThan(0.5);
    expect(r.minLossLr).toBeGreaterThan(r.suggestedLr!);
    expect(r.lrs[0]).toBe(1e-5);
    expect(r.lrs[1] / r.lrs[0]).toBeCloseTo(10 ** (7 / 99), 10);
    expect(r.rawLosses.length).toBe(r.lrs.length);

    expect(snapshot(model)).toEqual(before);
    expect(optimizer.paramGroups[0].lr).toBe(0.01);
    expect(
      Array.from((optimizer.state.get(model.parameters().next().value!)!.momentumBuffer as Tensor).toTypedArray()),
    ).toEqual(momentum);
    for (const p of model.parameters()) expect(p.grad).toBeNull();
  });

  it('linear mode spaces the lrs evenly; a one-shot generator ends the test early', () => {
    const { batches, model } = regression();
    const optimizer = new optim.SGD([...model.parameters()], { lr: 0.01 });
    function* once() {
      yield* batches;
    }
    const r = train.lrRangeTest({
      model,
      data: once(),
      lossFn: mseLoss,
      optimizer,
      startLr: 0.001,
      endLr: 0.1,
      numIter: 12,
      mode: 'linear',
      smoothing: 0,
    });
    expect(r.lrs.length).toBe(5);
    expect(r.lrs[1] - r.lrs[0]).toBeCloseTo(0.009, 12);
    expect(r.lrs[4] - r.lrs[3]).toBeCloseTo(0.009, 12);
    expect(r.losses).toEqual(r.rawLosses);
    expect(() =>
      train.lrRangeTest({ model, data: batches, lossFn: mseLoss, optimizer, startLr: 1, endLr: 0.1 }),
    ).toThrow('endLr (0.1) must be greater than startLr (1)');
  });
});
