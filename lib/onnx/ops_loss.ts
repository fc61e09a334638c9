// ONNX mappings of the losses (recorded with their input, target and options): each element's
// loss written with opset-17 ops, then the reduction ('mean', 'sum', 'none', KL's 'batchmean').
// Cross-entropy and NLL pick the target class with GatherElements (ignored targets masked out,
// the mean divided by the weights of the counted ones, as torch), label smoothing included.
import type { Tensor } from '../tensor.js';
import type { OpContext, OpHandler } from './export.js';
import { floatScalar, floatTypeOf, INT64, onnxDType, softplusValue } from './ops_math.js';

export function registerLoss(reg: (name: string, h: OpHandler) => void): void {
  reg('mseLoss', (c) => {
    const d = diff(c);
    return reduce(c, c.g.op('Mul', [d, d]), option<string>(c, 'reduction', 'mean'));
  });
  reg('l1Loss', (c) => reduce(c, c.g.op('Abs', [diff(c)]), option<string>(c, 'reduction', 'mean')));
  reg('smoothL1Loss', (c) => {
    const beta = option<number>(c, 'beta', 1);
    const g = c.g;
    const d = diff(c);
    const ad = g.op('Abs', [d]);
    if (beta === 0) return reduce(c, ad, option<string>(c, 'reduction', 'mean'));
    // 0.5 d^2 / beta where |d| < beta, else |d| - beta / 2
    const quad = g.op('Div', [g.op('Mul', [g.op('Mul', [d, d]), floatScalar(c, 0.5)]), floatScalar(c, beta)]);
    const lin = g.op('Sub', [ad, floatScalar(c, 0.5 * beta)]);
    return reduce(
      c,
      g.op('Where', [g.op('Less', [ad, floatScalar(c, beta)]), quad, lin]),
      option<string>(c, 'reduction', 'mean'),
    );
  });
  reg('huberLoss', (c) => {
    const delta = option<number>(c, 'delta', 1);
    const g = c.g;
    const d = diff(c);
    const ad = g.op('Abs', [d]);
    const quad = g.op('Mul', [g.op('Mul', [d, d]), floatScalar(c, 0.5)]);
    const lin = g.op('Mul', [g.op('Sub', [ad, floatScalar(c, 0.5 * delta)]), floatScalar(c, delta)]);
    return reduce(
      c,
      g.op('Where', [g.op('Less', [ad, floatScalar(c, delta)]), quad, lin]),
      option<string>(c, 'reduction', 'mean'),
    );
  });
  reg('binaryCrossEntropy', (c) => {
    // -w (t max(log x, -100) + (1 - t) max(log(1 - x), -100)); inputs outside [0, 1], which myelin
    // refuses, give NaN here.
    const g = c.g;
    const [x, t] = [c.input(0), c.input(1)];
    const clampLog = (v: string) => g.op('Max', [g.op('Log', [v]), floatScalar(c, -100)]);
    const oneMinus = (v: string) => g.op('Sub', [floatScalar(c, 1), v]);
    const sum = g.op('Add', [g.op('Mul', [t, clampLog(x)]), g.op('Mul', [oneMinus(t), clampLog(oneMinus(x))])]);
    return reduce(c, weighted(c, g.op('Neg', [sum]), 'weight'), option<string>(c, 'reduction', 'mean'));
  });
  reg('binaryCrossEntropyWithLogits', (c) => {
    // w ((1 - t) x + (1 + (pw - 1) t) log(1 + exp(-x))), log(1 + exp(-x)) = softplus(-|x|) + relu(-x)
    const g = c.g;
    const [x, t] = [c.input(0), c.input(1)];
    const sp = g.op('Add', [softplusValue(c, g.op('Neg', [g.op('Abs', [x])])), g.op('Relu', [g.op('Neg', [x])])]);
    const pw = tensorOption(c, 'posWeight');
    const coef = pw
      ? g.op('Add', [floatScalar(c, 1), g.op('Mul', [g.op('Sub', [pw, floatScalar(c, 1)]), t])])
      : floatScalar(c, 1);
    const loss = g.op('Add', [g.op('Mul', [g.op('Sub', [floatScalar(c, 1), t]), x]), g.op('Mul', [coef, sp])]);
    return reduce(c, weighted(c, loss, 'weight'), option<string>(c, 'reduction', 'mean'));
  });
  reg('klDiv', (c) => {
    const g = c.g;
    const [x, t] = [c.input(0), c.input(1)];
    let loss: string;
    if (option<boolean>(c, 'logTarget', false)) loss = g.op('Mul', [g.op('Exp', [t]), g.op('Sub', [t, x])]);
    else {
      // t (log t - x) where t > 0, 0 where t == 0, NaN for a negative target (as xlogy)
      const pos = g.op('Mul', [t, g.op('Sub', [g.op('Log', [t]), x])]);
      const rest = g.op('Where', [
        g.op('Equal', [t, floatScalar(c, 0)]),
        floatScalar(c, 0),
        floatScalar(c, Number.NaN),
      ]);
      loss = g.op('Where', [g.op('Greater', [t, floatScalar(c, 0)]), pos, rest]);
    }
    return reduce(c, loss, option<string>(c, 'reduction', 'mean'));
  });
  reg('nllLoss', (c) => classLoss(c, false));
  reg('crossEntropy', (c) => classLoss(c, true));
}

/** Option `key` of the options argument (2), the same in both traces. */
function option<T extends number | string | boolean>(c: OpContext, key: string, dflt: T): T {
  const get = (args: readonly unknown[]) => ((args[2] ?? {}) as Record<string, unknown>)[key] ?? dflt;
  return c.same(get(c.args) as T, get(c.args2) as T, `option ${key}`);
}

/** The value of tensor option `key`, or '' when absent. */
function tensorOption(c: OpContext, key: string): string {
  const get = (args: readonly unknown[]) => ((args[2] ?? {}) as Record<string, unknown>)[key] as Tensor | null;
  const [a, b] = [get(c.args), get(c.args2)];
  return a ? c.value(a, b as Tensor) : '';
}

function diff(c: OpContext): string {
  return c.g.op('Sub', [c.input(0), c.input(1)]);
}

function weighted(c: OpContext, loss: string, key: string): string {
  const w = tensorOption(c, key);
  return w ? c.g.op('Mul', [loss, w]) : loss;
}

/** The reduction of per-element losses v (of input argument 0's shape). */
function reduce(c: OpContext, v: string, reduction: string): string {
  const g = c.g;
  if (reduction === 'none') return v;
  if (reduction === 'mean') return g.op('ReduceMean', [v], { keepdims: 0 });
  const total = g.op('ReduceSum', [v], { keepdims: 0 });
  if (reduction === 'sum') return total;
  // batchmean: the sum over the batch size (dim 0, which may follow a dynamic axis)
  if ((c.args[0] as Tensor).ndim === 0) return total;
  const n = g.op('Gather', [g.op('Shape', [c.input(0)]), g.constant({ dtype: 'int64', shape: [], data: [0] })], {
    axis: 0,
  });
  return g.op('Div', [total, g.op('Cast', [n], { to: onnxDType(floatTypeOf(c)) })]);
}

/**
 * nllLoss (input: log-probabilities) or crossEntropy (input: logits), input [N, C, d...] or [C],
 * target int32 classes [N, d...] (or []) or, for crossEntropy, float probabilities (input's shape).
 */
function classLoss(c: OpContext, logits: boolean): string {
  const g = c.g;
  const input = c.args[0] as Tensor;
  const target = c.args[1] as Tensor;
  const unbatched = input.ndim === 1;
  const C = input.shape[unbatched ? 0 : 1];
  const reduction = option<string>(c, 'reduction', 'mean');
  const smoothing = logits ? option<number>(c, 'labelSmoothing', 0) : 0;
  const ignoreIndex = option<number>(c, 'ignoreIndex', -100);
  const axis0 = () => g.ints([0], 'axes');
  let x = c.input(0);
  let t = c.input(1);
  if (unbatched) {
    x = g.op('Unsqueeze', [x, axis0()]);
    t = g.op('Unsqueeze', [t, axis0()]);
  }
  const logp = logits ? g.op('LogSoftmax', [x], { axis: 1 }) : x;
  const w = tensorOption(c, 'weight');
  const wShape = [1, C, ...new Array(Math.max(input.ndim - 2, 0)).fill(1)];
  const wb = w ? g.op('Reshape', [w, g.ints(wShape, 'shape')]) : '';
  const sumClasses = (v: string) => g.op('ReduceSum', [v, g.ints([1], 'axes')], { keepdims: 0 });
  const finish = (perElement: string) => (unbatched ? g.op('Squeeze', [perElement, axis0()]) : perElement);

  if (target.dtype === 'float32' || target.dtype === 'float64') {
    // Probabilities: -sum_c w_c t'_c logp_c per element, t' = t (1 - s) + s / C; mean over elements.
    const tt =
      smoothing > 0 ? g.op('Add', [g.op('Mul', [t, floatScalar(c, 1 - smoothing)]), floatScalar(c, smoothing / C)]) : t;
    let prod = g.op('Mul', [logp, tt]);
    if (wb) prod = g.op('Mul', [prod, wb]);
    const per = finish(g.op('Neg', [sumClasses(prod)]));
    if (reduction === 'none') return per;
    return g.op(reduction === 'sum' ? 'ReduceSum' : 'ReduceMean', [per], { keepdims: 0 });
  }

  const ignored = g.op('Equal', [t, g.scalar(ignoreIndex, 'int32')]);
  const safe = g.op('Where', [ignored, g.scalar(0, 'int32'), t]);
  const at = g.op('Cast', [g.op('Unsqueeze', [safe, g.ints([1], 'axes')])], { to: INT64 });
  const picked = g.op('Squeeze', [g.op('GatherElements', [logp, at], { axis: 1 }), g.ints([1], 'axes')]);
  const zero = floatScalar(c, 0);
  // The weight of each element's target (0 where ignored): the terms and the mean's divisor.
  const wt = g.op('Where', [ignored, zero, w ? g.op('Gather', [w, safe], { axis: 0 }) : floatScalar(c, 1)]);
  let per = g.op('Neg', [g.op('Mul', [picked, wt])]);
  if (smoothing > 0) {
    // torch: (1 - s) nll + s / C * (-sum_c w_c logp_c), the second term masked and divided alike.
    const smooth = g.op('Neg', [sumClasses(wb ? g.op('Mul', [logp, wb]) : logp)]);
    const masked = g.op('Where', [ignored, zero, smooth]);
    per = g.op('Add', [
      g.op('Mul', [per, floatScalar(c, 1 - smoothing)]),
      g.op('Mul', [masked, floatScalar(c, smoothing / C)]),
    ]);
  }
  if (reduction === 'none') return finish(per);
  const total = g.op('ReduceSum', [per], { keepdims: 0 });
  if (reduction === 'sum') return total;
  return g.op('Div', [total, g.op('ReduceSum', [wt], { keepdims: 0 })]);
}
