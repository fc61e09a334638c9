import { describe, expect, it } from 'vitest';
import { manualSeed, nn, randn, type Tensor, tensor, zeros } from '../../lib/index.js';
import { close, fromEnc, fx, shaped } from './helpers.js';

describe('module reprs and state-dict keys equal PyTorch', () => {
  it('a sample model with every layer', () => {
    const model = new nn.Sequential(
      new nn.Flatten(),
      new nn.Unflatten(1, [2, 392]),
      new nn.Flatten(),
      new nn.Linear(784, 256),
      new nn.BatchNorm1d(256),
      new nn.ReLU(),
      new nn.Dropout(0.2),
      new nn.Linear(256, 128, { bias: false }),
      new nn.LayerNorm(128),
      new nn.LeakyReLU(),
      new nn.ELU(),
      new nn.SELU(),
      new nn.GELU(),
      new nn.GELU({ approximate: 'tanh' }),
      new nn.SiLU(),
      new nn.Sigmoid(),
      new nn.Tanh(),
      new nn.Softplus(),
      new nn.Identity(),
      new nn.Sequential(
        new nn.Linear(128, 10),
        new nn.LeakyReLU(0.2, { inplace: true }),
        new nn.ReLU({ inplace: true }),
      ),
      new nn.LogSoftmax(1),
      new nn.Softmax(-1),
    );
    expect(model.toString()).toBe(fx.repr.model);
    expect(Object.keys(model.stateDict())).toEqual(fx.repr.keys);
    // and it runs, forward and backward
    const y = model.call(randn([4, 1, 28, 28])) as Tensor;
    expect(y.shape).toEqual([4, 10]);
    y.sum().backward();
    expect((model[3] as nn.Linear).weight.grad!.shape).toEqual([256, 784]);
  });

  it('options in reprs', () => {
    const extra = [
      new nn.BatchNorm1d(7, { momentum: null, affine: false }),
      new nn.BatchNorm1d(3, { eps: 1e-3, momentum: 0.01, trackRunningStats: false }),
      new nn.LayerNorm([3, 4], { eps: 1e-6, elementwiseAffine: false }),
      new nn.Bilinear(2, 3, 4, { bias: false }),
      new nn.Dropout(),
      new nn.ELU(0.5, { inplace: true }),
      new nn.Softmax(),
      new nn.MSELoss(),
      new nn.CrossEntropyLoss(),
      new nn.BCEWithLogitsLoss(),
      new nn.KLDivLoss({ reduction: 'batchmean' }),
      new nn.Softplus({ beta: 2, threshold: 10 }),
      new nn.Linear(3, 2, { bias: false }),
    ];
    expect(extra.map(String)).toEqual(fx.repr.extra);
    expect(new nn.Sine(30).toString()).toBe('Sine(w0=30.0)');
  });

  it('loss modules keep weight / pos_weight as state-dict buffers', () => {
    const ce = new nn.CrossEntropyLoss({ weight: tensor([1, 2, 3]) });
    expect(Object.keys(ce.stateDict())).toEqual(['weight']);
    const bce = new nn.BCEWithLogitsLoss({ posWeight: tensor([2]) });
    expect(Object.keys(bce.stateDict())).toEqual(['pos_weight']);
    expect(Object.keys(new nn.NLLLoss().stateDict())).toEqual([]);
  });
});

describe('layers', () => {
  it('Bilinear forward and backward against PyTorch', () => {
    const b = fx.bilinear;
    const m = new nn.Bilinear(3, 4, 5);
    expect(m.toString()).toBe(b.repr);
    m.loadStateDict({ weight: fromEnc(b.weight), bias: shaped(b.bias, [5]) });
    const x1 = fromEnc(b.x1, true);
    const x2 = fromEnc(b.x2, true);
    const y = m.call(x1, x2) as Tensor;
    close(y, b.y.data, 1e-5, 'forward');
    y.backward(shaped(b.g, b.y.shape));
    close(x1.grad, b.dx1, 1e-5, 'dx1');
    close(x2.grad, b.dx2, 1e-5, 'dx2');
    close(m.weight.grad, b.dweight, 1e-5, 'dweight');
    close(m.bias!.grad, b.dbias, 1e-5, 'dbias');
    // leading batch dims
    expect((m.call(randn([2, 6, 3]), randn([2, 6, 4])) as Tensor).shape).toEqual([2, 6, 5]);
    expect(() => m.call(randn([2, 3]), randn([2, 5]))).toThrow(/input2 of shape \[2,5\] does not match in2_features 4/);
  });

  it('Bilinear and Linear default init bounds: U(-1/sqrt(in), 1/sqrt(in))', () => {
    manualSeed(0);
    const m = new nn.Bilinear(16, 8, 32);
    const w = m.weight.toTypedArray();
    const bound = 1 / 4;
    let max = 0;
    for (const v of w) max = Math.max(max, Math.abs(v));
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(bound * 0.99);
  });

  it('Flatten / Unflatten', () => {
    const x = randn([2, 3, 4, 5]);
    expect((new nn.Flatten().call(x) as Tensor).shape).toEqual([2, 60]);
    expect((new nn.Flatten(0, 2).call(x) as Tensor).shape).toEqual([24, 5]);
    expect((new nn.Unflatten(1, [2, 30]).call(new nn.Flatten().call(x)) as Tensor).shape).toEqual([2, 2, 30]);
    expect(() => new nn.Unflatten(1, [7, 9]).call(randn([2, 60]))).toThrow();
  });

  it('Dropout: train vs eval, seeded generator', () => {
    const d = new nn.Dropout(0.5);
    const x = randn([1000]);
    manualSeed(9);
    const a = (d.call(x) as Tensor).toTypedArray();
    manualSeed(9);
    const b = (d.call(x) as Tensor).toTypedArray();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.filter((v) => v === 0).length).toBeGreaterThan(400);
    d.eval();
    expect(d.call(x)).toBe(x);
    expect(() => new nn.Dropout(-0.1)).toThrow(/between 0 and 1/);
  });

  it('activation and softmax modules', () => {
    const x = tensor([[-2, -0.5, 0, 0.5, 2]]);
    expect((new nn.ReLU().call(x) as Tensor).tolist()).toEqual([[0, 0, 0, 0.5, 2]]);
    close(new nn.LeakyReLU(0.1).call(x) as Tensor, [-0.2, -0.05, 0, 0.5, 2], 1e-6, 'leaky');
    const s = new nn.Softmax(1).call(x) as Tensor;
    expect(s.sum().item() as number).toBeCloseTo(1, 6);
    // dim=None picks dim 1 for 2-D input, as torch
    close(new nn.Softmax().call(x) as Tensor, Array.from(s.toTypedArray()), 1e-7, 'implicit dim');
    close(new nn.LogSoftmax(1).call(x) as Tensor, Array.from(s.toTypedArray()).map(Math.log), 1e-5, 'logsoftmax');
  });
});

describe('parameter counts, summary and bad inputs', () => {
  it('seed 002: Linear(784,256) + Linear(256,10) has 203,530 parameters', () => {
    const mlp = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
    expect(nn.countParameters(mlp)).toBe(203530);
    mlp[2].requiresGrad_(false);
    expect(nn.countParameters(mlp, { trainableOnly: true })).toBe(200960);
  });

  it('summary: shapes, params, MACs, sizes', () => {
    const mlp = new nn.Sequential(
      new nn.Linear(784, 256),
      new nn.ReLU(),
      new nn.BatchNorm1d(256),
      new nn.Linear(256, 10),
    );
    mlp[3].requiresGrad_(false);
    const before = mlp.training;
    const s = nn.summary(mlp, [32, 784]);
    expect(mlp.training).toBe(before);
    expect((mlp[2] as nn.BatchNorm1d).numBatchesTracked!.item()).toBe(0); // ran in eval mode
    expect(s.totalParams).toBe(203530 + 512);
    expect(s.trainableParams).toBe(203530 + 512 - 2570);
    // torchinfo's rule: a layer's weight and bias elements times the rows (batch) they act on.
    expect(s.totalMacs).toBe(32 * (784 * 256 + 256) + 32 * 512 + 32 * (256 * 10 + 10));
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [32, 10],
      [32, 256],
      [32, 256],
      [32, 256],
      [32, 10],
    ]);
    expect(s.paramBytes).toBe(4 * (203530 + 512));
    expect(s.inputBytes).toBe(4 * 32 * 784);
    const text = s.toString();
    expect(text).toMatch(/├─Linear: 1-1 +\[32, 256\] +200,960 +6,430,720/);
    expect(text).toMatch(/Total params: 204,042/);
    expect(text).toMatch(/Non-trainable params: 2,570/);
    expect(text).toMatch(/Params size \(MB\): 0\.82/);
    const nested = nn.summary(new nn.Sequential(new nn.Sequential(new nn.Linear(4, 4)), new nn.Linear(4, 2)), [1, 4]);
    expect(nested.toString()).toMatch(/│ {4}├─Linear: 2-1/);
    const bil = nn.summary(new nn.Bilinear(3, 4, 5), [
      [2, 3],
      [2, 4],
    ]);
    expect(bil.totalMacs).toBe(2 * (3 * 4 * 5 + 5));
  });

  it('Linear fed the wrong feature size names both shapes', () => {
    expect(() => new nn.Linear(784, 10).call(randn([32, 100]))).toThrow(
      /input of shape \[32,100\] does not match weight \[10,784\]/,
    );
  });

  it('loadStateDict: missing, unexpected and mis-shaped keys are named', () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
    const sd = model.stateDict();
    const missing = { ...sd };
    delete missing['1.running_var'];
    expect(() => model.loadStateDict(missing)).toThrow(/missing keys: 1\.running_var/);
    expect(() => model.loadStateDict({ ...sd, '2.weight': zeros([1]) })).toThrow(/unexpected keys: 2\.weight/);
    expect(() => model.loadStateDict({ ...sd, '0.weight': zeros([4, 3]) })).toThrow(
      /size mismatch for '0\.weight'.*\[4,3\].*\[3,4\]/,
    );
    const r = model.loadStateDict(missing, { strict: false });
    expect(r.missingKeys).toEqual(['1.running_var']);
    // a round trip copies values, buffers included
    const other = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
    other.call(randn([5, 4]));
    model.loadStateDict(other.stateDict());
    const bn = (m: nn.Sequential) => m[1] as nn.BatchNorm1d;
    expect(Array.from(bn(model).runningMean!.toTypedArray())).toEqual(
      Array.from(bn(other).runningMean!.toTypedArray()),
    );
    expect(bn(model).numBatchesTracked!.item()).toBe(1);
  });
});

describe('Module.double, float and to(dtype)', () => {
  class Affine extends nn.Module {
    weight = new nn.Parameter(randn([3]));
    bias = new nn.Parameter(zeros([3]));
    constant = tensor([1, 2, 3]); // a plain tensor field: neither a parameter nor a buffer
    constructor() {
      super();
      this.registerBuffer('running', tensor([0.5, 0.25, 0.125]));
      this.registerBuffer('steps', zeros([1], { dtype: 'int32' }));
    }
    forward(x: Tensor): Tensor {
      return x.mul(this.weight).add(this.bias);
    }
  }

  it('converts every floating parameter, buffer and gradient, keeping a shared parameter shared', () => {
    const inner = new Affine();
    const model = new nn.Sequential(inner, inner);
    const w32 = inner.weight.toTypedArray() as Float32Array;
    model
      .call(randn([2, 3]))
      .sum()
      .backward();
    expect(model.double()).toBe(model);
    expect(inner.weight.dtype).toBe('float64');
    expect(inner.weight.requiresGrad).toBe(true);
    expect(Array.from(inner.weight.toTypedArray())).toEqual(Array.from(w32));
    expect(inner.weight.grad!.dtype).toBe('float64');
    expect((inner as unknown as { running: Tensor }).running.dtype).toBe('float64');
    expect((inner as unknown as { steps: Tensor }).steps.dtype).toBe('int32');
    expect(inner.constant.dtype).toBe('float32');
    expect([...model.parameters()].length).toBe(2);
    expect(model.stateDict()['0.running'].dtype).toBe('float64');
    // A float64 forward and backward through the converted parameters.
    const y = model.call(randn([2, 3], { dtype: 'float64' }));
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    // The seed of a float64 loss is float64 (a bias's gradient is the seed, summed).
    expect(inner.bias.grad!.dtype).toBe('float64');
    expect(model.to('float32')).toBe(model);
    expect(inner.weight.dtype).toBe('float32');
    expect(model.to({ dtype: 'float64' }).float()).toBe(model);
    expect(inner.bias.dtype).toBe('float32');
  });
});
