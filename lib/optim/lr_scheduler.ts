// Learning-rate schedulers with PyTorch 1.13's semantics: constructing one performs the first
// step (lastEpoch 0); each step() advances one epoch (or batch, for OneCycleLR). The recursive
// ("chainable") formulas are PyTorch's, so a sequence matches torch step for step.
import { checkFunction, checkInt, checkNumber, checkNumbers, checkOptions, describe, optionKeys } from '../errors.js';
import type { Optimizer, ParamGroup } from './optimizer.js';
import { checkSameStructure } from './state_check.js';

function checkOptimizer(name: string, optimizer: Optimizer): void {
  if (!optimizer || !Array.isArray((optimizer as Optimizer).paramGroups)) {
    throw new TypeError(`${name}: expected an Optimizer, got ${describe(optimizer)}`);
  }
}

function positiveInt(name: string, key: string, v: number): number {
  return checkInt(name, key, v, 1);
}

/** Python's a % b (non-negative for b > 0). */
function pmod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function bisectRight(sorted: readonly number[], x: number): number {
  let i = 0;
  while (i < sorted.length && sorted[i] <= x) i++;
  return i;
}

/**
 * The base of the learning-rate schedulers, as PyTorch's `torch.optim.lr_scheduler.LRScheduler`:
 * each `step()` sets every parameter group's `lr` for the next epoch (or batch). Constructing one
 * sets the first epoch's rates.
 * @throws TypeError if `optimizer` is not an optimizer; RangeError on a lastEpoch below -1; Error
 *   when resuming (lastEpoch != -1) with a group that has no `initialLr`.
 */
export abstract class LRScheduler {
  /** The index of the last epoch (or step) stepped to; -1 before the first. */
  lastEpoch: number;
  /** Each group's starting learning rate (its `initialLr`). */
  baseLrs: number[];
  /** How many times `step` was called. */
  protected stepCount = 0;
  private lastLr: number[] = [];

  constructor(
    /** The optimizer whose groups' learning rates this scheduler sets. */
    readonly optimizer: Optimizer,
    lastEpoch = -1,
  ) {
    checkOptimizer(this.constructor.name, optimizer);
    checkInt(this.constructor.name, 'lastEpoch', lastEpoch, -1);
    if (lastEpoch === -1) {
      for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined)
          throw new Error(
            `${this.constructor.name}: param group ${i} has no initialLr; it is needed when resuming (lastEpoch != -1)`,
          );
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor (PyTorch's _initial_step). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The LRs for the current lastEpoch, from the groups' current LRs (chainable form). */
  protected abstract getLr(): number[];
  /** The LRs for lastEpoch computed from the base LRs alone, where a closed form exists. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /**
   * Advances to the next epoch (PyTorch's `scheduler.step()`), after `optimizer.step()`, and
   * sets the groups' learning rates.
   * @param epoch jumps to this epoch instead (deprecated in PyTorch; the closed form where the
   *   schedule has one).
   * @throws RangeError if `epoch` is not a non-negative integer.
   */
  step(epoch?: number): void {
    if (epoch !== undefined) checkInt(`${this.constructor.name}.step`, 'epoch', epoch, 0);
    this.stepCount++;
    let lrs: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      lrs = this.getLr();
    } else {
      this.lastEpoch = epoch;
      lrs = this.closedFormLr() ?? this.getLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i];
    });
    this.lastLr = lrs.slice();
  }

  /** The learning rates the last `step` set, one per group (PyTorch's `get_last_lr`). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** The optimizer's parameter groups. */
  protected get groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }
  /** The groups' learning rates now. */
  protected get currentLrs(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /**
   * The scheduler's own numbers (PyTorch's state_dict): not the optimizer, and not functions
   * (LambdaLR's lambdas, the annealing function), which the constructor sets up again.
   */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function') continue;
      if (Array.isArray(v) && v.some((x) => typeof x === 'function' || x instanceof LRScheduler)) continue;
      out[k] = v;
    }
    return structuredClone(out);
  }

  /** Throws unless `state` has this scheduler's keys with values of the same kinds. */
  checkStateDict(state: Record<string, unknown>): void {
    checkSameStructure(`${this.constructor.name}.loadStateDict`, this.stateDict(), state);
  }

  /** Restores a state dict; a state of another shape is an error and changes nothing. */
  loadStateDict(state: Record<string, unknown>): void {
    this.checkStateDict(state);
    Object.assign(this, structuredClone(state));
  }
}

/**
 * Multiplies the learning rate by `gamma` every `stepSize` epochs, as PyTorch's `StepLR`.
 * @throws RangeError if stepSize is not a positive integer or gamma not a finite number.
 */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    /** Epochs between two decays. */
    readonly stepSize: number,
    /** The factor of each decay (default 0.1). */
    readonly gamma = 0.1,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    positiveInt('StepLR', 'stepSize', stepSize);
    checkNumber('StepLR', 'gamma', gamma);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs;
    return this.currentLrs.map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Multiplies the learning rate by `gamma` at each milestone epoch, as PyTorch's `MultiStepLR`.
 * @throws RangeError if milestones are not numbers or gamma not a finite number.
 */
export class MultiStepLR extends LRScheduler {
  /** The epochs at which the rate decays, sorted. */
  readonly milestones: number[];
  constructor(
    optimizer: Optimizer,
    milestones: number[],
    /** The factor of each decay (default 0.1). */
    readonly gamma = 0.1,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    checkNumber('MultiStepLR', 'gamma', gamma);
    this.milestones = checkNumbers('MultiStepLR', 'milestones', milestones).sort((a, b) => a - b);
    this.initialStep();
  }
  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.currentLrs;
    return this.currentLrs.map((lr) => lr * this.gamma ** hits);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

/**
 * Multiplies the learning rate by `gamma` every epoch, as PyTorch's `ExponentialLR`.
 * @throws RangeError if gamma is not a finite number.
 */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    /** The factor of each epoch's decay. */
    readonly gamma: number,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    checkNumber('ExponentialLR', 'gamma', gamma);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs;
    return this.currentLrs.map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/**
 * Anneals the learning rate from its base to `etaMin` along a half cosine over `tMax` epochs
 * (and back up after, as PyTorch's `CosineAnnealingLR`, without restarts).
 * @throws RangeError if tMax is not a positive integer or etaMin not a finite number.
 */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    /** Epochs of the half cosine (PyTorch's `T_max`). */
    readonly tMax: number,
    /** The lowest learning rate (PyTorch's `eta_min`, default 0). */
    readonly etaMin = 0,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    positiveInt('CosineAnnealingLR', 'tMax', tMax);
    checkNumber('CosineAnnealingLR', 'etaMin', etaMin);
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return this.currentLrs;
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if (pmod(e - 1 - T, 2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map(
      (g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin,
    );
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2,
    );
  }
}

/** The options of `LinearLR` (PyTorch's keyword arguments, in camelCase). */
export interface LinearLROptions {
  /** The factor of the first epoch's rate, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** The factor reached after totalIters epochs, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs over which the factor goes from start to end (default 5). */
  totalIters?: number;
  /** The epoch to resume from (default -1: start). */
  lastEpoch?: number;
}

const LINEAR_LR_OPTIONS = optionKeys<LinearLROptions>({
  startFactor: 'number',
  endFactor: 'number',
  totalIters: 'integer',
  lastEpoch: 'integer',
});

/**
 * Scales the learning rate by a factor going linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs (a warm-up), as PyTorch's `LinearLR`.
 * @throws RangeError on a factor out of range; TypeError on an unknown option.
 */
export class LinearLR extends LRScheduler {
  /** The factor of the first epoch's rate. */
  readonly startFactor: number;
  /** The factor reached after totalIters epochs. */
  readonly endFactor: number;
  /** Epochs over which the factor changes. */
  readonly totalIters: number;
  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    checkOptions('optim.lrScheduler.LinearLR', options, LINEAR_LR_OPTIONS);
    super(optimizer, options.lastEpoch ?? -1);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    if (!(this.startFactor > 0 && this.startFactor <= 1))
      throw new RangeError(`LinearLR: startFactor must be in (0, 1], got ${describe(this.startFactor)}`);
    if (!(this.endFactor >= 0 && this.endFactor <= 1))
      throw new RangeError(`LinearLR: endFactor must be in [0, 1], got ${describe(this.endFactor)}`);
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    if (e === 0) return this.currentLrs.map((lr) => lr * s);
    if (e > n) return this.currentLrs;
    return this.currentLrs.map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, this.lastEpoch)) / n));
  }
}

/**
 * Sets each group's learning rate to its base rate times `lrLambda(epoch)`, as PyTorch's
 * `LambdaLR` (one function, or one per group).
 * @throws TypeError if a lambda is not a function; RangeError if their count is not the groups'.
 */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];
  constructor(
    optimizer: Optimizer,
    lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[],
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    (Array.isArray(lrLambda) ? lrLambda : [lrLambda]).forEach((f, i) =>
      checkFunction('LambdaLR', Array.isArray(lrLambda) ? `lrLambda[${i}]` : 'lrLambda', f),
    );
    this.lambdas = Array.isArray(lrLambda) ? lrLambda : optimizer.paramGroups.map(() => lrLambda);
    if (this.lambdas.length !== optimizer.paramGroups.length) {
      throw new RangeError(`LambdaLR: expected ${optimizer.paramGroups.length} lambdas, got ${this.lambdas.length}`);
    }
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lambdas[i](this.lastEpoch));
  }
}

/**
 * Runs schedulers one after another, switching at the milestone epochs, as PyTorch's
 * `SequentialLR` (a warm-up then a decay, say).
 * @throws TypeError if schedulers is not an array of schedulers; RangeError if there are none or
 *   the milestones are not one fewer than the schedulers; Error if a scheduler drives another
 *   optimizer.
 */
export class SequentialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    /** The schedulers, in the order they run. */
    readonly schedulers: LRScheduler[],
    /** The epochs at which the next scheduler takes over. */
    readonly milestones: number[],
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    if (!Array.isArray(schedulers) || !schedulers.every((s) => s instanceof LRScheduler))
      throw new TypeError(`SequentialLR: schedulers must be an array of LR schedulers, got ${describe(schedulers)}`);
    checkNumbers('SequentialLR', 'milestones', milestones);
    if (schedulers.length < 1) throw new RangeError('SequentialLR: expects at least one scheduler');
    if (milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        `SequentialLR: expects ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${milestones.length}`,
      );
    }
    for (const [i, s] of schedulers.entries()) {
      if (s.optimizer !== optimizer) throw new Error(`SequentialLR: scheduler ${i} belongs to a different optimizer`);
    }
    this.lastEpoch = lastEpoch + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    (schedulers[0] as SequentialLR).initialStep();
  }
  protected getLr(): number[] {
    return this.currentLrs;
  }
  override step(): void {
    this.lastEpoch++;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
  }
  override getLastLr(): number[] {
    return this.currentLrs;
  }
  /** Its own counters and, as PyTorch's, each scheduler's state dict in order. */
  override stateDict(): Record<string, unknown> {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(state: Record<string, unknown>): void {
    this.checkStateDict(state);
    const { schedulers, ...own } = state as { schedulers: Record<string, unknown>[] };
    if (schedulers.length !== this.schedulers.length)
      throw new RangeError(
        `SequentialLR.loadStateDict: the state holds ${schedulers.length} schedulers, this one has ${this.schedulers.length}`,
      );
    this.schedulers.forEach((s, i) => s.checkStateDict(schedulers[i]));
    this.schedulers.forEach((s, i) => s.loadStateDict(schedulers[i]));
    Object.assign(this, structuredClone(own));
  }
}

/** The options of `OneCycleLR` (PyTorch's keyword arguments, in camelCase). */
export interface OneCycleLROptions {
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  /** Epochs of the cycle (with stepsPerEpoch, instead of totalSteps). */
  epochs?: number;
  /** Steps per epoch (with epochs, instead of totalSteps). */
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent increasing the rate (default 0.3). */
  pctStart?: number;
  /** 'cos' (the default) or 'linear' annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum (or Adam's beta1) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  /** The lowest momentum (default 0.85). */
  baseMomentum?: number;
  /** The highest momentum (default 0.95). */
  maxMomentum?: number;
  /** The starting rate is maxLr / divFactor (default 25). */
  divFactor?: number;
  /** The final rate is the starting rate / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to the start, then to the final rate) instead of two (default false). */
  threePhase?: boolean;
  /** The step to resume from (default -1: start). */
  lastEpoch?: number;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

const ONE_CYCLE_OPTIONS = optionKeys<OneCycleLROptions>({
  totalSteps: 'integer',
  epochs: 'integer',
  stepsPerEpoch: 'integer',
  pctStart: 'number',
  annealStrategy: ['cos', 'linear'],
  cycleMomentum: 'boolean',
  baseMomentum: 'number',
  maxMomentum: 'number',
  divFactor: 'number',
  finalDivFactor: 'number',
  threePhase: 'boolean',
  lastEpoch: 'integer',
});

/**
 * The 1cycle policy (Smith and Topor), as PyTorch's `OneCycleLR`: the rate rises from
 * maxLr / divFactor to `maxLr` and anneals far below, stepped once per batch.
 * @throws Error without totalSteps or epochs and stepsPerEpoch; RangeError on an option out of
 *   range or a maxLr list that does not match the groups; TypeError on an unknown option.
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly cycleMomentum: boolean;
  private readonly useBeta1: boolean;

  constructor(optimizer: Optimizer, maxLr: number | number[], options: OneCycleLROptions = {}) {
    checkOptimizer('OneCycleLR', optimizer);
    checkOptions('optim.lrScheduler.OneCycleLR', options, ONE_CYCLE_OPTIONS);
    const lastEpoch = options.lastEpoch ?? -1;
    let total: number;
    if (options.totalSteps !== undefined) total = positiveInt('OneCycleLR', 'totalSteps', options.totalSteps);
    else if (options.epochs !== undefined && options.stepsPerEpoch !== undefined) {
      total =
        positiveInt('OneCycleLR', 'epochs', options.epochs) *
        positiveInt('OneCycleLR', 'stepsPerEpoch', options.stepsPerEpoch);
    } else throw new Error('OneCycleLR: you must define either totalSteps or (epochs and stepsPerEpoch)');
    const pct = options.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new RangeError(`OneCycleLR: pctStart must be in [0, 1], got ${describe(pct)}`);
    const divFactor = options.divFactor ?? 25;
    const finalDiv = options.finalDivFactor ?? 1e4;
    const maxLrs = Array.isArray(maxLr) ? maxLr : optimizer.paramGroups.map(() => maxLr);
    if (maxLrs.length !== optimizer.paramGroups.length)
      throw new RangeError(`OneCycleLR: expected ${optimizer.paramGroups.length} maxLr values, got ${maxLrs.length}`);
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDiv;
      });
    }
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    this.phases = options.threePhase
      ? [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * pct * total - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    const strategy = options.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear')
      throw new RangeError(`OneCycleLR: annealStrategy must be 'cos' or 'linear', got ${String(strategy)}`);
    this.anneal =
      strategy === 'cos' ? (s, e, p) => e + ((s - e) / 2) * (Math.cos(Math.PI * p) + 1) : (s, e, p) => (e - s) * p + s;
    this.cycleMomentum = options.cycleMomentum ?? true;
    this.useBeta1 = optimizer.paramGroups.some((g) => 'betas' in g);
    if (this.cycleMomentum) {
      const base = options.baseMomentum ?? 0.85;
      const max = options.maxMomentum ?? 0.95;
      optimizer.paramGroups.forEach((g, i) => {
        if (!this.useBeta1 && !('momentum' in g))
          throw new Error(`OneCycleLR: optimizer group ${i} has no momentum; pass cycleMomentum: false`);
        if (lastEpoch === -1) {
          if (this.useBeta1) g.betas = [max, (g.betas as number[])[1]];
          else g.momentum = max;
          g.maxMomentum = max;
          g.baseMomentum = base;
        }
      });
    }
    this.initialStep();
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new RangeError(`OneCycleLR: tried to step ${step} times; the total number of steps is ${this.totalSteps}`);
    }
    return this.groups.map((g) => {
      let start = 0;
      let lr = g.lr;
      for (const [i, phase] of this.phases.entries()) {
        if (step <= phase.endStep || i === this.phases.length - 1) {
          const pct = (step - start) / (phase.endStep - start);
          lr = this.anneal(g[phase.startLr] as number, g[phase.endLr] as number, pct);
          if (this.cycleMomentum) {
            const m = this.anneal(g[phase.startMomentum] as number, g[phase.endMomentum] as number, pct);
            if (this.useBeta1) g.betas = [m, (g.betas as number[])[1]];
            else g.momentum = m;
          }
          break;
        }
        start = phase.endStep;
      }
      return lr;
    });
  }
}

/** The options of `ReduceLROnPlateau` (PyTorch's keyword arguments, in camelCase). */
export interface ReduceLROnPlateauOptions {
  /** 'min' (the default): the metric should fall (a loss); 'max': rise (an accuracy). */
  mode?: 'min' | 'max';
  /** The factor of each reduction, below 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement before a reduction (default 10). */
  patience?: number;
  /** The least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (the default): threshold relative to the best; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The lowest rate, one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** A reduction smaller than this is not made (default 1e-8). */
  eps?: number;
}

const PLATEAU_OPTIONS = optionKeys<ReduceLROnPlateauOptions>({
  mode: ['min', 'max'],
  factor: 'number',
  patience: 'integer',
  threshold: 'number',
  thresholdMode: ['rel', 'abs'],
  cooldown: 'integer',
  minLr: true,
  eps: 'number',
});

/**
 * Reduces the learning rate when a metric stops improving, as PyTorch's `ReduceLROnPlateau`:
 * `step(metric)` once per epoch with the validation loss (or accuracy, mode 'max').
 * @throws TypeError if `optimizer` is not an optimizer, or on an unknown option; RangeError on an
 *   option out of range.
 */
export class ReduceLROnPlateau {
  /** Whether the metric should fall ('min') or rise ('max'). */
  readonly mode: 'min' | 'max';
  /** The factor of each reduction. */
  readonly factor: number;
  /** Epochs without improvement before a reduction. */
  readonly patience: number;
  /** The least change that counts as an improvement. */
  readonly threshold: number;
  /** Whether threshold is relative to the best ('rel') or absolute ('abs'). */
  readonly thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a reduction. */
  readonly cooldown: number;
  /** The lowest rate of each group. */
  readonly minLrs: number[];
  /** A reduction smaller than this is not made. */
  readonly eps: number;
  /** The best metric seen. */
  best: number;
  /** Epochs since the last improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Epochs stepped. */
  lastEpoch = 0;

  constructor(
    /** The optimizer whose groups' learning rates this scheduler reduces. */
    readonly optimizer: Optimizer,
    options: ReduceLROnPlateauOptions = {},
  ) {
    checkOptimizer('ReduceLROnPlateau', optimizer);
    checkOptions('optim.lrScheduler.ReduceLROnPlateau', options, PLATEAU_OPTIONS);
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1))
      throw new RangeError(`ReduceLROnPlateau: factor should be < 1.0, got ${describe(this.factor)}`);
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    const minLr = options.minLr ?? 0;
    this.minLrs = Array.isArray(minLr) ? minLr : optimizer.paramGroups.map(() => minLr);
    if (this.minLrs.length !== optimizer.paramGroups.length)
      throw new RangeError(
        `ReduceLROnPlateau: expected ${optimizer.paramGroups.length} minLr values, got ${this.minLrs.length}`,
      );
    if (this.mode !== 'min' && this.mode !== 'max')
      throw new RangeError(`ReduceLROnPlateau: mode ${String(this.mode)} is unknown`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs')
      throw new RangeError(`ReduceLROnPlateau: thresholdMode ${String(this.thresholdMode)} is unknown`);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { best, threshold: t } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  /**
   * Records one epoch's metric and reduces the rates after `patience` epochs without improvement.
   * @throws TypeError if metric is not a number (or is NaN).
   */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric))
      throw new TypeError(`ReduceLROnPlateau.step: metric must be a number, got ${String(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  /** The groups' learning rates now (PyTorch's `get_last_lr`). */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}
