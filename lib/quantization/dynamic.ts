// Dynamic quantization, as torch.ao.quantization.quantize_dynamic with fbgemm: Linear weights
// held as qint8 (symmetric, per output channel by default), activations quantized on every call
// to quint8 from their min and max (reduce_range: 7 bits, as fbgemm's qconfig, so the AVX2
// products of two u8 x s8 pairs cannot saturate), then one u8 x s8 -> s32 GEMM whose output pass
// scales each column and adds the bias in fp32.
import { describe } from '../errors.js';
import { kernelTableGeneration, native } from '../native.js';
import { Linear } from '../nn/modules/linear.js';
import { Module } from '../nn/module.js';
import { emptyFloat, uninitBytes, uninitFloat } from '../raw/elementwise.js';
import { roundHalfEven } from '../ops/rounding.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
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

/**
 * A qint8 weight [n, k] as the GEMM takes it: its integers, each output column's zero point and
 * fp32 scale, and the integers packed for the running kernels. A cache of one weight tensor at
 * one version of its storage (weightColumns makes a new one after loadStateDict or an in-place
 * write); never saved.
 */
export interface WeightColumns {
  /** The weight tensor and its storage's version the cache was made from. */
  source: Tensor;
  version: number;
  /** The weight's integers, row j (output column j) at offset + j * k. */
  data: Int8Array;
  offset: number;
  k: number;
  n: number;
  zero: Int32Array;
  scale: Float32Array;
  /** The integers packed by native.gemmU8S8PackB (column sums, micro-panels) for the kernel table that made them; packed on first use and again if the table changes. */
  packed: Uint8Array | null;
  /** kernelTableGeneration() when `packed` was made. */
  packedGeneration: number;
  /** Scratch for each product's column scales (activation scale x weight scale), n floats. */
  colScale: Float32Array;
}

/**
 * The GEMM's view of a qint8 weight [n, k], quantized per tensor or along axis 0: `cached` when
 * it was made from this tensor at its storage's current version, else a new one.
 */
export function weightColumns(weight: Tensor, cached: WeightColumns | null = null): WeightColumns {
  if (cached !== null && cached.source === weight && cached.version === weight.storage.version) return cached;
  const q = weight.storage.quantizer!;
  const w = weight.contiguous();
  const [n, k] = weight.shape;
  const c = q.axis === 0 ? (j: number) => j : () => 0;
  return {
    source: weight,
    version: weight.storage.version,
    data: w.storage.data as Int8Array,
    offset: w.offset,
    k,
    n,
    zero: Int32Array.from({ length: n }, (_, j) => q.zeroPoints[c(j)]),
    scale: Float32Array.from({ length: n }, (_, j) => q.scales[c(j)]),
    packed: null,
    packedGeneration: -1,
    colScale: new Float32Array(n),
  };
}

let prepack = true;

/**
 * Whether the quantized layers use their packed weights (the default) or pack them on every
 * product, the reference the tests compare the packed path with. Internal; returns the previous setting.
 */
export function setWeightPrepackingForTesting(on: boolean): boolean {
  const was = prepack;
  prepack = on;
  return was;
}

/**
 * w's integers packed for the running kernel table: packed once, again only when the table changed
 * (setIsaForTesting on this thread). gemmU8S8 still checks the packing's header against its table.
 */
export function packedWeight(w: WeightColumns): Uint8Array {
  const generation = kernelTableGeneration();
  if (w.packed === null || w.packedGeneration !== generation) {
    w.packed = native.gemmU8S8PackB({ n: w.n, k: w.k, b: w.data, bOffset: w.offset, ldb: w.k, transB: true });
    w.packedGeneration = generation;
  }
  return w.packed;
}

// The quantized activation's bytes, reused by every product (the native calls are synchronous, so
// no two products hold it at once; each worker thread has its own module): a fresh Uint8Array a
// call was zero-filled only for quantize to overwrite it, and was garbage for V8's marker. Kept up
// to kMaxScratchBytes; a larger activation gets an unfilled buffer of its own.
const kMaxScratchBytes = 1 << 24;
let scratch: Uint8Array = new Uint8Array(0);
let scratchView: Uint8Array = scratch;
const actScale = new Float64Array(1);
const actZero = new Int32Array(1);

/** len bytes whose contents are unspecified (quantize writes every one). */
function activationBytes(len: number): Uint8Array {
  if (scratchView.length === len) return scratchView;
  if (len > kMaxScratchBytes) return uninitBytes(len);
  if (scratch.length < len) scratch = uninitBytes(len);
  scratchView = scratch.length === len ? scratch : scratch.subarray(0, len);
  return scratchView;
}

/**
 * out[o.., m x n] = x[xo.., m x k] Wᵀ + bias, the arithmetic of a dynamically quantized Linear:
 * x quantized to quint8 from its own min and max (reduce_range), the products summed in int32
 * and each output column scaled back in fp32, the bias added after. m >= 1.
 * @throws RangeError (naming op) if x holds NaN or an infinity.
 */
export function dynamicQuantizedMatmul(
  op: string,
  xs: Float32Array,
  xo: number,
  m: number,
  w: WeightColumns,
  bias: Float32Array | null,
  out: Float32Array,
  o: number,
): void {
  const { k, n } = w;
  const len = m * k;
  const xv = xo === 0 && xs.length === len ? xs : xs.subarray(xo, xo + len);
  // The whole input's range (as fbgemm's FindMinMax) in one native pass: a JS loop took 20x as
  // long (1 ms of a 256 x 784 batch's 3.7 ms), a min and a max reduction 2.5-4x as long at batch 1.
  const [lo, hi] = native.minMax(xv);
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new RangeError(`${op}: the input holds NaN or an infinity: no activation scale fits`);
  const { scale, zeroPoint } = chooseActivationQParams(lo, hi);
  const qa = activationBytes(len);
  actScale[0] = scale;
  actZero[0] = zeroPoint;
  native.quantize({ outer: 1, channels: 1, inner: len, scales: actScale, zeroPoints: actZero, x: xv, y: qa });
  const colScale = w.colScale;
  const ws = w.scale;
  for (let j = 0; j < n; j++) colScale[j] = scale * ws[j];
  native.gemmU8S8({
    m,
    n,
    k,
    a: qa,
    aOffset: 0,
    lda: k,
    aZero: zeroPoint,
    b: w.data,
    bOffset: w.offset,
    ldb: k,
    transB: true,
    bPacked: prepack ? packedWeight(w) : null,
    bZero: w.zero,
    c: out,
    cOffset: o,
    ldc: n,
    colScale,
    rowBias: null,
    colBias: bias,
    outScale: 1,
    outZero: 0,
  });
}

/** Which weight quantization: per output channel (the and this API's default) or per tensor (PyTorch's default qconfig). */
export type WeightScheme = 'per_channel' | 'per_tensor';

/**
 * A float32 weight [n, k] as qint8, as PyTorch's weight observers do it (MinMaxObserver or
 * PerChannelMinMaxObserver, per_tensor_symmetric or per_channel_symmetric): scale = max(|min|,
 * |max|) / 127.5 in fp32 (at least fp32 eps) over the whole weight or each row, zero point 0.
 */
export function quantizeWeight(w: Tensor, scheme: WeightScheme): Tensor {
  const [out, inF] = w.shape;
  const data = w.contiguous().data as Float32Array;
  const rowScale = (from: number, to: number) => {
    let m = 0;
    for (let i = from; i < to; i++) m = Math.max(m, Math.abs(data[i]));
    // torch: max(-min_neg, max_pos) / ((qmax - qmin) / 2) in fp32, at least eps.
    return Math.max(Math.fround(Math.fround(m) / 127.5), F32_EPS);
  };
  return scheme === 'per_channel'
    ? quantizePerChannel(
        w,
        Array.from({ length: out }, (_, j) => rowScale(j * inF, (j + 1) * inF)),
        new Array<number>(out).fill(0),
        0,
        'qint8',
      )
    : quantizePerTensor(w, rowScale(0, out * inF), 0, 'qint8');
}

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
  /** The weight as the GEMM takes it (zero points, scales, packed integers): made again for a new weight (loadStateDict assigns one) or one written in place. */
  private columns: WeightColumns | null = null;

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
  private weightColumns(): WeightColumns {
    this.columns = weightColumns(this.weight, this.columns);
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
    const weight = quantizeWeight(w, scheme);
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
    if (m === 0) return Tensor.fromData(new Float32Array(0), outShape);
    // The GEMM's output pass writes every element (with no inputs, zeros: only the bias).
    const y = k > 0 ? uninitFloat(outShape) : emptyFloat(outShape);
    const bias = this.bias === null ? null : (this.bias.contiguous().data as Float32Array);
    const out = y.storage.data as Float32Array;
    dynamicQuantizedMatmul(op, x.contiguous().data as Float32Array, 0, m, this.weightColumns(), bias, out, 0);
    return y;
  }

  /** torchinfo's count: the weight's and bias's elements per row of the input. */
  countMacs(_inputs: unknown[], output: unknown): number {
    const rows = output instanceof Tensor ? output.numel() / this.outFeatures : 0;
    return rows * (this.weight.numel() + (this.bias?.numel() ?? 0));
  }

  /** nn.summary's packed size: the bytes of the weight's copy packed for the GEMM's kernel (0 before the first forward). */
  packedWeightBytes(): number {
    return this.columns?.packed?.byteLength ?? 0;
  }

  override extraRepr(): string {
    const scheme = this.weight.storage.quantizer!.scheme;
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, dtype=qint8, qscheme=${scheme.replace('affine', 'symmetric')}`;
  }
}
