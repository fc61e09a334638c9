// pow, clamp, maximum, minimum, where: broadcasting, scalar overloads, autograd.
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { allocate, type DType, promoteTypes } from '../dtype.js';
import { BinaryOp } from '../native.js';
import { broadcastShapes, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { asTensor, floatPair, intBinary, mul, resultType, sub, type TensorLike } from './binary.js';
import { binaryRaw } from '../raw/elementwise.js';
import { sumTo } from './reduce.js';
import { copyRaw, valuesAs } from '../raw/strided.js';
import { log } from './unary.js';

/** out[i] = f(a[i], b[i]) over the broadcast shape, in `dtype`. */
export function mapBinaryRaw(
  op: string,
  a: Tensor,
  b: Tensor,
  dtype: DType,
  f: (x: number, y: number) => number,
): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const va = valuesAs(a, shape);
  const vb = valuesAs(b, shape);
  const out = allocate(dtype, va.length);
  for (let i = 0; i < out.length; i++) out[i] = f(va[i], vb[i]);
  return new Tensor(new Storage(out), shape);
}

// ---- pow --------------------------------------------------------------------------------

const powScalarOp = defineOp({
  name: 'pow',
  forward(ctx: OpContext<{ e: number }>, x: Tensor, e: number) {
    ctx.save(x);
    ctx.e = e;
    return mapBinaryRaw('pow', x, asTensor('pow', e), 'float32', Math.pow);
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    const e = ctx.e;
    if (e === 0) return [mul(g, 0)];
    return [mul(mul(g, e), pow(x, e - 1))];
  },
});

const powOp = defineOp({
  name: 'pow',
  forward(ctx, a: Tensor, b: Tensor) {
    const out = mapBinaryRaw('pow', a, b, 'float32', Math.pow);
    ctx.save(a, b, out);
    return out;
  },
  backward(ctx, g) {
    const [a, b, out] = ctx.saved;
    // d/da = b a^(b-1) (0 where b == 0); d/db = out log(a) (0 where a == 0 and b >= 0), as torch.
    const ga = ctx.needsInputGrad[0]
      ? sumTo(
          where(
            mapBinaryRaw('pow', b, b, 'bool', (v) => (v === 0 ? 1 : 0)),
            0,
            mul(mul(g, b), pow(a, sub(b, 1))),
          ),
          a.shape,
        )
      : null;
    const gb = ctx.needsInputGrad[1]
      ? sumTo(
          where(
            mapBinaryRaw('pow', a, b, 'bool', (x, y) => (x === 0 && y >= 0 ? 1 : 0)),
            0,
            mul(mul(g, out), log(a)),
          ),
          b.shape,
        )
      : null;
    return [ga, gb];
  },
});

/** a ** b elementwise; either side may be a number. int32 ** non-negative int stays int32. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (resultType(a, b) === 'int32' && !(typeof b === 'number' ? b < 0 : false)) {
    return intBinary('pow', a, b, (x, y) => (y < 0 ? (x === 1 ? 1 : 0) : (x ** y) | 0));
  }
  if (a instanceof Tensor && typeof b === 'number') {
    return powScalarOp(a.dtype === 'float32' ? a : copyRaw(a, 'float32'), b);
  }
  return powOp(...floatPair('pow', a, b));
}

// ---- maximum / minimum ------------------------------------------------------------------

function defineExtreme(name: 'maximum' | 'minimum') {
  const code = name === 'maximum' ? BinaryOp.maximum : BinaryOp.minimum;
  const better = name === 'maximum' ? (x: number, y: number) => x > y : (x: number, y: number) => x < y;
  return defineOp({
    name,
    forward(ctx, a: Tensor, b: Tensor) {
      ctx.save(a, b);
      return binaryRaw(name, code, a, b);
    },
    backward(ctx, g) {
      const [a, b] = ctx.saved;
      // Ties split the gradient in half, as torch.
      const share = (x: Tensor, y: Tensor) =>
        mapBinaryRaw(name, x, y, 'float32', (u, v) => (better(u, v) ? 1 : u === v ? 0.5 : 0));
      return [
        ctx.needsInputGrad[0] ? sumTo(mul(g, share(a, b)), a.shape) : null,
        ctx.needsInputGrad[1] ? sumTo(mul(g, share(b, a)), b.shape) : null,
      ];
    },
  });
}

const maximumOp = defineExtreme('maximum');
const minimumOp = defineExtreme('minimum');

export function maximum(a: TensorLike, b: TensorLike): Tensor {
  if (resultType(a, b) === 'int32') return intBinary('maximum', a, b, Math.max);
  return maximumOp(...floatPair('maximum', a, b));
}

export function minimum(a: TensorLike, b: TensorLike): Tensor {
  if (resultType(a, b) === 'int32') return intBinary('minimum', a, b, Math.min);
  return minimumOp(...floatPair('minimum', a, b));
}

// ---- clamp ------------------------------------------------------------------------------

const clampOp = defineOp({
  name: 'clamp',
  forward(ctx: OpContext<{ lo: number | null; hi: number | null }>, x: Tensor, lo: number | null, hi: number | null) {
    ctx.save(x);
    ctx.lo = lo;
    ctx.hi = hi;
    let out = x;
    if (lo !== null) out = binaryRaw('clamp', BinaryOp.maximum, out, asTensor('clamp', lo));
    if (hi !== null) out = binaryRaw('clamp', BinaryOp.minimum, out, asTensor('clamp', hi));
    return out;
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    const lo = ctx.lo ?? -Infinity;
    const hi = ctx.hi ?? Infinity;
    const inside = mapBinaryRaw('clamp', x, x, 'float32', (v) => (v >= lo && v <= hi ? 1 : 0));
    return [mul(g, inside)];
  },
});

/**
 * Limits x to [min, max] (either may be null/undefined). Number bounds: gradient 1 inside the
 * closed range, 0 outside. Tensor bounds: maximum/minimum (ties split the gradient).
 */
export function clamp(x: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError('clamp: expected a Tensor');
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new RangeError('clamp: at least one of min and max must be given');
  }
  if (min instanceof Tensor || max instanceof Tensor) {
    let out = x;
    if (min !== undefined && min !== null) out = maximum(out, min);
    if (max !== undefined && max !== null) out = minimum(out, max);
    return out;
  }
  if (x.dtype !== 'float32' && [min, max].every((v) => v === undefined || v === null || Number.isInteger(v))) {
    return mapBinaryRaw('clamp', x, x, x.dtype === 'bool' ? 'int32' : x.dtype, (v) =>
      Math.min(Math.max(v, min ?? -Infinity), max ?? Infinity),
    );
  }
  return clampOp(x.dtype === 'float32' ? x : copyRaw(x, 'float32'), min ?? null, max ?? null);
}

// ---- where ------------------------------------------------------------------------------

const whereOp = defineOp({
  name: 'where',
  forward(ctx: OpContext<{ cond: Tensor; aShape: Shape; bShape: Shape }>, cond: Tensor, a: Tensor, b: Tensor) {
    ctx.cond = cond;
    ctx.aShape = a.shape;
    ctx.bShape = b.shape;
    const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
    const c = valuesAs(cond, shape);
    const va = valuesAs(a, shape);
    const vb = valuesAs(b, shape);
    const out = allocate(promoteTypes(a.dtype, b.dtype), c.length);
    for (let i = 0; i < c.length; i++) out[i] = c[i] ? va[i] : vb[i];
    return new Tensor(new Storage(out), shape);
  },
  backward(ctx, g) {
    const cond = ctx.cond;
    return [
      null,
      ctx.needsInputGrad[1] ? sumTo(where(cond, g, 0), ctx.aShape) : null,
      ctx.needsInputGrad[2] ? sumTo(where(cond, 0, g), ctx.bShape) : null,
    ];
  },
});

/** Elements of a where cond is true, else of b (torch.where); a and b may be numbers. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (!(cond instanceof Tensor)) throw new TypeError('where: condition must be a Tensor');
  const dtype = resultType(a, b);
  const toT = (x: TensorLike) => {
    const t = asTensor('where', x);
    return t.dtype === dtype ? t : copyRaw(t, dtype);
  };
  return whereOp(cond, toT(a), toT(b));
}
