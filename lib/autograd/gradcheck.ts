// gradcheck: compares the analytic Jacobian (one backward per output element) with central
// finite differences (two forwards per input element), like torch.autograd.gradcheck.
//
// The defaults follow the inputs' dtype. In float32 the default step eps = 1e-3 keeps the
// truncation error (~eps^2 f''') and the rounding error (~1e-7 |f| / eps) both near 1e-4, with
// atol 1e-3 and rtol 1e-2. When every input checked is float64 they are PyTorch's (eps 1e-6,
// atol 1e-5, rtol 1e-3): rounding is then ~1e-16 |f| / eps, and the check is tight. The
// difference quotient uses the perturbation actually stored and float64 arithmetic for
// everything else. An element passes when |analytic - numeric| <= atol + rtol * |numeric|.
// Inputs must not be expanded views (a stride-0 element would be perturbed for every position
// that shares it).
import { allocate, isFloatingDType } from '../dtype.js';
import { checkFunction, checkOptions } from '../errors.js';
import { grad } from './backward.js';
import { noGrad } from './grad_mode.js';
import { elementOffsets } from '../raw/strided.js';
import { formatShape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';

/** The options of `gradcheck` (PyTorch's keyword arguments). */
export interface GradcheckOptions {
  /** The finite-difference step (default 1e-3; 1e-6 when every input checked is float64). */
  eps?: number;
  /** Absolute tolerance between the analytical and numerical gradients (default 1e-3; float64: 1e-5). */
  atol?: number;
  /** Relative tolerance between the analytical and numerical gradients (default 1e-2; float64: 1e-3). */
  rtol?: number;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  const list = Array.isArray(out) ? out : [out];
  list.forEach((o, i) => {
    if (!(o instanceof Tensor)) throw new TypeError(`gradcheck: output ${i} of fn is not a Tensor`);
  });
  return list.filter((o) => isFloatingDType(o.dtype));
}

function flatValues(outs: Tensor[]): Float64Array {
  const total = outs.reduce((n, o) => n + o.numel(), 0);
  const vals = new Float64Array(total);
  let at = 0;
  for (const o of outs) {
    vals.set(o.toTypedArray() as Float32Array | Float64Array, at);
    at += o.numel();
  }
  return vals;
}

/** Returns true when every input's analytic gradient matches finite differences; throws otherwise. */
export function gradcheck(fn: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): true {
  checkFunction('gradcheck', 'fn', fn);
  checkOptions('gradcheck', opts, { eps: 'number', atol: 'number', rtol: 'number' });
  if (!Array.isArray(inputs)) throw new TypeError('gradcheck: inputs must be an array of tensors');
  const wrt = inputs.map((t, i) => ({ t, i })).filter(({ t }) => t instanceof Tensor && t.requiresGrad);
  if (wrt.length === 0) throw new Error('gradcheck: no input requires grad');
  const double = wrt.every(({ t }) => t.dtype === 'float64');
  const eps = opts.eps ?? (double ? 1e-6 : 1e-3);
  const atol = opts.atol ?? (double ? 1e-5 : 1e-3);
  const rtol = opts.rtol ?? (double ? 1e-3 : 1e-2);
  wrt.forEach(({ t, i }) => {
    if (!isFloatingDType(t.dtype))
      throw new TypeError(`gradcheck: input ${i} must be floating point (float32, float64), got ${t.dtype}`);
    if (t.strides.some((s, d) => s === 0 && t.shape[d] > 1))
      throw new Error(`gradcheck: input ${i} is an expanded view; pass a contiguous copy`);
  });

  // Analytic Jacobian: row r (output element r) from one backward with a one-hot gradient.
  const outs = outputsOf(fn, inputs);
  const nOut = outs.reduce((n, o) => n + o.numel(), 0);
  const analytic = wrt.map(({ t }) => new Float64Array(nOut * t.numel()));
  let row = 0;
  for (const o of outs) {
    for (let j = 0; j < o.numel(); j++, row++) {
      if (!o.requiresGrad) continue;
      const onehot = allocate(o.dtype, o.numel());
      onehot[j] = 1;
      const grads = grad(
        o,
        wrt.map(({ t }) => t),
        {
          gradOutputs: [new Tensor(new Storage(onehot), o.shape)],
          retainGraph: true,
          allowUnused: true,
        },
      );
      grads.forEach((g, k) => {
        if (!g) return;
        const gv = g.toTypedArray() as Float32Array | Float64Array;
        analytic[k].set(gv, row * wrt[k].t.numel());
      });
    }
  }

  // Numeric Jacobian: column i from f(x + eps e_i) - f(x - eps e_i) over the step stored.
  wrt.forEach(({ t, i: inputIndex }, k) => {
    const data = t.storage.data as Float32Array | Float64Array;
    const offs = elementOffsets(t.shape, t.strides, t.offset);
    const n = t.numel();
    let worst = { diff: -1, tol: 0, col: 0, row: 0, a: 0, num: 0 };
    for (let col = 0; col < n; col++) {
      const at = offs[col];
      const orig = data[at];
      data[at] = orig + eps;
      const hi = data[at];
      const plus = noGrad(() => flatValues(outputsOf(fn, inputs)));
      data[at] = orig - eps;
      const lo = data[at];
      const minus = noGrad(() => flatValues(outputsOf(fn, inputs)));
      data[at] = orig;
      for (let r = 0; r < nOut; r++) {
        const num = (plus[r] - minus[r]) / (hi - lo);
        const a = analytic[k][r * n + col];
        const diff = Math.abs(a - num);
        const tol = atol + rtol * Math.abs(num);
        const bad = !(diff <= tol);
        if (bad && (worst.diff < 0 || diff - tol > worst.diff - worst.tol || Number.isNaN(diff))) {
          worst = { diff, tol, col, row: r, a, num };
        }
      }
    }
    if (worst.diff >= 0 || Number.isNaN(worst.diff)) {
      throw new Error(
        `gradcheck: Jacobian mismatch for input ${inputIndex} (shape ${formatShape(t.shape)}): worst at input element ` +
          `${worst.col}, output element ${worst.row}: analytic ${worst.a}, numeric ${worst.num}, ` +
          `|difference| ${worst.diff} > tolerance ${worst.tol} (eps ${eps}, atol ${atol}, rtol ${rtol})`,
      );
    }
  });
  return true;
}
