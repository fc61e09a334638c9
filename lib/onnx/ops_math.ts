// ONNX mappings of the elementwise, activation, reduction, softmax and matrix ops.
import { type DType, promoteTypes } from '../dtype.js';
import { Tensor } from '../tensor.js';
import type { OpContext, OpHandler } from './export.js';

export function registerMath(reg: (name: string, h: OpHandler) => void): void {
  const simple: Record<string, string> = {
    neg: 'Neg',
    abs: 'Abs',
    exp: 'Exp',
    log: 'Log',
    sqrt: 'Sqrt',
    sin: 'Sin',
    cos: 'Cos',
    tanh: 'Tanh',
    sigmoid: 'Sigmoid',
    relu: 'Relu',
    sign: 'Sign',
  };
  for (const [name, onnx] of Object.entries(simple)) {
    reg(name, (c) => {
      // relu of an int32 tensor (its integer path): Max with 0, which every runtime has for int32.
      const t = (c.args[0] as Tensor).dtype;
      if (name === 'relu' && t === 'int32') return c.g.op('Max', [c.input(0), c.g.scalar(0, 'int32')]);
      // uint8 (ONNX's Neg and Relu take no unsigned type): relu keeps it, neg wraps (-x is 256 - x)
      // through int32.
      if (name === 'relu' && t === 'uint8') return c.g.op('Identity', [c.input(0)]);
      if (name === 'neg' && t === 'uint8') {
        const negated = c.g.op('Neg', [castTo(c, 0, 'int32')]);
        return c.g.op('Cast', [negated], { to: onnxDType('uint8') });
      }
      return c.g.op(onnx, [c.input(0)]);
    });
  }
  reg('to', (c) => castValue(c, c.input(0), (c.args[0] as Tensor).dtype, c.static(1) as DType));
  reg('log1p', (c) => log1pValue(c, c.input(0)));
  reg('expm1', (c) => expm1Value(c, c.input(0)));
  reg('rsqrt', (c) => c.g.op('Reciprocal', [c.g.op('Sqrt', [c.input(0)])]));

  // Activations (definePointwise: x and a parameter object).
  reg('leakyRelu', (c) => {
    const slope = c.static(1) as number;
    if (floatTypeOf(c) === 'float32') return c.g.op('LeakyRelu', [c.input(0)], { alpha: { float: slope } });
    // float64: LeakyRelu's alpha is a float32 attribute, so the slope is a float64 constant.
    const x = c.input(0);
    return c.g.op('Where', [c.g.op('Greater', [x, floatScalar(c, 0)]), x, c.g.op('Mul', [x, floatScalar(c, slope)])]);
  });
  // hardtanh and relu6 (one op with its range): Clip, whose bounds are kept, as myelin's forward.
  reg('hardtanh', (c) => {
    const { min, max } = c.static(1) as { min: number; max: number };
    return c.g.op('Clip', [c.input(0), floatScalar(c, min), floatScalar(c, max)]);
  });
  reg('elu', (c) => {
    const { alpha, scale } = c.static(1) as { alpha: number; scale: number };
    if (floatTypeOf(c) === 'float64') {
      // onnxruntime has no float64 Elu or Selu (and their alpha and gamma are float32
      // attributes): scale x above 0, scale alpha expm1(x) elsewhere, as myelin's forward.
      const x = c.input(0);
      const pos = scale === 1 ? x : c.g.op('Mul', [x, floatScalar(c, scale)]);
      const neg = c.g.op('Mul', [expm1Value(c, x), floatScalar(c, scale * alpha)]);
      return c.g.op('Where', [c.g.op('Greater', [x, floatScalar(c, 0)]), pos, neg]);
    }
    if (scale === 1) return c.g.op('Elu', [c.input(0)], { alpha: { float: alpha } });
    return c.g.op('Selu', [c.input(0)], { alpha: { float: alpha }, gamma: { float: scale } });
  });
  reg('gelu', (c) => {
    const x = c.input(0);
    const g = c.g;
    const k = (v: number) => floatScalar(c, v);
    if (c.static(1) === 'tanh') {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
      const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, k(0.044715)])]), k(Math.sqrt(2 / Math.PI))]);
      return g.op('Mul', [g.op('Mul', [x, k(0.5)]), g.op('Add', [g.op('Tanh', [inner]), k(1)])]);
    }
    // 0.5 x (1 + erf(x / sqrt 2)): opset 17 has Erf but no Gelu.
    refuseFloat64(c, 'onnxruntime has no float64 kernel for Erf');
    const erf = g.op('Erf', [g.op('Mul', [x, k(Math.SQRT1_2)])]);
    return g.op('Mul', [g.op('Mul', [x, k(0.5)]), g.op('Add', [erf, k(1)])]);
  });
  reg('silu', (c) => {
    const x = c.input(0);
    return c.g.op('Mul', [x, c.g.op('Sigmoid', [x])]);
  });
  reg('softplus', (c) => {
    // torch: x where beta x > threshold, else log(1 + exp(beta x)) / beta
    const { beta, threshold } = c.static(1) as { beta: number; threshold: number };
    const g = c.g;
    const x = c.input(0);
    const bx = beta === 1 ? x : g.op('Mul', [x, floatScalar(c, beta)]);
    let soft = softplusValue(c, bx);
    if (beta !== 1) soft = g.op('Div', [soft, floatScalar(c, beta)]);
    return g.op('Where', [g.op('Greater', [bx, floatScalar(c, threshold)]), x, soft]);
  });
  reg('sine', (c) => c.g.op('Sin', [c.g.op('Mul', [c.input(0), floatScalar(c, c.static(1) as number)])]));

  // Broadcasting binary arithmetic: operands cast to the result's dtype first (div: ops_division.ts).
  for (const [name, onnx] of [
    ['add', 'Add'],
    ['sub', 'Sub'],
    ['mul', 'Mul'],
    ['maximum', 'Max'],
    ['minimum', 'Min'],
  ] as const) {
    reg(name, (c) => {
      const out = (c.r.out as Tensor).dtype;
      return c.g.op(onnx, [castTo(c, 0, out), castTo(c, 1, out)]);
    });
  }
  reg('pow', (c) => {
    const out = (c.r.out as Tensor).dtype;
    if (out === 'int32' || out === 'int8' || out === 'uint8') return intPowValue(c, out);
    // In the result's float dtype (float64 too: Pow's output is its base's type).
    const t = out === 'float64' ? 'float64' : 'float32';
    const a = castTo(c, 0, t);
    const e = c.args[1];
    if (typeof e === 'number') return c.g.op('Pow', [a, c.g.scalar(c.static(1) as number, t)]);
    return c.g.op('Pow', [a, castTo(c, 1, t)]);
  });
  reg('clamp', (c) => {
    const t = (c.r.out as Tensor).dtype;
    const x = castTo(c, 0, t);
    if (c.args[1] instanceof Tensor || c.args[2] instanceof Tensor) {
      // Tensor bounds (broadcast): maximum with the lower, then minimum with the upper, as myelin.
      let out = x;
      if (c.args[1]) out = c.g.op('Max', [out, castTo(c, 1, t)]);
      if (c.args[2]) out = c.g.op('Min', [out, castTo(c, 2, t)]);
      return out;
    }
    const lo = c.static(1) as number | null;
    const hi = c.static(2) as number | null;
    const bound = (v: number | null) => (v === null ? '' : c.g.scalar(v, t));
    return c.g.op('Clip', [x, bound(lo), bound(hi)]);
  });
  reg('where', (c) => {
    const t = (c.r.out as Tensor).dtype;
    return whereOf(c, castTo(c, 0, 'bool'), castTo(c, 1, t), castTo(c, 2, t), t);
  });

  // Reductions: dims, keepdim. ReduceSum takes axes as an input since opset 13, the others as
  // an attribute until opset 18.
  const reduce = (onnx: string, asInput: boolean): OpHandler => {
    return (c) => {
      const dims = c.static(1) as number[];
      const keepdims = (c.static(2) as boolean) ? 1 : 0;
      const out = (c.r.out as Tensor).dtype;
      // bool extremes (amax/amin of a mask) reduce as int32: the runtimes have no bool ReduceMax.
      const x = castTo(c, 0, out === 'bool' ? 'int32' : out);
      if (dims.length === 0) return c.g.op('Identity', [castTo(c, 0, out)]);
      const r = asInput
        ? c.g.op(onnx, [x, c.g.ints(dims, 'axes')], { keepdims })
        : c.g.op(onnx, [x], { axes: dims, keepdims });
      return out === 'bool' ? c.g.op('Cast', [r], { to: onnxDType('bool') }) : r;
    };
  };
  reg('sum', reduce('ReduceSum', true));
  reg('mean', reduce('ReduceMean', false));
  reg('prod', reduce('ReduceProd', false));
  reg('amax', reduce('ReduceMax', false));
  reg('amin', reduce('ReduceMin', false));
  // all/any: counts of the false (all) or true (any) elements, so an empty reduction gives
  // true for all and false for any, as torch.
  for (const name of ['all', 'any'] as const) {
    reg(name, (c) => {
      const dims = c.static(1) as number[];
      const keepdims = (c.static(2) as boolean) ? 1 : 0;
      const g = c.g;
      let t = truth(c, 0);
      if (dims.length === 0) return g.op('Identity', [t]);
      if (name === 'all') t = g.op('Not', [t]);
      const count = g.op('ReduceSum', [g.op('Cast', [t], { to: onnxDType('int32') }), g.ints(dims, 'axes')], {
        keepdims,
      });
      return g.op(name === 'all' ? 'Equal' : 'Greater', [count, g.scalar(0, 'int32')]);
    });
  }
  reg('var', (c) => {
    // sum((x - mean)^2) / max(n - correction, 0), n the number of reduced elements.
    const dims = c.static(1) as number[];
    const correction = c.static(2) as number;
    const keepdims = (c.static(3) as boolean) ? 1 : 0;
    const g = c.g;
    const x = c.input(0);
    const [x1, x2] = [c.args[0] as Tensor, c.args2[0] as Tensor];
    const count = (t: Tensor) => dims.reduce((a, d) => a * t.shape[d], 1);
    const centered = g.op('Sub', [x, g.op('ReduceMean', [x], { axes: dims, keepdims: 1 })]);
    const s = g.op('ReduceSum', [g.op('Mul', [centered, centered]), g.ints(dims, 'axes')], { keepdims });
    let divisor: string;
    if (count(x1) === count(x2)) divisor = floatScalar(c, Math.max(count(x1) - correction, 0));
    else {
      const sizes = g.op('Gather', [g.op('Shape', [x]), g.ints(dims, 'dims')], { axis: 0 });
      const n = g.op('Cast', [g.op('ReduceProd', [sizes], { keepdims: 0 })], { to: onnxDType(floatTypeOf(c)) });
      divisor = g.op('Max', [g.op('Sub', [n, floatScalar(c, correction)]), floatScalar(c, 0)]);
    }
    return g.op('Div', [s, divisor]);
  });
  // std's square root (an op of its own for its backward).
  reg('std', (c) => c.g.op('Sqrt', [c.input(0)]));
  reg('logsumexp', (c) => {
    const d = c.static(1) as number | number[];
    const dims = Array.isArray(d) ? d : [d];
    return c.g.op('ReduceLogSumExp', [c.input(0)], { axes: dims, keepdims: (c.static(2) as boolean) ? 1 : 0 });
  });
  reg('norm', (c) => {
    const p = c.static(1) as number;
    const dims = c.static(2) as number[];
    const keepdims = (c.static(3) as boolean) ? 1 : 0;
    const x = c.input(0);
    const attrs = { axes: dims, keepdims };
    if (p === 2) return c.g.op('ReduceL2', [x], attrs);
    if (p === 1) return c.g.op('ReduceL1', [x], attrs);
    if (p === Number.POSITIVE_INFINITY) return c.g.op('ReduceMax', [c.g.op('Abs', [x])], attrs);
    if (p === Number.NEGATIVE_INFINITY) return c.g.op('ReduceMin', [c.g.op('Abs', [x])], attrs);
    if (p === 0) return c.fail('norm with p = 0 (a count of non-zeros) cannot be exported yet');
    const s = c.g.op('ReduceSum', [c.g.op('Pow', [c.g.op('Abs', [x]), floatScalar(c, p)]), c.g.ints(dims, 'axes')], {
      keepdims,
    });
    return c.g.op('Pow', [s, floatScalar(c, 1 / p)]);
  });
  // cumsum of bool counts as int32 (the runtimes' CumSum takes no bool).
  reg('cumsum', (c) =>
    c.g.op('CumSum', [castTo(c, 0, (c.r.out as Tensor).dtype), c.g.ints([c.static(1) as number], 'axis')]),
  );

  // Comparisons and logical ops (bool results).
  for (const [name, onnx] of [
    ['eq', 'Equal'],
    ['lt', 'Less'],
    ['le', 'LessOrEqual'],
    ['gt', 'Greater'],
    ['ge', 'GreaterOrEqual'],
  ] as const) {
    reg(name, (c) => c.g.op(onnx, commonInputs(c)));
  }
  reg('ne', (c) => c.g.op('Not', [c.g.op('Equal', commonInputs(c))]));
  for (const [name, onnx] of [
    ['logicalAnd', 'And'],
    ['logicalOr', 'Or'],
    ['logicalXor', 'Xor'],
  ] as const) {
    reg(name, (c) => c.g.op(onnx, [truth(c, 0), truth(c, 1)]));
  }
  reg('logicalNot', (c) => c.g.op('Not', [truth(c, 0)]));
  // float64 stays float64: a float32 cast would make 1e300 infinite.
  reg('isnan', (c) => c.g.op('IsNaN', [castTo(c, 0, floatTypeOf(c))]));
  reg('isinf', (c) => c.g.op('IsInf', [castTo(c, 0, floatTypeOf(c))]));
  reg('isfinite', (c) => {
    const x = castTo(c, 0, floatTypeOf(c));
    return c.g.op('Not', [c.g.op('Or', [c.g.op('IsNaN', [x]), c.g.op('IsInf', [x])])]);
  });

  reg('softmax', (c) => c.g.op('Softmax', [c.input(0)], { axis: c.static(1) as number }));
  reg('logSoftmax', (c) => c.g.op('LogSoftmax', [c.input(0)], { axis: c.static(1) as number }));

  // Matrix products.
  reg('matmul', (c) => {
    const [a, b] = [c.args[1] as Tensor, c.args[2] as Tensor];
    // ONNX Runtime folds a constant scaling of a MatMul's output or inputs into FusedMatMul's
    // float32 alpha (MatMulScaleFusion): a float64 product of matrices with the same batch dims is
    // an Einsum, which it leaves alone, so a scale such as attention's 1/sqrt(d) keeps float64's
    // precision (8e-9 relative error with MatMul).
    const batch = (t: Tensor) => t.shape.slice(0, -2).join();
    if (a.dtype === 'float64' && a.ndim >= 2 && a.ndim === b.ndim && batch(a) === batch(b))
      return c.g.op('Einsum', [c.input(1), c.input(2)], { equation: '...ij,...jk->...ik' });
    return c.g.op('MatMul', [c.input(1), c.input(2)]);
  });
  reg('linear', (c) => {
    const x = c.args[0] as Tensor;
    const w = c.input(1);
    const b = c.args[2] ? c.input(2) : '';
    if (x.ndim === 2) return c.g.op('Gemm', b ? [c.input(0), w, b] : [c.input(0), w], { transB: 1 });
    const y = c.g.op('MatMul', [c.input(0), c.g.op('Transpose', [w], { perm: [1, 0] })]);
    return b ? c.g.op('Add', [y, b]) : y;
  });
  // addmm and its family (one op: a, b, input, beta, alpha): Gemm for 2-D operands, else MatMul
  // scaled and added. Input at beta 0 is left out, as the op leaves it unread.
  reg('addmm', (c) => {
    const [a, input] = [c.args[1] as Tensor, c.args[3] as Tensor | null];
    const [beta, alpha] = [c.static(4) as number, c.static(5) as number];
    const useInput = input !== null && beta !== 0;
    // Gemm's alpha and beta are float32 attributes: a float64 product takes them as Gemm only
    // where float32 holds them exactly.
    const exact = a.dtype !== 'float64' || (Math.fround(alpha) === alpha && Math.fround(beta) === beta);
    if (a.ndim === 2 && (!useInput || input.ndim <= 2) && exact) {
      const operands = [c.input(1), c.input(2), ...(useInput ? [c.input(3)] : [])];
      return c.g.op('Gemm', operands, { alpha: { float: alpha }, beta: { float: beta } });
    }
    const scaled = (v: string, k: number) => (k === 1 ? v : c.g.op('Mul', [v, c.g.scalar(k, a.dtype)]));
    // ONNX Runtime folds a MatMul's scaling by a constant into the product's float32 alpha
    // (MatMulScaleFusion), so such a float64 alpha scales an Einsum, which it leaves alone.
    const b = c.args[2] as Tensor;
    const einsum = !exact && Math.fround(alpha) !== alpha && a.ndim === b.ndim;
    const product = einsum
      ? c.g.op('Einsum', [c.input(1), c.input(2)], { equation: '...ij,...jk->...ik' })
      : c.g.op('MatMul', [c.input(1), c.input(2)]);
    const y = scaled(product, alpha);
    return useInput ? c.g.op('Add', [y, scaled(c.input(3), beta)]) : y;
  });
  reg('einsum', (c) => {
    const spec = c.static(0) as { inputs: unknown[][]; output: unknown[] };
    const letters = new Map<string, string>();
    const letter = (l: unknown) => {
      const key = JSON.stringify(l);
      if (!letters.has(key)) letters.set(key, String.fromCharCode(97 + letters.size));
      return letters.get(key) as string;
    };
    const equation = `${spec.inputs.map((ls) => ls.map(letter).join('')).join(',')}->${spec.output.map(letter).join('')}`;
    const inputs = c.args.slice(1).map((_, k) => c.input(k + 1));
    return c.g.op('Einsum', inputs, { equation });
  });
  for (const [name, onnx] of [
    ['argmax', 'ArgMax'],
    ['argmin', 'ArgMin'],
  ] as const) {
    reg(name, (c) => {
      const dim = c.static(1) as number | undefined;
      const keepdims = (c.static(2) as boolean | undefined) ? 1 : 0;
      // myelin's indices are int32, ONNX's int64; over all dims: the flattened tensor's.
      const v = dim === undefined ? c.g.op('Reshape', [c.input(0), c.g.ints([-1], 'shape')]) : c.input(0);
      const r = c.g.op(onnx, [v], { axis: dim ?? 0, keepdims: dim === undefined ? 0 : keepdims });
      return c.g.op('Cast', [r], { to: onnxDType('int32') });
    });
  }
  // max/min along a dim: the values and the (first) int32 indices.
  for (const [name, onnx, arg] of [
    ['max', 'ReduceMax', 'ArgMax'],
    ['min', 'ReduceMin', 'ArgMin'],
  ] as const) {
    reg(name, (c) => {
      const x = c.args[0] as Tensor;
      const dim = c.static(1) as number;
      const keepdims = (c.static(2) as boolean) ? 1 : 0;
      const g = c.g;
      const v = castTo(c, 0, x.dtype === 'bool' ? 'int32' : x.dtype);
      let values = g.op(onnx, [v], { axes: [dim], keepdims });
      if (x.dtype === 'bool') values = g.op('Cast', [values], { to: onnxDType('bool') });
      const indices = g.op('Cast', [g.op(arg, [v], { axis: dim, keepdims })], { to: onnxDType('int32') });
      return [values, indices];
    });
  }
}

/**
 * log(1 + exp(z)) of float value z (argument 0's dtype): Softplus, which onnxruntime has only for
 * float32; float64 as relu(z) + log1p(exp(-|z|)), within a few ulps of myelin's log1p(exp(z)).
 */
export function softplusValue(c: OpContext, z: string): string {
  const g = c.g;
  if (floatTypeOf(c) === 'float32') return g.op('Softplus', [z]);
  return g.op('Add', [g.op('Relu', [z]), log1pValue(c, g.op('Exp', [g.op('Neg', [g.op('Abs', [z])])]))]);
}

/**
 * log(1 + x) of float value x (argument 0's dtype). float32: Log(1 + x). float64:
 * Log(u) x / (u - 1), u = 1 + x (Goldberg's compensation), x itself where u rounds to 1 (-0
 * included) and at +Infinity, so small x keep float64's relative precision as Math.log1p.
 */
function log1pValue(c: OpContext, x: string): string {
  const g = c.g;
  const u = g.op('Add', [x, floatScalar(c, 1)]);
  if (floatTypeOf(c) === 'float32') return g.op('Log', [u]);
  const ratio = g.op('Div', [x, g.op('Sub', [u, floatScalar(c, 1)])]);
  const compensated = g.op('Mul', [g.op('Log', [u]), ratio]);
  const asIs = g.op('Or', [
    g.op('Equal', [u, floatScalar(c, 1)]),
    g.op('Equal', [x, floatScalar(c, Number.POSITIVE_INFINITY)]),
  ]);
  return g.op('Where', [g.op('Not', [asIs]), compensated, x]);
}

/**
 * exp(x) - 1 of float value x (argument 0's dtype). float32: Exp(x) - 1. float64:
 * (u - 1) x / log(u), u = exp(x) (Kahan's compensation): x where u rounds to 1 (-0 included),
 * -1 where u - 1 is -1, u where u overflows, so small x keep float64's relative precision as
 * Math.expm1.
 */
function expm1Value(c: OpContext, x: string): string {
  const g = c.g;
  const k = (v: number) => floatScalar(c, v);
  const u = g.op('Exp', [x]);
  const um1 = g.op('Sub', [u, k(1)]);
  if (floatTypeOf(c) === 'float32') return um1;
  const compensated = g.op('Div', [g.op('Mul', [um1, x]), g.op('Log', [u])]);
  const big = g.op('Where', [g.op('Equal', [u, k(Number.POSITIVE_INFINITY)]), u, compensated]);
  const low = g.op('Where', [g.op('Equal', [um1, k(-1)]), k(-1), big]);
  // x in Where's second branch: it keeps a -0 there.
  return g.op('Where', [g.op('Not', [g.op('Equal', [u, k(1)])]), low, x]);
}

/** Arguments 0 and 1 cast to their promoted dtype (torch's promotion), for comparisons. */
function commonInputs(c: OpContext): string[] {
  const [a, b] = [c.args[0] as Tensor, c.args[1] as Tensor];
  const to = promoteTypes(a.dtype, b.dtype);
  return [castTo(c, 0, to), castTo(c, 1, to)];
}

/** Argument k's truth value (non-zero), as bool. */
function truth(c: OpContext, k: number): string {
  const t = c.args[k] as Tensor;
  if (t.dtype === 'bool') return c.input(k);
  return c.g.op('Not', [c.g.op('Equal', [c.input(k), c.g.scalar(0, t.dtype)])]);
}

/**
 * Value v (of dtype `from`) cast to `to` as myelin casts: float32 to int32 truncates toward zero
 * and wraps modulo 2^32 (through int64), NaN and infinities give 0; non-zero (NaN too) is true.
 */
export function castValue(c: OpContext, v: string, from: DType, to: DType): string {
  const g = c.g;
  if (from === to) return g.op('Identity', [v]);
  if (from !== 'float32' || to !== 'int32') return g.op('Cast', [v], { to: onnxDType(to) });
  const finite = g.op('Not', [g.op('Or', [g.op('IsNaN', [v]), g.op('IsInf', [v])])]);
  const safe = g.op('Where', [finite, v, g.scalar(0)]);
  const wide = g.op('Cast', [safe], { to: INT64 });
  return g.op('Cast', [wide], { to: onnxDType('int32') });
}

/**
 * The float type a computation on argument k runs in: float64 for a float64 argument, float32
 * for the others (float32, and the integer and bool inputs the float ops take as float32).
 */
export function floatTypeOf(c: OpContext, k = 0): 'float32' | 'float64' {
  return (c.args[k] as Tensor).dtype === 'float64' ? 'float64' : 'float32';
}

/**
 * A scalar constant of float type t (by default argument 0's, floatTypeOf): ONNX's arithmetic
 * takes both operands of one type, so a float64 model's constants are float64 (a float32 one
 * makes the model fail to load), and they keep their float64 value.
 */
export function floatScalar(c: OpContext, value: number, t: 'float32' | 'float64' = floatTypeOf(c)): string {
  return c.g.scalar(value, t);
}

/**
 * Refuses an op on a float64 argument 0 whose ONNX mapping would not load in onnxruntime (1.31)
 * or not keep float64's precision (`why` says which), rather than write a model that fails later.
 */
export function refuseFloat64(c: OpContext, why: string): void {
  if (floatTypeOf(c) === 'float64')
    c.fail(`float64 is not exported for this op (${why}); export model.float() (float32) instead`);
}

/** ONNX's int64 element type (not a myelin dtype, so not in onnxDType). */
export const INT64 = 7;

/** An int64 constant: a scalar for a number, a 1-D tensor for an array. */
export function int64Constant(c: OpContext, value: number | number[]): string {
  const data = Array.isArray(value) ? value : [value];
  return c.g.constant({ dtype: 'int64', shape: Array.isArray(value) ? [data.length] : [], data }, 'scalar');
}

/**
 * x ** y of integers as myelin's (and torch's) integer pow: squaring and multiplying in 32-bit
 * wrapping products (ONNX Runtime's integer Pow goes through a double and saturates where it
 * overflows: int32 3 ** 25 gave -2^31, myelin and torch 1180052131), unrolled over the 31 bits of
 * a non-negative int32 exponent, in int64 with each product wrapped back to int32; a negative
 * exponent gives 1 for x = 1, +-1 for x = -1 (by its parity), 0 otherwise. Then the result's dtype.
 */
function intPowValue(c: OpContext, out: DType): string {
  const g = c.g;
  const long = (v: string) => g.op('Cast', [v], { to: INT64 });
  const i64 = (v: number) => int64Constant(c, v);
  const wrap = (v: string) => long(g.op('Cast', [v], { to: onnxDType('int32') }));
  const x = long(castTo(c, 0, 'int32'));
  const y = long(castTo(c, 1, 'int32'));
  const negative = g.op('Less', [y, i64(0)]);
  let e = g.op('Where', [negative, i64(0), y]);
  let acc = i64(1);
  let base = x;
  for (let k = 0; k < 31; k++) {
    const odd = g.op('Equal', [g.op('Mod', [e, i64(2)], { fmod: 0 }), i64(1)]);
    // acc in Where's second branch too (an integer has no -0, so either order would do).
    acc = g.op('Where', [odd, wrap(g.op('Mul', [acc, base])), acc]);
    if (k < 30) {
      base = wrap(g.op('Mul', [base, base]));
      e = g.op('Div', [e, i64(2)]);
    }
  }
  const even = g.op('Equal', [g.op('Mod', [y, i64(2)], { fmod: 0 }), i64(0)]);
  const minusOne = g.op('Where', [even, i64(1), i64(-1)]);
  const small = g.op('Where', [
    g.op('Equal', [x, i64(1)]),
    i64(1),
    g.op('Where', [g.op('Equal', [x, i64(-1)]), minusOne, i64(0)]),
  ]);
  return g.op('Cast', [g.op('Where', [negative, small, acc])], { to: onnxDType(out) });
}

/**
 * Where(cond, a, b) of a and b of dtype t. ONNX Runtime's Where (1.31) has no bool kernel, so
 * bools select as uint8 and are cast back.
 */
export function whereOf(c: OpContext, cond: string, a: string, b: string, t: DType): string {
  if (t !== 'bool') return c.g.op('Where', [cond, a, b]);
  const bytes = (v: string) => c.g.op('Cast', [v], { to: onnxDType('uint8') });
  return c.g.op('Cast', [c.g.op('Where', [cond, bytes(a), bytes(b)])], { to: onnxDType('bool') });
}

/** Argument k as a value of dtype `to` (a Cast node when it differs). */
export function castTo(c: OpContext, k: number, to: DType): string {
  const t = c.args[k] as Tensor;
  const v = c.input(k);
  return t.dtype === to ? v : c.g.op('Cast', [v], { to: onnxDType(to) });
}

// ONNX's element types; a quantized dtype has none (ONNX spells quantization as QuantizeLinear nodes).
const ONNX_DTYPE: Partial<Record<DType, number>> = { float32: 1, float64: 11, int32: 6, bool: 9, int8: 3, uint8: 2 };

export function onnxDType(t: DType): number {
  const e = ONNX_DTYPE[t];
  if (e === undefined) throw new TypeError(`onnx.export: ${t} tensors cannot be exported (dequantize() first)`);
  return e;
}
