// Training-loop diagnostics from the usual debugging checklist: the single-batch overfit check and
// the LR range test (Leslie Smith; fastai's lr_find, torch-lr-finder's range_test).
import { checkOptions, describe } from '../errors.js';
import '../autograd/backward.js';
import { noGrad } from '../autograd/grad_mode.js';
import { checkModule, Module, type StateDict } from '../nn/module.js';
import { Optimizer, type OptimizerStateDict } from '../optim/optimizer.js';
import { Tensor } from '../tensor.js';

/** A loss: a function (output, target) => scalar tensor, or a loss module (nn.MSELoss). */
// biome-ignore lint/suspicious/noExplicitAny: a loss function may take any output and target types (tensors, tuples)
export type LossFn = ((output: any, target: any) => Tensor) | Module;

function lossOf(op: string, lossFn: LossFn, output: unknown, target: unknown): Tensor {
  const loss = lossFn instanceof Module ? lossFn.call(output, target) : lossFn(output, target);
  if (!(loss instanceof Tensor) || loss.numel() !== 1)
    throw new TypeError(`${op}: lossFn must return a one-element tensor`);
  return loss;
}

/** model(...inputs): a tensor is one argument, an array is the argument list. */
function forward(model: Module, inputs: unknown): unknown {
  return Array.isArray(inputs) ? model.call(...inputs) : model.call(inputs);
}

function copyTensor(t: Tensor): Tensor {
  return Tensor.fromData(t.toTypedArray(), t.shape, { dtype: t.dtype });
}

/** The model, optimizer and loss function every training check needs. */
function checkTrainingParts(op: string, o: { model?: unknown; optimizer?: unknown; lossFn?: unknown }): void {
  checkModule(op, 'model', o.model);
  if (!(o.optimizer instanceof Optimizer))
    throw new TypeError(`${op}: optimizer must be an optim.Optimizer, got ${describe(o.optimizer)}`);
  if (typeof o.lossFn !== 'function' && !(o.lossFn instanceof Module))
    throw new TypeError(`${op}: lossFn must be a function or an nn.Module, got ${describe(o.lossFn)}`);
}

/**
 * Deep copies of the model's state dict, its modules' train/eval modes and the optimizer's
 * state; the returned function puts them back and clears the gradients.
 * @throws TypeError if model is not a Module or optimizer not an Optimizer.
 */
export function snapshotTraining(model: Module, optimizer?: Optimizer): () => void {
  checkModule('train.snapshotTraining', 'model', model);
  if (optimizer !== undefined && !(optimizer instanceof Optimizer))
    throw new TypeError(`train.snapshotTraining: optimizer must be an optim.Optimizer, got ${describe(optimizer)}`);
  const params: StateDict = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, copyTensor(t)]));
  const modes = [...model.modules()].map((m) => [m, m.training] as const);
  let opt: OptimizerStateDict | undefined;
  if (optimizer) {
    const sd = optimizer.stateDict();
    opt = {
      state: Object.fromEntries(
        Object.entries(sd.state).map(([i, s]) => [
          i,
          Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? copyTensor(v) : v])),
        ]),
      ),
      paramGroups: sd.paramGroups.map(
        (g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) as typeof g,
      ),
    };
  }
  return () => {
    model.loadStateDict(params);
    for (const [m, training] of modes) m.training = training;
    if (optimizer && opt) {
      optimizer.loadStateDict(opt);
      optimizer.zeroGrad();
    }
    model.zeroGrad();
  };
}

// ---- 4. single-batch overfit ----

/** The options of overfitSingleBatch. */
export interface OverfitOptions {
  /** The model trained. */
  model: Module;
  /** The batch's model input: a tensor, or an array of the forward's arguments. */
  inputs: unknown;
  /** The batch's targets, passed to lossFn. */
  targets: unknown;
  /** The loss: a function (output, target) or a loss module. */
  lossFn: LossFn;
  /** The optimizer that updates the model. */
  optimizer: Optimizer;
  /** Updates at most (default 100). */
  steps?: number;
  /** Passed when the loss falls below this. */
  targetLoss?: number;
  /** Passed when the loss falls to factor x the initial loss (default 0.1 when no targetLoss is given). */
  factor?: number;
  /** Stop as soon as the check passes (default true). */
  stopEarly?: boolean;
  /** Put the model and optimizer back as they were afterwards (default false). */
  restore?: boolean;
  /** Called with each step's loss (e.g. to print every 20 steps). */
  onStep?: (step: number, loss: number) => void;
}

/** What overfitSingleBatch returns. */
export interface OverfitResult {
  /** losses[i]: the loss on the batch after i updates. */
  losses: number[];
  /** The loss before any update. */
  initialLoss: number;
  /** The loss after the last update. */
  finalLoss: number;
  /** Whether the loss fell far enough. */
  passed: boolean;
  /** Why it passed or failed, in words. */
  reason: string;
}

/**
 * Trains on one batch only (the first check when training fails): a model and training loop
 * that work can drive the loss on a single batch close to zero. Fails when the loss does not fall far enough
 * in `steps` updates or becomes NaN/Inf.
 */
export function overfitSingleBatch(options: OverfitOptions): OverfitResult {
  checkOptions('train.overfitSingleBatch', options, {
    model: 'object',
    inputs: true,
    targets: true,
    lossFn: true,
    optimizer: 'object',
    steps: 'integer',
    targetLoss: 'number',
    factor: 'number',
    stopEarly: 'boolean',
    restore: 'boolean',
    onStep: 'function',
  });
  checkTrainingParts('train.overfitSingleBatch', options ?? {});
  const { model, inputs, targets, lossFn, optimizer } = options;
  const steps = options.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`overfitSingleBatch: steps must be a positive integer, got ${describe(steps)}`);
  const factor = options.factor ?? (options.targetLoss === undefined ? 0.1 : undefined);
  const restore = options.restore ? snapshotTraining(model, optimizer) : null;
  const losses: number[] = [];
  const goal = () => {
    const parts = [];
    if (options.targetLoss !== undefined) parts.push(`below ${options.targetLoss}`);
    if (factor !== undefined) parts.push(`to ${factor} x the initial loss ${losses[0].toPrecision(4)}`);
    return parts.join(' or ');
  };
  const reached = (loss: number) =>
    (options.targetLoss !== undefined && loss < options.targetLoss) ||
    (factor !== undefined && loss <= losses[0] * factor);
  try {
    const stopEarly = options.stopEarly ?? true;
    const compute = () => lossOf('overfitSingleBatch', lossFn, forward(model, inputs), targets);
    for (let step = 0; step <= steps; step++) {
      optimizer.zeroGrad();
      // The loss after the last update is only measured.
      const loss = step === steps ? noGrad(compute) : compute();
      const value = loss.item() as number;
      losses.push(value);
      options.onStep?.(step, value);
      if (!Number.isFinite(value)) return done(false, `the loss became ${value} after ${step} updates`);
      if (step === steps) break;
      if (stopEarly && step > 0 && reached(value))
        return done(true, `the loss fell ${goal()} in ${step} updates (${value.toPrecision(4)})`);
      loss.backward();
      optimizer.step();
    }
    const last = losses[losses.length - 1];
    if (reached(last)) return done(true, `the loss fell ${goal()} in ${steps} updates (${last.toPrecision(4)})`);
    return done(
      false,
      `the loss did not fall ${goal()} in ${steps} updates (last ${last.toPrecision(4)}): check the model, the loss and the learning rate`,
    );
  } finally {
    restore?.();
  }

  function done(passed: boolean, reason: string): OverfitResult {
    return { losses, initialLoss: losses[0], finalLoss: losses[losses.length - 1], passed, reason };
  }
}

// ---- 5. LR range test ----

/** The options of lrRangeTest. */
export interface LrRangeTestOptions {
  /** The model trained. */
  model: Module;
  /** Batches [input, target] (input: a tensor or an array of forward arguments); re-iterated when it runs out. */
  data: Iterable<unknown>;
  /** The loss: a function (output, target) or a loss module. */
  lossFn: LossFn;
  /** The optimizer whose learning rate is swept. */
  optimizer: Optimizer;
  /** Default 1e-7. */
  startLr?: number;
  /** Default 10. */
  endLr?: number;
  /** Steps (default 100). */
  numIter?: number;
  /** How the learning rate grows from startLr to endLr (default 'exp'). */
  mode?: 'exp' | 'linear';
  /**
   * Weight of the past in the loss's exponential moving average (bias-corrected; 0 = none).
   * Default 0.9 (torch-lr-finder uses 0.95, fastai 0.98: smoother, but later).
   */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds this x the best one so far (default 5). */
  divergeThreshold?: number;
  /** Points left out at the start when looking for the steepest descent (default min(10, n/10)). */
  skipStart?: number;
  /** Points left out at the end (default 0; points past the minimum are never used). */
  skipEnd?: number;
  /** Put the model and optimizer back as they were afterwards (default true). */
  restore?: boolean;
}

/** What lrRangeTest returns. */
export interface LrRangeTestResult {
  /** The learning rates tried, one per step. */
  lrs: number[];
  /** Smoothed losses, one per lr. */
  losses: number[];
  /** The losses as measured, one per lr. */
  rawLosses: number[];
  /** The lr of the steepest descent of the smoothed loss before its minimum; null with too few points. */
  suggestedLr: number | null;
  /** The lr of the smallest smoothed loss (fastai's older rule: use a tenth of it). */
  minLossLr: number;
  /** Whether the test stopped early because the loss blew up (or became NaN/Inf). */
  diverged: boolean;
}

function checkPositive(name: string, v: number): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v)))
    throw new RangeError(`lrRangeTest: ${name} must be a positive finite number, got ${describe(v)}`);
  return v;
}

/**
 * The LR range test: trains for numIter steps while the learning rate grows from startLr to
 * endLr, records the (smoothed) loss at each, stops when the loss diverges and suggests the lr
 * where the loss falls fastest. The model and optimizer are restored afterwards (restore).
 */
export function lrRangeTest(options: LrRangeTestOptions): LrRangeTestResult {
  checkOptions('train.lrRangeTest', options, {
    model: 'object',
    data: 'object',
    lossFn: true,
    optimizer: 'object',
    startLr: 'number',
    endLr: 'number',
    numIter: 'integer',
    mode: 'string',
    smoothing: 'number',
    divergeThreshold: 'number',
    skipStart: 'integer',
    skipEnd: 'integer',
    restore: 'boolean',
  });
  checkTrainingParts('train.lrRangeTest', options ?? {});
  const { model, data, lossFn, optimizer } = options;
  const startLr = checkPositive('startLr', options.startLr ?? 1e-7);
  const endLr = checkPositive('endLr', options.endLr ?? 10);
  if (endLr <= startLr) throw new RangeError(`lrRangeTest: endLr (${endLr}) must be greater than startLr (${startLr})`);
  const numIter = options.numIter ?? 100;
  if (!Number.isInteger(numIter) || numIter < 2)
    throw new RangeError(`lrRangeTest: numIter must be an integer >= 2, got ${describe(numIter)}`);
  const mode = options.mode ?? 'exp';
  if (mode !== 'exp' && mode !== 'linear')
    throw new RangeError(`lrRangeTest: mode must be 'exp' or 'linear', got ${String(mode)}`);
  const beta = options.smoothing ?? 0.9;
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`lrRangeTest: smoothing must be in [0, 1), got ${describe(beta)}`);
  const divergeThreshold = checkPositive('divergeThreshold', options.divergeThreshold ?? 5);
  const lrAt = (i: number) => {
    const t = i / (numIter - 1);
    return mode === 'exp' ? startLr * (endLr / startLr) ** t : startLr + (endLr - startLr) * t;
  };

  const restore = (options.restore ?? true) ? snapshotTraining(model, optimizer) : null;
  const lrs: number[] = [];
  const losses: number[] = [];
  const rawLosses: number[] = [];
  let diverged = false;
  try {
    let it = data[Symbol.iterator]();
    let avg = 0;
    let best = Infinity;
    for (let i = 0; i < numIter; i++) {
      let next = it.next();
      if (next.done) {
        it = data[Symbol.iterator]();
        next = it.next();
        if (next.done) break;
      }
      if (!Array.isArray(next.value) || next.value.length < 2)
        throw new TypeError('lrRangeTest: data must yield [input, target] pairs');
      const [x, y] = next.value as [unknown, unknown];
      const lr = lrAt(i);
      for (const g of optimizer.paramGroups) g.lr = lr;
      optimizer.zeroGrad();
      const loss = lossOf('lrRangeTest', lossFn, forward(model, x), y);
      const raw = loss.item() as number;
      lrs.push(lr);
      rawLosses.push(raw);
      avg = beta * avg + (1 - beta) * raw;
      const smoothed = avg / (1 - beta ** (i + 1));
      losses.push(smoothed);
      if (!Number.isFinite(smoothed) || smoothed > divergeThreshold * best) {
        diverged = true;
        break;
      }
      best = Math.min(best, smoothed);
      loss.backward();
      optimizer.step();
    }
  } finally {
    restore?.();
  }
  if (lrs.length === 0) throw new Error('lrRangeTest: data yielded no batches');

  let minIdx = 0;
  losses.forEach((l, i) => {
    if (l < losses[minIdx]) minIdx = i;
  });
  const n = lrs.length;
  const skipStart = options.skipStart ?? Math.min(10, Math.floor(n / 10));
  const skipEnd = options.skipEnd ?? 0;
  const hi = Math.min(n - skipEnd, minIdx + 1);
  let suggestedLr: number | null = null;
  if (hi - skipStart >= 2) {
    // Central differences inside, one-sided at the ends (numpy.gradient), per step.
    let steepest = Infinity;
    for (let i = skipStart; i < hi; i++) {
      const a = Math.max(skipStart, i - 1);
      const b = Math.min(hi - 1, i + 1);
      const slope = (losses[b] - losses[a]) / (b - a);
      if (slope < steepest) {
        steepest = slope;
        suggestedLr = lrs[i];
      }
    }
  }
  return { lrs, losses, rawLosses, suggestedLr, minLossLr: lrs[minIdx], diverged };
}
