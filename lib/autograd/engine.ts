// Reverse-mode engine: an iterative walk of the graph in reverse topological order (no
// recursion: the unrolled graphs of RNNs are deep).
import { accumulateGrad } from '../raw/elementwise.js';
import { copyRaw } from '../raw/strided.js';
import { FLOATING_DTYPES } from '../dtype.js';
import { describe } from '../errors.js';
import { formatShape } from '../shape.js';
import { type Storage, Tensor } from '../tensor.js';
import { defineOp, registerEngine } from './define_op.js';
import { enableGrad, noGrad } from './grad_mode.js';
import { hasTangent, isForwardADActive } from './dual_state.js';
import { AccumulateGrad, type Node } from './node.js';

/**
 * The sum of two gradients for one node, recorded (createGraph: a higher-order gradient flows
 * back through it to both). Every gradient sent to a node has that node's output shape, so
 * unlike the public add there is no broadcast to undo.
 */
const sumGrads: (a: Tensor, b: Tensor) => Tensor = defineOp({
  name: 'add',
  dtypes: FLOATING_DTYPES,
  forward(_ctx, a: Tensor, b: Tensor) {
    return accumulateGrad(a, b);
  },
  backward(_ctx, g) {
    return [g, g];
  },
  // A backward run inside a dual level (forward over reverse) sums the gradients' tangents too.
  jvp: (_ctx, ta, tb) => (ta && tb ? sumGrads(ta, tb) : (ta ?? tb)),
});

export interface RunOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** autograd.grad: collect the gradients of these instead of accumulating into leaves. */
  inputs?: Tensor[];
  allowUnused?: boolean;
}

/** Nodes reachable from the roots, with how many reachable nodes feed each. */
function dependencies(roots: Node[]): Map<Node, number> {
  const deps = new Map<Node, number>();
  const stack: Node[] = [];
  for (const r of roots) {
    if (!deps.has(r)) {
      deps.set(r, 0);
      stack.push(r);
    }
  }
  while (stack.length) {
    const node = stack.pop()!;
    for (const next of node.next) {
      if (!next) continue;
      const seen = deps.has(next);
      deps.set(next, (deps.get(next) ?? 0) + 1);
      if (!seen) stack.push(next);
    }
  }
  return deps;
}

/**
 * The first gradient a leaf keeps: contiguous, at offset 0, over a storage of its own, as
 * torch's AccumulateGrad (it clones what it cannot steal). Backward often hands a leaf a view
 * (a stride-0 broadcast, a transpose, a select of a stacked gradient) or a tensor another leaf
 * or the caller also holds; in-place work on .grad (zeroGrad, clipGradNorm_) must see the
 * leaf's layout and touch nothing else. `taken`: storages already handed out in this run.
 */
function ownedGrad(grad: Tensor, taken: Set<Storage>): Tensor {
  const own =
    grad.isContiguous() && grad.offset === 0 && grad.storage.data.length === grad.numel() && !taken.has(grad.storage);
  const g = own ? grad.detach() : copyRaw(grad);
  taken.add(g.storage);
  return g;
}

/** Contiguous from offset 0 over every element of its storage (no other view can see more of it). */
function wholeStorage(t: Tensor): boolean {
  return t.isContiguous() && t.offset === 0 && t.storage.length === t.numel();
}

/**
 * Which gradients of one backward pass nothing but the engine holds, so that a backward (or the
 * sum of two gradients) may overwrite them instead of allocating: those made by a node whose
 * gradients are all fresh (Node.returnsFreshGrads), over a storage that no other gradient of this
 * pass lies over, that no hook has seen and that no autograd.grad call collects. Off while a graph
 * of the backward is built (createGraph) or a dual level is open: the gradients are then recorded
 * or carry tangents, and others hold them.
 */
class GradOwnership {
  // Gradients made by a fresh node and not yet consumed. Weak, as #uses: a gradient consumed is
  // garbage at once, not kept until the pass ends.
  readonly #fresh = new WeakSet<Tensor>();
  // How many gradients handed out in this pass lie over each storage.
  readonly #uses = new WeakMap<Storage, number>();
  constructor(
    readonly on: boolean,
    // Storages the caller or a leaf holds (the engine's `taken`).
    private readonly taken: Set<Storage>,
  ) {}
  /** Records a gradient handed to a node's pending slot; made by a fresh node or not. */
  handOut(g: Tensor, fresh: boolean): void {
    if (!this.on) return;
    this.#uses.set(g.storage, (this.#uses.get(g.storage) ?? 0) + 1);
    if (fresh) this.#fresh.add(g);
  }
  /** Whether g is the one gradient over its storage, fresh, held by nobody else (and not yet consumed). */
  owned(g: Tensor): boolean {
    return (
      this.on && this.#fresh.has(g) && this.#uses.get(g.storage) === 1 && !this.taken.has(g.storage) && wholeStorage(g)
    );
  }
  /**
   * The node g was pending for takes it: owned (only when `mayOwn`: no hook saw it, nothing
   * collects it) if nobody else holds it, and then its storage counts as free again (the node may
   * return g itself, counted anew).
   */
  take(g: Tensor, mayOwn: boolean): boolean {
    const owned = mayOwn && this.owned(g);
    this.#fresh.delete(g);
    if (owned) this.#uses.set(g.storage, 0);
    return owned;
  }
  /** The sum of two pending gradients of one node: written into prev when the engine owns it. */
  sum(prev: Tensor, g: Tensor): Tensor {
    if (!this.on) return accumulateGrad(prev, g);
    if ((prev.dtype === 'float32' || prev.dtype === 'float64') && this.owned(prev)) {
      // prev stays the pending gradient, still fresh and still counted once.
      this.#fresh.delete(g);
      return accumulateGrad(prev, g, prev);
    }
    this.#fresh.delete(prev);
    this.#fresh.delete(g);
    const sum = accumulateGrad(prev, g);
    this.handOut(sum, true);
    return sum;
  }
}

/**
 * Runs a tensor's gradient hooks in order, each on the previous one's result. A hook's returned
 * tensor replaces the gradient only if it has the gradient's shape and dtype (as PyTorch checks):
 * a [2] tensor must never end with a [3] gradient.
 */
function runHooks(hooks: readonly ((g: Tensor) => Tensor | void)[], grad: Tensor): Tensor {
  for (const hook of hooks) {
    const replaced: unknown = hook(grad);
    if (replaced === undefined || replaced === null) continue;
    if (!(replaced instanceof Tensor))
      throw new TypeError(`registerHook: a gradient hook must return a Tensor or nothing, got ${describe(replaced)}`);
    if (replaced.ndim !== grad.ndim || replaced.shape.some((s, i) => s !== grad.shape[i]))
      throw new RangeError(
        `registerHook: a gradient hook returned a tensor of shape ${formatShape(replaced.shape)} for a gradient of shape ` +
          `${formatShape(grad.shape)}; a hook may not change the gradient's shape`,
      );
    if (replaced.dtype !== grad.dtype)
      throw new TypeError(
        `registerHook: a gradient hook returned a ${replaced.dtype} tensor for a ${grad.dtype} gradient; ` +
          "a hook may not change the gradient's dtype",
      );
    grad = replaced;
  }
  return grad;
}

// Callbacks queued during the backward pass running now (queueCallback), run when it ends.
let finalCallbacks: (() => void)[] | null = null;

/**
 * Runs `callback` when the backward pass in progress has finished (PyTorch's
 * Variable._execution_engine.queue_callback): after every gradient has been accumulated, before
 * backward() returns. Only callable from inside a backward pass (a hook).
 */
export function queueCallback(callback: () => void): void {
  if (!finalCallbacks) throw new Error('queueCallback: can only be called while a backward pass runs (from a hook)');
  finalCallbacks.push(callback);
}

export function runBackward(outputs: Tensor[], gradOutputs: Tensor[], opts: RunOptions = {}): (Tensor | null)[] {
  const outer = finalCallbacks;
  finalCallbacks = [];
  try {
    const captured = walkBackward(outputs, gradOutputs, opts);
    // Callbacks may queue more callbacks; each runs once, in order.
    for (let i = 0; i < finalCallbacks.length; i++) finalCallbacks[i]();
    return captured;
  } finally {
    finalCallbacks = outer;
  }
}

function walkBackward(outputs: Tensor[], gradOutputs: Tensor[], opts: RunOptions): (Tensor | null)[] {
  const roots: Node[] = [];
  const pending = new Map<Node, Tensor>();
  // Inputs for autograd.grad, keyed by the node their gradient arrives at.
  const wanted = new Map<Node, number[]>();
  const captured: (Tensor | null)[] = (opts.inputs ?? []).map(() => null);
  (opts.inputs ?? []).forEach((t, i) => {
    const node = t.gradFn ?? (t.requiresGrad ? (t._accumulator ??= new AccumulateGrad(t)) : null);
    if (!node) throw new Error(`grad: input ${i} does not require grad`);
    wanted.set(node, [...(wanted.get(node) ?? []), i]);
  });

  outputs.forEach((out, i) => {
    const node = out.gradFn ?? (out.requiresGrad ? (out._accumulator ??= new AccumulateGrad(out)) : null);
    if (!node) {
      throw new Error(`backward: output ${i} does not require grad and has no gradFn`);
    }
    roots.push(node);
    pending.set(node, pending.has(node) ? accumulateGrad(pending.get(node)!, gradOutputs[i]) : gradOutputs[i]);
  });

  const deps = dependencies(roots);
  const ready: Node[] = roots.filter((r, i) => roots.indexOf(r) === i && deps.get(r) === 0);
  const collecting = opts.inputs !== undefined;
  // The caller's gradients are never stolen (they may be used again).
  const taken = new Set<Storage>(gradOutputs.map((g) => g.storage));
  const ownership = new GradOwnership(!opts.createGraph && !isForwardADActive(), taken);
  const body = () => {
    while (ready.length) {
      const node = ready.pop()!;
      let grad = pending.get(node)!;
      pending.delete(node);
      const slots = wanted.get(node);
      // A hook or autograd.grad sees the gradient; a leaf keeps it.
      const owned = ownership.take(grad, node.outputHooks.length === 0 && !slots && !(node instanceof AccumulateGrad));
      grad = runHooks(node.outputHooks, grad);
      if (slots) for (const i of slots) captured[i] = grad;
      if (node instanceof AccumulateGrad) {
        if (!collecting) {
          const leaf = node.variable;
          grad = runHooks(leaf._hooks, grad);
          leaf.grad = leaf.grad ? accumulateGrad(leaf.grad, grad) : ownedGrad(grad, taken);
          if (leaf._postAccumulateHooks) for (const hook of [...leaf._postAccumulateHooks]) hook(leaf);
        }
        continue;
      }
      const grads = node.apply(grad, owned);
      if (!opts.retainGraph) node.release();
      const fresh = node.returnsFreshGrads;
      node.next.forEach((next, i) => {
        if (!next) return;
        const g = grads[i];
        // With createGraph the sum of gradients is itself recorded (higher-order gradients), and
        // in a dual level it sums their tangents too.
        const prev = pending.get(next);
        if (g) {
          ownership.handOut(g, fresh);
          const recorded = opts.createGraph || hasTangent(prev ?? g, g);
          pending.set(next, !prev ? g : recorded ? sumGrads(prev, g) : ownership.sum(prev, g));
        }
        const left = deps.get(next)! - 1;
        deps.set(next, left);
        if (left === 0) {
          if (pending.has(next)) ready.push(next);
          else propagateNothing(next, deps, ready, pending);
        }
      });
    }
  };
  if (opts.createGraph) enableGrad(body);
  else noGrad(body);

  if (collecting && !opts.allowUnused) {
    captured.forEach((g, i) => {
      if (!g) throw new Error(`grad: input ${i} was not used to compute the outputs; pass { allowUnused: true }`);
    });
  }
  return captured;
}

// A node whose every input sent no gradient: its own inputs get none either, but their
// dependency counts must still drop so nodes fed from elsewhere can run.
function propagateNothing(node: Node, deps: Map<Node, number>, ready: Node[], pending: Map<Node, Tensor>): void {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    for (const next of n.next) {
      if (!next) continue;
      const left = deps.get(next)! - 1;
      deps.set(next, left);
      if (left === 0) {
        if (pending.has(next)) ready.push(next);
        else stack.push(next);
      }
    }
  }
}

registerEngine((outputs, gradOutputs, opts) => runBackward(outputs, gradOutputs, opts));
