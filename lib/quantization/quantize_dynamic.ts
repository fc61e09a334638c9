// quantizeDynamic: torch.ao.quantization.quantize_dynamic (inplace=False): a copy of a model whose
// Linear and LSTM layers are their dynamically quantized versions (dynamic.ts, dynamic_lstm.ts).
import { checkOptions, describe } from '../errors.js';
import { Linear } from '../nn/modules/linear.js';
import { LSTM } from '../nn/modules/rnn.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { Generator } from '../random.js';
import { Storage, Tensor } from '../tensor.js';
import { DynamicQuantizedLinear, type WeightScheme } from './dynamic.js';
import { DynamicQuantizedLSTM } from './dynamic_lstm.js';

/** The layer classes quantizeDynamic can quantize. */
export type DynamicQuantizable = typeof Linear | typeof LSTM;

/** The options of `quantizeDynamic`. */
export interface QuantizeDynamicOptions {
  /**
   * The layer classes to quantize (PyTorch's qconfig_spec set): nn.Linear and nn.LSTM, both by
   * default, as PyTorch's (which also quantizes GRU and the RNN cells: here those stay float32).
   */
  types?: DynamicQuantizable[];
  /** The weights' dtype: 'qint8' (the only one for now). */
  dtype?: 'qint8';
  /** 'per_channel' (default: a scale per output feature) or 'per_tensor' (PyTorch's default_dynamic_qconfig). */
  scheme?: WeightScheme;
}

/**
 * A copy of `model` whose Linear layers are `DynamicQuantizedLinear`s and LSTM layers
 * `DynamicQuantizedLSTM`s (torch's `torch.ao.quantization.quantize_dynamic(model, {nn.Linear,
 * nn.LSTM}, dtype=torch.qint8)` with inplace=False): qint8 weights, per output channel by default
 * (PyTorch's `per_channel_dynamic_qconfig`; `scheme: 'per_tensor'` gives its default qconfig),
 * activations quantized to quint8 on every call. The original model is untouched. For
 * inference: the copy's outputs record no gradient.
 * @throws TypeError if model is not a Module, or an option is unknown or not supported;
 * RangeError for an LSTM with projSize.
 */
export function quantizeDynamic(model: Module, options: QuantizeDynamicOptions = {}): Module {
  const op = 'quantization.quantizeDynamic';
  if (!(model instanceof Module)) throw new TypeError(`${op}: model must be a Module, got ${describe(model)}`);
  checkOptions(op, options, ['types', 'dtype', 'scheme']);
  const types = options.types ?? [Linear, LSTM];
  if (!Array.isArray(types) || types.some((t) => t !== Linear && t !== LSTM))
    throw new TypeError(
      `${op}: types must list nn.Linear and/or nn.LSTM (the layers quantized so far), got ${describe(types)}`,
    );
  if (options.dtype !== undefined && options.dtype !== 'qint8')
    throw new TypeError(`${op}: dtype must be 'qint8', got ${describe(options.dtype)}`);
  const scheme = options.scheme ?? 'per_channel';
  if (scheme !== 'per_channel' && scheme !== 'per_tensor')
    throw new TypeError(`${op}: scheme must be 'per_channel' or 'per_tensor', got ${describe(scheme)}`);
  const swap = (m: Module): Module | null => {
    if (m instanceof Linear && types.includes(Linear)) return DynamicQuantizedLinear.fromFloat(m, scheme);
    if (m instanceof LSTM && types.includes(LSTM)) return DynamicQuantizedLSTM.fromFloat(m, scheme);
    return null;
  };
  const whole = swap(model);
  if (whole) return whole;
  const copy = deepCopy(model, new Map()) as Module;
  swapLayers(copy, swap);
  return copy;
}

function swapLayers(m: Module, swap: (m: Module) => Module | null): void {
  const fields = m as unknown as Record<string, unknown>;
  for (const [name, child] of [...m.namedChildren()]) {
    const q = swap(child);
    if (q) fields[name] = q;
    else swapLayers(child, swap);
  }
}

/** A deep copy of a module tree (copy.deepcopy): tensors cloned, sharing between fields kept. */
function deepCopy(v: unknown, seen: Map<unknown, unknown>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (seen.has(v)) return seen.get(v);
  if (v instanceof Parameter) {
    const p = new Parameter(v.detach().clone(), v.requiresGrad);
    seen.set(v, p);
    return p;
  }
  if (v instanceof Tensor) {
    const t = v.clone();
    seen.set(v, t);
    return t;
  }
  // Shared, not copied: storages belong to the tensors (cloned above), a generator is one stream.
  if (v instanceof Storage || v instanceof Generator || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) {
    const a: unknown[] = [];
    seen.set(v, a);
    for (const e of v) a.push(deepCopy(e, seen));
    return a;
  }
  if (v instanceof Set) {
    const s = new Set();
    seen.set(v, s);
    for (const e of v) s.add(deepCopy(e, seen));
    return s;
  }
  if (v instanceof Map) {
    const mp = new Map();
    seen.set(v, mp);
    for (const [k, e] of v) mp.set(k, deepCopy(e, seen));
    return mp;
  }
  const o = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
  seen.set(v, o);
  for (const key of Object.keys(v)) o[key] = deepCopy((v as Record<string, unknown>)[key], seen);
  return o;
}
