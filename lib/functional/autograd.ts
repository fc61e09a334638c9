// autograd.functional (torch.autograd.functional): vjp, jvp, jacobian, hessian, hvp and vhp of a
// function of tensors, with PyTorch's signatures and results. `inputs` is a Tensor or an array of
// Tensors (torch's tuple), and so is what the function returns; a result mirrors them: a Tensor
// where torch gives a Tensor, an array where it gives a tuple. vjp, jacobian (reverse mode),
// hessian, hvp and vhp differentiate through the reverse-mode engine; jvp and jacobian's
// 'forward-mode' strategy through dual tensors (forwardAD).
import { isFloatingDType } from '../dtype.js';
import { dualLevel, makeDual, unpackDual } from '../autograd/forward_ad.js';
import { grad } from '../autograd/backward.js';
import { enableGrad } from '../autograd/grad_mode.js';
import { zeros } from '../creation.js';
import { checkOptions } from '../errors.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { stack } from '../ops/join.js';
import { reshape } from '../ops/view.js';

/** A Tensor, or an array of Tensors where torch takes or gives a tuple. */
export type TensorOrTensors = Tensor | readonly Tensor[];

/** The options every autograd.functional call takes. */
export interface FunctionalOptions {
  /** Results carry a graph, so they can be differentiated again (default false: detached). */
  createGraph?: boolean;
  /** An output independent of an input is an error instead of zeros (default false). */
  strict?: boolean;
}

/** jacobian's options. */
export interface JacobianOptions extends FunctionalOptions {
  /** torch's vectorize (vmap): the same values here, each row or column computed in a loop. */
  vectorize?: boolean;
  /** 'reverse-mode' (default): one backward per output element; 'forward-mode': one JVP per input element. */
  strategy?: 'reverse-mode' | 'forward-mode';
}

/** hessian's options. */
export interface HessianOptions extends FunctionalOptions {
  /** torch's vectorize: the same values here (a loop). */
  vectorize?: boolean;
  /** The strategy of the outer Jacobian (of the gradient); the inner one is reverse mode. */
  outerJacobianStrategy?: 'reverse-mode' | 'forward-mode';
}

type Fn = (...inputs: Tensor[]) => TensorOrTensors;

/** A Tensor or an array of Tensors as an array, and whether it was one (torch's _as_tuple). */
function asTuple(fn: string, what: string, x: unknown): [Tensor[], boolean] {
  const isTuple = Array.isArray(x);
  const list = (isTuple ? x : [x]) as unknown[];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) {
      const type = t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t;
      throw new TypeError(
        `autograd.functional.${fn}: ${what} must be a Tensor or an array of Tensors, but the value at index ${i} is ${type}`,
      );
    }
  });
  return [list as Tensor[], isTuple];
}

/** The inputs as fresh graph roots (torch's _grad_preprocess): a view that keeps its history under createGraph. */
function preprocess(xs: Tensor[], createGraph: boolean, needGraph: boolean): Tensor[] {
  return xs.map((x) => {
    if (createGraph && x.requiresGrad) return enableGrad(() => reshape(x, x.shape));
    const d = x.detach();
    return needGraph && isFloatingDType(d.dtype) ? d.requiresGrad_() : d;
  });
}

function postprocess(ts: Tensor[], createGraph: boolean): Tensor[] {
  return createGraph ? ts : ts.map((t) => t.detach());
}

function options<T extends FunctionalOptions>(fn: string, opts: T, extra: string[] = []): Required<FunctionalOptions> {
  checkOptions(`autograd.functional.${fn}`, opts, ['createGraph', 'strict', ...extra]);
  return { createGraph: opts.createGraph ?? false, strict: opts.strict ?? false };
}

function checkFunction(fn: string, func: unknown): asserts func is Fn {
  if (typeof func !== 'function')
    throw new TypeError(
      `autograd.functional.${fn}: func must be a function, got ${func === null ? 'null' : typeof func}`,
    );
}

/** v as an array matching `like` in shapes, or ones where v is omitted and each of `like` has one element. */
function vectorFor(fn: string, v: TensorOrTensors | undefined | null, like: Tensor[], of: string): Tensor[] {
  if (v === undefined || v === null) {
    if (like.length !== 1 || like[0].numel() !== 1)
      throw new RangeError(
        `autograd.functional.${fn}: v can be omitted only when ${of} is a single Tensor with a single element`,
      );
    return [zeros(like[0].shape).add(1)];
  }
  const [vs] = asTuple(fn, 'v', v);
  if (vs.length !== like.length)
    throw new RangeError(`autograd.functional.${fn}: v has ${vs.length} tensors, ${of} has ${like.length}`);
  vs.forEach((t, i) => {
    if (t.shape.length !== like[i].shape.length || t.shape.some((n, d) => n !== like[i].shape[d]))
      throw new RangeError(
        `autograd.functional.${fn}: v[${i}] has shape ${formatShape(t.shape)}, but ${of} has shape ${formatShape(like[i].shape)} there`,
      );
  });
  return vs;
}

/** Gradients that are null (independent) become zeros, or an error in strict mode. */
function fillZeros(
  fn: string,
  gs: (Tensor | null)[],
  like: Tensor[],
  strict: boolean,
  what: (i: number) => string,
): Tensor[] {
  return gs.map((g, i) => {
    if (g) return g;
    if (strict) throw new Error(`autograd.functional.${fn}: ${what(i)}; this is not allowed in strict mode`);
    return zeros(like[i].shape);
  });
}

function callFunction(fn: string, func: Fn, xs: Tensor[]): [Tensor[], boolean] {
  return asTuple(
    fn,
    'the outputs of the user-provided function',
    enableGrad(() => func(...xs)),
  );
}

function checkRequiresGrad(fn: string, outs: Tensor[], strict: boolean): void {
  if (!strict) return;
  outs.forEach((o, i) => {
    if (!o.requiresGrad)
      throw new Error(
        `autograd.functional.${fn}: output ${i} of the user-provided function does not require gradients; in strict mode the outputs must be computed differentiably from the inputs`,
      );
  });
}

/** grad of the outputs that require grad, null for every input when none does. */
function gradOf(outs: Tensor[], gos: Tensor[], xs: Tensor[], createGraph: boolean, retainGraph = createGraph) {
  const keep = outs.map((o, i) => [o, gos[i]] as const).filter(([o]) => o.requiresGrad);
  if (keep.length === 0) return xs.map(() => null);
  return enableGrad(() =>
    grad(
      keep.map(([o]) => o),
      xs,
      { gradOutputs: keep.map(([, g]) => g), createGraph, retainGraph, allowUnused: true },
    ),
  );
}

const one = <T>(list: T[], isTuple: boolean): T | T[] => (isTuple ? list : list[0]);

/** [func(inputs), vᵀ J] (torch.autograd.functional.vjp). */
export function vjp(
  func: Fn,
  inputs: TensorOrTensors,
  v?: TensorOrTensors | null,
  opts: FunctionalOptions = {},
): [TensorOrTensors, TensorOrTensors] {
  checkFunction('vjp', func);
  const { createGraph, strict } = options('vjp', opts);
  const [ins, inTuple] = asTuple('vjp', 'inputs', inputs);
  const xs = preprocess(ins, createGraph, true);
  const [outs, outTuple] = callFunction('vjp', func, xs);
  checkRequiresGrad('vjp', outs, strict);
  const vs = vectorFor('vjp', v, outs, 'the output of the user-provided function');
  const gs = gradOf(outs, vs, xs, createGraph);
  const res = fillZeros(
    'vjp',
    gs,
    xs,
    strict,
    (i) => `the output of the user-provided function is independent of input ${i}`,
  );
  return [one(postprocess(outs, createGraph), outTuple), one(postprocess(res, createGraph), inTuple)];
}

/** [func(inputs), J v] (torch.autograd.functional.jvp), by forward mode. */
export function jvp(
  func: Fn,
  inputs: TensorOrTensors,
  v?: TensorOrTensors | null,
  opts: FunctionalOptions = {},
): [TensorOrTensors, TensorOrTensors] {
  checkFunction('jvp', func);
  const { createGraph, strict } = options('jvp', opts);
  const [ins] = asTuple('jvp', 'inputs', inputs);
  const xs = preprocess(ins, createGraph, createGraph);
  const vs = vectorFor('jvp', v, xs, 'the input');
  const [outs, tangents, outTuple] = dualLevel(() => {
    const [os, isTuple] = callFunction(
      'jvp',
      func,
      xs.map((x, i) => makeDual(x, vs[i])),
    );
    const unpacked = os.map((o) => unpackDual(o));
    return [unpacked.map((u) => u.primal), unpacked.map((u) => u.tangent), isTuple] as const;
  });
  const res = fillZeros(
    'jvp',
    [...tangents],
    outs,
    strict,
    (i) => `output ${i} of the user-provided function is independent of the inputs`,
  );
  return [one(postprocess(outs, createGraph), outTuple), one(postprocess(res, createGraph), outTuple)];
}

/** jac[i][j] = d outputs[i] / d inputs[j], shaped outputs[i].shape ++ inputs[j].shape. */
function jacobianOf(
  fn: string,
  func: Fn,
  xs: Tensor[],
  createGraph: boolean,
  strict: boolean,
  strategy: 'reverse-mode' | 'forward-mode',
): [Tensor[][], boolean] {
  if (strategy === 'forward-mode') {
    const [outs, outTuple] = callFunction(fn, func, xs);
    const jac = outs.map(() => xs.map(() => [] as Tensor[]));
    xs.forEach((x, j) => {
      for (let k = 0; k < x.numel(); k++) {
        const basis = new Float32Array(x.numel());
        basis[k] = 1;
        const e = reshape(Tensor.fromData(basis, [x.numel()]), x.shape);
        const tangents = dualLevel(() => {
          const [os] = callFunction(
            fn,
            func,
            xs.map((xi, i) => (i === j ? makeDual(xi, e) : xi)),
          );
          return os.map((o) => unpackDual(o).tangent);
        });
        tangents.forEach((t, i) => {
          const col = t ?? zeros(outs[i].shape);
          jac[i][j].push(reshape(col, [outs[i].numel()]));
        });
      }
    });
    return [
      outs.map((o, i) =>
        xs.map((x, j) =>
          x.numel() === 0 || o.numel() === 0
            ? zeros([...o.shape, ...x.shape])
            : reshape(stack(jac[i][j], 1), [...o.shape, ...x.shape]),
        ),
      ),
      outTuple,
    ];
  }
  const [outs, outTuple] = callFunction(fn, func, xs);
  checkRequiresGrad(fn, outs, strict);
  const jac = outs.map((o, i) => {
    const rows: Tensor[][] = xs.map(() => []);
    const flat = o.requiresGrad ? enableGrad(() => reshape(o, [o.numel()])) : null;
    const seen = xs.map(() => false);
    for (let k = 0; k < o.numel(); k++) {
      const gs = flat
        ? enableGrad(() => grad(flat.select(0, k), xs, { retainGraph: true, createGraph, allowUnused: true }))
        : xs.map(() => null);
      gs.forEach((g, j) => {
        if (g) seen[j] = true;
        rows[j].push(g ?? zeros(xs[j].shape));
      });
    }
    return xs.map((x, j) => {
      if (strict && !seen[j] && o.numel() > 0)
        throw new Error(
          `autograd.functional.${fn}: output ${i} of the user-provided function is independent of input ${j}; this is not allowed in strict mode`,
        );
      return rows[j].length === 0
        ? zeros([...o.shape, ...x.shape])
        : reshape(stack(rows[j], 0), [...o.shape, ...x.shape]);
    });
  });
  return [jac, outTuple];
}

function strategyOf(fn: string, s: unknown, opts: { vectorize?: boolean; createGraph: boolean; strict: boolean }) {
  if (s !== 'reverse-mode' && s !== 'forward-mode')
    throw new RangeError(
      `autograd.functional.${fn}: strategy must be 'reverse-mode' or 'forward-mode', got '${String(s)}'`,
    );
  if (s === 'forward-mode') {
    // torch's restrictions, kept so code moves between the two unchanged.
    if (!opts.vectorize)
      throw new Error(
        `autograd.functional.${fn}: the 'forward-mode' strategy is only implemented with vectorize: true`,
      );
    if (opts.strict)
      throw new Error(
        `autograd.functional.${fn}: strict: true and the 'forward-mode' strategy are not supported together`,
      );
    if (opts.createGraph)
      throw new Error(
        `autograd.functional.${fn}: createGraph: true and the 'forward-mode' strategy are not supported together`,
      );
  }
  return s;
}

/** The Jacobian of func at inputs (torch.autograd.functional.jacobian). */
export function jacobian(func: Fn, inputs: TensorOrTensors, opts: JacobianOptions = {}): TensorOrTensors | Tensor[][] {
  checkFunction('jacobian', func);
  const { createGraph, strict } = options('jacobian', opts, ['vectorize', 'strategy']);
  const strategy = strategyOf('jacobian', opts.strategy ?? 'reverse-mode', { ...opts, createGraph, strict });
  const [ins, inTuple] = asTuple('jacobian', 'inputs', inputs);
  const xs = preprocess(ins, createGraph, true);
  const [jac, outTuple] = jacobianOf('jacobian', func, xs, createGraph, strict, strategy);
  const post = jac.map((row) => postprocess(row, createGraph));
  if (outTuple && inTuple) return post;
  if (outTuple) return post.map((row) => row[0]);
  return inTuple ? post[0] : post[0][0];
}

/** The Hessian of a function with one scalar output (torch.autograd.functional.hessian). */
export function hessian(func: Fn, inputs: TensorOrTensors, opts: HessianOptions = {}): TensorOrTensors | Tensor[][] {
  checkFunction('hessian', func);
  const { createGraph, strict } = options('hessian', opts, ['vectorize', 'outerJacobianStrategy']);
  const strategy = strategyOf('hessian', opts.outerJacobianStrategy ?? 'reverse-mode', {
    ...opts,
    createGraph,
    strict,
  });
  const [ins, inTuple] = asTuple('hessian', 'inputs', inputs);
  const scalar = (...xs: Tensor[]): Tensor => singleElement('hessian', func(...xs));
  // The gradient as a function (torch's jac_func): its Jacobian is the Hessian.
  const gradient = (...xs: Tensor[]): Tensor[] => {
    const [jac] = jacobianOf('hessian', scalar, preprocess(xs, true, true), true, strict, 'reverse-mode');
    const g = jac[0];
    if (strict)
      g.forEach((t, j) => {
        if (!t.requiresGrad)
          throw new Error(
            `autograd.functional.hessian: the jacobian of the user-provided function is independent of input ${j}; this is not allowed in strict mode`,
          );
      });
    return g;
  };
  const xs = preprocess(ins, createGraph, true);
  const [h] = jacobianOf('hessian', gradient, xs, createGraph, strict, strategy);
  const post = h.map((row) => postprocess(row, createGraph));
  return inTuple ? post : post[0][0];
}

function singleElement(fn: string, out: TensorOrTensors): Tensor {
  if (Array.isArray(out)) {
    if (out.length !== 1)
      throw new RangeError(`autograd.functional.${fn}: the function must return a single Tensor, got ${out.length}`);
    out = out[0];
  }
  if (!(out instanceof Tensor))
    throw new TypeError(`autograd.functional.${fn}: the function must return a Tensor, got ${typeof out}`);
  if (out.numel() !== 1)
    throw new RangeError(
      `autograd.functional.${fn}: the Tensor the function returns must have a single element, got shape ${formatShape(out.shape)}`,
    );
  return reshape(out, []);
}

/** vᵀ H through double backward: the gradient of <grad f, v>. */
function vhpCore(
  fn: string,
  func: Fn,
  inputs: TensorOrTensors,
  v: TensorOrTensors | undefined | null,
  opts: FunctionalOptions,
) {
  checkFunction(fn, func);
  const { createGraph, strict } = options(fn, opts);
  const [ins, inTuple] = asTuple(fn, 'inputs', inputs);
  const xs = preprocess(ins, createGraph, true);
  const out = singleElement(
    fn,
    enableGrad(() => func(...xs)),
  );
  const vs = vectorFor(fn, v, xs, 'the input');
  if (strict && !out.requiresGrad)
    throw new Error(
      `autograd.functional.${fn}: the output of the user-provided function does not require gradients; not allowed in strict mode`,
    );
  const jac = gradOf([out], [zeros([]).add(1)], xs, true);
  const live = jac.map((g, j) => {
    if (g?.requiresGrad) return g;
    if (strict)
      throw new Error(
        `autograd.functional.${fn}: the jacobian of the user-provided function is independent of input ${j}; this is not allowed in strict mode`,
      );
    return null;
  });
  const keep = live.map((g, j) => [g, vs[j]] as const).filter(([g]) => g !== null) as [Tensor, Tensor][];
  const res =
    keep.length === 0
      ? xs.map(() => null)
      : enableGrad(() =>
          grad(
            keep.map(([g]) => g),
            xs,
            { gradOutputs: keep.map(([, w]) => w), createGraph, allowUnused: true },
          ),
        );
  const filled = fillZeros(
    fn,
    res,
    xs,
    strict,
    (i) => `the hessian of the user-provided function is independent of input ${i}`,
  );
  return [postprocess([out], createGraph)[0], one(postprocess(filled, createGraph), inTuple)] as [
    Tensor,
    TensorOrTensors,
  ];
}

/** [func(inputs), vᵀ H] (torch.autograd.functional.vhp). */
export function vhp(
  func: Fn,
  inputs: TensorOrTensors,
  v?: TensorOrTensors | null,
  opts: FunctionalOptions = {},
): [Tensor, TensorOrTensors] {
  return vhpCore('vhp', func, inputs, v, opts);
}

/**
 * [func(inputs), H v] (torch.autograd.functional.hvp). The Hessian of a twice-differentiable
 * function is symmetric, so H v = (vᵀ H)ᵀ: the same double backward as vhp (torch computes it
 * with one more backward, to the same values).
 */
export function hvp(
  func: Fn,
  inputs: TensorOrTensors,
  v?: TensorOrTensors | null,
  opts: FunctionalOptions = {},
): [Tensor, TensorOrTensors] {
  return vhpCore('hvp', func, inputs, v, opts);
}
