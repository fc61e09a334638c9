// The state of forward-mode AD: which dual level is open, and each tensor's tangent at it. A
// tangent is stored on its tensor with the level it belongs to, so closing a level makes every
// tangent of that level unreachable at once (no list of duals to walk). One level at a time: a
// nested level is an error. Kept apart from forward_ad.ts (the public API) so defineOp can read
// it without importing the ops that API is made of.
import { allocate } from '../dtype.js';
import { formatShape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';

let openLevel = -1;
let nextLevel = 0;
/** >0 while an op's JVP rule runs: its ops act on tangents and must not propagate tangents of their own. */
let suspended = 0;

export function currentDualLevel(): number {
  return openLevel;
}

/** Opens a dual level and returns its number (torch's enter_dual_level); one at a time. */
export function enterDualLevel(): number {
  if (openLevel >= 0) {
    throw new Error(
      `forwardAD.enterDualLevel: nested dual levels are not supported (level ${openLevel} is open); exit it first`,
    );
  }
  openLevel = nextLevel++;
  return openLevel;
}

/** Closes the open dual level (torch's exit_dual_level): every tangent of it is dropped. */
export function exitDualLevel(level?: number): void {
  if (openLevel < 0) throw new Error('forwardAD.exitDualLevel: no dual level is open');
  if (level !== undefined && level !== openLevel)
    throw new Error(`forwardAD.exitDualLevel: level ${level} is not the open level ${openLevel}`);
  openLevel = -1;
}

/** Whether ops propagate tangents now: a level is open and no JVP rule is running. */
export function isForwardADActive(): boolean {
  return openLevel >= 0 && suspended === 0;
}

/** t's tangent at the open level, or null. */
export function tangentOf(t: Tensor): Tensor | null {
  return openLevel >= 0 && t._fwLevel === openLevel ? t._fwGrad : null;
}

/** Attaches a tangent to t at the open level (shape and dtype checked: a wrong rule fails loudly). */
export function setTangent(t: Tensor, tangent: Tensor | null, op: string): void {
  if (tangent === null) {
    t._fwGrad = null;
    t._fwLevel = -1;
    return;
  }
  if (tangent.shape.length !== t.shape.length || tangent.shape.some((n, i) => n !== t.shape[i])) {
    throw new Error(
      `${op}: its forward-mode rule gave a tangent of shape ${formatShape(tangent.shape)} for an output of shape ${formatShape(t.shape)}`,
    );
  }
  if (tangent.dtype !== t.dtype)
    throw new Error(`${op}: its forward-mode rule gave a ${tangent.dtype} tangent for a ${t.dtype} output`);
  t._fwGrad = tangent;
  t._fwLevel = openLevel;
}

/** Runs a JVP rule: the ops it calls compute on tangents and give no tangents themselves. */
export function withoutTangents<T>(fn: () => T): T {
  suspended++;
  try {
    return fn();
  } finally {
    suspended--;
  }
}

function sameLayout(a: Tensor, b: Tensor): boolean {
  return (
    a.offset === b.offset &&
    a.storage.data.length === b.storage.data.length &&
    a.strides.every((s, i) => s === b.strides[i])
  );
}

/**
 * The tangent an in-place op on t writes its result's tangent into: t's own, or, for a tensor
 * without one, new zeros laid out as t's storage (t's base's, for a view, so the base and its
 * other views see the write as torch's do).
 */
export function tangentForWrite(t: Tensor, op: string): Tensor {
  const own = tangentOf(t);
  if (own) return own;
  const owner = t._base ?? t;
  let ot = tangentOf(owner);
  if (!ot) {
    ot = new Tensor(
      new Storage(allocate(owner.dtype, owner.storage.data.length)),
      owner.shape,
      owner.strides,
      owner.offset,
    );
    setTangent(owner, ot, op);
  } else if (!sameLayout(ot, owner)) {
    throw new Error(
      `${op}: in-place operation with a dual tensor on a view made before its base got a tangent is not supported; make the view after makeDual, or clone it`,
    );
  }
  if (owner === t) return ot;
  const view = new Tensor(ot.storage, t.shape, t.strides, t.offset);
  setTangent(t, view, op);
  return view;
}

/**
 * Whether any of the tensors carries a tangent now. A backward's unrecorded fast path (taken
 * when nothing needs a graph) would drop it: run inside a dual level, it takes its recorded
 * path, so the gradient gets its tangent (forward over reverse).
 */
export function hasTangent(...ts: Tensor[]): boolean {
  return isForwardADActive() && ts.some((t) => tangentOf(t) !== null);
}

/**
 * Runs fn with tangents propagating again inside a JVP rule: a fused op's rule can run its
 * composite form (made of ops with rules of their own) on dual copies of its inputs.
 */
export function withTangents<T>(fn: () => T): T {
  const before = suspended;
  suspended = 0;
  try {
    return fn();
  } finally {
    suspended = before;
  }
}
