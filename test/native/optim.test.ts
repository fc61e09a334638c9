import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  native,
  type AdagradStepOptions,
  type AdamStepOptions,
  type RmspropStepOptions,
  type SgdStepOptions,
} from '../../lib/native.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';

// ---- float32 arithmetic, one rounding per op. fround of the double result is the correctly
// rounded float32 result for + - * / and sqrt of float32 inputs; fmaf needs care (below).
const f = Math.fround;
const word = new Float32Array(1);
const wordBits = new Uint32Array(word.buffer);

/** The float32 next to finite float32 x, upwards or downwards. */
function nextFloat(x: number, up: boolean): number {
  if (x === 0) return up ? 2 ** -149 : -(2 ** -149);
  word[0] = x;
  wordBits[0] += x > 0 === up ? 1 : -1;
  return word[0];
}

/** Correctly rounded float32 fused multiply-add of float32 inputs (C's fmaf). */
function fmaf(a: number, b: number, c: number): number {
  const p = a * b; // exact: two 24-bit significands fit in 53 bits
  const s = p + c;
  const r = f(s);
  if (r === s || !Number.isFinite(s)) return r;
  const z = s - p;
  const err = p - (s - z) + (c - z); // s + err == p + c exactly (TwoSum)
  if (err === 0) return r;
  // Rounding s differs from rounding p + c only when s is exactly halfway between two floats.
  const other = nextFloat(r, s > r);
  if ((r + other) / 2 !== s) return r;
  return err > 0 === other > r ? other : r;
}

/** torch.maximum: NaN when either is NaN. */
const maxNan = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));

// ---- PyTorch 1.13's single-tensor updates, op by op (add with alpha and addcmul are fused
// multiply-adds in PyTorch's CPU kernels: add(x, alpha) = fma(x, alpha, self),
// addcmul(t1, t2, value) = fma(value*t1, t2, self); everything else rounds per op).
type State = Record<string, Float32Array | null>;

function sgdReference(p: Float32Array, g: Float32Array, s: State, o: SgdStepOptions): void {
  const wd = f(o.weightDecay),
    mom = f(o.momentum),
    damp = f(1 - o.dampening),
    negLr = f(-o.lr);
  const buf = s.momentumBuf!;
  for (let i = 0; i < p.length; i++) {
    let d = o.maximize ? -g[i] : g[i];
    if (o.weightDecay !== 0) d = fmaf(p[i], wd, d);
    if (o.momentum !== 0) {
      const b = o.firstStep ? d : fmaf(d, damp, f(buf[i] * mom));
      buf[i] = b;
      d = o.nesterov ? fmaf(b, mom, d) : b;
    }
    p[i] = fmaf(d, negLr, p[i]);
  }
}

function adamReference(p: Float32Array, g: Float32Array, s: State, o: AdamStepOptions): void {
  const bc1 = 1 - o.beta1 ** o.step,
    bc2 = 1 - o.beta2 ** o.step;
  const negStep = f(-(o.lr / bc1)),
    bc2Sqrt = f(Math.sqrt(bc2)),
    eps = f(o.eps);
  const b1 = f(o.beta1),
    omb1 = f(1 - o.beta1),
    b2 = f(o.beta2),
    omb2 = f(1 - o.beta2);
  const wd = f(o.weightDecay),
    decay = f(1 - o.lr * o.weightDecay);
  const m = s.expAvg!,
    v = s.expAvgSq!,
    vmax = s.maxExpAvgSq;
  for (let i = 0; i < p.length; i++) {
    let gi = o.maximize ? -g[i] : g[i];
    let pi = p[i];
    if (o.decoupled) pi = f(pi * decay);
    else if (o.weightDecay !== 0) gi = fmaf(pi, wd, gi);
    m[i] = fmaf(gi, omb1, f(m[i] * b1));
    v[i] = fmaf(f(omb2 * gi), gi, f(v[i] * b2));
    let vi = v[i];
    if (o.amsgrad) vi = vmax![i] = maxNan(vmax![i], v[i]);
    const denom = f(f(f(Math.sqrt(vi)) / bc2Sqrt) + eps);
    p[i] = f(pi + f(f(negStep * m[i]) / denom));
  }
}

function rmspropReference(p: Float32Array, g: Float32Array, s: State, o: RmspropStepOptions): void {
  const alpha = f(o.alpha),
    oma = f(1 - o.alpha),
    eps = f(o.eps),
    wd = f(o.weightDecay);
  const mom = f(o.momentum),
    negLr = f(-o.lr);
  const sq = s.squareAvg!,
    buf = s.momentumBuf,
    ga = s.gradAvg;
  for (let i = 0; i < p.length; i++) {
    let gi = o.maximize ? -g[i] : g[i];
    if (o.weightDecay !== 0) gi = fmaf(p[i], wd, gi);
    sq[i] = fmaf(f(oma * gi), gi, f(sq[i] * alpha));
    let avg: number;
    if (o.centered) {
      ga![i] = fmaf(gi, oma, f(ga![i] * alpha));
      avg = f(Math.sqrt(fmaf(-ga![i], ga![i], sq[i])));
    } else {
      avg = f(Math.sqrt(sq[i]));
    }
    avg = f(avg + eps);
    if (o.momentum > 0) {
      buf![i] = f(f(buf![i] * mom) + f(gi / avg));
      p[i] = fmaf(buf![i], negLr, p[i]);
    } else {
      p[i] = f(p[i] + f(f(negLr * gi) / avg));
    }
  }
}

function adagradReference(p: Float32Array, g: Float32Array, s: State, o: AdagradStepOptions): void {
  const negClr = f(-(o.lr / (1 + (o.step - 1) * o.lrDecay))),
    eps = f(o.eps),
    wd = f(o.weightDecay);
  const sum = s.stateSum!;
  for (let i = 0; i < p.length; i++) {
    let gi = o.maximize ? -g[i] : g[i];
    if (o.weightDecay !== 0) gi = fmaf(p[i], wd, gi);
    sum[i] = fmaf(gi, gi, sum[i]);
    const std = f(f(Math.sqrt(sum[i])) + eps);
    p[i] = f(p[i] + f(f(negClr * gi) / std));
  }
}

// ---- Each optimizer: its option combinations, initial state, the native call and the reference.
interface Optimizer<O> {
  name: string;
  combos: O[];
  /** The options of step `step` (1-based). */
  at(o: O, step: number): O;
  /** The initial state buffers, in call order; null where the options use none. */
  state(o: O, n: number): State;
  native(p: Float32Array, g: Float32Array, s: State, o: O): void;
  reference(p: Float32Array, g: Float32Array, s: State, o: O): void;
}

const bools = [false, true];
const cross = <T>(lists: T[][]): T[][] =>
  lists.reduce<T[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
const zeros = (n: number) => new Float32Array(n);

const sgd: Optimizer<SgdStepOptions> = {
  name: 'sgd',
  combos: cross<number | boolean>([[0, 1, 2, 3], [0, 0.01], bools]).map(([kind, weightDecay, maximize]) => ({
    lr: 0.1,
    momentum: kind === 0 ? 0 : 0.9,
    dampening: kind === 2 ? 0.3 : 0,
    nesterov: kind === 3,
    weightDecay: weightDecay as number,
    maximize: maximize as boolean,
    firstStep: true,
  })),
  at: (o, step) => ({ ...o, firstStep: step === 1 }),
  // The first step must not read the buffer: start it as garbage.
  state: (o, n) => ({ momentumBuf: o.momentum !== 0 ? new Float32Array(n).fill(NaN) : null }),
  native: (p, g, s, o) => native.sgdStep(p, g, s.momentumBuf, o),
  reference: sgdReference,
};

const adam: Optimizer<AdamStepOptions> = {
  name: 'adam/adamw',
  combos: cross<boolean | number[]>([
    bools,
    bools,
    bools,
    bools,
    [
      [0.9, 0.999],
      [0.5, 0.8],
    ],
  ]).map(([decoupled, amsgrad, decay, maximize, betas]) => ({
    lr: 0.01,
    beta1: (betas as number[])[0],
    beta2: (betas as number[])[1],
    eps: 1e-8,
    weightDecay: decay ? 0.05 : 0,
    decoupled: decoupled as boolean,
    amsgrad: amsgrad as boolean,
    maximize: maximize as boolean,
    step: 1,
  })),
  at: (o, step) => ({ ...o, step }),
  state: (o, n) => ({ expAvg: zeros(n), expAvgSq: zeros(n), maxExpAvgSq: o.amsgrad ? zeros(n) : null }),
  native: (p, g, s, o) => native.adamStep(p, g, s.expAvg!, s.expAvgSq!, s.maxExpAvgSq, o),
  reference: adamReference,
};

const rmsprop: Optimizer<RmspropStepOptions> = {
  name: 'rmsprop',
  combos: cross([bools, bools, bools, bools]).map(([centered, withMomentum, decay, maximize]) => ({
    lr: 0.01,
    alpha: 0.9,
    eps: 1e-8,
    weightDecay: decay ? 0.05 : 0,
    momentum: withMomentum ? 0.9 : 0,
    centered,
    maximize,
  })),
  at: (o) => o,
  state: (o, n) => ({
    squareAvg: zeros(n),
    momentumBuf: o.momentum > 0 ? zeros(n) : null,
    gradAvg: o.centered ? zeros(n) : null,
  }),
  native: (p, g, s, o) => native.rmspropStep(p, g, s.squareAvg!, s.momentumBuf, s.gradAvg, o),
  reference: rmspropReference,
};

// Adagrad's initial accumulator value is the caller's: the test starts half the cases at 0.5.
const adagrad: Optimizer<AdagradStepOptions & { initial: number }> = {
  name: 'adagrad',
  combos: cross([
    [0, 0.1],
    [0, 0.05],
    [0, 0.5],
    [0, 1],
  ]).map(([lrDecay, weightDecay, initial, maximize]) => ({
    lr: 0.1,
    lrDecay,
    weightDecay,
    eps: 1e-10,
    maximize: maximize === 1,
    step: 1,
    initial,
  })),
  at: (o, step) => ({ ...o, step }),
  state: (o, n) => ({ stateSum: new Float32Array(n).fill(o.initial) }),
  native: (p, g, s, o) => native.adagradStep(p, g, s.stateSum!, o),
  reference: adagradReference,
};

const optimizers = [sgd, adam, rmsprop, adagrad] as Optimizer<unknown>[];

// Sizes around the vector widths (8, 16) and one above two threads' grain (2 x 16384), odd so
// that the threads' ranges end inside a vector.
const sizes = [1, 7, 8, 9, 15, 16, 17, 31, 33, 40009];
const STEPS = 3;

function gradients(n: number): Float32Array[] {
  return Array.from({ length: STEPS }, (_, k) => {
    const g = randomFloats(n, 1000 + 31 * k + n, -1, 1);
    for (let i = k; i < n; i += 13) g[i] = 0; // zero gradients too
    return g;
  });
}

function copyState(s: State): State {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v && v.slice()]));
}

function expectSame(got: Float32Array, want: Float32Array, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) {
      expect.fail(`${what}: element ${i} of ${want.length} is ${got[i]}, the reference gives ${want[i]}`);
    }
  }
}

describe('native optimizer steps', () => {
  for (const opt of optimizers) {
    it(`${opt.name}: every option combination matches the float32 reference bit for bit, on every ISA at 1 and 2 threads`, () => {
      for (const o of opt.combos) {
        for (const n of sizes) {
          const p0 = randomFloats(n, 7 + n, -2, 2);
          const grads = gradients(n);
          // The reference trajectory: parameter and state after each step.
          const want: { p: Float32Array; s: State }[] = [];
          const p = p0.slice();
          let s = opt.state(o, n);
          for (let k = 0; k < STEPS; k++) {
            opt.reference(p, grads[k], s, opt.at(o, k + 1));
            want.push({ p: p.slice(), s: copyState(s) });
          }
          for (const isa of supportedIsas) {
            for (const threads of [1, 2]) {
              withThreads(threads, () =>
                withIsa(isa, () => {
                  const q = p0.slice();
                  s = opt.state(o, n);
                  for (let k = 0; k < STEPS; k++) {
                    opt.native(q, grads[k], s, opt.at(o, k + 1));
                    const what = `${isa}, ${threads} thread(s), n=${n}, step ${k + 1}, ${JSON.stringify(o)}`;
                    expectSame(q, want[k].p, `${what}: param`);
                    for (const [key, buf] of Object.entries(s))
                      if (buf) expectSame(buf, want[k].s[key]!, `${what}: ${key}`);
                  }
                }),
              );
            }
          }
        }
      }
    });
  }

  it('leaves state buffers the options do not use untouched', () => {
    const n = 19;
    const unused = () => new Float32Array(n).fill(7);
    const p = randomFloats(n, 1),
      g = randomFloats(n, 2);
    const check = (buf: Float32Array) => expect(Array.from(buf)).toEqual(Array.from(unused()));
    const mb = unused();
    native.sgdStep(p, g, mb, { ...sgd.combos[0], momentum: 0 });
    check(mb);
    const ms = unused();
    native.adamStep(p, g, zeros(n), zeros(n), ms, { ...adam.combos[0], amsgrad: false });
    check(ms);
    const rb = unused(),
      ra = unused();
    native.rmspropStep(p, g, zeros(n), rb, ra, { ...rmsprop.combos[0], momentum: 0, centered: false });
    check(rb);
    check(ra);
  });

  it('propagates NaN and infinity as PyTorch does', () => {
    const p = new Float32Array([1, 1, 1, 1]);
    const g = new Float32Array([NaN, Infinity, 0, 1]);
    const s = { expAvg: zeros(4), expAvgSq: zeros(4), maxExpAvgSq: zeros(4) };
    const o = { ...adam.combos[0], amsgrad: true };
    native.adamStep(p, g, s.expAvg, s.expAvgSq, s.maxExpAvgSq, o);
    const q = new Float32Array([1, 1, 1, 1]);
    const r = { expAvg: zeros(4), expAvgSq: zeros(4), maxExpAvgSq: zeros(4) };
    adamReference(q, g, r, o);
    expect(Number.isNaN(p[0]) && Number.isNaN(p[1])).toBe(true); // inf / inf
    expect(Array.from(p)).toEqual(Array.from(q));
    expect(Array.from(s.maxExpAvgSq)).toEqual(Array.from(r.maxExpAvgSq));
  });
});

// ---- PyTorch 1.13 golden values: scripts/gen_fixtures_optim.py ran torch.optim for 5 steps.
interface FixtureCase {
  optimizer: 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';
  options: Record<string, number | boolean | number[]>;
  params: number[][];
  state: Record<string, number[]>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/optim_steps.json', import.meta.url), 'utf8')) as {
  param: number[];
  grads: number[][];
  cases: FixtureCase[];
};

/** Runs one fixture case through the binding; returns the params after each step and the state. */
function runFixture(c: FixtureCase): { params: Float32Array[]; state: Record<string, Float32Array> } {
  const o = c.options as Record<string, never>;
  const n = fixture.param.length;
  const p = Float32Array.from(fixture.param);
  const params: Float32Array[] = [];
  const state: Record<string, Float32Array> = {};
  const buf = (key: string, fill = 0) => (state[key] = new Float32Array(n).fill(fill));
  let momentumBuf: Float32Array | null = null,
    maxSq: Float32Array | null = null,
    gradAvg: Float32Array | null = null;
  if (c.optimizer === 'sgd' && o.momentum !== 0) momentumBuf = buf('momentum_buffer');
  if ((c.optimizer === 'adam' || c.optimizer === 'adamw') && o.amsgrad) maxSq = buf('max_exp_avg_sq');
  if (c.optimizer === 'rmsprop' && o.momentum > 0) momentumBuf = buf('momentum_buffer');
  if (c.optimizer === 'rmsprop' && o.centered) gradAvg = buf('grad_avg');
  const expAvg = buf('exp_avg'),
    expAvgSq = buf('exp_avg_sq'),
    squareAvg = buf('square_avg');
  const sum = buf('sum', o.initial_accumulator_value ?? 0);
  fixture.grads.forEach((gradient, k) => {
    const g = Float32Array.from(gradient);
    const step = k + 1;
    switch (c.optimizer) {
      case 'sgd':
        native.sgdStep(p, g, momentumBuf, {
          lr: o.lr,
          momentum: o.momentum,
          dampening: o.dampening,
          weightDecay: o.weight_decay,
          nesterov: o.nesterov,
          maximize: o.maximize,
          firstStep: step === 1,
        });
        break;
      case 'adam':
      case 'adamw':
        native.adamStep(p, g, expAvg, expAvgSq, maxSq, {
          lr: o.lr,
          beta1: (o.betas as number[])[0],
          beta2: (o.betas as number[])[1],
          eps: o.eps,
          weightDecay: o.weight_decay,
          decoupled: c.optimizer === 'adamw',
          amsgrad: o.amsgrad,
          maximize: o.maximize,
          step,
        });
        break;
      case 'rmsprop':
        native.rmspropStep(p, g, squareAvg, momentumBuf, gradAvg, {
          lr: o.lr,
          alpha: o.alpha,
          eps: o.eps,
          weightDecay: o.weight_decay,
          momentum: o.momentum,
          centered: o.centered,
          maximize: o.maximize,
        });
        break;
      case 'adagrad':
        native.adagradStep(p, g, sum, {
          lr: o.lr,
          lrDecay: o.lr_decay,
          weightDecay: o.weight_decay,
          eps: o.eps,
          maximize: o.maximize,
          step,
        });
        break;
    }
    params.push(p.slice());
  });
  return { params, state };
}

/** Relative-ish closeness: 1e-6 of the value, and of 1e-3 for values near zero. */
function expectClose(got: Float32Array, want: number[], what: string): void {
  for (let i = 0; i < want.length; i++) {
    const w = f(want[i]);
    if (!(Math.abs(got[i] - w) <= 1e-6 * Math.max(Math.abs(w), 1e-3))) {
      expect.fail(`${what}: element ${i} is ${got[i]}, PyTorch gives ${w}`);
    }
  }
}

describe('native optimizer steps against PyTorch 1.13', () => {
  it('the fixture covers every optimizer', () => {
    expect(new Set(fixture.cases.map((c) => c.optimizer))).toEqual(
      new Set(['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad']),
    );
  });
  for (const isa of supportedIsas) {
    it(`${isa}: 5 steps of every configuration reproduce torch.optim's parameters and state`, () => {
      withIsa(isa, () => {
        for (const c of fixture.cases) {
          const got = runFixture(c);
          const name = `${c.optimizer} ${JSON.stringify(c.options)}`;
          c.params.forEach((want, k) => expectClose(got.params[k], want, `${name}: param after step ${k + 1}`));
          for (const [key, want] of Object.entries(c.state)) {
            expect(got.state[key], `${name}: state '${key}'`).toBeDefined();
            expectClose(got.state[key], want, `${name}: state '${key}'`);
          }
        }
      });
    });
  }
});

describe('optimizer step argument checks', () => {
  const a = (n = 3) => new Float32Array(n);
  const sgdOptions: SgdStepOptions = {
    lr: 0.1,
    momentum: 0.9,
    dampening: 0,
    weightDecay: 0,
    nesterov: false,
    maximize: false,
    firstStep: true,
  };
  const adamOptions: AdamStepOptions = { ...adam.combos[0] };
  const rmspropOptions: RmspropStepOptions = { ...rmsprop.combos[0] };
  const adagradOptions: AdagradStepOptions = {
    lr: 0.1,
    lrDecay: 0,
    weightDecay: 0,
    eps: 1e-10,
    maximize: false,
    step: 1,
  };
  const call =
    (fn: (...args: never[]) => void, ...args: unknown[]) =>
    () =>
      (fn as (...x: unknown[]) => void)(...args);

  it('rejects wrong options objects and hyper-parameters with messages naming the option', () => {
    expect(call(native.sgdStep, a(), a(), a())).toThrow(/sgdStep: expected 4 arguments, got 3/);
    expect(call(native.sgdStep, a(), a(), a(), null)).toThrow(/argument 'options' must be an options object, got null/);
    expect(call(native.sgdStep, a(), a(), a(), [1])).toThrow(TypeError);
    expect(call(native.sgdStep, a(), a(), a(), {})).toThrow(/sgdStep: option 'lr' must be a number, got undefined/);
    expect(call(native.sgdStep, a(), a(), a(), { ...sgdOptions, lr: -0.1 })).toThrow(
      /option 'lr' must be a finite number >= 0, got number -0.1/,
    );
    expect(call(native.sgdStep, a(), a(), a(), { ...sgdOptions, lr: NaN })).toThrow(RangeError);
    expect(call(native.sgdStep, a(), a(), a(), { ...sgdOptions, lr: Infinity })).toThrow(RangeError);
    expect(call(native.sgdStep, a(), a(), a(), { ...sgdOptions, lr: '0.1' })).toThrow(
      /option 'lr' must be a number, got string '0.1'/,
    );
    expect(call(native.sgdStep, a(), a(), a(), { ...sgdOptions, momentum: -0.5 })).toThrow(
      /option 'momentum' must be a finite number >= 0/,
    );
    expect(call(native.sgdStep, a(), a(), a(), { ...sgdOptions, weightDecay: -1 })).toThrow(/option 'weightDecay'/);
    expect(call(native.sgdStep, a(), a(), a(), { ...sgdOptions, dampening: NaN })).toThrow(
      /option 'dampening' must be a finite number, got number nan/,
    );
    expect(call(native.sgdStep, a(), a(), a(), { ...sgdOptions, nesterov: 1 })).toThrow(
      /option 'nesterov' must be a boolean, got number 1/,
    );
    expect(call(native.sgdStep, a(), a(), a(), { ...sgdOptions, nesterov: true, dampening: 0.3 })).toThrow(
      /sgdStep: nesterov needs momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.3/,
    );
    expect(call(native.sgdStep, a(), a(), null, { ...sgdOptions, nesterov: true, momentum: 0, dampening: 0 })).toThrow(
      /nesterov needs momentum > 0/,
    );
    expect(call(native.adamStep, a(), a(), a(), a(), null, { ...adamOptions, beta1: 1 })).toThrow(
      /option 'beta1' must be a finite number in \[0, 1\), got number 1/,
    );
    expect(call(native.adamStep, a(), a(), a(), a(), null, { ...adamOptions, beta2: -0.1 })).toThrow(/option 'beta2'/);
    expect(call(native.adamStep, a(), a(), a(), a(), null, { ...adamOptions, eps: -1e-8 })).toThrow(/option 'eps'/);
    expect(call(native.adamStep, a(), a(), a(), a(), null, { ...adamOptions, step: 0 })).toThrow(
      /option 'step' must be in \[1, 9007199254740991\], got number 0/,
    );
    expect(call(native.adamStep, a(), a(), a(), a(), null, { ...adamOptions, step: 2.5 })).toThrow(
      /option 'step' must be an integer, got number 2.5/,
    );
    expect(call(native.adamStep, a(), a(), a(), a(), null, { ...adamOptions, decoupled: undefined })).toThrow(
      /option 'decoupled' must be a boolean, got undefined/,
    );
    expect(call(native.rmspropStep, a(), a(), a(), null, null, { ...rmspropOptions, alpha: -0.9 })).toThrow(
      /rmspropStep: option 'alpha'/,
    );
    expect(call(native.adagradStep, a(), a(), a(), { ...adagradOptions, lrDecay: -1 })).toThrow(
      /adagradStep: option 'lrDecay' must be a finite number >= 0/,
    );
    expect(call(native.adagradStep, a(), a(), a(), { ...adagradOptions, step: undefined })).toThrow(
      /adagradStep: option 'step' must be an integer, got undefined/,
    );
    // A throwing getter surfaces as is, before any buffer is touched.
    const p = a().fill(1);
    expect(
      call(native.adagradStep, p, a().fill(1), a(), {
        ...adagradOptions,
        get lr() {
          throw new Error('from a getter');
        },
      }),
    ).toThrow(/from a getter/);
    expect(Array.from(p)).toEqual([1, 1, 1]);
  });

  it('rejects wrong buffers: types, lengths, missing state, shared memory', () => {
    expect(call(native.sgdStep, new Int32Array(3), a(), a(), sgdOptions)).toThrow(
      /sgdStep: argument 'param' must be a Float32Array, got Int32Array\(3\)/,
    );
    // A Float64Array parameter steps in double: every buffer must be a Float64Array then.
    expect(call(native.sgdStep, new Float64Array(3), a(), a(), sgdOptions)).toThrow(
      /sgdStep: argument 'grad' must be a Float64Array, got Float32Array\(3\)/,
    );
    expect(
      call(native.adamStep, new Float64Array(3), new Float64Array(3), new Float64Array(3), null, null, adamOptions),
    ).toThrow(/adamStep: argument 'expAvgSq' must be a Float64Array, got null/);
    expect(call(native.sgdStep, a(), [0, 0, 0], a(), sgdOptions)).toThrow(
      /argument 'grad' must be a Float32Array, got array of length 3/,
    );
    expect(call(native.sgdStep, a(), a(4), a(), sgdOptions)).toThrow(
      /argument 'grad' has length 4 but 'param' has length 3/,
    );
    expect(call(native.sgdStep, a(), a(), a(2), sgdOptions)).toThrow(
      /argument 'momentumBuf' has length 2 but 'param' has length 3/,
    );
    expect(call(native.sgdStep, a(), a(), null, sgdOptions)).toThrow(
      /argument 'momentumBuf' must be a Float32Array when momentum is not 0, got null/,
    );
    expect(call(native.sgdStep, a(), a(), undefined, { ...sgdOptions, momentum: 0 })).toThrow(
      /argument 'momentumBuf' must be a Float32Array, got undefined/,
    );
    expect(call(native.adamStep, a(), a(), a(), null, null, adamOptions)).toThrow(
      /argument 'expAvgSq' must be a Float32Array, got null/,
    );
    expect(call(native.adamStep, a(), a(), a(), a(), null, { ...adamOptions, amsgrad: true })).toThrow(
      /argument 'maxExpAvgSq' must be a Float32Array when amsgrad is true, got null/,
    );
    expect(call(native.adamStep, a(), a(), a(), a(), a(5), adamOptions)).toThrow(/'maxExpAvgSq' has length 5/);
    expect(call(native.rmspropStep, a(), a(), a(), null, null, { ...rmspropOptions, momentum: 0.9 })).toThrow(
      /argument 'momentumBuf' must be a Float32Array when momentum > 0, got null/,
    );
    expect(call(native.rmspropStep, a(), a(), a(), null, null, { ...rmspropOptions, centered: true })).toThrow(
      /argument 'gradAvg' must be a Float32Array when centered is true, got null/,
    );
    expect(call(native.adagradStep, a(), a(), new Int32Array(3), adagradOptions)).toThrow(
      /argument 'stateSum' must be a Float32Array, got Int32Array\(3\)/,
    );
    // Shared memory: the same array twice, or views of one buffer that overlap.
    const x = a();
    expect(call(native.sgdStep, x, x, a(), sgdOptions)).toThrow(/sgdStep: output 'param' overlaps input 'grad'/);
    const big = a(12);
    expect(call(native.adamStep, big.subarray(0, 3), a(), a(), big.subarray(2, 5), null, adamOptions)).toThrow(
      /output 'param' overlaps input 'expAvgSq'/,
    );
    expect(call(native.adamStep, a(), big.subarray(0, 3), big.subarray(1, 4), a(), null, adamOptions)).toThrow(
      /output 'expAvg' overlaps input 'grad'/,
    );
    expect(
      call(native.rmspropStep, a(), a(), big.subarray(0, 3), a(), big.subarray(2, 5), {
        ...rmspropOptions,
        centered: true,
        momentum: 0.9,
      }),
    ).toThrow(/output 'squareAvg' overlaps input 'gradAvg'/);
    expect(call(native.adagradStep, x, a(), x, adagradOptions)).toThrow(
      /adagradStep: output 'param' overlaps input 'stateSum'/,
    );
  });

  it('accepts adjacent views of one buffer and empty buffers; the process stays healthy', () => {
    const big = new Float32Array(9).fill(1);
    const [p, g, m] = [big.subarray(0, 3), big.subarray(3, 6), big.subarray(6, 9)];
    native.sgdStep(p, g, m, sgdOptions); // firstStep: m = g, p -= 0.1 * m
    expect(Array.from(big)).toEqual([0.9, 0.9, 0.9, 1, 1, 1, 1, 1, 1].map(f));
    native.adamStep(a(0), a(0), a(0), a(0), a(0), { ...adamOptions, amsgrad: true });
    const q = new Float32Array([1, 2]);
    native.adagradStep(q, new Float32Array([1, -1]), a(2), adagradOptions);
    expect(Array.from(q)).toEqual([f(1 - f(0.1 / f(1 + 1e-10))), f(2 + f(0.1 / f(1 + 1e-10)))]);
  });
});
