// optim.LBFGS against PyTorch 1.13's iterates (scripts/gen_fixtures_lbfgs.py): every point the
// closure is evaluated at, in order, and the parameters after each step(), for the fixed-step and
// the strong-Wolfe variants; then the state dict, option checks and errors.
import { describe, expect, it } from 'vitest';
import { backendInfo, matmul, optim, type Tensor, tensor, zeros } from '../../lib/index.js';
import { loadFixture } from '../helpers/fixtures.js';

interface Case {
  name: string;
  problem: 'rosenbrock' | 'least_squares';
  dtype: 'float32' | 'float64';
  x0: number[];
  steps: number;
  options: Record<string, number | string | null>;
  evals: { x: number[]; loss: number }[];
  after: number[][];
  returned: number[];
  funcEvals: number;
  nIter: number;
}

// Rosenbrock's two parameters: every float32 operation the same as PyTorch's, so bit for bit. The
// least-squares loss sums A p and the mean in another order than PyTorch's; its last-bit
// differences grow near the minimum, where a gradient difference y = g_new - g_old is itself a
// few ulps, to 1e-4 at most.
// In float64 every scalar is a double on both sides, but PyTorch's dot products are OpenBLAS's
// ddot (its own order of sums): the iterates drift apart in the last bits, to 2e-9
// relative by Rosenbrock's 40th evaluation.
const TOL = { rosenbrock: 0, least_squares: 1e-4 };
const FLOAT64_TOL = 1e-8;
const tolOf = (c: Case) => (c.dtype === 'float64' ? FLOAT64_TOL : TOL[c.problem]);
const fx = loadFixture<{ A: number[][]; b: number[]; cases: Case[] }>('lbfgs');
const A = { float32: tensor(fx.A), float64: tensor(fx.A, { dtype: 'float64' }) };
const b = { float32: tensor(fx.b), float64: tensor(fx.b, { dtype: 'float64' }) };
const problems = {
  rosenbrock: (p: Tensor) => {
    const x = p.select(0, 0);
    const y = p.select(0, 1);
    return x
      .neg()
      .add(1)
      .pow(2)
      .add(y.sub(x.mul(x)).pow(2).mul(100));
  },
  least_squares: (p: Tensor) => {
    const dtype = p.dtype as 'float32' | 'float64';
    return matmul(A[dtype], p).sub(b[dtype]).pow(2).mean();
  },
};

/** torch's option names to myelin's (max_iter -> maxIter, strong_wolfe stays a value). */
function options(o: Case['options']): optim.LBFGSOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out as optim.LBFGSOptions;
}

function replay(c: Case, opts = options(c.options)) {
  const p = tensor(c.x0, { dtype: c.dtype }).requiresGrad_();
  const opt = new optim.LBFGS([p], opts);
  const evals: { x: number[]; loss: number }[] = [];
  const closure = () => {
    opt.zeroGrad();
    const loss = problems[c.problem](p);
    loss.backward();
    evals.push({ x: Array.from(p.data), loss: loss.item() as number });
    return loss;
  };
  const after: number[][] = [];
  const returned: number[] = [];
  for (let s = 0; s < c.steps; s++) {
    returned.push(opt.step(closure));
    after.push(Array.from(p.data));
  }
  return { p, opt, evals, after, returned, closure };
}

/** |a - b| <= tol (1 + |b|). */
function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * (1 + Math.abs(b));
}

// The least-squares problem goes through matmul, whose sums are ordered per kernel table: the
// replay holds iterate by iterate on the AVX-512 table; on the others the last bits differ, the
// line search may take other steps, and what must agree is the minimum reached.
const exactReplay = (c: Case) => c.problem === 'rosenbrock' || backendInfo().isa === 'avx512';

describe('LBFGS reaches PyTorch 1.13 minimum on every kernel table', () => {
  for (const c of fx.cases.filter((c) => c.problem === 'least_squares')) {
    it(c.name, () => {
      const r = replay(c);
      const last = c.after[c.after.length - 1];
      last.forEach((v, j) => expect(close(r.after[r.after.length - 1][j], v, 1e-3), `final x[${j}]`).toBe(true));
    });
  }
});

describe('LBFGS matches PyTorch 1.13 iterate by iterate', () => {
  for (const c of fx.cases.filter(exactReplay)) {
    it(c.name, () => {
      const r = replay(c);
      expect(r.evals.length, 'closure evaluations').toBe(c.evals.length);
      c.evals.forEach((e, i) => {
        e.x.forEach((v, j) => {
          if (!close(r.evals[i].x[j], v, tolOf(c)))
            expect.fail(`evaluation ${i}: x[${j}] = ${r.evals[i].x[j]}, PyTorch ${v}`);
        });
        if (!close(r.evals[i].loss, e.loss, tolOf(c)))
          expect.fail(`evaluation ${i}: loss ${r.evals[i].loss}, PyTorch ${e.loss}`);
      });
      c.after.forEach((x, s) =>
        x.forEach((v, j) => expect(close(r.after[s][j], v, tolOf(c)), `step ${s} x[${j}]`).toBe(true)),
      );
      c.returned.forEach((v, s) => expect(close(r.returned[s], v, tolOf(c)), `step ${s} returned loss`).toBe(true));
      const state = r.opt.stateDict().state[0] as Record<string, unknown>;
      expect(state.funcEvals).toBe(c.funcEvals);
      expect(state.nIter).toBe(c.nIter);
    });
  }
});

describe('LBFGS state, options and errors', () => {
  const c = fx.cases.find((k) => k.name === 'rosenbrock, strong_wolfe, short steps')!;

  it('a state dict saved mid-run and loaded into a fresh optimizer continues the same run', () => {
    const whole = replay(c);
    const half = { ...c, steps: 4 };
    const first = replay(half);
    const sd = first.opt.stateDict();
    expect(Object.keys(sd.state[0]).sort()).toEqual(
      ['HDiag', 'al', 'd', 'funcEvals', 'nIter', 'oldDirs', 'oldStps', 'prevFlatGrad', 'prevLoss', 'ro', 't'].sort(),
    );
    const p = tensor(Array.from(first.p.data)).requiresGrad_();
    const opt = new optim.LBFGS([p], options(c.options));
    opt.loadStateDict(sd);
    const closure = () => {
      opt.zeroGrad();
      const loss = problems.rosenbrock(p);
      loss.backward();
      return loss;
    };
    for (let s = 4; s < c.steps; s++) opt.step(closure);
    expect(Array.from(p.data)).toEqual(whole.after[c.steps - 1]);
  });

  it('names unknown options (suggesting the camelCase spelling) and bad values', () => {
    const p = zeros([2]).requiresGrad_();
    expect(() => new optim.LBFGS([p], { max_iter: 5 } as never)).toThrow(
      /LBFGS: unknown option 'max_iter'; did you mean 'maxIter'\?/,
    );
    expect(() => new optim.LBFGS([p], { lineSearchFn: 'armijo' as never })).toThrow(
      /LBFGS: only 'strongWolfe' is supported as lineSearchFn, got armijo/,
    );
    expect(() => new optim.LBFGS([p], { historySize: 0 })).toThrow(
      /LBFGS: historySize must be a positive integer, got 0/,
    );
    expect(() => new optim.LBFGS([{ params: [p] }, { params: [zeros([1]).requiresGrad_()] }])).toThrow(
      /LBFGS: doesn't support per-parameter options/,
    );
    expect(() => new optim.LBFGS([p]).step()).toThrow(/LBFGS: step needs a closure that returns the loss/);
  });

  it('accepts a closure returning a number and stops at once at a stationary point', () => {
    const p = tensor([1, 1]).requiresGrad_();
    const opt = new optim.LBFGS([p], { lineSearchFn: 'strongWolfe' });
    let calls = 0;
    const loss = opt.step(() => {
      calls++;
      opt.zeroGrad();
      const l = problems.rosenbrock(p);
      l.backward();
      return l.item() as number;
    });
    expect(loss).toBe(0);
    expect(calls).toBe(1);
  });

  it('refuses parameters of two dtypes (one flat vector holds them all), naming both', () => {
    const a = tensor([1, 2]).requiresGrad_();
    const b = tensor([3], { dtype: 'float64' }).requiresGrad_();
    const opt = new optim.LBFGS([a, b]);
    const closure = () => {
      opt.zeroGrad();
      const l = a.sum().add(b.sum().float());
      l.backward();
      return l;
    };
    expect(() => opt.step(closure)).toThrow(/LBFGS: every parameter must have one dtype .*float32 and float64/);
  });
});
