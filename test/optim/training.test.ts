import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor, Tensor } from '../../lib/index.js';
import { Sequential } from '../../lib/nn/modules/container.js';
import { Linear } from '../../lib/nn/modules/linear.js';
import { crossEntropy } from '../../lib/ops/softmax.js';
import { Adagrad, Adam, AdamW, RMSprop, SGD } from '../../lib/optim/index.js';
import type { Optimizer } from '../../lib/optim/optimizer.js';
import { supportedIsas, withIsa } from '../helpers/native.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/training.json', import.meta.url), 'utf8'));
const [N, D, H, C] = fx.shape as number[];

const camel = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

const makers: Record<string, (params: Tensor[], o: Record<string, unknown>) => Optimizer> = {
  sgd: (p, o) => new SGD(p, o as never),
  sgd_momentum_wd: (p, o) => new SGD(p, o as never),
  sgd_nesterov: (p, o) => new SGD(p, o as never),
  adam: (p, o) => new Adam(p, o),
  adam_amsgrad_wd: (p, o) => new Adam(p, o),
  adamw: (p, o) => new AdamW(p, o),
  rmsprop: (p, o) => new RMSprop(p, o),
  rmsprop_centered_momentum: (p, o) => new RMSprop(p, o),
  adagrad: (p, o) => new Adagrad(p, o),
};

function shaped(values: number[], shape: number[]): Tensor {
  return new Tensor(tensor(new Float32Array(values)).storage, shape);
}

describe('training steps reproduce PyTorch', () => {
  for (const isa of supportedIsas) {
    it(`${isa}: Linear-Linear + crossEntropy, ${fx.steps} steps of every optimizer`, () => {
      withIsa(isa, () => {
        const x = shaped(fx.x, [N, D]);
        const y = tensor(new Int32Array(fx.y));
        for (const [name, run] of Object.entries(fx.runs) as [
          string,
          { options: Record<string, unknown>; losses: number[]; params: Record<string, number[]> },
        ][]) {
          const model = new Sequential(new Linear(D, H), new Linear(H, C));
          model.loadStateDict({
            '0.weight': shaped(fx.init['0.weight'], [H, D]),
            '0.bias': shaped(fx.init['0.bias'], [H]),
            '1.weight': shaped(fx.init['1.weight'], [C, H]),
            '1.bias': shaped(fx.init['1.bias'], [C]),
          });
          const opt = makers[name]([...model.parameters()], camel(run.options));
          run.losses.forEach((want, step) => {
            opt.zeroGrad();
            const loss = crossEntropy(model.call(x) as Tensor, y);
            loss.backward();
            opt.step();
            expect(loss.item() as number, `${name} loss at step ${step}`).toBeCloseTo(want, 5);
          });
          const sd = model.stateDict();
          for (const [k, want] of Object.entries(run.params)) {
            const got = sd[k].toTypedArray();
            want.forEach((w, i) => {
              if (Math.abs(got[i] - w) > 2e-5 * (1 + Math.abs(w)))
                throw new Error(`${name} ${k}[${i}]: got ${got[i]}, want ${w}`);
            });
          }
        }
      });
    });
  }

  it('optimizers reject bad hyper-parameters with clear errors', () => {
    const p = [tensor([1, 2], { requiresGrad: true })];
    expect(() => new SGD(p, { lr: -1 })).toThrow(/SGD: invalid learning rate -1/);
    expect(() => new SGD(p, { lr: NaN })).toThrow(/SGD: learning rate must be a finite number, got NaN/);
    expect(() => new SGD(p, {} as never)).toThrow(/SGD: lr is required/);
    expect(() => new SGD(p, { lr: 0.1, nesterov: true })).toThrow(
      /Nesterov momentum requires a momentum and zero dampening/,
    );
    expect(() => new Adam(p, { betas: [1, 0.9] })).toThrow(
      /Adam: invalid beta parameter at index 0: 1|Adam: invalid beta parameter at index 0 1/,
    );
    expect(() => new Adam([], {})).toThrow(/Adam: got an empty parameter list/);
    expect(() => new AdamW(p, { eps: -1 })).toThrow(/AdamW: invalid epsilon value -1/);
  });
});
