import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/index.js';
import * as S from '../../lib/optim/lr_scheduler.js';
import { Optimizer, type ParamGroup } from '../../lib/optim/optimizer.js';
import type { Tensor } from '../../lib/tensor.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/lr_schedulers.json', import.meta.url), 'utf8'));

// An optimizer that only carries hyper-parameters: schedulers touch nothing else.
class Recorder extends Optimizer {
  constructor(kind: 'sgd' | 'adam', lr = 0.1) {
    const p = tensor([0], { requiresGrad: true });
    const q = tensor([0], { requiresGrad: true });
    super(
      [{ params: [p] }, { params: [q], lr: lr * 0.5 }],
      kind === 'sgd' ? { lr, momentum: 0.9 } : { lr, betas: [0.9, 0.999] },
    );
  }
  protected validateGroup(): void {}
  protected updateParameter(_p: Tensor, _g: Tensor, _group: ParamGroup): void {}
}

function momenta(o: Optimizer): number[] {
  return o.paramGroups.map((g) => (g.betas ? (g.betas as number[])[0] : (g.momentum as number)));
}

function check(name: string, make: (o: Optimizer) => { step(m?: number): void }, kind: 'sgd' | 'adam' = 'sgd') {
  const want = fixture.cases[name];
  const o = new Recorder(kind);
  const s = make(o);
  for (let i = 0; i < fixture.steps; i++) {
    const lrs = o.paramGroups.map((g) => g.lr);
    lrs.forEach((lr, j) => expect(lr, `${name} step ${i} group ${j}`).toBeCloseTo(want.lrs[i][j], 12));
    momenta(o).forEach((m, j) => expect(m, `${name} momentum step ${i}`).toBeCloseTo(want.momenta[i][j], 12));
    s.step(want.metrics?.[i]);
  }
}

describe('LR schedulers match PyTorch 1.13 step for step', () => {
  it('StepLR', () => check('StepLR', (o) => new S.StepLR(o, 4, 0.5)));
  it('MultiStepLR (repeated milestone)', () => check('MultiStepLR', (o) => new S.MultiStepLR(o, [3, 7, 7, 12], 0.3)));
  it('ExponentialLR', () => check('ExponentialLR', (o) => new S.ExponentialLR(o, 0.9)));
  it('CosineAnnealingLR past tMax', () => check('CosineAnnealingLR', (o) => new S.CosineAnnealingLR(o, 7, 0.001)));
  it('LinearLR', () => check('LinearLR', (o) => new S.LinearLR(o, { startFactor: 0.25, endFactor: 1, totalIters: 6 })));
  it('LambdaLR', () => check('LambdaLR', (o) => new S.LambdaLR(o, (e) => 0.95 ** e)));
  it('OneCycleLR with SGD momentum cycling', () =>
    check('OneCycleLR_sgd', (o) => new S.OneCycleLR(o, [1.0, 0.5], { totalSteps: 30 })));
  it('OneCycleLR linear, three phases, Adam betas', () =>
    check(
      'OneCycleLR_adam_linear_3phase',
      (o) => new S.OneCycleLR(o, 0.01, { totalSteps: 30, annealStrategy: 'linear', threePhase: true }),
      'adam',
    ));
  it('SequentialLR: linear warm-up then cosine', () =>
    check(
      'SequentialLR',
      (o) =>
        new S.SequentialLR(
          o,
          [new S.LinearLR(o, { startFactor: 0.1, totalIters: 5 }), new S.CosineAnnealingLR(o, 20)],
          [5],
        ),
    ));
  it('ReduceLROnPlateau', () =>
    check('ReduceLROnPlateau', (o) => new S.ReduceLROnPlateau(o, { patience: 2, factor: 0.5, cooldown: 1 })));

  it('bad arguments give clear errors', () => {
    const o = new Recorder('sgd');
    expect(() => new S.StepLR(o, 0)).toThrow(/StepLR: stepSize must be a positive integer, got 0/);
    expect(() => new S.OneCycleLR(o, 1)).toThrow(/OneCycleLR: you must define either totalSteps/);
    const one = new S.OneCycleLR(new Recorder('sgd'), 1, { totalSteps: 2 });
    one.step();
    one.step();
    expect(() => one.step()).toThrow(/tried to step 3 times; the total number of steps is 2/);
    expect(() => new S.ReduceLROnPlateau(o, { factor: 1 })).toThrow(/factor should be < 1.0/);
    expect(() => new S.SequentialLR(o, [new S.StepLR(o, 2)], [3])).toThrow(/expects 0 milestones for 1 schedulers/);
  });
});
