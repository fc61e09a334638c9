// Rounding: floor, ceil, trunc, round (half to even, with decimals), frac. As torch: their
// gradient is 0 (frac's is the gradient itself), int32 inputs are returned unchanged by floor,
// ceil, trunc and round (a copy), and frac of an integer tensor is an error. TypeScript loops
// (Math.floor and friends round a float32 exactly); no native kernel is needed for these.
import { FLOATING_DTYPES, isFloatingDType } from '../dtype.js';
import { defineOp } from '../autograd/define_op.js';
import { checkOptions } from '../errors.js';
import { Tensor } from '../tensor.js';
import { defineUnary, mapRaw } from './unary.js';
import { copyRaw } from '../raw/strided.js';
import { zerosLike } from '../creation.js';

/** Round half to even (IEEE nearbyint in the default mode), keeping -0 for negative inputs. */
export function roundHalfEven(v: number): number {
  if (!Number.isFinite(v)) return v;
  const f = Math.floor(v);
  const d = v - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (v < 0 || Object.is(v, -0)) ? -0 : r;
}

const zeroGrad = (g: Tensor) => zerosLike(g);
const keepInt = (x: Tensor) => copyRaw(x);

/**
 * The largest integer not above each element (`torch.floor`).
 * Elementwise; int32 input is returned unchanged (a copy). Its gradient is 0.
 * @throws TypeError if x is not a Tensor.
 */
export const floor = defineUnary({
  name: 'floor',
  dtypes: FLOATING_DTYPES,
  save: 'none',
  forward: (x) => mapRaw(x, Math.floor),
  backward: zeroGrad,
  intForward: keepInt,
});

/**
 * The smallest integer not below each element (`torch.ceil`).
 * Elementwise; int32 input is returned unchanged (a copy). Its gradient is 0.
 * @throws TypeError if x is not a Tensor.
 */
export const ceil = defineUnary({
  name: 'ceil',
  dtypes: FLOATING_DTYPES,
  save: 'none',
  forward: (x) => mapRaw(x, Math.ceil),
  backward: zeroGrad,
  intForward: keepInt,
});

/**
 * Each element rounded toward zero (`torch.trunc`).
 * Elementwise; int32 input is returned unchanged (a copy). Its gradient is 0.
 * @throws TypeError if x is not a Tensor.
 */
export const trunc = defineUnary({
  name: 'trunc',
  dtypes: FLOATING_DTYPES,
  save: 'none',
  forward: (x) => mapRaw(x, Math.trunc),
  backward: zeroGrad,
  intForward: keepInt,
});

const roundOp = defineUnary({
  name: 'round',
  dtypes: FLOATING_DTYPES,
  save: 'none',
  forward: (x) => mapRaw(x, roundHalfEven),
  backward: zeroGrad,
  intForward: keepInt,
});

const fracOp = defineUnary({
  name: 'frac',
  dtypes: FLOATING_DTYPES,
  save: 'none',
  forward: (x) => mapRaw(x, (v) => v - Math.trunc(v)),
  backward: (g) => g,
});

/** x - trunc(x), with the sign of x (torch.frac); floating dtypes only, as torch's. */
export function frac(x: Tensor): Tensor {
  if (x instanceof Tensor && !isFloatingDType(x.dtype))
    throw new TypeError(
      `frac: expected a float32 or float64 tensor, got ${x.dtype} (frac is not defined for integers)`,
    );
  return fracOp(x);
}

const roundDecimalsOp = defineOp({
  name: 'round',
  dtypes: FLOATING_DTYPES,
  forward(_ctx, x: Tensor, decimals: number) {
    // torch's CPU kernel: each step rounded to the input's type (its opmath type for float and
    // double).
    const f32 = x.dtype === 'float64' ? (v: number) => v : Math.fround;
    const scale = f32(10 ** Math.abs(decimals));
    return decimals > 0
      ? mapRaw(x, (v) => f32(roundHalfEven(f32(v * scale)) / scale))
      : mapRaw(x, (v) => f32(roundHalfEven(f32(v / scale)) * scale));
  },
  backward(_ctx, g) {
    return [zerosLike(g)];
  },
  // A step function: its derivative is 0 wherever it has one.
  jvp: (_ctx, t) => zerosLike(t!),
});

/**
 * Rounds half to even (torch.round). With `decimals` d: nearbyint(x * 10^d) / 10^d, or for a
 * negative d nearbyint(x / 10^-d) * 10^-d, each step in the input's dtype as torch's CPU kernel.
 */
export function round(x: Tensor, options: { decimals?: number } = {}): Tensor {
  checkOptions('round', options, ['decimals']);
  const decimals = options.decimals ?? 0;
  if (!Number.isInteger(decimals)) throw new TypeError(`round: decimals must be an integer, got ${String(decimals)}`);
  if (decimals === 0) return roundOp(x);
  if (!(x instanceof Tensor)) throw new TypeError(`round: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (!isFloatingDType(x.dtype))
    throw new TypeError(`round: decimals needs a float32 or float64 tensor, got ${x.dtype}`);
  return roundDecimalsOp(x, decimals);
}

declare module '../tensor.js' {
  interface Tensor {
    /** `floor(this)` as a method (`torch.Tensor.floor`): see `floor`. */
    floor(): Tensor;
    /** `ceil(this)` as a method (`torch.Tensor.ceil`): see `ceil`. */
    ceil(): Tensor;
    /** `trunc(this)` as a method (`torch.Tensor.trunc`): see `trunc`. */
    trunc(): Tensor;
    /** `frac(this)` as a method (`torch.Tensor.frac`): see `frac`. */
    frac(): Tensor;
    /** `round(this, ...)` as a method (`torch.Tensor.round`): see `round`. */
    round(options?: { decimals?: number }): Tensor;
  }
}

const methods: Record<string, (x: Tensor, ...args: never[]) => Tensor> = { floor, ceil, trunc, frac, round };
for (const [name, fn] of Object.entries(methods)) {
  (Tensor.prototype as unknown as Record<string, unknown>)[name] = function (this: Tensor, ...args: never[]) {
    return fn(this, ...args);
  };
}
