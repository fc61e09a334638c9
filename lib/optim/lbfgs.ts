// L-BFGS (torch.optim.LBFGS): a closure-driven quasi-Newton step with an optional strong-Wolfe
// line search, ported line by line from PyTorch 1.13 (itself from minFunc and torch7's optim).
// The parameters are handled as one flat vector of their dtype (float32 or float64); the vector
// arithmetic is in that dtype as PyTorch's (in float32 each dot product rounded to float32, as a
// 0-d float32 tensor is).
import { enableGrad, noGrad } from '../autograd/grad_mode.js';
import { checkOptions, given } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import { checkHyper, Optimizer, type OptimizerStateDict, type ParamGroup, type ParamsInput } from './optimizer.js';

/** The options of `optim.LBFGS` (PyTorch's keyword arguments, in camelCase). */
export interface LBFGSOptions {
  /** Step length (default 1). */
  lr?: number;
  /** Iterations per step() (default 20). */
  maxIter?: number;
  /** Function evaluations per step() (default maxIter * 5 / 4, rounded down). */
  maxEval?: number | null;
  /** Stop when every gradient element is at most this in magnitude (default 1e-7, as PyTorch 1.13's code). */
  toleranceGrad?: number;
  /** Stop when the loss or the step changes less than this (default 1e-9). */
  toleranceChange?: number;
  /** Correction pairs kept (default 100). */
  historySize?: number;
  /** 'strongWolfe' (or PyTorch's spelling 'strong_wolfe') for the line search; null: fixed steps. */
  lineSearchFn?: 'strongWolfe' | 'strong_wolfe' | null;
}

const OPTION_KEYS = ['lr', 'maxIter', 'maxEval', 'toleranceGrad', 'toleranceChange', 'historySize', 'lineSearchFn'];

type Vec = Float32Array | Float64Array;
type Objective = (t: number, d: Vec) => [number, Vec];

/**
 * LBFGS's arithmetic in one dtype: `f32` rounds a scalar as PyTorch's 0-d tensors of that dtype do
 * (Math.fround for float32; nothing for float64, where they and JS numbers are both double).
 */
function lbfgsArithmetic(f32: (x: number) => number) {
  /** dot(a, b) in float32, summed in order (PyTorch's float32 dot; the same bits for short vectors). */
  function dot(a: Vec, b: Vec): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s = f32(s + f32(a[i] * b[i]));
    return s;
  }

  function absMax(a: Vec): number {
    let m = 0;
    for (let i = 0; i < a.length; i++) {
      const v = Math.abs(a[i]);
      if (v > m || v !== v) m = v;
    }
    return m;
  }

  function absSum(a: Vec): number {
    let s = 0;
    for (let i = 0; i < a.length; i++) s = f32(s + Math.abs(a[i]));
    return s;
  }

  /** a += alpha * b in float32 (PyTorch's add_ with alpha). */
  function axpy(a: Vec, alpha: number, b: Vec): void {
    const al = f32(alpha);
    for (let i = 0; i < a.length; i++) a[i] = a[i] + al * b[i];
  }

  // PyTorch keeps the step lengths, directional derivatives and the line search's intermediate
  // values as 0-d float32 tensors and the losses as Python floats, so its tests compare float32
  // values: near a minimum, f + c1 t gtd rounds to f and the Armijo test turns into f_new > f. The
  // scalar arithmetic below rounds to float32 wherever PyTorch's does (f32(...)) to take the same
  // branches; the losses stay float64.

  /** The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds. */
  function cubicInterpolate(
    x1: number,
    f1: number,
    g1: number,
    x2: number,
    f2: number,
    g2: number,
    bounds?: [number, number],
  ): number {
    const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
    const d1 = f32(f32(g1 + g2) - f32(f32(3 * (f1 - f2)) / f32(x1 - x2)));
    const d2Square = f32(f32(d1 * d1) - f32(g1 * g2));
    if (d2Square >= 0) {
      const d2 = f32(Math.sqrt(d2Square));
      const minPos =
        x1 <= x2
          ? f32(x2 - f32(f32(x2 - x1) * f32(f32(f32(g2 + d2) - d1) / f32(f32(g2 - g1) + f32(2 * d2)))))
          : f32(x1 - f32(f32(x1 - x2) * f32(f32(f32(g1 + d2) - d1) / f32(f32(g1 - g2) + f32(2 * d2)))));
      return Math.min(Math.max(minPos, lo), hi);
    }
    return f32(f32(lo + hi) / 2);
  }

  /** The strong-Wolfe line search along d from step t (PyTorch's _strong_wolfe). */
  function strongWolfe(
    obj: Objective,
    t0: number,
    d: Vec,
    f: number,
    g: Vec,
    gtd: number,
    c1 = 1e-4,
    c2 = 0.9,
    toleranceChange = 1e-9,
    maxLs = 25,
  ): [number, Vec, number, number] {
    // Armijo: f_new > f + c1 t gtd; curvature: |gtd_new| <= -c2 gtd (float32, as PyTorch's).
    const armijoFails = (fNew: number, t: number) => fNew > f32(f + f32(f32(c1 * t) * gtd));
    const curvatureHolds = (gtdNew: number) => Math.abs(gtdNew) <= f32(f32(-c2) * gtd);
    let t = t0;
    const dNorm = absMax(d);
    let [fNew, gNew] = obj(t, d);
    let evals = 1;
    let gtdNew = dot(gNew, d);
    let tPrev = 0;
    let fPrev = f;
    let gPrev = g.slice();
    let gtdPrev = gtd;
    let done = false;
    let lsIter = 0;
    let bracket: number[] = [];
    let bracketF: number[] = [];
    let bracketG: Vec[] = [];
    let bracketGtd: number[] = [];
    while (lsIter < maxLs) {
      if (armijoFails(fNew, t) || (lsIter > 1 && fNew >= fPrev)) {
        [bracket, bracketF, bracketG, bracketGtd] = [
          [tPrev, t],
          [fPrev, fNew],
          [gPrev, gNew.slice()],
          [gtdPrev, gtdNew],
        ];
        break;
      }
      if (curvatureHolds(gtdNew)) {
        [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
        done = true;
        break;
      }
      if (gtdNew >= 0) {
        [bracket, bracketF, bracketG, bracketGtd] = [
          [tPrev, t],
          [fPrev, fNew],
          [gPrev, gNew.slice()],
          [gtdPrev, gtdNew],
        ];
        break;
      }
      // Extrapolate.
      const minStep = f32(t + f32(f32(0.01) * f32(t - tPrev)));
      const maxStep = f32(t * 10);
      const tmp = t;
      t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
      tPrev = tmp;
      fPrev = fNew;
      gPrev = gNew.slice();
      gtdPrev = gtdNew;
      [fNew, gNew] = obj(t, d);
      evals++;
      gtdNew = dot(gNew, d);
      lsIter++;
    }
    if (lsIter === maxLs) {
      [bracket, bracketF, bracketG] = [
        [0, t],
        [f, fNew],
        [g, gNew],
      ];
    }
    // Zoom: shrink the bracket until a point satisfies the strong Wolfe conditions.
    let insufficientProgress = false;
    let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
    while (!done && lsIter < maxLs) {
      if (f32(Math.abs(f32(bracket[1] - bracket[0])) * dNorm) < toleranceChange) break;
      t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
      const bMax = Math.max(...bracket);
      const bMin = Math.min(...bracket);
      const eps = f32(f32(0.1) * f32(bMax - bMin));
      if (Math.min(f32(bMax - t), f32(t - bMin)) < eps) {
        // Close to an end of the bracket: move 10% of it inward if that keeps happening.
        if (insufficientProgress || t >= bMax || t <= bMin) {
          t = Math.abs(f32(t - bMax)) < Math.abs(f32(t - bMin)) ? f32(bMax - eps) : f32(bMin + eps);
          insufficientProgress = false;
        } else {
          insufficientProgress = true;
        }
      } else {
        insufficientProgress = false;
      }
      [fNew, gNew] = obj(t, d);
      evals++;
      gtdNew = dot(gNew, d);
      lsIter++;
      if (armijoFails(fNew, t) || fNew >= bracketF[low]) {
        bracket[high] = t;
        bracketF[high] = fNew;
        bracketG[high] = gNew.slice();
        bracketGtd[high] = gtdNew;
        [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
      } else {
        if (curvatureHolds(gtdNew)) {
          done = true;
        } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
          bracket[high] = bracket[low];
          bracketF[high] = bracketF[low];
          bracketG[high] = bracketG[low];
          bracketGtd[high] = bracketGtd[low];
        }
        bracket[low] = t;
        bracketF[low] = fNew;
        bracketG[low] = gNew.slice();
        bracketGtd[low] = gtdNew;
      }
    }
    return [bracketF[low], bracketG[low], bracket[low], evals];
  }

  return { round: f32, dot, absMax, absSum, axpy, strongWolfe };
}

const FLOAT32_ARITHMETIC = lbfgsArithmetic(Math.fround);
const FLOAT64_ARITHMETIC = lbfgsArithmetic((x) => x);

/** LBFGS's state, kept on the first parameter as PyTorch does (its state dict has the same keys). */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d?: Vec;
  t?: number;
  oldDirs?: Vec[];
  oldStps?: Vec[];
  ro?: number[];
  HDiag?: number;
  prevFlatGrad?: Vec | null;
  prevLoss?: number;
  al?: (number | null)[];
}

/**
 * L-BFGS, as torch.optim.LBFGS: `step(closure)` re-evaluates the model through the closure
 * (which zeroes the gradients, computes the loss, calls backward and returns the loss) up to
 * maxEval times. One parameter group only.
 */
export class LBFGS extends Optimizer {
  private readonly params: Tensor[];

  /** float32 or float64: its flat vectors and scalars round as PyTorch's LBFGS of that dtype. */
  protected override parameterDtypes(): readonly DType[] {
    return ['float32', 'float64'];
  }

  /** The parameters' dtype (one for all: the flat vectors hold them side by side). */
  private get dtype(): 'float32' | 'float64' {
    const dtype = this.params[0].dtype as 'float32' | 'float64';
    for (const p of this.params)
      if (p.dtype !== dtype)
        throw new TypeError(
          `LBFGS: every parameter must have one dtype (the flat vectors hold them all), got ${dtype} and ${p.dtype}`,
        );
    return dtype;
  }

  private get arithmetic() {
    return this.dtype === 'float64' ? FLOAT64_ARITHMETIC : FLOAT32_ARITHMETIC;
  }

  /** A zeroed flat vector of n elements in the parameters' dtype. */
  private flat(n: number): Vec {
    return this.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  }

  constructor(params: ParamsInput, options: LBFGSOptions = {}) {
    checkOptions('LBFGS', options, OPTION_KEYS);
    const maxIter = options.maxIter ?? 20;
    super(params, {
      lr: 1,
      maxIter,
      maxEval: Math.floor((maxIter * 5) / 4),
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      ...given(options),
      ...(options.maxEval === undefined || options.maxEval === null ? { maxEval: Math.floor((maxIter * 5) / 4) } : {}),
    });
    if (this.paramGroups.length !== 1)
      throw new RangeError("LBFGS: doesn't support per-parameter options (parameter groups)");
    this.params = this.paramGroups[0].params;
  }

  protected validateGroup(g: ParamGroup): void {
    checkHyper('LBFGS', 'lr', g.lr, { min: 0 });
    for (const key of ['maxIter', 'maxEval', 'historySize']) {
      const v = g[key];
      if (!Number.isInteger(v) || (v as number) < 1)
        throw new RangeError(`LBFGS: ${key} must be a positive integer, got ${String(v)}`);
    }
    checkHyper('LBFGS', 'toleranceGrad', g.toleranceGrad, { min: 0 });
    checkHyper('LBFGS', 'toleranceChange', g.toleranceChange, { min: 0 });
    if (g.lineSearchFn === 'strong_wolfe') g.lineSearchFn = 'strongWolfe';
    if (g.lineSearchFn !== null && g.lineSearchFn !== 'strongWolfe')
      throw new RangeError(`LBFGS: only 'strongWolfe' is supported as lineSearchFn, got ${String(g.lineSearchFn)}`);
  }

  protected updateParameter(): void {
    throw new Error('LBFGS: step needs a closure that returns the loss');
  }

  private numel(): number {
    return this.params.reduce((n, p) => n + p.numel(), 0);
  }

  private gatherFlatGrad(): Vec {
    const out = this.flat(this.numel());
    let at = 0;
    for (const p of this.params) {
      if (p.grad) out.set(p.grad.toTypedArray() as Vec, at);
      at += p.numel();
    }
    return out;
  }

  /** Adds step * update to the parameters, in their dtype. */
  private addGrad(step: number, update: Vec): void {
    const s = this.arithmetic.round(step);
    let at = 0;
    for (const p of this.params) {
      const n = p.numel();
      const data = p.storage.data as Vec;
      if (p.isContiguous()) {
        for (let i = 0; i < n; i++) data[p.offset + i] = data[p.offset + i] + s * update[at + i];
      } else {
        const vals = p.toTypedArray() as Vec;
        for (let i = 0; i < n; i++) vals[i] = vals[i] + s * update[at + i];
        this.setParam(p, vals);
      }
      p.storage.version++;
      at += n;
    }
  }

  private setParam(p: Tensor, vals: Vec): void {
    noGrad(() => p.copy_(Tensor.fromData(vals, p.shape)));
  }

  private cloneParams(): Vec[] {
    return this.params.map((p) => (p.toTypedArray() as Vec).slice());
  }

  private evaluate(closure: () => number | Tensor): number {
    const loss = enableGrad(() => closure());
    const v = loss instanceof Tensor ? Number(loss.item()) : loss;
    if (typeof v !== 'number')
      throw new TypeError('LBFGS: the closure must return the loss (a number or a 0-d tensor)');
    return v;
  }

  /**
   * Runs up to maxIter L-BFGS iterations. `closure` must zero the gradients, compute the loss,
   * call backward and return the loss; the loss of its first call is returned.
   */
  override step(closure?: () => number | Tensor): number {
    if (typeof closure !== 'function') throw new TypeError('LBFGS: step needs a closure that returns the loss');
    const group = this.paramGroups[0];
    this.validateGroup(group);
    const lr = group.lr;
    const maxIter = group.maxIter as number;
    const maxEval = group.maxEval as number;
    const toleranceGrad = group.toleranceGrad as number;
    const toleranceChange = group.toleranceChange as number;
    const historySize = group.historySize as number;
    const lineSearch = group.lineSearchFn === 'strongWolfe';
    const { round: f32, dot, absMax, absSum, axpy, strongWolfe } = this.arithmetic;
    const key = this.params[0];
    const state = (this.state.get(key) as unknown as LBFGSState | undefined) ?? { funcEvals: 0, nIter: 0 };
    this.state.set(key, state as unknown as Record<string, never>);

    const origLoss = this.evaluate(closure);
    let loss = origLoss;
    let currentEvals = 1;
    state.funcEvals++;
    let flatGrad = this.gatherFlatGrad();
    let optCond = absMax(flatGrad) <= toleranceGrad;
    if (optCond) return origLoss;

    let { d, t, oldDirs, oldStps, ro, HDiag, prevFlatGrad, prevLoss } = state;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.nIter++;
      // The descent direction.
      if (state.nIter === 1) {
        d = flatGrad.map((v) => -v);
        oldDirs = [];
        oldStps = [];
        ro = [];
        HDiag = 1;
      } else {
        const y = flatGrad.map((v, i) => v - prevFlatGrad![i]);
        const s = d!.map((v) => v * f32(t!));
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (oldDirs!.length === historySize) {
            oldDirs!.shift();
            oldStps!.shift();
            ro!.shift();
          }
          oldDirs!.push(y);
          oldStps!.push(s);
          ro!.push(f32(1 / ys));
          HDiag = f32(ys / dot(y, y));
        }
        const numOld = oldDirs!.length;
        if (!state.al) state.al = new Array(historySize).fill(null);
        const al = state.al;
        // Two-loop recursion: d = -H g.
        const q = flatGrad.map((v) => -v);
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = f32(dot(oldStps![i], q) * ro![i]);
          axpy(q, -(al[i] as number), oldDirs![i]);
        }
        const r = q.map((v) => v * f32(HDiag!));
        for (let i = 0; i < numOld; i++) {
          const be = f32(dot(oldDirs![i], r) * ro![i]);
          axpy(r, f32((al[i] as number) - be), oldStps![i]);
        }
        d = r;
      }
      prevFlatGrad = flatGrad.slice();
      prevLoss = loss;
      // The step length.
      // min(1, 1 / |g|_1) * lr: a float32 tensor times lr when the reciprocal wins, as PyTorch's.
      const inv = f32(1 / absSum(flatGrad));
      t = state.nIter === 1 ? (inv < 1 ? f32(inv * lr) : lr) : lr;
      const gtd = dot(flatGrad, d!);
      if (gtd > -toleranceChange) break;
      let lsEvals = 0;
      if (lineSearch) {
        const x0 = this.cloneParams();
        const obj: Objective = (step, dir) => {
          this.addGrad(step, dir);
          const f = this.evaluate(closure);
          const g = this.gatherFlatGrad();
          this.params.forEach((p, i) => this.setParam(p, x0[i]));
          return [f, g];
        };
        // PyTorch passes none of the group's tolerances to the line search (its own default 1e-9).
        [loss, flatGrad, t, lsEvals] = strongWolfe(obj, t, d!, loss, flatGrad, gtd);
        this.addGrad(t, d!);
        optCond = absMax(flatGrad) <= toleranceGrad;
      } else {
        this.addGrad(t, d!);
        if (nIter !== maxIter) {
          loss = this.evaluate(closure);
          flatGrad = this.gatherFlatGrad();
          optCond = absMax(flatGrad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      state.funcEvals += lsEvals;
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      if (absMax(d!.map((v) => v * f32(t!))) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    Object.assign(state, { d, t, oldDirs, oldStps, ro, HDiag, prevFlatGrad, prevLoss });
    return origLoss;
  }

  /** PyTorch's layout: the whole state on parameter 0 (the flat vectors as 1-D tensors). */
  override stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    const s = this.state.get(this.params[0]) as unknown as LBFGSState | undefined;
    if (s) {
      const vec = (v: Vec | null | undefined) => (v ? Tensor.fromData(v.slice(), [v.length]) : null);
      sd.state = {
        0: {
          funcEvals: s.funcEvals,
          nIter: s.nIter,
          ...(s.d ? { d: vec(s.d), t: s.t, HDiag: s.HDiag, prevLoss: s.prevLoss } : {}),
          ...(s.prevFlatGrad ? { prevFlatGrad: vec(s.prevFlatGrad) } : {}),
          ...(s.oldDirs ? { oldDirs: s.oldDirs.map(vec), oldStps: s.oldStps!.map(vec), ro: [...s.ro!] } : {}),
          ...(s.al ? { al: [...s.al] } : {}),
        } as never,
      };
    }
    return sd;
  }

  override loadStateDict(sd: OptimizerStateDict): void {
    const saved = sd?.state?.[0] as Record<string, unknown> | undefined;
    super.loadStateDict({ ...sd, state: {} });
    if (!saved) return;
    // Saved vectors in the parameters' dtype (a float32 state loaded for float64 parameters is widened).
    const vec = (v: unknown) => {
      if (!(v instanceof Tensor)) return null;
      const out = this.flat(v.numel());
      out.set(v.toTypedArray() as Vec);
      return out;
    };
    const n = this.numel();
    for (const k of ['d', 'prevFlatGrad']) {
      const v = saved[k];
      if (v instanceof Tensor && v.numel() !== n)
        throw new RangeError(`LBFGS.loadStateDict: state '${k}' has ${v.numel()} elements, the parameters ${n}`);
    }
    const state: LBFGSState = {
      funcEvals: Number(saved.funcEvals ?? 0),
      nIter: Number(saved.nIter ?? 0),
      d: vec(saved.d) ?? undefined,
      t: saved.t as number | undefined,
      oldDirs: (saved.oldDirs as Tensor[] | undefined)?.map((v) => vec(v)!),
      oldStps: (saved.oldStps as Tensor[] | undefined)?.map((v) => vec(v)!),
      ro: (saved.ro as number[] | undefined)?.slice(),
      HDiag: saved.HDiag as number | undefined,
      prevFlatGrad: vec(saved.prevFlatGrad),
      prevLoss: saved.prevLoss as number | undefined,
      al: (saved.al as (number | null)[] | undefined)?.slice(),
    };
    this.state.set(this.params[0], state as unknown as Record<string, never>);
  }
}
