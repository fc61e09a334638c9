// One declaration per op, one harness for all (PyTorch's OpInfo). An op is declared once, in
// test/ops/declarations/<its lib/ops file>.ts: how to call it, its sample inputs (shapes, value
// domains, index tensors), the dtypes it computes in, whether it has first and second
// derivatives, its PyTorch golden cases, its error inputs and its tolerances. describeOps runs
// every rule below on every declaration; a new rule (forward-mode JVPs, float64, bf16) is one
// more function here and reaches every op at once.
//
// Rules:
//   fixtures   PyTorch's output, indices and input gradients (scripts/gen_fixtures_*.py), under
//              every ISA this CPU runs (isa: true) and at 1 and 2 threads (threads: true)
//   gradcheck  first derivatives against central finite differences, on non-contiguous inputs
//   gradgrad   second derivatives (supportsGradGrad), or first gradients whose second
//              derivative is an error naming the op (never a silent zero or a partial sum)
//   forwardAD  the JVP (forward mode, dual tensors) against finite differences along the same
//              tangents and against reverse mode (<u, J v> = <J^T u, v>), as torch's
//              check_forward_ad; an op without a JVP rule must say why (forwardADExemption),
//              and then its dual inputs must be refused with the clear error
//   (An op that computes in float64 has its second derivatives and JVPs checked in float64
//   with PyTorch's tolerances, as PyTorch's OpInfo tests check in double; its first
//   derivatives in both dtypes. An op without float64 is checked in float32, with tolerances
//   for float32's rounding.)
//   views      bit-exact results and gradients for inputs at an offset and strided, and for a
//              gradient that arrives as a view
//   dtypes     every non-reference dtype gives the reference (float32) result on the same values
//   float64    an op whose dtypes lack float64 refuses float64 inputs with a TypeError naming
//              float64 (never a float32 computation, never a crash); one that has it passes
//              gradcheck in float64 with PyTorch's tolerances
//   bfloat16   bfloat16 inputs give the float32 result rounded to bfloat16 once, and bfloat16
//              gradients holding the float32 gradients rounded once (PyTorch's CPU kernels
//              compute in fp32); an op PyTorch 1.13 has no bfloat16 kernel for (bfloat16:
//              'refused') throws a TypeError naming bfloat16
//   errors     each error input throws the declared message
import { describe, expect, it } from 'vitest';
import {
  autograd,
  type DType,
  enableGrad,
  type FloatDType,
  forwardAD,
  Generator,
  type GradcheckOptions,
  gradcheck,
  noGrad,
  randn,
  Storage,
  stack,
  Tensor,
} from '../../lib/index.js';
import { type EncodedTensor, expectClose } from './fixtures.js';
import { supportedIsas, withIsa, withThreads } from './native.js';

/** A tensor input of a sample. Float inputs are drawn from randn unless `values` is given. */
export interface InputSpec {
  shape: number[];
  /** Fixed row-major values: index tensors, masks, and floats that must stay off a kink. */
  values?: readonly (number | boolean)[];
  /** Draw |randn| + lo instead of randn: a domain bounded away from 0 (log, sqrt, a divisor). */
  lo?: number;
  /**
   * Distinct values `spread` apart (0, spread, 2 spread... in a random order): no ties, and no
   * finite-difference step that changes which element is the maximum.
   */
  spread?: number;
  /** Default float32. int32 and bool inputs (indices, masks) are never differentiated. */
  dtype?: DType;
  /** Whether a float input is differentiated (default true). */
  grad?: boolean;
}

export interface Sample<A> {
  name: string;
  inputs: InputSpec[];
  /** The op's other arguments (dims, options), passed to OpInfo.op. */
  args: A;
  /**
   * Sized for the kernels' vector and threaded paths rather than for finite differences, which
   * cost O(inputs x outputs): gradcheck and gradgradcheck skip it, every other rule runs it.
   */
  large?: boolean;
  /** Run the view rules on this sample too (they take the op's first sample and its large ones). */
  layouts?: boolean;
  /**
   * The op refuses a second derivative at this sample (a documented limit, such as prod at an
   * input with zeros): the gradgrad rule checks that it throws this, rather than giving numbers.
   */
  gradgradError?: RegExp;
}

/** A PyTorch golden case: inputs, the output (and indices), the output gradient and input gradients. */
export interface Golden<A> {
  name: string;
  /** Where the case comes from: '<file>.json <group> #<index>' (the coverage test counts them). */
  source: string;
  inputs: EncodedTensor[];
  args: A;
  output: EncodedTensor;
  indices?: EncodedTensor;
  gradOutput?: EncodedTensor;
  /** One per input; null where PyTorch computed none (an index, an input without grad). */
  grads?: (EncodedTensor | null)[];
  /** Inputs PyTorch did not differentiate (default: every float input is). */
  noGrad?: number[];
  /** |got - want| <= atol + rtol |want|, for the output and for the gradients. */
  tol: { atol: number; rtol: number; gradAtol?: number; gradRtol?: number };
  /** Compare the output's dtype with the golden one (the tensor-op fixtures record it). */
  checkDtype?: boolean;
}

export interface ErrorInput {
  name: string;
  call: () => unknown;
  throws: RegExp;
}

/** What an op returns: a tensor, or values and their int32 indices (max pooling, sort, topk). */
export type OpResult = Tensor | [Tensor, Tensor];

export interface OpInfo<A = Record<string, never>> {
  /** The op and, after a colon, the variant ('pow: scalar exponent'). */
  name: string;
  /** Calls the op on a sample's (or golden case's) tensors and arguments. */
  op: (xs: Tensor[], args: A) => OpResult;
  samples: Sample<A>[];
  /**
   * The dtypes the op computes in, each with its result's dtype: { float32: 'float32',
   * int32: 'float32' } for exp. float32 is the reference; the dtypes rule runs the samples in
   * every other one (int32 now; float64 and bfloat16 as they arrive, with their tolerances).
   */
  dtypes: Partial<Record<DType, DType>>;
  /**
   * 'refused': PyTorch 1.13 has no bfloat16 CPU kernel for the op, and it refuses bfloat16
   * inputs too (the bfloat16 rule checks the error). Absent: it computes on them.
   */
  bfloat16?: 'refused';
  /** Default true: the op has a backward. false: its result never requires grad. */
  supportsAutograd?: boolean;
  /** The op's backward is made of recorded ops, so it has a correct derivative of its own. */
  supportsGradGrad: boolean;
  /**
   * Why the op has no forward-mode rule (JVP) although it has a backward; absent: it has one,
   * and the forwardAD rule checks it. With a reason, the rule checks that a dual input is
   * refused with the "forward-mode AD is not implemented" error (so the exemption goes when
   * the rule comes).
   */
  forwardADExemption?: string;
  /** The op calls a kernel with per-ISA variants: goldens are replayed under every ISA. */
  isa?: boolean;
  /** The op's kernel is threaded: goldens are replayed at 1 and 2 threads. */
  threads?: boolean;
  fixtures?: Golden<A>[];
  errorInputs?: ErrorInput[];
  tolerances?: {
    gradcheck?: GradcheckOptions;
    gradgradcheck?: GradcheckOptions;
    /** Overrides PyTorch's tolerances for the float64 gradcheck and forward-AD checks. */
    float64Gradcheck?: GradcheckOptions;
    /** Overrides PyTorch's tolerances for the float64 gradgradcheck. */
    float64Gradgradcheck?: GradcheckOptions;
    /**
     * The kernel sums a strided input in another order than a contiguous one: on the strided
     * layout the views rule allows this relative difference instead of bit-equality.
     */
    stridedViews?: number;
    /**
     * The float32 kernel's error bound (relative, as expectSame's tol): the dtypes rule
     * compares float64's values rounded to float32 with float32's within it, where float32
     * rounds more than once (transcendentals, rsqrt's two roundings). Absent: bit-equality.
     */
    float64Values?: number;
    /**
     * The bfloat16 rule's bound (relative, as expectSame's tol) where the op is made of several
     * ops that each round to bfloat16, rather than one rounding of the float32 result (absent:
     * bit-equality with it). Its gradients get the same bound.
     */
    bfloat16Values?: number;
  };
}

/** Declares an op (identity: it gives the declaration its argument type). */
export function declareOp<A = Record<string, never>>(info: OpInfo<A>): OpInfo<unknown> {
  return info as OpInfo<unknown>;
}

// ---- inputs -------------------------------------------------------------------------------

export type Layout = 'contiguous' | 'offset' | 'strided';

/** The values of an input spec as a contiguous tensor (dtype: the spec's, else `dtype`). */
function valuesOf(spec: InputSpec, gen: Generator, dtype: DType): Tensor {
  const d = spec.dtype ?? dtype;
  if (spec.values) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.values.length !== n)
      throw new Error(`sample input of shape [${spec.shape}] has ${spec.values.length} values`);
    const data = d === 'float32' ? new Float32Array(n) : d === 'int32' ? new Int32Array(n) : new Uint8Array(n);
    spec.values.forEach((v, i) => {
      data[i] = Number(v);
    });
    return new Tensor(new Storage(data), spec.shape);
  }
  let t = randn(spec.shape, { generator: gen });
  if (spec.lo !== undefined) t = t.abs().add(spec.lo);
  if (spec.spread !== undefined) {
    const v = t.toTypedArray() as Float32Array;
    const order = Array.from(v.keys()).sort((i, j) => v[i] - v[j]);
    const ranked = new Float32Array(v.length);
    order.forEach((i, rank) => {
      ranked[i] = rank * spec.spread!;
    });
    t = Tensor.fromData(ranked, spec.shape);
  }
  return t;
}

/**
 * The same values in another layout: at an offset (the third block of a 3x larger storage), or
 * strided (every other element of a wider last dim, from element 1: non-contiguous and at an
 * offset). Works for any dtype.
 */
export function laidOut(t: Tensor, layout: Layout): Tensor {
  const values = t.contiguous().toTypedArray();
  const n = values.length;
  const Ctor = values.constructor as new (n: number) => typeof values;
  if (layout === 'contiguous') {
    const data = new Ctor(n);
    data.set(values);
    return new Tensor(new Storage(data), t.shape);
  }
  if (layout === 'offset' || t.ndim === 0) {
    const data = new Ctor(3 * n + 1);
    data.set(values, 2 * n + 1);
    return new Tensor(new Storage(data), t.shape, undefined, 2 * n + 1);
  }
  const last = t.shape[t.ndim - 1];
  const rows = n / Math.max(last, 1);
  const data = new Ctor(Math.max(rows * (2 * last + 1), 1));
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < last; j++) data[r * (2 * last + 1) + 1 + 2 * j] = values[r * last + j];
  const strides = new Array<number>(t.ndim);
  strides[t.ndim - 1] = 2;
  let s = 2 * last + 1;
  for (let d = t.ndim - 2; d >= 0; d--) {
    strides[d] = s;
    s *= t.shape[d];
  }
  return new Tensor(new Storage(data), t.shape, strides, 1);
}

const isFloat = (spec: InputSpec, dtype: DType) => (spec.dtype ?? dtype) === 'float32';
const differentiable = (spec: InputSpec) => (spec.dtype ?? 'float32') === 'float32' && spec.grad !== false;

/**
 * A sample's inputs in a layout; differentiable float inputs require grad when `grad`. With
 * `float64`, the float inputs hold the same values (drawn in float32) in float64.
 */
function inputsOf(sample: Sample<unknown>, seed: number, layout: Layout, grad: boolean, float64 = false): Tensor[] {
  const gen = new Generator().manualSeed(seed);
  return sample.inputs.map((spec) => {
    const values = valuesOf(spec, gen, 'float32');
    const t = laidOut(float64 && isFloat(spec, 'float32') ? values.to('float64') : values, layout);
    return grad && differentiable(spec) ? t.requiresGrad_() : t;
  });
}

/** Whether the op's derivatives are checked in float64 (it computes in float64). */
const checksInFloat64 = (info: OpInfo<unknown>): boolean => info.dtypes.float64 !== undefined;

/**
 * The tolerances of a derivative check: the declared float32 ones for float32 inputs; for
 * float64 inputs PyTorch's (gradcheck's float64 defaults), unless `float64` overrides them.
 */
const checkTolerances = (float64: boolean, declared?: GradcheckOptions, forFloat64?: GradcheckOptions) =>
  float64 ? forFloat64 : declared;

const valuesPart = (r: OpResult): Tensor => (Array.isArray(r) ? r[0] : r);

/** got equals want element for element (bit-exact, NaN equal to NaN), or within tol relative. */
function expectSame(got: Tensor | null, want: Tensor | null, what: string, tol = 0): void {
  expect(got, `${what}: missing`).not.toBeNull();
  expect(want, `${what}: missing reference`).not.toBeNull();
  expect(got!.shape, what).toEqual(want!.shape);
  expect(got!.dtype, what).toBe(want!.dtype);
  const g = got!.toTypedArray();
  const w = want!.toTypedArray();
  for (let i = 0; i < w.length; i++) {
    if (Object.is(g[i], w[i]) || Math.abs(g[i] - w[i]) <= tol * (1 + Math.abs(w[i]))) continue;
    if (Number.isNaN(g[i]) && Number.isNaN(w[i])) continue;
    throw new Error(`${what}[${i}]: got ${g[i]}, want ${w[i]}`);
  }
}

/** A seed per (op, sample), so every rule sees the same values and a change to one op moves no other. */
function seedOf(op: string, sample: string): number {
  let h = 2166136261;
  for (const c of `${op}/${sample}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

// ---- second derivatives -------------------------------------------------------------------

/**
 * torch.autograd.gradgradcheck: gradcheck of the map (inputs, v) -> the input gradients of
 * sum(f(inputs) * v), computed with createGraph. A backward that is not made of recorded ops
 * gives gradients without a graph: their analytic derivative reads as 0 and the check fails.
 */
export function gradgradcheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  gen: Generator,
  opts: GradcheckOptions = {},
): true {
  const wrt = inputs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  const y = f(...inputs);
  const v = randn(y.shape, { generator: gen, dtype: y.dtype as FloatDType }).requiresGrad_();
  const firstGrads = (...args: Tensor[]): Tensor[] =>
    enableGrad(() => {
      const xs = args.slice(0, inputs.length);
      const out = f(...xs);
      const gs = autograd.grad(
        out,
        wrt.map((i) => xs[i]),
        { gradOutputs: [args[inputs.length]], createGraph: true, allowUnused: true },
      );
      return gs.filter((g): g is Tensor => g !== null);
    });
  return gradcheck(firstGrads, [...inputs, v], opts);
}

// ---- forward mode -------------------------------------------------------------------------

/** The tangent J·v and the output of f at the inputs, with tangents v on the `wrt` inputs. */
function forwardJvp(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], v: (Tensor | null)[]): [Tensor, Tensor | null] {
  return forwardAD.dualLevel(() => {
    const duals = inputs.map((x, i) => (v[i] ? forwardAD.makeDual(x, v[i]!) : x));
    const { primal, tangent } = forwardAD.unpackDual(f(...duals));
    return [primal, tangent];
  });
}

/**
 * torch's check_forward_ad: J·v from forward mode (tangents v on the inputs that require grad,
 * laid out strided) against the central difference of f along v (fourth order), and
 * <u, J·v> against <J^T u, v> from reverse mode. Each element within atol + rtol |reference|.
 */
export function forwardADCheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  gen: Generator,
  opts: GradcheckOptions = {},
): true {
  // gradcheck's defaults: PyTorch's when every input checked is float64, looser in float32.
  const double = inputs.filter((x) => x.requiresGrad).every((x) => x.dtype === 'float64');
  const eps = opts.eps ?? (double ? 1e-6 : 1e-3);
  const atol = opts.atol ?? (double ? 1e-5 : 1e-3);
  const rtol = opts.rtol ?? (double ? 1e-3 : 1e-2);
  const v = inputs.map((x) =>
    x.requiresGrad ? laidOut(randn(x.shape, { generator: gen, dtype: x.dtype as FloatDType }), 'strided') : null,
  );
  const plain = f(...inputs);
  const [primal, tangent] = forwardJvp(f, inputs, v);
  expectSame(primal, plain, 'the primal of the dual output');
  if (!tangent) throw new Error('the output of dual inputs has no tangent');
  expect(tangent.shape, 'tangent shape').toEqual(plain.shape);
  const shifted = (step: number) =>
    noGrad(() => f(...inputs.map((x, i) => (v[i] ? x.detach().add(v[i]!.mul(step)) : x.detach()))).toTypedArray());
  // The fourth-order central difference: one direction moves every input at once, so the
  // second-order one's truncation error (eps^2 f''' / 6) is too coarse where the curvature is.
  const [p1, m1, p2, m2] = [eps, -eps, 2 * eps, -2 * eps].map(shifted);
  const jv = tangent.toTypedArray();
  for (let k = 0; k < jv.length; k++) {
    const fd = (8 * (p1[k] - m1[k]) - (p2[k] - m2[k])) / (12 * eps);
    if (!(Math.abs(jv[k] - fd) <= atol + rtol * Math.abs(fd)))
      throw new Error(`forward AD: J·v[${k}] = ${jv[k]}, finite differences give ${fd}`);
  }
  const u = randn(plain.shape, { generator: gen, dtype: plain.dtype as FloatDType });
  const wrt = inputs.filter((x) => x.requiresGrad);
  const grads = autograd.grad(f(...inputs), wrt, { gradOutputs: [u], allowUnused: true });
  let reverse = 0;
  let scale = 0;
  grads.forEach((g, j) => {
    if (!g) return;
    const gv = g.toTypedArray();
    const vv = v[inputs.indexOf(wrt[j])]!.toTypedArray();
    for (let k = 0; k < gv.length; k++) {
      reverse += gv[k] * vv[k];
      scale += Math.abs(gv[k] * vv[k]);
    }
  });
  const uv = u.toTypedArray();
  let forward = 0;
  for (let k = 0; k < jv.length; k++) forward += uv[k] * jv[k];
  if (!(Math.abs(forward - reverse) <= atol + rtol * Math.max(Math.abs(reverse), 1e-3 * scale)))
    throw new Error(`forward AD: <u, J·v> = ${forward}, reverse mode gives <J^T u, v> = ${reverse}`);
  return true;
}

function forwardADRules(info: OpInfo<unknown>): void {
  if (info.supportsAutograd === false) return;
  const f =
    (sample: Sample<unknown>) =>
    (...xs: Tensor[]) =>
      valuesPart(info.op(xs, sample.args));
  for (const s of info.samples) {
    if (!s.inputs.some(differentiable) || s.large) continue;
    const seed = seedOf(info.name, s.name);
    if (info.forwardADExemption) {
      it(`refuses dual inputs (no JVP rule: ${info.forwardADExemption}): ${s.name}`, () => {
        const xs = inputsOf(s, seed, 'contiguous', false);
        const v = xs.map((x, i) => (differentiable(s.inputs[i]) ? randn(x.shape) : null));
        expect(() => forwardJvp(f(s), xs, v)).toThrow(/forward-mode AD is not implemented/);
      });
      continue;
    }
    const double = checksInFloat64(info);
    it(`forward AD (JVP) matches finite differences and reverse mode${double ? ' in float64' : ''}: ${s.name}`, () => {
      const gen = new Generator().manualSeed(seed + 3);
      const xs = inputsOf(s, seed, 'strided', true, double);
      const tol = checkTolerances(double, info.tolerances?.gradcheck, info.tolerances?.float64Gradcheck);
      expect(forwardADCheck(f(s), xs, gen, tol)).toBe(true);
    });
  }
}

// ---- the rules ----------------------------------------------------------------------------

function fixtureRule(info: OpInfo<unknown>): void {
  if (!info.fixtures?.length) return;
  const isas = info.isa ? supportedIsas : [null];
  const threads = info.threads ? [1, 2] : [null];
  for (const isa of isas) {
    for (const n of threads) {
      const where = [isa, n && `${n} thread${n > 1 ? 's' : ''}`].filter(Boolean).join(', ');
      for (const c of info.fixtures) {
        it(`matches PyTorch: ${c.name}${where ? ` (${where})` : ''}`, () => {
          const run = () => replayGolden(info, c);
          const atThreads = () => (n === null ? run() : withThreads(n, run));
          if (isa === null) atThreads();
          else withIsa(isa, atThreads);
        });
      }
    }
  }
}

function decodeInput(e: EncodedTensor, grad: boolean): Tensor {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const data =
    e.dtype === 'float32' ? new Float32Array(n) : e.dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
  e.data.forEach((v, i) => {
    data[i] = Number(v);
  });
  const t = new Tensor(new Storage(data), e.shape);
  return grad && e.dtype === 'float32' ? t.requiresGrad_() : t;
}

function replayGolden(info: OpInfo<unknown>, c: Golden<unknown>): void {
  const xs = c.inputs.map((e, i) => decodeInput(e, !c.noGrad?.includes(i) && c.grads?.[i] !== null));
  const res = info.op(xs, c.args);
  const out = valuesPart(res);
  if (c.checkDtype) expect(out.dtype, 'output dtype').toBe(c.output.dtype);
  expectClose(out, c.output, 'output', c.tol.atol, c.tol.rtol);
  if (c.indices) expectClose((res as [Tensor, Tensor])[1], c.indices, 'indices');
  if (!c.gradOutput || !c.grads) return;
  out.backward(decodeInput(c.gradOutput, false));
  c.grads.forEach((g, i) => {
    if (g) expectClose(xs[i].grad, g, `grad ${i}`, c.tol.gradAtol ?? c.tol.atol, c.tol.gradRtol ?? c.tol.rtol);
  });
}

function gradRules(info: OpInfo<unknown>): void {
  const f =
    (sample: Sample<unknown>) =>
    (...xs: Tensor[]) =>
      valuesPart(info.op(xs, sample.args));
  for (const s of info.samples) {
    if (!s.inputs.some(differentiable) || s.large) continue;
    const seed = seedOf(info.name, s.name);
    if (info.supportsAutograd === false) {
      it(`has no gradient: ${s.name}`, () => {
        expect(valuesPart(info.op(inputsOf(s, seed, 'contiguous', true), s.args)).requiresGrad).toBe(false);
      });
      continue;
    }
    it(`gradcheck: ${s.name}`, () => {
      expect(gradcheck(f(s), inputsOf(s, seed, 'strided', true), info.tolerances?.gradcheck)).toBe(true);
    });
    if (info.supportsGradGrad) {
      if (!s.gradgradError)
        it(`first gradients with createGraph equal those without: ${s.name}`, () => {
          // A backward with a recorded path for createGraph must give the fast path's numbers.
          const xs = inputsOf(s, seed, 'contiguous', true);
          const gen = new Generator().manualSeed(seed + 4);
          const y = f(s)(...xs);
          const u = randn(y.shape, { generator: gen });
          const wrt = xs.filter((x) => x.requiresGrad);
          const plain = autograd.grad(y, wrt, { gradOutputs: [u], retainGraph: true, allowUnused: true });
          const graphed = enableGrad(() =>
            autograd.grad(y, wrt, { gradOutputs: [u], createGraph: true, allowUnused: true }),
          );
          plain.forEach((g, i) => {
            if (g) expectSame(graphed[i]!.detach(), g, `grad ${i}`, 1e-5);
          });
        });
      const double = checksInFloat64(info);
      it(`gradgradcheck${double ? ' in float64' : ''}: ${s.name}`, () => {
        const gen = new Generator().manualSeed(seed + 1);
        const xs = inputsOf(s, seed, 'strided', true, double);
        const tol = checkTolerances(double, info.tolerances?.gradgradcheck, info.tolerances?.float64Gradgradcheck);
        const check = () => gradgradcheck(f(s), xs, gen, tol);
        if (s.gradgradError) expect(check).toThrow(s.gradgradError);
        else expect(check()).toBe(true);
      });
    } else {
      it(`a second derivative is refused, never silently wrong: ${s.name}`, () => {
        // The first gradients carry no graph, or one whose backward names the op and refuses.
        const xs = inputsOf(s, seed, 'contiguous', true);
        const y = f(s)(...xs);
        const gs = enableGrad(() =>
          autograd.grad(
            y,
            xs.filter((x) => x.requiresGrad),
            { gradOutputs: [randn(y.shape).requiresGrad_()], createGraph: true, allowUnused: true },
          ),
        );
        for (const g of gs)
          if (g?.requiresGrad) expect(() => g.sum().backward()).toThrow(/has no derivative of its own/);
      });
    }
  }
}

function viewRules(info: OpInfo<unknown>): void {
  // A layout is read the same way whatever the op's arguments: the first sample and the large
  // ones (the kernels' vector and threaded paths) are enough.
  const first = info.samples.find((s) => !s.large);
  for (const s of info.samples.filter((s) => s === first || s.large || s.layouts)) {
    const seed = seedOf(info.name, s.name);
    const tolFor = (layout: Layout) => (layout === 'strided' ? (info.tolerances?.stridedViews ?? 0) : 0);
    it(`views give the bits of contiguous inputs: ${s.name}`, () => {
      const want = info.op(inputsOf(s, seed, 'contiguous', false), s.args);
      for (const layout of ['offset', 'strided'] as const) {
        const xs = inputsOf(s, seed, layout, false);
        if (layout === 'offset') expect(xs[0].offset).toBeGreaterThan(0);
        else if (xs[0].ndim > 0 && xs[0].numel() > 1) expect(xs[0].isContiguous()).toBe(false);
        const got = info.op(xs, s.args);
        expectSame(valuesPart(got), valuesPart(want), `${layout}: values`, tolFor(layout));
        if (Array.isArray(got)) expectSame(got[1], (want as [Tensor, Tensor])[1], `${layout}: indices`);
      }
    });
    if (info.supportsAutograd === false || !s.inputs.some(differentiable)) continue;
    it(`backward through views (inputs and gradient) gives the bits of contiguous ones: ${s.name}`, () => {
      for (const [layout, dim] of [
        ['offset', 0],
        ['offset', -1],
        ['strided', 0],
        ['strided', -1],
      ] as const) {
        const xs = inputsOf(s, seed, layout, true);
        const ys = inputsOf(s, seed, 'contiguous', true);
        const y = valuesPart(info.op(xs, s.args));
        const gen = new Generator().manualSeed(seed + 2);
        const w = randn(dim === 0 ? [2, ...y.shape] : [...y.shape, 2], { generator: gen });
        // stack's backward hands the op's node select views of the weighted gradient: at an
        // offset (dim 0), strided (the last dim).
        stack([randn(y.shape, { generator: gen }), y], dim)
          .mul(w)
          .sum()
          .backward();
        valuesPart(info.op(ys, s.args)).mul(w.select(dim, 1).clone()).sum().backward();
        xs.forEach((x, i) => {
          if (x.requiresGrad)
            expectSame(x.grad, ys[i].grad, `grad ${i} (${layout} inputs, gradient view along ${dim})`, tolFor(layout));
        });
      }
    });
  }
}

function dtypeRules(info: OpInfo<unknown>): void {
  const reference = info.dtypes.float32;
  for (const s of info.samples) {
    const seed = seedOf(info.name, s.name);
    if (reference) {
      it(`float32 inputs give ${reference}: ${s.name}`, () => {
        expect(valuesPart(info.op(inputsOf(s, seed, 'contiguous', false), s.args)).dtype).toBe(reference);
      });
    }
    for (const [dtype, result] of Object.entries(info.dtypes) as [DType, DType][]) {
      if (dtype === 'float32') continue;
      it(`${dtype} inputs give ${result} and the float32 values: ${s.name}`, () => {
        // Integer values (|v| <= 6), exact in every dtype, so both runs see the same numbers.
        const gen = new Generator().manualSeed(seed);
        const ints = s.inputs.map((spec) => {
          if (!isFloat(spec, 'float32')) return valuesOf(spec, gen, 'float32');
          const v = valuesOf(spec, gen, 'float32').toTypedArray() as Float32Array;
          const lo = spec.lo === undefined ? -Infinity : Math.ceil(spec.lo);
          return Tensor.fromData(
            Float32Array.from(v, (x) => Math.max(Math.round(3 * x), lo)),
            spec.shape,
          );
        });
        const want = valuesPart(info.op(ints, s.args));
        const cast = ints.map((t, i) => (isFloat(s.inputs[i], 'float32') ? t.to(dtype) : t));
        const got = valuesPart(info.op(cast, s.args));
        expect(got.dtype).toBe(result);
        const tol = dtype === 'float64' ? (info.tolerances?.float64Values ?? 0) : 0;
        expectSame(got.to('float32'), want.to('float32'), `${dtype} values`, tol);
      });
    }
  }
}

/**
 * An op that does not declare a float64 result must refuse float64 inputs with a TypeError that
 * names float64: never a result computed in float32 (a float32 tensor back, or float64 storage
 * holding float32 roundings), never a crash in a kernel that reads the wrong width. The samples'
 * float inputs are cast to float64 one at a time and all together.
 */
function float64Rule(info: OpInfo<unknown>): void {
  if (info.dtypes.float64 !== undefined) {
    // The dtypes rule checks its values; its gradients are checked in float64 here, with
    // PyTorch's tolerances (gradcheck's float64 defaults: eps 1e-6, atol 1e-5, rtol 1e-3).
    if (info.supportsAutograd === false) return;
    for (const s of info.samples) {
      if (!s.inputs.some(differentiable) || s.large) continue;
      const seed = seedOf(info.name, s.name);
      it(`gradcheck in float64 (PyTorch's tolerances): ${s.name}`, () => {
        const xs = inputsOf(s, seed, 'strided', true, true);
        const f = (...ys: Tensor[]) => valuesPart(info.op(ys, s.args));
        expect(gradcheck(f, xs, info.tolerances?.float64Gradcheck)).toBe(true);
      });
    }
    return;
  }
  for (const s of info.samples) {
    const floats = s.inputs.map((spec, i) => (isFloat(spec, 'float32') ? i : -1)).filter((i) => i >= 0);
    if (floats.length === 0) continue;
    const seed = seedOf(info.name, s.name);
    it(`refuses float64 inputs with an error naming float64: ${s.name}`, () => {
      for (const which of [floats, ...(floats.length > 1 ? floats.map((i) => [i]) : [])]) {
        const xs = inputsOf(s, seed, 'contiguous', false).map((t, i) => (which.includes(i) ? t.to('float64') : t));
        expect(() => info.op(xs, s.args), `float64 input(s) ${which.join(', ')}`).toThrow(
          expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/float64/) }),
        );
      }
    });
  }
}

/** A float input's values as bfloat16 holds them (in float32), so both dtypes see the same numbers. */
const bf16Values = (t: Tensor) => t.to('bfloat16').to('float32');

function bfloat16Rule(info: OpInfo<unknown>): void {
  const reference = info.dtypes.float32;
  if (reference === undefined) return;
  for (const s of info.samples) {
    const floats = s.inputs.map((spec, i) => (isFloat(spec, 'float32') ? i : -1)).filter((i) => i >= 0);
    if (floats.length === 0) continue;
    const seed = seedOf(info.name, s.name);
    const xs = () => inputsOf(s, seed, 'contiguous', false).map((t, i) => (floats.includes(i) ? bf16Values(t) : t));
    const asBf16 = (ts: Tensor[], grad: boolean) =>
      ts.map((t, i) => {
        if (!floats.includes(i)) return t;
        const b = t.to('bfloat16');
        return grad && differentiable(s.inputs[i]) ? b.requiresGrad_() : b;
      });
    if (info.bfloat16 === 'refused') {
      it(`refuses bfloat16 inputs, as PyTorch 1.13: ${s.name}`, () => {
        expect(() => info.op(asBf16(xs(), false), s.args)).toThrow(
          expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/bfloat16/) }),
        );
      });
      continue;
    }
    it(`bfloat16 inputs give the float32 result rounded once: ${s.name}`, () => {
      const grad = info.supportsAutograd !== false && !s.large && s.inputs.some(differentiable);
      const ref = xs().map((t, i) => (grad && differentiable(s.inputs[i]) ? t.requiresGrad_() : t));
      const want = valuesPart(info.op(ref, s.args));
      const bfs = asBf16(
        ref.map((t) => t.detach()),
        grad,
      );
      const got = valuesPart(info.op(bfs, s.args));
      const tol = info.tolerances?.bfloat16Values ?? 0;
      expect(got.dtype, 'result dtype').toBe(want.dtype === 'float32' ? 'bfloat16' : want.dtype);
      const rounded = want.dtype === 'float32' ? bf16Values(want.detach()) : want;
      expectSame(got.to(rounded.dtype), rounded, 'bfloat16 values', tol);
      if (!grad || !want.requiresGrad) return;
      // A gradient bfloat16 holds, as both backward passes' input.
      const g = bf16Values(randn(want.shape, { generator: new Generator().manualSeed(seed + 1) }));
      want.backward(g);
      got.backward(g.to('bfloat16'));
      ref.forEach((r, i) => {
        if (!r.requiresGrad || !r.grad) return;
        expect(bfs[i].grad?.dtype, `grad ${i} dtype`).toBe('bfloat16');
        expectSame(bfs[i].grad!.to('float32'), bf16Values(r.grad), `bfloat16 grad ${i}`, tol);
      });
    });
  }
}

function errorRules(info: OpInfo<unknown>): void {
  for (const e of info.errorInputs ?? []) {
    it(`rejects ${e.name}`, () => {
      expect(e.call).toThrow(e.throws);
    });
  }
}

/** Runs every rule on every declaration, one describe per op. */
export function describeOps(infos: readonly OpInfo<unknown>[]): void {
  for (const info of infos) {
    describe(info.name, () => {
      it('declares what the harness can check', () => {
        if (info.forwardADExemption !== undefined)
          expect(info.forwardADExemption.length, 'forwardADExemption states its reason').toBeGreaterThan(10);
        expect(info.samples.length + (info.fixtures?.length ?? 0), 'samples or fixtures').toBeGreaterThan(0);
        expect(info.dtypes.float32 ?? info.dtypes.int32 ?? info.dtypes.bool, 'dtypes').toBeDefined();
      });
      fixtureRule(info);
      gradRules(info);
      forwardADRules(info);
      viewRules(info);
      dtypeRules(info);
      float64Rule(info);
      bfloat16Rule(info);
      errorRules(info);
    });
  }
}
