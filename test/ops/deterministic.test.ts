// useDeterministicAlgorithms(true): every op gives the same bits at 1, 2 and 3 threads on each
// ISA, on shapes that take the paths whose partial sums depend on the split (the convolution's
// weight-gradient K split and image split, Winograd's weight gradient, the reductions' row and
// column splits, the normalisations' partial statistics, GEMM, pooling and resampling backward).
import { afterEach, describe, expect, it } from 'vitest';
import {
  areDeterministicAlgorithmsEnabled,
  conv2d,
  logsumexp,
  manualSeed,
  matmul,
  nn,
  optim,
  sum,
  type Tensor,
  tensor,
  useDeterministicAlgorithms,
} from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';

const F = nn.functional;

function rand(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(randomFloats(n, seed)).reshape(shape).requiresGrad_(true);
}

function bits(t: Tensor): Buffer {
  const a = t.toTypedArray();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

// Each case returns the outputs and gradients it computed; inputs are rebuilt on every run.
const cases: Record<string, () => Tensor[]> = {
  // K = N*OH*OW = 8192 against a 16 x 27 weight: the K split into partials.
  'conv2d, few input channels': () => {
    const x = rand([8, 3, 32, 32], 1);
    const w = rand([16, 3, 3, 3], 2);
    const y = conv2d(x, w, null, { padding: 1 });
    sum(y.mul(y)).backward();
    return [y, x.grad as Tensor, w.grad as Tensor];
  },
  // 16 images of a mid-sized layer: the image split (each share its own images, partials summed).
  'conv2d, image split': () => {
    const x = rand([16, 16, 16, 16], 3);
    const w = rand([32, 16, 3, 3], 4);
    const y = conv2d(x, w, null, { stride: 2 });
    sum(y.mul(y)).backward();
    return [y, x.grad as Tensor, w.grad as Tensor];
  },
  // 3x3 stride 1, 16 -> 16 channels on 28 x 28: Winograd, forward and both gradients.
  'conv2d, Winograd': () => {
    const x = rand([8, 16, 28, 28], 5);
    const w = rand([16, 16, 3, 3], 6);
    const y = conv2d(x, w, null, { padding: 1 });
    sum(y.mul(y)).backward();
    return [y, x.grad as Tensor, w.grad as Tensor];
  },
  'reductions: one long row, few columns': () => {
    const x = rand([1 << 18], 7);
    const c = rand([1 << 15, 3], 8);
    return [sum(x), x.mean(), sum(c, 0), c.var(0), logsumexp(rand([4, 1 << 16], 9), 1)];
  },
  'normalisations and their gradients': () => {
    const x = rand([8, 16, 14, 14], 10);
    const w = rand([16], 11);
    const b = rand([16], 12);
    const bn = F.batchNorm(x, null, null, { weight: w, bias: b, training: true });
    const gn = F.groupNorm(x, 4, { weight: w, bias: b });
    const ln = F.layerNorm(x, [16, 14, 14]);
    sum(bn.mul(gn).add(ln.mul(ln))).backward();
    // Many rows of a layer norm with an affine: its parameter gradients sum partials over rows.
    const rows = rand([4096, 64], 16);
    const lw = rand([64], 17);
    const lb = rand([64], 18);
    const lr = F.layerNorm(rows, [64], { weight: lw, bias: lb });
    sum(lr.mul(lr)).backward();
    return [
      bn,
      gn,
      ln,
      x.grad as Tensor,
      w.grad as Tensor,
      b.grad as Tensor,
      lr,
      rows.grad as Tensor,
      lw.grad as Tensor,
      lb.grad as Tensor,
    ];
  },
  'matmul, softmax, cross entropy': () => {
    const a = rand([96, 700], 13);
    const b = rand([700, 130], 14);
    const y = matmul(a, b);
    const target = tensor(new Int32Array(96).map((_, i) => (i * 7) % 130));
    const loss = F.crossEntropy(y, target);
    loss.backward();
    return [y, F.softmax(y, 1), loss, a.grad as Tensor, b.grad as Tensor];
  },
  'pooling and resampling backward': () => {
    const x = rand([8, 16, 20, 20], 15);
    const y = F.maxPool2d(x, 3, { stride: 2 })
      .sum()
      .add(
        F.avgPool2d(x, 3, { stride: 2 })
          .mul(F.avgPool2d(x, 3, { stride: 2 }))
          .sum(),
      )
      .add(F.interpolate(x, { scaleFactor: 1.7, mode: 'bilinear' }).pow(2).sum())
      .add(F.adaptiveAvgPool2d(x, 3).pow(2).sum());
    y.backward();
    return [y, x.grad as Tensor];
  },
  'three training steps of a small CNN': () => {
    manualSeed(0);
    const model = new nn.Sequential(
      new nn.Conv2d(3, 16, 3, { padding: 1 }),
      new nn.BatchNorm2d(16),
      new nn.ReLU(),
      new nn.Conv2d(16, 16, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(16 * 8 * 8, 10),
    );
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = rand([16, 3, 16, 16], 19).detach();
    const y = tensor(new Int32Array(16).map((_, i) => i % 10));
    for (let i = 0; i < 3; i++) {
      const loss = F.crossEntropy(model.call(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    return [...model.parameters()];
  },
};

function runAll(threads: number): Map<string, Buffer[]> {
  return withThreads(threads, () => {
    const out = new Map<string, Buffer[]>();
    for (const [name, fn] of Object.entries(cases)) out.set(name, fn().map(bits));
    return out;
  });
}

afterEach(() => useDeterministicAlgorithms(false));

describe('useDeterministicAlgorithms', () => {
  for (const isa of supportedIsas) {
    it(`${isa}: every case gives the same bits at 1, 2 and 3 threads`, () => {
      withIsa(isa, () => {
        useDeterministicAlgorithms(true);
        const one = runAll(1);
        for (const threads of [2, 3]) {
          const other = runAll(threads);
          for (const [name, outs] of one) {
            const got = other.get(name) as Buffer[];
            outs.forEach((b, i) => {
              expect(got[i].equals(b), `${name}, result ${i}, at ${threads} threads`).toBe(true);
            });
          }
        }
      });
    });
  }

  it('is needed: without it, each kind of split above changes some result with the thread count', () => {
    // Otherwise the test above would pass without the mode and prove nothing.
    const isa = supportedIsas[supportedIsas.length - 1];
    withIsa(isa, () => {
      const one = runAll(1);
      const others = [runAll(2), runAll(3)];
      for (const [name, outs] of one) {
        if (name === 'matmul, softmax, cross entropy' || name === 'pooling and resampling backward') continue;
        if (name === 'three training steps of a small CNN') continue;
        const differs = others.some((o) => outs.some((b, i) => !(o.get(name) as Buffer[])[i].equals(b)));
        expect(differs, name).toBe(true);
      }
    });
  });

  it('is process-wide, off by default, and checks its arguments', () => {
    expect(areDeterministicAlgorithmsEnabled()).toBe(false);
    useDeterministicAlgorithms(true, { warnOnly: true });
    expect(areDeterministicAlgorithmsEnabled()).toBe(true);
    expect(native.getDeterministicAlgorithms()).toBe(true);
    useDeterministicAlgorithms(false);
    expect(areDeterministicAlgorithmsEnabled()).toBe(false);
    // @ts-expect-error a number for the mode
    expect(() => useDeterministicAlgorithms(1)).toThrow(
      /useDeterministicAlgorithms: mode must be a boolean, got number/,
    );
    // @ts-expect-error PyTorch's spelling of the option
    expect(() => useDeterministicAlgorithms(true, { warn_only: true })).toThrow(
      /useDeterministicAlgorithms: unknown option 'warn_only'; did you mean 'warnOnly'\?/,
    );
    expect(areDeterministicAlgorithmsEnabled()).toBe(false);
  });
});
