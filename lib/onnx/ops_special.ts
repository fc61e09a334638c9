// ONNX mappings of the rounding ops and the error functions. Opset 17 has Floor, Ceil, Round
// (half to even, as myelin) and Erf; trunc, frac, erfc and erfinv are decompositions of them.
import { type DType, isIntegerDType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import type { OpContext, OpHandler } from './export.js';
import { refuseFloat64 } from './ops_math.js';

export function registerSpecial(reg: (name: string, h: OpHandler) => void): void {
  // Integer inputs come back unchanged from floor, ceil, trunc and round (ONNX's Floor, Ceil and
  // Round take only floats); a float input's constants are of its dtype (float32 or float64).
  const dtypeOf = (c: OpContext): DType => (c.args[0] as Tensor).dtype;
  const rounding = (f: (c: OpContext, x: string) => string): OpHandler => {
    return (c) => (isIntegerDType(dtypeOf(c)) ? c.g.op('Identity', [c.input(0)]) : f(c, c.input(0)));
  };
  reg(
    'floor',
    rounding((c, x) => c.g.op('Floor', [x])),
  );
  reg(
    'ceil',
    rounding((c, x) => c.g.op('Ceil', [x])),
  );
  reg(
    'trunc',
    rounding((c, x) => truncValue(c, x, dtypeOf(c))),
  );
  reg('frac', (c) => c.g.op('Sub', [c.input(0), truncValue(c, c.input(0), dtypeOf(c))]));
  reg(
    'round',
    rounding((c, x) => {
      const g = c.g;
      const decimals = c.args.length > 1 ? (c.static(1) as number) : 0;
      if (decimals === 0) return g.op('Round', [x]);
      // As myelin's (and torch's CPU) kernel: each step an operation of the input's dtype.
      const t = dtypeOf(c);
      const scale = g.scalar(t === 'float64' ? 10 ** Math.abs(decimals) : Math.fround(10 ** Math.abs(decimals)), t);
      return decimals > 0
        ? g.op('Div', [g.op('Round', [g.op('Mul', [x, scale])]), scale])
        : g.op('Mul', [g.op('Round', [g.op('Div', [x, scale])]), scale]);
    }),
  );
  // float64 is refused: onnxruntime has no float64 Erf, and erfc's formula below keeps 7 digits.
  reg('erf', (c) => {
    refuseFloat64(c, 'onnxruntime has no float64 kernel for Erf');
    return c.g.op('Erf', [c.input(0)]);
  });
  reg('erfc', (c) => {
    refuseFloat64(c, 'its ONNX formula is accurate to 1.2e-7, not to float64 precision');
    return erfcValue(c, c.input(0));
  });
  reg('erfinv', (c) => {
    refuseFloat64(c, 'onnxruntime has no float64 kernel for Erf, which its Newton steps use');
    return erfinvValue(c, c.input(0));
  });
}

/**
 * trunc x (of dtype t): floor above 0, ceil elsewhere (opset 17 has no Trunc). Ceil, whose
 * results -0 and -0.5's -0 are, goes in Where's second branch: onnxruntime's Where (1.31) turns a
 * -0 taken from its first branch into 0.
 */
export function truncValue(c: OpContext, x: string, t: DType = 'float32'): string {
  const g = c.g;
  return g.op('Where', [g.op('Greater', [x, g.scalar(0, t)]), g.op('Floor', [x]), g.op('Ceil', [x])]);
}

// erfc |x| = t exp(-x^2 + P(t)), t = 1 / (1 + |x|/2): Numerical Recipes' erfcc, whose relative
// error is under 1.2e-7 for every x, so the tail keeps its digits (1 - Erf(x) would lose all of
// erfc(4) = 1.5e-8 in float32). Coefficients of P from t^0 up.
const ERFC_P = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
  0.17087277,
];

/** erfc of value x: the formula above for |x|, and 2 - erfc|x| below 0. */
function erfcValue(c: OpContext, x: string): string {
  const g = c.g;
  const a = g.op('Abs', [x]);
  const t = g.op('Reciprocal', [g.op('Add', [g.op('Mul', [a, g.scalar(0.5)]), g.scalar(1)])]);
  let p = g.scalar(ERFC_P[ERFC_P.length - 1]);
  for (let k = ERFC_P.length - 2; k >= 0; k--) p = g.op('Add', [g.op('Mul', [p, t]), g.scalar(ERFC_P[k])]);
  const e = g.op('Mul', [t, g.op('Exp', [g.op('Sub', [p, g.op('Mul', [a, a])])])]);
  return g.op('Where', [g.op('Less', [x, g.scalar(0)]), g.op('Sub', [g.scalar(2), e]), e]);
}

/**
 * erfinv y as myelin computes it (torch's calc_erfinv): a rational first guess, then two Newton
 * steps, here on |y|. The residual erf(x) - |y| is taken from Erf in the centre and as
 * (1 - |y|) - erfc(x) in the tails (1 - |y| is exact there), where Erf's float32 value near 1
 * would leave only a few digits of x. NaN outside [-1, 1], +-Infinity at +-1.
 */
function erfinvValue(c: OpContext, y: string): string {
  const g = c.g;
  const k = (v: number) => g.scalar(v);
  const poly = (z: string, coefs: number[]) => {
    let p = k(coefs[0]);
    for (const v of coefs.slice(1)) p = g.op('Add', [g.op('Mul', [p, z]), k(v)]);
    return p;
  };
  const a = g.op('Abs', [y]);
  const central = g.op('LessOrEqual', [a, k(0.7)]);
  const z0 = g.op('Mul', [a, a]);
  const guessCentral = g.op('Div', [
    g.op('Mul', [a, poly(z0, [-0.140543331, 0.914624893, -1.645349621, 0.886226899])]),
    poly(z0, [0.012229801, -0.329097515, 1.442710462, -2.118377725, 1]),
  ]);
  const oneMinus = g.op('Sub', [k(1), a]);
  // |y| = 1 makes this guess NaN (replaced by the infinity below); |y| > 1 gives NaN through the log.
  const z1 = g.op('Sqrt', [g.op('Neg', [g.op('Log', [g.op('Mul', [oneMinus, k(0.5)])])])]);
  const guessTail = g.op('Div', [
    poly(z1, [1.641345311, 3.429567803, -1.624906493, -1.970840454]),
    poly(z1, [1.6370678, 3.5438892, 1]),
  ]);
  let x = g.op('Where', [central, guessCentral, guessTail]);
  for (let step = 0; step < 2; step++) {
    const residual = g.op('Where', [
      central,
      g.op('Sub', [g.op('Erf', [x]), a]),
      g.op('Sub', [oneMinus, erfcValue(c, x)]),
    ]);
    const slope = g.op('Mul', [g.op('Exp', [g.op('Neg', [g.op('Mul', [x, x])])]), k(2 / Math.sqrt(Math.PI))]);
    x = g.op('Sub', [x, g.op('Div', [residual, slope])]);
  }
  const signed = g.op('Where', [g.op('Less', [y, k(0)]), g.op('Neg', [x]), x]);
  return g.op('Where', [g.op('Equal', [a, k(1)]), g.op('Mul', [y, k(Number.POSITIVE_INFINITY)]), signed]);
}
