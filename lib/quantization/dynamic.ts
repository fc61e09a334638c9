// Dynamic quantization, as torch.ao.quantization.quantize_dynamic with fbgemm: Linear weights
// held as qint8 (symmetric, per output channel by default), activations quantized on every call
// to quint8 from their min and max (reduce_range: 7 bits, as fbgemm's qconfig, so the AVX2
// products of two u8 x s8 pairs cannot saturate), then one u8 x s8 -> s32 GEMM whose output pass
// scales each column and adds the bias in fp32.
import { describe } from '../errors.js';
import { checkOptions } from '../errors.js';
import { native, ReduceOp } from '../native.js';
import { Linear } from '../nn/modules/linear.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { roundHalfEven } from '../ops/rounding.js';
import { Generator } from '../random.js';
import { formatShape } from '../shape.js';
import { type Quantizer, Storage, Tensor } from '../tensor.js';
import { quantizePerChannel, quantizePerTensor } from './quantize.js';

/** fbgemm's floor on an activation scale (quant_utils' SMALL_SCALE_THRESHOLD). */
const SMALL_SCALE = 6.1e-5;
const F32_EPS = 2 ** -23;

/** The quantization of an activation: value = (q - zeroPoint) * scale. */
export interface ActivationQParams {
  /** The fp32 scale. */
  scale: number;
  /** The quint8 zero point. */
  zeroPoint: number;
}

/**
 * Scale and zero point of a quint8 activation from its min and max, as PyTorch's
 * quant_utils::ChooseQuantizationParams: the range widened to hold 0, reduce_range halving
 * [0, 255] to [0, 127], scales below 6.1e-5 raised to it, the zero point from whichever end
 * loses less, clamped and rounded to nearest even. The scale is the fp32 one PyTorch stores.
 * @throws RangeError unless min and max are finite with min <= max; TypeError if reduceRange is not a boolean.
 */
export function chooseActivationQParams(min: number, max: number, reduceRange = true): ActivationQParams {
  const op = 'quantization.chooseActivationQParams';
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || min > max)
    throw new RangeError(
      `${op}: min and max must be finite numbers, min <= max, got ${describe(min)} and ${describe(max)}`,
    );
  if (typeof reduceRange !== 'boolean')
    throw new TypeError(`${op}: reduceRange must be a boolean, got ${describe(reduceRange)}`);
  const qmin = 0;
  const qmax = reduceRange ? 127 : 255;
  let lo = Math.fround(Math.min(min, 0));
  let hi = Math.fround(Math.max(max, 0));
  let scale = (hi - lo) / (qmax - qmin);
  if (Math.fround(scale) === 0 || !Number.isFinite(1 / Math.fround(scale))) scale = 0.1;
  if (scale < SMALL_SCALE) {
    const org = scale;
    scale = SMALL_SCALE;
    if (lo === 0) hi = Math.fround(SMALL_SCALE * (qmax - qmin));
    else if (hi === 0) lo = Math.fround(-SMALL_SCALE * (qmax - qmin));
    else {
      const amp = Math.fround(SMALL_SCALE / org);
      lo = Math.fround(lo * amp);
      hi = Math.fround(hi * amp);
    }
  }
  const fromMin = qmin - lo / scale;
  const fromMax = qmax - hi / scale;
  const errMin = Math.abs(qmin) - Math.abs(lo / scale);
  const errMax = Math.abs(qmax) - Math.abs(hi / scale);
  const initial = errMin < errMax ? fromMin : fromMax;
  const zeroPoint = initial < qmin ? qmin : initial > qmax ? qmax : roundHalfEven(initial);
  return { scale: Math.fround(scale), zeroPoint };
}

/** Which weight quantization: per output channel (the and this API's default) or per tensor (PyTorch's default qconfig). */
export type WeightScheme = 'per_channel' | 'per_tensor';

/**
 * A Linear layer with qint8 weights whose input is quantized on each call
 * (`torch.ao.nn.quantized.dynamic.Linear`): made by `quantizeDynamic` or `fromFloat`. For
 * inference: its output records no gradient. Its state dict holds `weight` (qint8) and `bias`
 * (float32).
 */
export class DynamicQuantizedLinear extends Module {
  /** Size of each input sample. */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** The weight [outFeatures, inFeatures], qint8 (symmetric: zero points 0), per channel (axis 0) or per tensor. */
  weight!: Tensor;
  /** The float32 bias [outFeatures], or null. */
  bias!: Tensor | null;
  /** The weight's zero point and fp32 scale of each output column, for the GEMM: made with the layer, again only for a new weight (loadStateDict assigns one). */
  private columns: { quantizer: Quantizer; zero: Int32Array; scale: Float32Array } | null = null;

  /**
   * A layer over a quantized weight and a bias (`fromFloat` makes both from an nn.Linear).
   * @param weight a qint8 tensor [outFeatures, inFeatures], per tensor or per channel along axis 0.
   * @param bias a float32 tensor [outFeatures], or null.
   * @throws TypeError or RangeError if they are not of those dtypes and shapes.
   */
  constructor(weight: Tensor, bias: Tensor | null = null) {
    super();
    const op = 'quantization.DynamicQuantizedLinear';
    if (!(weight instanceof Tensor) || weight.dtype !== 'qint8')
      throw new TypeError(`${op}: weight must be a qint8 Tensor, got ${describe(weight)}`);
    const q = weight.storage.quantizer!;
    if (weight.ndim !== 2 || q.axis > 0)
      throw new RangeError(
        `${op}: weight must be [outFeatures, inFeatures], quantized per tensor or along axis 0, got shape ${formatShape(weight.shape)} (axis ${q.axis})`,
      );
    if (bias !== null && (!(bias instanceof Tensor) || bias.dtype !== 'float32'))
      throw new TypeError(`${op}: bias must be a float32 Tensor or null, got ${describe(bias)}`);
    if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]))
      throw new RangeError(`${op}: bias must be [${weight.shape[0]}], got shape ${formatShape(bias.shape)}`);
    this.inFeatures = weight.shape[1];
    this.outFeatures = weight.shape[0];
    this.registerBuffer('weight', weight);
    this.registerBuffer('bias', bias);
    this.weightColumns();
  }

  /** `columns` for the current weight. */
  private weightColumns(): { zero: Int32Array; scale: Float32Array } {
    const q = this.weight.storage.quantizer!;
    if (this.columns?.quantizer !== q) {
      const n = this.outFeatures;
      const c = q.axis === 0 ? (j: number) => j : () => 0;
      this.columns = {
        quantizer: q,
        zero: Int32Array.from({ length: n }, (_, j) => q.zeroPoints[c(j)]),
        scale: Float32Array.from({ length: n }, (_, j) => q.scales[c(j)]),
      };
    }
    return this.columns;
  }

  /**
   * The quantized copy of a float Linear (`DynamicQuantizedLinear.from_float`): weights observed
   * as PyTorch's MinMaxObserver / PerChannelMinMaxObserver with per_tensor_symmetric /
   * per_channel_symmetric qint8: scale = max(|min|, |max|) / 127.5 in fp32 (at least fp32 eps),
   * zero point 0.
   * @throws TypeError if linear is not an nn.Linear with float32 weights, or scheme is neither
   * 'per_channel' nor 'per_tensor'.
   */
  static fromFloat(linear: Linear, scheme: WeightScheme = 'per_channel'): DynamicQuantizedLinear {
    const op = 'DynamicQuantizedLinear.fromFloat';
    if (!(linear instanceof Linear)) throw new TypeError(`${op}: expected an nn.Linear, got ${describe(linear)}`);
    if (scheme !== 'per_channel' && scheme !== 'per_tensor')
      throw new TypeError(`${op}: scheme must be 'per_channel' or 'per_tensor', got ${describe(scheme)}`);
    const w = linear.weight.detach();
    if (w.dtype !== 'float32') throw new TypeError(`${op}: the weight must be float32, got ${w.dtype}`);
    const [out, inF] = w.shape;
    const data = w.contiguous().data as Float32Array;
    const rowScale = (from: number, to: number) => {
      let m = 0;
      for (let i = from; i < to; i++) m = Math.max(m, Math.abs(data[i]));
      // torch: max(-min_neg, max_pos) / ((qmax - qmin) / 2) in fp32, at least eps.
      return Math.max(Math.fround(Math.fround(m) / 127.5), F32_EPS);
    };
    const weight =
      scheme === 'per_channel'
        ? quantizePerChannel(
            w,
            Array.from({ length: out }, (_, j) => rowScale(j * inF, (j + 1) * inF)),
            new Array<number>(out).fill(0),
            0,
            'qint8',
          )
        : quantizePerTensor(w, rowScale(0, out * inF), 0, 'qint8');
    const bias = linear.bias === null ? null : linear.bias.detach().clone();
    const q = new DynamicQuantizedLinear(weight, bias);
    q.training = linear.training;
    return q;
  }

  /**
   * y = x Wᵀ + b with x quantized to quint8 from its own min and max, the products summed in
   * int32 and each output column scaled back in fp32.
   * @throws TypeError unless x is a float32 Tensor; RangeError if its last dim is not inFeatures
   * or it holds an infinity.
   */
  forward(x: Tensor): Tensor {
    const op = 'DynamicQuantizedLinear';
    if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${describe(x)}`);
    if (x.dtype !== 'float32') throw new TypeError(`${op}: input must be float32, got ${x.dtype}`);
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures)
      throw new RangeError(`${op}: input of shape ${formatShape(x.shape)} does not end in ${this.inFeatures} features`);
    const k = this.inFeatures;
    const n = this.outFeatures;
    const m = x.numel() / k;
    const outShape = [...x.shape.slice(0, -1), n];
    const out = new Float32Array(m * n);
    if (m === 0) return Tensor.fromData(out, outShape);
    const xs = x.contiguous().data as Float32Array;
    // The whole input's range (as fbgemm's FindMinMax), by the native reductions: a JS loop
    // took 20x as long (1 ms of a 256 x 784 batch's 3.7 ms).
    const ext = new Float32Array(1);
    native.reduce(ReduceOp.min, [xs.length], xs, 0, [1], [0], ext);
    const lo = ext[0];
    native.reduce(ReduceOp.max, [xs.length], xs, 0, [1], [0], ext);
    const hi = ext[0];
    if (!Number.isFinite(lo) || !Number.isFinite(hi))
      throw new RangeError(`${op}: the input holds NaN or an infinity: no activation scale fits`);
    const { scale, zeroPoint } = chooseActivationQParams(lo, hi);
    const qa = new Uint8Array(xs.length);
    native.quantize({
      outer: 1,
      channels: 1,
      inner: xs.length,
      scales: Float64Array.of(scale),
      zeroPoints: Int32Array.of(zeroPoint),
      x: xs,
      y: qa,
    });
    const cols = this.weightColumns();
    const colScale = new Float32Array(n);
    for (let j = 0; j < n; j++) colScale[j] = scale * cols.scale[j];
    const w = this.weight.contiguous();
    native.gemmU8S8({
      m,
      n,
      k,
      a: qa,
      aOffset: 0,
      lda: k,
      aZero: zeroPoint,
      b: w.storage.data as Int8Array,
      bOffset: w.offset,
      ldb: k,
      transB: true,
      bZero: cols.zero,
      c: out,
      cOffset: 0,
      ldc: n,
      colScale,
      rowBias: null,
      colBias: this.bias === null ? null : (this.bias.contiguous().data as Float32Array),
      outScale: 1,
      outZero: 0,
    });
    return Tensor.fromData(out, outShape);
  }

  /** torchinfo's count: the weight's and bias's elements per row of the input. */
  countMacs(_inputs: unknown[], output: unknown): number {
    const rows = output instanceof Tensor ? output.numel() / this.outFeatures : 0;
    return rows * (this.weight.numel() + (this.bias?.numel() ?? 0));
  }

  override extraRepr(): string {
    const scheme = this.weight.storage.quantizer!.scheme;
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, dtype=qint8, qscheme=${scheme.replace('affine', 'symmetric')}`;
  }
}

/** The options of `quantizeDynamic`. */
export interface QuantizeDynamicOptions {
  /** The layer classes to quantize (PyTorch's qconfig_spec set): only nn.Linear for now. Default [nn.Linear]. */
  types?: (typeof Linear)[];
  /** The weights' dtype: 'qint8' (the only one for now). */
  dtype?: 'qint8';
  /** 'per_channel' (default: a scale per output feature) or 'per_tensor' (PyTorch's default_dynamic_qconfig). */
  scheme?: WeightScheme;
}

/**
 * A copy of `model` whose Linear layers are `DynamicQuantizedLinear`s (torch's
 * `torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)` with
 * inplace=False): qint8 weights, per output channel by default (PyTorch's
 * `per_channel_dynamic_qconfig`; `scheme: 'per_tensor'` gives its default qconfig), activations
 * quantized to quint8 on every call. The original model is untouched. For inference: the copy's
 * outputs record no gradient. nn.LSTM is not quantized yet.
 * @throws TypeError if model is not a Module, or an option is unknown or not supported.
 */
export function quantizeDynamic(model: Module, options: QuantizeDynamicOptions = {}): Module {
  const op = 'quantization.quantizeDynamic';
  if (!(model instanceof Module)) throw new TypeError(`${op}: model must be a Module, got ${describe(model)}`);
  checkOptions(op, options, ['types', 'dtype', 'scheme']);
  const types = options.types ?? [Linear];
  if (!Array.isArray(types) || types.some((t) => t !== Linear))
    throw new TypeError(`${op}: types must be [nn.Linear] (the only layer quantized so far), got ${describe(types)}`);
  if (options.dtype !== undefined && options.dtype !== 'qint8')
    throw new TypeError(`${op}: dtype must be 'qint8', got ${describe(options.dtype)}`);
  const scheme = options.scheme ?? 'per_channel';
  if (scheme !== 'per_channel' && scheme !== 'per_tensor')
    throw new TypeError(`${op}: scheme must be 'per_channel' or 'per_tensor', got ${describe(scheme)}`);
  if (model instanceof Linear) return DynamicQuantizedLinear.fromFloat(model, scheme);
  const copy = deepCopy(model, new Map()) as Module;
  swapLinears(copy, scheme);
  return copy;
}

function swapLinears(m: Module, scheme: WeightScheme): void {
  const fields = m as unknown as Record<string, unknown>;
  for (const [name, child] of [...m.namedChildren()]) {
    if (child instanceof Linear) fields[name] = DynamicQuantizedLinear.fromFloat(child, scheme);
    else swapLinears(child, scheme);
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
