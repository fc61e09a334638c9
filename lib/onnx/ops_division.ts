// ONNX mappings of div (with and without a rounding mode), remainder, fmod, floorDivide
// (ops/division.ts) and the bitwise ops (ops/bitwise.ts), in opset-17 ops, with myelin's values:
// - Floats follow myelin's formulas step by step (each ONNX op rounds to the dtype as myelin's
//   steps do), so infinities, NaN and signed zeros come out the same; torch 1.13's exporter
//   writes floor(a / b) instead, which differs where a / b rounds up to an integer.
// - Integers compute in int64 and wrap back to the result's dtype: int32's -2^31 / -1 wraps as
//   myelin's does instead of trapping the runtime, and int8/uint8 need no 8-bit kernels.
// - AND/OR/XOR of integers: BitwiseAnd and its kin are opset 18, and the ONNX checker of CI
//   (onnx 1.12) stops at 17, so they are spelled through the bits: each operand split into its
//   32 (8) bits along a new last axis, combined arithmetically, summed back. Shifts multiply or
//   floor-divide by a power of two (BitShift takes only unsigned operands).
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import type { OpContext, OpHandler } from './export.js';
import { castTo, INT64, int64Constant as int64, onnxDType } from './ops_math.js';
import { truncValue } from './ops_special.js';

type Rounding = 'trunc' | 'floor';

export function registerDivision(reg: (name: string, h: OpHandler) => void): void {
  reg('div', (c) => {
    const out = outDType(c);
    const mode = c.args.length > 2 ? (c.static(2, 'the rounding mode') as Rounding) : null;
    if (mode === null) return c.g.op('Div', [castTo(c, 0, out), castTo(c, 1, out)]);
    return isFloat(out) ? floatDivision(c, mode) : intDivision(c, mode);
  });
  reg('floorDivide', (c) => (isFloat(outDType(c)) ? floatDivision(c, 'floor') : intDivision(c, 'floor')));
  reg('remainder', (c) => (isFloat(outDType(c)) ? floatModulo(c, 'remainder') : intDivision(c, 'remainder')));
  reg('fmod', (c) => (isFloat(outDType(c)) ? floatModulo(c, 'fmod') : intDivision(c, 'fmod')));

  for (const [name, onnx] of [
    ['bitwiseAnd', 'And'],
    ['bitwiseOr', 'Or'],
    ['bitwiseXor', 'Xor'],
  ] as const) {
    reg(name, (c) => (outDType(c) === 'bool' ? c.g.op(onnx, [c.input(0), c.input(1)]) : bitwise(c, onnx)));
  }
  reg('bitwiseNot', (c) => {
    const out = outDType(c);
    if (out === 'bool') return c.g.op('Not', [c.input(0)]);
    // ~x = -1 - x in two's complement; computed in int32 (the runtimes have no 8-bit Sub), then wrapped.
    const g = c.g;
    const x = castTo(c, 0, 'int32');
    const r = g.op('Sub', [g.scalar(-1, 'int32'), x]);
    return out === 'int32' ? r : g.op('Cast', [r], { to: onnxDType(out) });
  });
  reg('bitwiseLeftShift', (c) => shift(c, 'left'));
  reg('bitwiseRightShift', (c) => shift(c, 'right'));
}

function outDType(c: OpContext): DType {
  return (c.r.out as Tensor).dtype;
}

function isFloat(t: DType): boolean {
  return t === 'float32' || t === 'float64';
}

/** Argument k widened to int64 (sign-extended; uint8 zero-extended). */
function wide(c: OpContext, k: number): string {
  return c.g.op('Cast', [c.input(k)], { to: INT64 });
}

/** An int64 value wrapped to the result's dtype (the low 32 or 8 bits, as myelin's stores). */
function narrow(c: OpContext, v: string): string {
  return c.g.op('Cast', [v], { to: onnxDType(outDType(c)) });
}

/** a and b in the float result dtype. */
function floatOperands(c: OpContext): [string, string] {
  const t = outDType(c);
  return [castTo(c, 0, t), castTo(c, 1, t)];
}

/** Where fmod's result m is non-zero and its sign is not b's: Python's % and // move by one b there. */
function signMismatch(c: OpContext, m: string, b: string): string {
  const g = c.g;
  const zero = g.scalar(0, outDType(c));
  return g.op('And', [
    g.op('Not', [g.op('Equal', [m, zero])]),
    g.op('Xor', [g.op('Less', [b, zero]), g.op('Less', [m, zero])]),
  ]);
}

/**
 * remainder (Python's %) and fmod (C's fmod) of floats: fmod is Mod with fmod = 1, exact; the
 * remainder adds b once where fmod's non-zero result has the other sign than b, as myelin's kernel
 * (torch's exporter writes a - floor(a / b) b, which gives NaN for a finite a over an infinite b).
 */
function floatModulo(c: OpContext, op: 'remainder' | 'fmod'): string {
  const g = c.g;
  const [a, b] = floatOperands(c);
  const m = g.op('Mod', [a, b], { fmod: 1 });
  if (op === 'fmod') return m;
  const wrong = signMismatch(c, m, b);
  // m (maybe -0) in Where's second branch, which keeps a -0 (see floatDivision).
  return g.op('Where', [wrong, g.op('Add', [m, b]), m]);
}

/**
 * a / b rounded toward zero or down, for floats, as myelin: trunc of the rounded quotient; floor
 * by Python's algorithm (the quotient of a - fmod(a, b), moved down by one where fmod's sign is
 * not b's, rounded to the nearest integer; a zero keeps the sign of a / b; b = 0 gives a / b).
 */
function floatDivision(c: OpContext, mode: Rounding): string {
  const g = c.g;
  const t = outDType(c);
  const [a, b] = floatOperands(c);
  const quotient = g.op('Div', [a, b]);
  if (mode === 'trunc') return truncValue(c, quotient, t);
  const s = (v: number) => g.scalar(v, t);
  const mod = g.op('Mod', [a, b], { fmod: 1 });
  let q = g.op('Div', [g.op('Sub', [a, mod]), b]);
  const wrong = signMismatch(c, mod, b);
  q = g.op('Where', [wrong, g.op('Sub', [q, s(1)]), q]);
  const f = g.op('Floor', [q]);
  const rounded = g.op('Where', [g.op('Greater', [g.op('Sub', [q, f]), s(0.5)]), g.op('Add', [f, s(1)]), f]);
  // a / b below zero or -0 (1 / -0 is -inf): the zero quotient is -0, made as |q| times -1. A -0
  // must come through Where's second branch: onnxruntime's Where (1.31) turns a -0 taken from the
  // first into 0, and it fuses Where(Not(c), x, y) into Where(c, y, x), so no Not either.
  const negative = g.op('Or', [g.op('Less', [quotient, s(0)]), g.op('Less', [g.op('Div', [s(1), quotient]), s(0)])]);
  const zero = g.op('Mul', [g.op('Abs', [q]), g.op('Where', [negative, s(-1), s(1)])]);
  const result = g.op('Where', [g.op('Greater', [g.op('Abs', [q]), s(0)]), rounded, zero]);
  return g.op('Where', [g.op('Equal', [b, s(0)]), quotient, result]);
}

/**
 * The integer division ops in int64, wrapped back to the result's dtype. A zero divisor fails the
 * run, as in myelin: onnxruntime's integer Div and Mod return an error ("Integer division by
 * zero", "Integer modulo by zero").
 */
function intDivision(c: OpContext, op: Rounding | 'remainder' | 'fmod'): string {
  const g = c.g;
  const a = wide(c, 0);
  const b = wide(c, 1);
  let r: string;
  if (op === 'trunc') r = g.op('Div', [a, b]);
  else if (op === 'fmod') r = g.op('Mod', [a, b], { fmod: 1 });
  else {
    const m = g.op('Mod', [a, b], { fmod: 0 });
    // a - (a mod b) with Python's mod is an exact multiple of b: its quotient is the floor.
    r = op === 'remainder' ? m : g.op('Div', [g.op('Sub', [a, m]), b]);
  }
  return narrow(c, r);
}

/**
 * AND, OR or XOR of integers: each operand's low n bits (n = 32, or 8 for an 8-bit result, whose
 * higher bits wrap away) as 0/1 along a new last axis, combined as products and sums, and summed
 * back with their weights 2^k into an int64 that wraps to the result's dtype.
 */
function bitwise(c: OpContext, onnx: 'And' | 'Or' | 'Xor'): string {
  const g = c.g;
  const n = outDType(c) === 'int32' ? 32 : 8;
  const weights = int64(
    c,
    Array.from({ length: n }, (_, k) => 2 ** k),
  );
  const bits = (k: number) => {
    const u = g.op('Mod', [wide(c, k), int64(c, 2 ** n)], { fmod: 0 });
    const column = g.op('Unsqueeze', [u, g.ints([-1], 'axes')]);
    return g.op('Mod', [g.op('Div', [column, weights]), int64(c, 2)], { fmod: 0 });
  };
  const [x, y] = [bits(0), bits(1)];
  const both = g.op('Mul', [x, y]);
  const sum = g.op('Add', [x, y]);
  let r: string;
  if (onnx === 'And') r = both;
  else if (onnx === 'Or') r = g.op('Sub', [sum, both]);
  else r = g.op('Sub', [sum, g.op('Mul', [both, int64(c, 2)])]);
  const total = g.op('ReduceSum', [g.op('Mul', [r, weights]), g.ints([-1], 'axes')], { keepdims: 0 });
  return narrow(c, total);
}

/**
 * a << b and a >> b as myelin (C's shift of a 32-bit int): the count taken modulo 32, then a
 * times 2^count (wrapped to the result's dtype) or a divided by it rounded down (arithmetic shift;
 * a uint8 is non-negative, so logical), in int64.
 */
function shift(c: OpContext, dir: 'left' | 'right'): string {
  const g = c.g;
  const a = wide(c, 0);
  const count = g.op('Mod', [wide(c, 1), int64(c, 32)], { fmod: 0 });
  const powers = int64(
    c,
    Array.from({ length: 32 }, (_, k) => 2 ** k),
  );
  const p = g.op('Gather', [powers, count], { axis: 0 });
  if (dir === 'left') return narrow(c, g.op('Mul', [a, p]));
  const floor = g.op('Div', [g.op('Sub', [a, g.op('Mod', [a, p], { fmod: 0 })]), p]);
  return narrow(c, floor);
}
