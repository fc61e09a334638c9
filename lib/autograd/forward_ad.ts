// Forward-mode AD (torch.autograd.forward_ad): inside a dual level, a tensor made by makeDual
// carries a tangent, and every op it flows through gives its output the tangent J·t from the
// op's JVP rule (OpSpec.jvp, beside its forward and backward). unpackDual reads it back. A view
// of a dual gets the same view of the tangent, so an in-place op on the view (which writes the
// new tangent into it, lib/ops/inplace.ts) updates the base's tangent too.
import { refuseStorageOnly } from '../errors.js';
import { FLOATING_DTYPES, isFloatingDType } from '../dtype.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { defineOp } from './define_op.js';
import { currentDualLevel, enterDualLevel, exitDualLevel, setTangent, tangentOf } from './dual_state.js';

export { enterDualLevel, exitDualLevel };

/**
 * Runs fn inside a new dual level and returns what it returns; the level's tangents are dropped
 * when it exits (torch's `with fwAD.dual_level():`). fn must be synchronous.
 */
export function dualLevel<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`forwardAD.dualLevel: expected a function, got ${typeof fn}`);
  const level = enterDualLevel();
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new TypeError(
        'forwardAD.dualLevel: fn returned a Promise; a dual level is synchronous (its tangents are gone once it returns)',
      );
    }
    return result;
  } finally {
    exitDualLevel(level);
  }
}

// The dual and the primal unpacked from it are aliases of their input: same storage, the
// gradient passes straight through in reverse mode.
const aliasOp = defineOp({
  name: 'alias',
  dtypes: FLOATING_DTYPES,
  forward(_ctx, x: Tensor) {
    const v = new Tensor(x.storage, x.shape, x.strides, x.offset);
    v._base = x._base ?? x;
    return v;
  },
  backward(_ctx, g) {
    return [g];
  },
  jvp: (_ctx, t) => t,
});

function checkTensor(fn: string, what: string, x: unknown): Tensor {
  if (!(x instanceof Tensor))
    throw new TypeError(`forwardAD.${fn}: expected ${what} to be a Tensor, got ${x === null ? 'null' : typeof x}`);
  return refuseStorageOnly(`forwardAD.${fn}`, x);
}

/**
 * A view of `primal` whose tangent is `tangent` at the open level (torch's make_dual). The
 * tangent keeps its identity: in-place ops on the dual write its new tangent into it.
 */
export function makeDual(primal: Tensor, tangent: Tensor): Tensor {
  checkTensor('makeDual', 'primal', primal);
  checkTensor('makeDual', 'tangent', tangent);
  if (currentDualLevel() < 0)
    throw new Error('forwardAD.makeDual: no dual level is open; call it inside forwardAD.dualLevel(() => ...)');
  if (!isFloatingDType(primal.dtype))
    throw new TypeError(`forwardAD.makeDual: only floating-point tensors can have a tangent, got ${primal.dtype}`);
  if (tangent.dtype !== primal.dtype)
    throw new TypeError(
      `forwardAD.makeDual: the tangent's dtype ${tangent.dtype} differs from the primal's ${primal.dtype}`,
    );
  if (tangent.shape.length !== primal.shape.length || tangent.shape.some((n, i) => n !== primal.shape[i]))
    throw new RangeError(
      `forwardAD.makeDual: the tangent's shape ${formatShape(tangent.shape)} differs from the primal's ${formatShape(primal.shape)}`,
    );
  const dual = aliasOp(primal);
  setTangent(dual, tangent, 'makeDual');
  return dual;
}

/** What unpackDual returns (torch's UnpackedDualTensor). */
export interface UnpackedDual {
  /** A view of the tensor without its tangent (gradients still flow through it in reverse mode). */
  primal: Tensor;
  /** Its tangent at the open level, or null. */
  tangent: Tensor | null;
}

/** The primal and tangent of a tensor (torch's unpack_dual); tangent null outside a level or for a non-dual. */
export function unpackDual(t: Tensor): UnpackedDual {
  checkTensor('unpackDual', 'its argument', t);
  const tangent = tangentOf(t);
  if (tangent === null) return { primal: t, tangent: null };
  const primal = aliasOp(t);
  setTangent(primal, null, 'unpackDual');
  return { primal, tangent };
}
