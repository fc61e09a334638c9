// The error functions: erf (the native vector kernel), erfc and erfinv. erfc and erfinv are
// computed in float64 in TypeScript and rounded once to float32 (erfc from a series or a
// continued fraction, never 1 - erf, which would lose every digit of erfc(4) = 1.5e-8; erfinv by
// torch's algorithm: a rational first guess and two Newton steps). Backwards are written with
// differentiable ops, so higher-order gradients work.
import { Tensor } from '../tensor.js';
import { UnaryOp } from '../native.js';
import { mul } from './binary.js';
import { defineUnary, exp, mapRaw, neg, UNARY_DTYPES, unaryRaw } from './unary.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_PI_OVER_2 = Math.sqrt(Math.PI) / 2;

/**
 * erfc x of x >= 1 in float64 by the continued fraction e^(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 /
 * (x + (3/2) / (x + ...)))), evaluated from the tail: 250 terms converge to a few ulp from x = 1,
 * 60 from x = 2.
 */
function erfcContinuedFraction(x: number): number {
  let tail = x;
  for (let k = x < 2 ? 250 : 60; k >= 1; k--) tail = x + k / 2 / tail;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / tail;
}

/** erf(x) and erfc(x) of a non-negative x in float64 (relative error near 1e-15). */
function erfPair(x: number): [number, number] {
  if (x < 2.5) {
    // erf x = 2/sqrt(pi) e^(-x^2) sum_n (2x^2)^n x / (1 3 5 ... (2n+1)): every term positive.
    const x2 = x * x;
    let term = x;
    let total = x;
    for (let n = 1; term > 1e-17 * total; n++) {
      term *= (2 * x2) / (2 * n + 1);
      total += term;
    }
    const erf = TWO_OVER_SQRT_PI * Math.exp(-x2) * total;
    // 1 - erf cancels once erfc is small (erfc 2.4 = 7e-4 would lose 3 digits): from x = 1 on,
    // erfc comes from the continued fraction instead.
    return [erf, x < 1 ? 1 - erf : erfcContinuedFraction(x)];
  }
  const erfc = erfcContinuedFraction(x);
  return [1 - erfc, erfc];
}

/** erf in float64. */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return x;
  const [e] = erfPair(Math.abs(x));
  return x < 0 ? -e : e;
}

/** erfc in float64. */
export function erfc64(x: number): number {
  if (Number.isNaN(x)) return x;
  const [, c] = erfPair(Math.abs(x));
  return x < 0 ? 2 - c : c;
}

/** erfinv in float64 by torch's calc_erfinv: a rational first guess, then two Newton steps. */
export function erfinv64(y: number): number {
  const a = Math.abs(y);
  if (!(a <= 1)) return Number.NaN;
  if (a === 1) return y * Infinity;
  let x: number;
  if (a <= 0.7) {
    const z = y * y;
    const num = ((-0.140543331 * z + 0.914624893) * z - 1.645349621) * z + 0.886226899;
    const dem = (((0.012229801 * z - 0.329097515) * z + 1.442710462) * z - 2.118377725) * z + 1;
    x = (y * num) / dem;
  } else {
    const z = Math.sqrt(-Math.log((1 - a) / 2));
    const num = ((1.641345311 * z + 3.429567803) * z - 1.624906493) * z - 1.970840454;
    const dem = (1.6370678 * z + 3.5438892) * z + 1;
    x = (Math.sign(y) * num) / dem;
  }
  // Newton's residual erf x - y, past |y| = 0.5 as sign(y) ((1 - |y|) - erfc |x|): 1 - |y| is exact
  // there, and erfc keeps the digits that erf x - y would cancel where erfinv's slope is large.
  for (let step = 0; step < 2; step++) {
    const residual = a < 0.5 ? erf64(x) - y : Math.sign(y) * (1 - a - erfc64(Math.abs(x)));
    x -= residual / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
  }
  return x;
}

/** The Gauss error function (native vector kernel). */
export const erf = defineUnary({
  name: 'erf',
  dtypes: UNARY_DTYPES,
  save: 'input',
  forward: (x) => unaryRaw(UnaryOp.erf, x),
  // d/dx erf x = 2/sqrt(pi) e^(-x^2)
  backward: (g, x) => mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI)),
});

/** 1 - erf(x), accurate where erf(x) is near 1. */
export const erfc = defineUnary({
  name: 'erfc',
  dtypes: UNARY_DTYPES,
  save: 'input',
  forward: (x) => mapRaw(x, erfc64),
  backward: (g, x) => mul(g, mul(exp(neg(mul(x, x))), -TWO_OVER_SQRT_PI)),
});

/** The inverse of erf on (-1, 1): +-Infinity at +-1, NaN outside. */
export const erfinv = defineUnary({
  name: 'erfinv',
  dtypes: UNARY_DTYPES,
  save: 'output',
  forward: (x) => mapRaw(x, erfinv64),
  // d/dy erfinv y = sqrt(pi)/2 e^(erfinv(y)^2)
  backward: (g, out) => mul(g, mul(exp(mul(out, out)), SQRT_PI_OVER_2)),
});

declare module '../tensor.js' {
  interface Tensor {
    /** `erf(this)` as a method (`torch.Tensor.erf`): see `erf`. */
    erf(): Tensor;
    /** `erfc(this)` as a method (`torch.Tensor.erfc`): see `erfc`. */
    erfc(): Tensor;
    /** `erfinv(this)` as a method (`torch.Tensor.erfinv`): see `erfinv`. */
    erfinv(): Tensor;
  }
}

for (const [name, fn] of Object.entries({ erf, erfc, erfinv })) {
  (Tensor.prototype as unknown as Record<string, unknown>)[name] = function (this: Tensor) {
    return fn(this);
  };
}
