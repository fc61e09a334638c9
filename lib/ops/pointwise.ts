// pow, clamp, maximum, minimum, where: broadcasting, scalar overloads, autograd.
import { refuseStorageOnly } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { zeros } from '../creation.js';
import {
  allocate,
  byteScalar,
  type DType,
  FLOATING_DTYPES,
  isFloatingDType,
  isIntegerDType,
  promoteTypes,
} from '../dtype.js';
import { BinaryOp } from '../native.js';
import { broadcastShapes, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { asTensorBeside, floatPair, intBinary, mul, resultType, sub, type TensorLike } from './binary.js';
import { binaryRaw } from '../raw/elementwise.js';
import { sumTo } from './reduce.js';
import { valuesAs } from '../raw/strided.js';
import { cast, float32Operand } from './cast.js';
import { recorded } from '../trace.js';
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

/** x as a floating operand of an op computing in `dtype` (float64, or float32 for every other). */
function floatOperand(op: string, x: Tensor, dtype: DType): Tensor {
  return dtype === 'float64' ? cast(x, 'float64') : float32Operand(op, x);
}

// ---- pow --------------------------------------------------------------------------------

const powScalarOp = defineOp({
  name: 'pow',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ e: number }>, x: Tensor, e: number) {
    ctx.save(x);
    ctx.e = e;
    return mapBinaryRaw('pow', x, asTensorBeside('pow', e, x.dtype), x.dtype, Math.pow);
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    const e = ctx.e;
    // torch returns zeros for x^0 (no 0 * g, which is NaN where g is infinite).
    if (e === 0) return [zeros(x.shape, { dtype: g.dtype })];
    return [mul(mul(g, e), pow(x, e - 1))];
  },
});

const powOp = defineOp({
  name: 'pow',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx, a: Tensor, b: Tensor) {
    const out = mapBinaryRaw('pow', a, b, a.dtype, Math.pow);
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

/**
 * x ** y for integers as torch's integer pow: exponentiation by squaring in 32-bit wrapping
 * products (the dtype's store wraps the low bits further), exact where a double loses bits past
 * 2^53. A negative y gives 1 for x = 1, ±1 for x = -1 (by y's parity), 0 otherwise.
 */
function intPow(x: number, y: number): number {
  if (y < 0) return x === 1 ? 1 : x === -1 ? (y % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  let base = x | 0;
  for (let e = y; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = Math.imul(result, base);
    base = Math.imul(base, base);
  }
  return result;
}

/**
 * a ** b elementwise; either side may be a number. An integer tensor ** a non-negative integer
 * keeps its integer dtype (int8 ** 2 is int8, wrapping as torch's: int32 3 ** 40 is 689956897).
 * @throws RangeError for an integer tensor ** a negative integer number, as torch ("Integers to
 * negative integer powers are not allowed"); a negative integer tensor exponent gives 0, or ±1 for
 * a base of ±1.
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b, 'pow');
  if (isIntegerDType(dtype)) {
    if (typeof b === 'number' && b < 0)
      throw new RangeError(
        `pow: integers to negative integer powers are not allowed: a ${dtype} tensor ** ${b}; cast with .float() first`,
      );
    return intBinary('pow', a, b, intPow, dtype);
  }
  if (a instanceof Tensor && typeof b === 'number') {
    return powScalarOp(floatOperand('pow', a, a.dtype), b);
  }
  return powOp(...floatPair('pow', a, b));
}

// ---- maximum / minimum ------------------------------------------------------------------

/** A bool mask over the broadcast shape of a and b: f(a[i], b[i]). */
function maskOf(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => boolean): Tensor {
  return mapBinaryRaw(op, a, b, 'bool', (x, y) => (f(x, y) ? 1 : 0));
}

function defineExtreme(name: 'maximum' | 'minimum') {
  const code = name === 'maximum' ? BinaryOp.maximum : BinaryOp.minimum;
  const worse = name === 'maximum' ? (x: number, y: number) => x < y : (x: number, y: number) => x > y;
  return defineOp({
    name,
    dtypes: FLOATING_DTYPES,
    jvp: 'fromBackward',
    forward(ctx, a: Tensor, b: Tensor) {
      ctx.save(a, b);
      return binaryRaw(name, code, a, b);
    },
    backward(ctx, g) {
      const [a, b] = ctx.saved;
      // torch: where(a == b, g / 2, g), zero where the other side wins. The gradient is selected,
      // never multiplied by a 0/1 mask, so an infinite g gives 0 (not NaN) to the losing side;
      // with a NaN on either side both sides get g, as torch.
      const tie = maskOf(name, a, b, (x, y) => x === y);
      const share = (x: Tensor, y: Tensor) => where(maskOf(name, x, y, worse), 0, where(tie, mul(g, 0.5), g));
      return [
        ctx.needsInputGrad[0] ? sumTo(share(a, b), a.shape) : null,
        ctx.needsInputGrad[1] ? sumTo(share(b, a), b.shape) : null,
      ];
    },
  });
}

const maximumOp = defineExtreme('maximum');
const minimumOp = defineExtreme('minimum');

/**
 * The larger of a and b elementwise, broadcasting (`torch.maximum`); NaN propagates. At a tie
 * the gradient is split evenly.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b, 'maximum');
  if (isIntegerDType(dtype)) return intBinary('maximum', a, b, Math.max, dtype);
  return maximumOp(...floatPair('maximum', a, b));
}

/**
 * The smaller of a and b elementwise, broadcasting (`torch.minimum`); NaN propagates. At a tie
 * the gradient is split evenly.
 * @throws TypeError if a or b is not a Tensor or a number; RangeError if their shapes do not broadcast.
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b, 'minimum');
  if (isIntegerDType(dtype)) return intBinary('minimum', a, b, Math.min, dtype);
  return minimumOp(...floatPair('minimum', a, b));
}

// ---- clamp ------------------------------------------------------------------------------

const clampOp = defineOp({
  name: 'clamp',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ lo: number | null; hi: number | null }>, x: Tensor, lo: number | null, hi: number | null) {
    ctx.save(x);
    ctx.lo = lo;
    ctx.hi = hi;
    let out = x;
    const bound = (v: number) => new Tensor(new Storage(allocate(x.dtype, 1).fill(v)), []);
    if (lo !== null) out = binaryRaw('clamp', BinaryOp.maximum, out, bound(lo));
    if (hi !== null) out = binaryRaw('clamp', BinaryOp.minimum, out, bound(hi));
    return out;
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    const lo = ctx.lo ?? -Infinity;
    const hi = ctx.hi ?? Infinity;
    // Selected, as torch's clamp_backward: 0 (not 0 * g) outside the closed range and at NaN.
    return [
      where(
        maskOf('clamp', x, x, (v) => v >= lo && v <= hi),
        g,
        0,
      ),
    ];
  },
});

const both = (p: number, q: number) => (p && q ? 1 : 0);
const either = (p: number, q: number) => (p || q ? 1 : 0);

const clampTensorOp = defineOp({
  name: 'clamp',
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
  forward(ctx: OpContext<{ hasLo: boolean; hasHi: boolean }>, x: Tensor, lo: Tensor | null, hi: Tensor | null) {
    ctx.save(x, lo ?? x, hi ?? x);
    ctx.hasLo = lo !== null;
    ctx.hasHi = hi !== null;
    let out = x;
    if (lo) out = binaryRaw('clamp', BinaryOp.maximum, out, lo);
    if (hi) out = binaryRaw('clamp', BinaryOp.minimum, out, hi);
    return out;
  },
  backward(ctx, g) {
    const [x, lo, hi] = ctx.saved;
    const { hasLo, hasHi } = ctx;
    // torch's clamp_backward and clamp_backward_min_max: x gets g where lo <= x <= hi (the
    // boundaries included); lo where x < lo (and lo < hi); hi where x > hi (or hi < lo, where the
    // result is hi). Each selected, never a 0/1 mask times g.
    const pick = (mask: Tensor, shape: Shape) => sumTo(where(mask, g, 0), shape);
    let inside: Tensor | null = null;
    if (hasLo) inside = maskOf('clamp', x, lo, (v, l) => v >= l);
    if (hasHi) {
      const below = maskOf('clamp', x, hi, (v, h) => v <= h);
      inside = inside ? mapBinaryRaw('clamp', inside, below, 'bool', both) : below;
    }
    let gLo: Tensor | null = null;
    let gHi: Tensor | null = null;
    if (hasLo && ctx.needsInputGrad[1]) {
      const under = maskOf('clamp', x, lo, (v, l) => v < l);
      const ordered = hasHi ? maskOf('clamp', lo, hi, (l, h) => l < h) : null;
      gLo = pick(ordered ? mapBinaryRaw('clamp', under, ordered, 'bool', both) : under, lo.shape);
    }
    if (hasHi && ctx.needsInputGrad[hasLo ? 2 : 1]) {
      const over = maskOf('clamp', x, hi, (v, h) => v > h);
      const crossed = hasLo ? maskOf('clamp', hi, lo, (h, l) => h < l) : null;
      gHi = pick(crossed ? mapBinaryRaw('clamp', over, crossed, 'bool', either) : over, hi.shape);
    }
    const gx = ctx.needsInputGrad[0] ? pick(inside as Tensor, x.shape) : null;
    return hasLo && hasHi ? [gx, gLo, gHi] : [gx, hasLo ? gLo : gHi];
  },
});

/**
 * Limits x to [min, max] (either may be null/undefined; min > max gives max, as torch). The
 * gradient reaches x inside the closed range; a tensor bound gets it where x lies beyond it.
 */
export function clamp(x: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError('clamp: expected a Tensor');
  refuseStorageOnly('clamp', x);
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new RangeError('clamp: at least one of min and max must be given');
  }
  if (min instanceof Tensor || max instanceof Tensor) {
    const bound = (v: TensorLike | null | undefined) =>
      v === undefined || v === null ? null : asTensorBeside('clamp', v, x.dtype);
    const lo = bound(min);
    const hi = bound(max);
    const dtype = [x, lo, hi].reduce<DType>((d, t) => (t ? promoteTypes(d, t.dtype) : d), x.dtype);
    if (!isFloatingDType(dtype)) {
      let out = x;
      if (lo) out = maximum(out, lo);
      if (hi) out = minimum(out, hi);
      return out;
    }
    const f = (t: Tensor | null) => (t === null ? t : floatOperand('clamp', t, dtype));
    return clampTensorOp(f(x) as Tensor, f(lo), f(hi));
  }
  if (!isFloatingDType(x.dtype) && [min, max].every((v) => v === undefined || v === null || Number.isInteger(v))) {
    // An int8 or uint8 tensor takes its bounds as torch converts them (uint8 clamp(-5) is 251).
    const lo = min === undefined || min === null ? -Infinity : byteScalar('clamp', x.dtype, min as number);
    const hi = max === undefined || max === null ? Infinity : byteScalar('clamp', x.dtype, max as number);
    return recorded('clamp', [x, min ?? null, max ?? null], () =>
      mapBinaryRaw('clamp', x, x, x.dtype === 'bool' ? 'int32' : x.dtype, (v) => Math.min(Math.max(v, lo), hi)),
    );
  }
  return clampOp(floatOperand('clamp', x, x.dtype), min ?? null, max ?? null);
}

// ---- where ------------------------------------------------------------------------------

const whereOp = defineOp({
  name: 'where',
  // A selection: exact in any floating dtype.
  dtypes: FLOATING_DTYPES,
  jvp: 'fromBackward',
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

/** Elements of a where cond (bool, or uint8 as torch takes it) is true, else of b (torch.where); a and b may be numbers. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (!(cond instanceof Tensor)) throw new TypeError('where: condition must be a Tensor');
  // As torch: a bool condition, or uint8 (which torch still takes, with a deprecation warning).
  if (cond.dtype !== 'bool' && cond.dtype !== 'uint8') {
    throw new TypeError(`where: condition must be a bool (or uint8) tensor, got ${cond.dtype}`);
  }
  // Two bool tensors select a bool (resultType's bool with bool is int32, as arithmetic gives).
  const dtype =
    a instanceof Tensor && b instanceof Tensor && a.dtype === 'bool' && b.dtype === 'bool'
      ? 'bool'
      : resultType(refuseStorageOnly('where', a), b, 'where');
  const toT = (x: TensorLike) => {
    const t = asTensorBeside('where', typeof x === 'number' ? byteScalar('where', dtype, x) : x, dtype);
    return cast(t, dtype);
  };
  return whereOp(cond, toT(a), toT(b));
}
