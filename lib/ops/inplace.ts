// In-place ops. Every write bumps storage.version (so a backward that saved this storage
// notices). In grad mode an in-place op on a leaf that requires grad throws, as torch; on a
// non-leaf it rebases the history: the op runs on a recorded clone of the old value and the
// tensor's gradFn becomes the new node, so gradients stay right. Views of tensors that
// require grad cannot be modified in place while recording (torch's CopySlices is not here).
import { allocate, byteScalar, FLOATING_DTYPES, isFloatingDType } from '../dtype.js';
import { checkNumber, checkOptions, describe, refuseStorageOnly } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { isForwardADActive, tangentForWrite, tangentOf } from '../autograd/dual_state.js';
import { BinaryOp, type BinaryOpCode } from '../native.js';
import { defaultGenerator, type Generator } from '../random.js';
import { broadcastShapes, formatShape, sameShape, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { add, asTensor, asTensorBeside, div, mul, sub, type TensorLike } from './binary.js';
import { clamp } from './pointwise.js';
import { sumTo } from './reduce.js';
import { copyRaw, fillRaw, writeInto } from '../raw/strided.js';
import { clone, expand } from './view.js';
import { cast } from './cast.js';
import { native } from '../native.js';
import { activeTracer } from '../trace.js';

/** Checks an in-place op on t; returns whether it must be recorded for autograd. */
function prepare(op: string, t: Tensor, others: Tensor[]): boolean {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor`);
  refuseStorageOnly(op, t);
  for (const o of others) refuseStorageOnly(op, o);
  // onnx.export traces in-place ops as their recorded out-of-place form (see commit).
  if (!isGradEnabled()) return activeTracer !== null;
  if (t.requiresGrad && t.isLeaf) {
    throw new Error(
      `${op}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad(() => ...) or use the out-of-place op`,
    );
  }
  const record = t.requiresGrad || others.some((o) => o.requiresGrad);
  if (record && t._base && (t.requiresGrad || t._base.requiresGrad)) {
    throw new Error(
      `${op}: in-place modification of a view of a tensor that requires grad is not supported; use clone() or the out-of-place op`,
    );
  }
  return record;
}

/** Whether any of the tensors carries a tangent (then the op runs out of place and commits). */
function anyDual(...ts: Tensor[]): boolean {
  return isForwardADActive() && ts.some((x) => tangentOf(x) !== null);
}

/**
 * Writes result into t, bumps the version and, when recorded, makes result's node t's gradFn;
 * in a dual level, writes result's tangent into t's (zeros when result has none).
 */
function commit(op: string, t: Tensor, result: Tensor): Tensor {
  if (!sameShape(result.shape, t.shape)) {
    throw new RangeError(
      `${op}: the result of shape ${formatShape(result.shape)} does not fit the tensor of shape ${formatShape(t.shape)}`,
    );
  }
  const dual = anyDual(t, result);
  writeInto(t, result);
  t.storage.version++;
  if (dual) {
    const target = tangentForWrite(t, op);
    const rt = tangentOf(result);
    if (rt) writeInto(target, rt);
    else fillRaw(target, 0);
    target.storage.version++;
  }
  if (result.gradFn) t._setGradFn(result.gradFn);
  if (activeTracer !== null) activeTracer.rebind(t, result);
  return t;
}

function checkBroadcastInto(op: string, t: Tensor, o: Tensor): void {
  const shape = broadcastShapes(op, t.shape, o.shape);
  if (!sameShape(shape, t.shape)) {
    throw new RangeError(
      `${op}: output with shape ${formatShape(t.shape)} doesn't match the broadcast shape ${formatShape(shape)}`,
    );
  }
}

/**
 * Refuses what torch's can_cast refuses: a floating result into an integer or bool tensor, and a
 * non-bool one into a bool tensor (bool.add_(1) is an error in torch). boolOperands: both operands
 * of an arithmetic op were bool, whose int32 result here stands in for torch's bool one.
 */
function checkCast(op: string, t: Tensor, result: Tensor, boolOperands = false): void {
  if (
    (!isFloatingDType(t.dtype) && isFloatingDType(result.dtype)) ||
    (t.dtype === 'bool' && result.dtype !== 'bool' && !boolOperands)
  ) {
    throw new TypeError(
      `${op}: result type ${result.dtype} can't be cast to the ${t.dtype} tensor it would be written to`,
    );
  }
}

function binaryInplace(op: string, code: BinaryOpCode, outOfPlace: (a: TensorLike, b: TensorLike) => Tensor) {
  return (t: Tensor, other: TensorLike): Tensor => {
    const o = other instanceof Tensor ? other : asTensorBeside(op, other, t.dtype);
    const record = prepare(op, t, [o]);
    checkBroadcastInto(op, t, o);
    if (record || anyDual(t, o)) return commit(op, t, outOfPlace(clone(t), o));
    if (t.dtype === 'float32' && o.dtype === 'float32') {
      const src = o.storage === t.storage ? copyRaw(o) : o;
      native.binary(
        code,
        t.shape,
        t.storage.data as Float32Array,
        t.offset,
        t.strides,
        t.storage.data as Float32Array,
        t.offset,
        t.strides,
        src.storage.data as Float32Array,
        src.offset,
        expandStrides(src, t.shape),
      );
      t.storage.version++;
      return t;
    }
    const result = outOfPlace(t, typeof other === 'number' ? other : o);
    checkCast(op, t, result, t.dtype === 'bool' && o.dtype === 'bool');
    return commit(op, t, result);
  };
}

function expandStrides(o: Tensor, shape: Shape): number[] {
  return expand(o.detach(), shape).strides as number[];
}

export const add_ = binaryInplace('add_', BinaryOp.add, add);
export const sub_ = binaryInplace('sub_', BinaryOp.sub, sub);
export const mul_ = binaryInplace('mul_', BinaryOp.mul, mul);
export const div_ = binaryInplace('div_', BinaryOp.div, div);

/** t <- fn(t) for any out-of-place op fn. */
export function unaryInplace(op: string, t: Tensor, fn: (x: Tensor) => Tensor): Tensor {
  const record = prepare(op, t, []);
  const result = fn(record || anyDual(t) ? clone(t) : t);
  checkCast(op, t, result);
  return commit(op, t, result);
}

const overwriteOp = defineOp({
  name: 'copy',
  dtypes: FLOATING_DTYPES,
  forward(ctx: OpContext<{ srcShape: Shape; outShape: Shape }>, _old: Tensor, src: Tensor, shape: Shape) {
    ctx.srcShape = src.shape;
    ctx.outShape = shape;
    const out = new Tensor(new Storage(allocate(_old.dtype, _old.numel())), shape);
    writeInto(out, src);
    return out;
  },
  backward(ctx, g) {
    return [ctx.needsInputGrad[0] ? mul(g, 0) : null, ctx.needsInputGrad[1] ? sumTo(g, ctx.srcShape) : null];
  },
  // The new value is src broadcast: the old value's tangent does not reach it.
  jvp: (ctx, tOld, tSrc) => (tSrc ? expand(tSrc, ctx.outShape) : mul(tOld!, 0)),
});

/** t <- src broadcast to t's shape, cast to t's dtype (torch's copy_). */
export function copy_(t: Tensor, src: TensorLike): Tensor {
  const s = asTensor('copy_', src);
  const record = prepare('copy_', t, [s]);
  checkBroadcastInto('copy_', t, s);
  if (record || anyDual(t, s)) {
    // An int32/bool target has no gradient: its new value is src broadcast and cast.
    if (!isFloatingDType(t.dtype)) return commit('copy_', t, cast(expand(s, t.shape), t.dtype));
    return commit('copy_', t, overwriteOp(t, cast(s, t.dtype), t.shape));
  }
  writeInto(t, s);
  t.storage.version++;
  return t;
}

export function fill_(t: Tensor, value: number | boolean | Tensor): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean' && !(value instanceof Tensor))
    throw new TypeError(`fill_: the value must be a number, a boolean or a one-element tensor, got ${describe(value)}`);
  if (value instanceof Tensor && value.numel() !== 1)
    throw new RangeError(
      `fill_: the value must be a number or a one-element tensor, got shape ${formatShape(value.shape)}`,
    );
  return copy_(
    t,
    value instanceof Tensor
      ? value.reshape([])
      : asTensorBeside('fill_', byteScalar('fill_', t.dtype, Number(value)), t.dtype),
  );
}

export function zero_(t: Tensor): Tensor {
  return fill_(t, 0);
}

export function clamp_(t: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  return unaryInplace('clamp_', t, (x) => clamp(x, min, max));
}

function randomFill(op: string, t: Tensor, draw: () => number): Tensor {
  // bfloat16: the float32 draws, rounded on the copy (as PyTorch draws in fp32 and stores bf16).
  if (t.dtype !== 'float32' && t.dtype !== 'bfloat16')
    throw new TypeError(`${op}: expected a float32 or bfloat16 tensor, got ${t.dtype}`);
  const vals = new Float32Array(t.numel());
  for (let i = 0; i < vals.length; i++) vals[i] = draw();
  return copy_(t, new Tensor(new Storage(vals), t.shape));
}

/** Fills t with N(mean, std^2) samples. */
export function normal_(t: Tensor, mean = 0, std = 1, opts?: { generator?: Generator }): Tensor {
  checkNumber('normal_', 'mean', mean);
  checkNumber('normal_', 'std', std);
  if (!(std >= 0)) throw new RangeError(`normal_: std must be non-negative, got ${describe(std)}`);
  const g = checkOptions('normal_', opts, { generator: 'object' }).generator ?? defaultGenerator;
  return randomFill('normal_', t, () => mean + std * g.nextNormal());
}

/** Fills t with samples uniform on [from, to). */
export function uniform_(t: Tensor, from = 0, to = 1, opts?: { generator?: Generator }): Tensor {
  checkNumber('uniform_', 'from', from);
  checkNumber('uniform_', 'to', to);
  if (!(from <= to)) throw new RangeError(`uniform_: expects from <= to, got from ${from} and to ${to}`);
  const g = checkOptions('uniform_', opts, { generator: 'object' }).generator ?? defaultGenerator;
  return randomFill('uniform_', t, () => from + (to - from) * g.nextFloat());
}
