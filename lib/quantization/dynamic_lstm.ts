// The dynamically quantized LSTM (torch.ao.nn.quantized.dynamic.LSTM, what quantize_dynamic makes
// of an nn.LSTM): per layer and direction, qint8 weights for the input and the recurrent products,
// each product a dynamic quantized matmul (its input quantized to 7-bit quint8 from its own min
// and max). As PyTorch's CPU path, the input projection of every time step is one product over the
// whole sequence (one activation scale for all steps), the recurrent one a product per step (a
// scale per step, from the h of the sequences still running); gates = h W_hhᵀ + b_hh + x W_ihᵀ +
// b_ih, then the fp32 LSTM cell (the native kernel nn.LSTM uses).
import { checkOptions, describe, optionKeys } from '../errors.js';
import { BinaryOp, native, RnnCellOp } from '../native.js';
import { Module } from '../nn/module.js';
import {
  checkState,
  LSTM,
  type LSTMOptions,
  lengthsOf,
  type RNNForwardOptions,
  rnnExtraRepr,
} from '../nn/modules/rnn.js';
import { uninitFloat32Array } from '../raw/elementwise.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import {
  dynamicQuantizedMatmul,
  quantizeWeight,
  type WeightColumns,
  weightColumns,
  type WeightScheme,
} from './dynamic.js';

/** The options of `DynamicQuantizedLSTM`: nn.LSTM's, without a projection. */
export type DynamicQuantizedLSTMOptions = Omit<LSTMOptions, 'projSize'>;

const OPTIONS = optionKeys<DynamicQuantizedLSTMOptions>({
  numLayers: 'integer',
  bias: 'boolean',
  batchFirst: 'boolean',
  dropout: 'number',
  bidirectional: 'boolean',
});

/** The float LSTM fromFloat is quantizing, which the constructor then copies instead of making one. */
let floatToQuantize: LSTM | null = null;

/**
 * An LSTM with qint8 weights whose products quantize their inputs on each call: made by
 * `quantizeDynamic` (or `fromFloat`) from an nn.LSTM. For inference: outputs record no gradient
 * and dropout never applies (as PyTorch's, which always runs it in eval mode). Its state dict
 * holds nn.LSTM's keys: `weight_ih_l{k}[_reverse]` and `weight_hh_...` (qint8),
 * `bias_ih_...` and `bias_hh_...` (float32). forward(input, [h_0, c_0]?, { lengths }?) returns
 * [output, [h_n, c_n]], as nn.LSTM's.
 */
export class DynamicQuantizedLSTM extends Module {
  /** The size of each input element. */
  readonly inputSize: number;
  /** The size of the hidden state. */
  readonly hiddenSize: number;
  /** Stacked recurrent layers. */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether inputs and outputs are [batch, seq, feature] rather than [seq, batch, feature]. */
  readonly batchFirst: boolean;
  /** The float LSTM's dropout probability (kept for its repr; never applied). */
  readonly dropout: number;
  /** Whether each layer runs in both directions. */
  readonly bidirectional: boolean;
  /** Each weight buffer's GEMM view, remade when the buffer is replaced. */
  private columns = new Map<string, WeightColumns>();

  /**
   * A quantized copy of a freshly initialised nn.LSTM(inputSize, hiddenSize, options) (as
   * PyTorch's constructor); `fromFloat` quantizes a trained one.
   * @throws TypeError or RangeError as nn.LSTM's constructor, or if options has projSize.
   */
  constructor(
    inputSize: number,
    hiddenSize: number,
    options: DynamicQuantizedLSTMOptions = {},
    scheme: WeightScheme = 'per_channel',
  ) {
    super();
    checkOptions('quantization.DynamicQuantizedLSTM', options, OPTIONS);
    // From fromFloat, the trained LSTM: a random one would be quantized for nothing, and drawing
    // its weights would advance the default generator (the user's later random numbers).
    const float = floatToQuantize ?? new LSTM(inputSize, hiddenSize, options);
    this.inputSize = float.inputSize;
    this.hiddenSize = float.hiddenSize;
    this.numLayers = float.numLayers;
    this.bias = float.bias;
    this.batchFirst = float.batchFirst;
    this.dropout = float.dropout;
    this.bidirectional = float.bidirectional;
    this.quantizeFrom(float, scheme);
  }

  /**
   * The quantized copy of a float nn.LSTM (`LSTM.from_float`): every weight quantized as
   * DynamicQuantizedLinear.fromFloat does (qint8, symmetric, per output row by default), the
   * biases copied.
   * @throws TypeError if lstm is not an nn.LSTM with float32 weights or scheme is unknown;
   * RangeError if it has a projection (projSize), which PyTorch 1.13's quantized LSTM lacks.
   */
  static fromFloat(lstm: LSTM, scheme: WeightScheme = 'per_channel'): DynamicQuantizedLSTM {
    const op = 'DynamicQuantizedLSTM.fromFloat';
    if (!(lstm instanceof LSTM)) throw new TypeError(`${op}: expected an nn.LSTM, got ${describe(lstm)}`);
    if (lstm.projSize > 0)
      throw new RangeError(
        `${op}: an LSTM with projSize (${lstm.projSize}) cannot be quantized (PyTorch 1.13 cannot either)`,
      );
    floatToQuantize = lstm;
    try {
      const q = new DynamicQuantizedLSTM(lstm.inputSize, lstm.hiddenSize, {}, scheme);
      q.training = lstm.training;
      return q;
    } finally {
      floatToQuantize = null;
    }
  }

  private quantizeFrom(float: LSTM, scheme: WeightScheme): void {
    const params = float as unknown as Record<string, Tensor | null>;
    for (const name of this.names()) {
      const w = params[name]!.detach();
      if (w.dtype !== 'float32')
        throw new TypeError(`DynamicQuantizedLSTM.fromFloat: ${name} must be float32, got ${w.dtype}`);
      this.registerBuffer(name, name.startsWith('weight') ? quantizeWeight(w, scheme) : w.clone());
    }
    this.columns.clear();
  }

  /** The buffer names, nn.LSTM's parameter names. */
  private names(): string[] {
    const names: string[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < (this.bidirectional ? 2 : 1); d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        names.push(`weight_ih${sfx}`, `weight_hh${sfx}`);
        if (this.bias) names.push(`bias_ih${sfx}`, `bias_hh${sfx}`);
      }
    }
    return names;
  }

  private buffer(name: string): Tensor {
    return (this as unknown as Record<string, Tensor>)[name];
  }

  private weight(name: string): WeightColumns {
    const w = this.buffer(name);
    const c = weightColumns(w, this.columns.get(name) ?? null);
    this.columns.set(name, c);
    return c;
  }

  private biasOf(name: string): Float32Array | null {
    return this.bias ? (this.buffer(name).contiguous().data as Float32Array) : null;
  }

  /**
   * Runs the layers on input ([T, B, I], [B, T, I] with batchFirst, or [T, I] unbatched) from
   * hx = [h_0, c_0] ([L*D, B, H] each, zeros if absent); with `lengths`, steps past a sequence's
   * length are padding (output 0, states untouched), as nn.LSTM's.
   * @throws TypeError or RangeError naming the layer for a wrong input, state or option.
   */
  forward(input: Tensor, hx?: [Tensor, Tensor] | null, options: RNNForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    const op = 'DynamicQuantizedLSTM';
    checkOptions(`${op}.forward`, options, { lengths: true });
    if (!(input instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${describe(input)}`);
    if (input.dtype !== 'float32') throw new TypeError(`${op}: input must be float32, got ${input.dtype}`);
    if ((input.ndim !== 2 && input.ndim !== 3) || input.shape[input.ndim - 1] !== this.inputSize)
      throw new RangeError(
        `${op}: expected input of shape [seq, batch, ${this.inputSize}] or [seq, ${this.inputSize}], got ${formatShape(input.shape)}`,
      );
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2))
      throw new TypeError(`${op}: hx must be a pair [h_0, c_0], got ${describe(hx)}`);
    const batched = input.ndim === 3;
    const xt = !batched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const [T, B] = xt.shape;
    const H = this.hiddenSize;
    const G = 4 * H;
    const D = this.bidirectional ? 2 : 1;
    const L = this.numLayers;
    const stateShape = batched ? [L * D, B, H] : [L * D, H];
    const states = (hx ?? [null, null]).map((s, i) => {
      if (s === null || s === undefined) return new Float32Array(L * D * B * H);
      const checked = checkState(op, i === 0 ? 'h_0' : 'c_0', s, stateShape, 'float32');
      return (checked.contiguous().data as Float32Array).slice();
    });
    const lengths = lengthsOf(op, options.lengths, B, T);
    // With lengths, the rows of each step still running (b) and of every valid step (t * B + b):
    // the products run over only those rows, the same for every layer and direction.
    const running = lengths ? Array.from({ length: T }, (_, t) => rowsWhere(B, (b) => t < lengths[b])) : null;
    const valid = lengths ? rowsWhere(T * B, (r) => Math.floor(r / B) < lengths[r % B]) : null;

    let layerIn = xt.contiguous().data as Float32Array; // [T, B, I or D*H]
    let inSize = this.inputSize;
    const hn = new Float32Array(L * D * B * H);
    const cn = new Float32Array(L * D * B * H);
    const gates = new Float32Array(B * G);
    const hh = new Float32Array(B * G);
    const act = new Float32Array(B * G);
    const tanhC = new Float32Array(B * H);
    const hNew = new Float32Array(B * H);
    const cNew = new Float32Array(B * H);
    for (let l = 0; l < L; l++) {
      // Without lengths every step writes every row of out and the input projection every row of
      // xproj (inSize > 0: a product over nothing is left to the zero-fill): no zero-fill needed.
      const full = !lengths && inSize > 0;
      const out = full ? uninitFloat32Array(T * B * D * H) : new Float32Array(T * B * D * H);
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const idx = l * D + d;
        // The input projection of every step at once (of the valid steps only, with lengths).
        const xproj = full ? uninitFloat32Array(T * B * G) : new Float32Array(T * B * G);
        project(op, layerIn, inSize, T * B, valid, this.weight(`weight_ih${sfx}`), this.biasOf(`bias_ih${sfx}`), xproj);
        const h = states[0].slice(idx * B * H, (idx + 1) * B * H);
        const c = states[1].slice(idx * B * H, (idx + 1) * B * H);
        const whh = this.weight(`weight_hh${sfx}`);
        const bhh = this.biasOf(`bias_hh${sfx}`);
        for (let s = 0; s < T; s++) {
          const t = d ? T - 1 - s : s;
          const rows = running ? running[t] : null;
          if (rows !== null && rows.length === 0) continue;
          project(op, h, H, B, rows, whh, bhh, hh);
          native.binary(BinaryOp.add, [B * G], gates, 0, [1], hh, 0, [1], xproj, t * B * G, [1]);
          native.rnnCell(RnnCellOp.lstmForward, B, H, gates, 0, c, 0, act, 0, cNew, 0, tanhC, 0, hNew, 0);
          if (!lengths) {
            // Every row: whole blocks (one direction's rows of a step are contiguous in out).
            h.set(hNew);
            c.set(cNew);
            if (D === 1) {
              out.set(hNew, t * B * H);
              continue;
            }
          }
          for (let b = 0; b < B; b++) {
            if (lengths && t >= lengths[b]) continue;
            if (lengths) {
              h.set(hNew.subarray(b * H, (b + 1) * H), b * H);
              c.set(cNew.subarray(b * H, (b + 1) * H), b * H);
            }
            out.set(hNew.subarray(b * H, (b + 1) * H), (t * B + b) * D * H + d * H);
          }
        }
        hn.set(h, idx * B * H);
        cn.set(c, idx * B * H);
      }
      layerIn = out;
      inSize = D * H;
    }
    let output = Tensor.fromData(layerIn, [T, B, D * H]);
    output = !batched ? output.squeeze(1) : this.batchFirst ? output.transpose(0, 1).contiguous() : output;
    const finals = [hn, cn].map((a) => Tensor.fromData(a, stateShape));
    return [output, [finals[0], finals[1]]];
  }

  /** nn.summary's count for nn.LSTM (torchinfo's rule): each weight's and bias's elements times output dims 0 and 1. */
  countMacs(_inputs: unknown[], output: unknown): number {
    const out = Array.isArray(output) ? output[0] : output;
    if (!(out instanceof Tensor) || out.ndim < 2) return 0;
    let macs = 0;
    for (const name of this.names()) macs += this.buffer(name).numel();
    return macs * out.shape[0] * out.shape[1];
  }

  /** nn.summary's packed size: the bytes of the weights' copies packed for the GEMM's kernel (0 before the first forward). */
  packedWeightBytes(): number {
    let bytes = 0;
    for (const c of this.columns.values()) bytes += c.packed?.byteLength ?? 0;
    return bytes;
  }

  override extraRepr(): string {
    return rnnExtraRepr(this);
  }
}

/** The indices r in [0, n) where keep(r). */
function rowsWhere(n: number, keep: (r: number) => boolean): Int32Array {
  const rows: number[] = [];
  for (let r = 0; r < n; r++) if (keep(r)) rows.push(r);
  return Int32Array.from(rows);
}

/**
 * out[r] = x[r] Wᵀ + b for rows r of x ([n, k]): all of them, or only `rows` (the others of out
 * left as they are), which then alone decide the activation scale, as PyTorch's packed sequences.
 */
function project(
  op: string,
  x: Float32Array,
  k: number,
  n: number,
  rows: Int32Array | null,
  w: WeightColumns,
  bias: Float32Array | null,
  out: Float32Array,
): void {
  if (n === 0) return;
  if (rows === null || rows.length === n) {
    dynamicQuantizedMatmul(op, x, 0, n, w, bias, out, 0);
    return;
  }
  if (rows.length === 0) return;
  const xs = new Float32Array(rows.length * k);
  for (let i = 0; i < rows.length; i++) xs.set(x.subarray(rows[i] * k, (rows[i] + 1) * k), i * k);
  const ys = new Float32Array(rows.length * w.n);
  dynamicQuantizedMatmul(op, xs, 0, rows.length, w, bias, ys, 0);
  for (let i = 0; i < rows.length; i++) out.set(ys.subarray(i * w.n, (i + 1) * w.n), rows[i] * w.n);
}
