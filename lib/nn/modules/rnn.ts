// Recurrent layers: RNN (tanh/relu), LSTM, GRU and their single-step cells, with PyTorch's
// parameter names, layouts (gate order LSTM i,f,g,o; GRU r,z,n) and init U(-1/sqrt(H), 1/sqrt(H)),
// so a torch state dict loads by key. Per layer and direction the input projection of every time
// step is one GEMM (linear over [T*B, I]); the recurrence is ops/rnn_layer.ts.
import { empty, zeros } from '../../creation.js';
import { checkInt, checkOptions, describe, optionKeys } from '../../errors.js';
import { dropout as dropoutOp } from '../../ops/dropout.js';
import { cat, stack } from '../../ops/join.js';
import { linear } from '../../ops/linear.js';
import { type CellMode, gateCount, recurrentLayer } from '../../ops/rnn_layer.js';
import { reshape, select, squeeze, transpose, unsqueeze } from '../../ops/view.js';
import { formatShape } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import type { DType } from '../../dtype.js';
import { uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyFloat } from '../repr.js';
import { withoutAutocast } from '../../lowp/autocast_state.js';

/** The options of nn.RNN, nn.LSTM and nn.GRU (PyTorch's keyword arguments, in camelCase). */
export interface RNNOptions {
  /** Stacked recurrent layers. */
  numLayers?: number;
  /** 'tanh' (default) or 'relu'; RNN only. */
  nonlinearity?: 'tanh' | 'relu';
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] (default false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last (training mode only). */
  dropout?: number;
  /** Whether each layer runs in both directions. */
  bidirectional?: boolean;
  /**
   * LSTM only: project each h_t to projSize elements (h_t = (o_t * tanh(c_t)) W_hrᵀ, weights
   * weight_hr_l{k} [projSize, hiddenSize]); h_0, h_n and the output then have projSize features.
   * 0 (the default): no projection.
   */
  projSize?: number;
}

/** The options of a recurrent module's forward. */
export interface RNNForwardOptions {
  /** Valid length of each sequence (1..T); later steps are padding and do not touch the final states. */
  lengths?: readonly number[] | Int32Array | Tensor;
}

/** LSTM and GRU take no nonlinearity (as torch's). */
export type LSTMOptions = Omit<RNNOptions, 'nonlinearity'>;

const LSTM_OPTIONS = optionKeys<LSTMOptions>({
  numLayers: 'integer',
  bias: 'boolean',
  batchFirst: 'boolean',
  dropout: 'number',
  bidirectional: 'boolean',
  projSize: 'integer',
});
const RNN_OPTIONS = optionKeys<RNNOptions>({ ...LSTM_OPTIONS, nonlinearity: 'string' });

function positiveInt(op: string, name: string, v: number): number {
  return checkInt(op, name, v, 1);
}

/** An initial state checked: a Tensor of `dtype` and shape `want`, else an error naming op and the state. */
export function checkState(op: string, name: string, t: unknown, want: readonly number[], dtype: DType): Tensor {
  if (!(t instanceof Tensor))
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.dtype !== dtype) throw new TypeError(`${op}: ${name} must be ${dtype} (the input's dtype), got ${t.dtype}`);
  if (t.ndim !== want.length || t.shape.some((s, i) => s !== want[i])) {
    throw new RangeError(`${op}: expected ${name} of shape ${formatShape(want)}, got ${formatShape(t.shape)}`);
  }
  return t;
}

/** Checked per-sequence lengths (integers in 1..T, one per sequence), or null if none were given. */
export function lengthsOf(op: string, lengths: RNNForwardOptions['lengths'], B: number, T: number): Int32Array | null {
  if (lengths === undefined || lengths === null) return null;
  const values =
    lengths instanceof Tensor ? Array.from(lengths.toTypedArray() as ArrayLike<number>) : Array.from(lengths);
  if (values.length !== B) throw new RangeError(`${op}: lengths has ${values.length} entries for a batch of ${B}`);
  for (const v of values) {
    if (!Number.isInteger(v) || v < 1 || v > T)
      throw new RangeError(`${op}: every length must be an integer in [1, ${T}], got ${describe(v)}`);
  }
  return Int32Array.from(values);
}

abstract class RNNBase extends Module {
  /** The recurrent cell kind: 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'. */
  readonly mode: CellMode;
  /** The size of each input element. */
  readonly inputSize: number;
  /** The size of the hidden state. */
  readonly hiddenSize: number;
  /** Stacked recurrent layers. */
  readonly numLayers: number;
  /** Add a learnable bias (default true). */
  readonly bias: boolean;
  /** Whether inputs and outputs are [batch, seq, feature] rather than [seq, batch, feature]. */
  readonly batchFirst: boolean;
  /** The dropout probability between layers (or on the attention weights). */
  readonly dropout: number;
  /** Whether each layer runs in both directions. */
  readonly bidirectional: boolean;
  /** LSTM: the projected hidden state's size (0: no projection). */
  readonly projSize: number;

  constructor(mode: CellMode, inputSize: number, hiddenSize: number, options: RNNOptions) {
    super();
    const name = this.constructor.name;
    this.mode = mode;
    this.inputSize = positiveInt(name, 'inputSize', inputSize);
    this.hiddenSize = positiveInt(name, 'hiddenSize', hiddenSize);
    this.numLayers = positiveInt(name, 'numLayers', options.numLayers ?? 1);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1)) {
      throw new RangeError(`${name}: dropout should be a number in [0, 1], got ${describe(this.dropout)}`);
    }
    this.bidirectional = options.bidirectional ?? false;
    this.projSize = options.projSize ?? 0;
    if (!Number.isInteger(this.projSize) || this.projSize < 0)
      throw new RangeError(`${name}: projSize should be a non-negative integer, got ${this.projSize}`);
    if (this.projSize > 0 && mode !== 'lstm')
      throw new RangeError(`${name}: projSize argument is only supported for LSTM, not RNN or GRU`);
    if (this.projSize >= hiddenSize && this.projSize > 0)
      throw new RangeError(`${name}: projSize (${this.projSize}) has to be smaller than hiddenSize (${hiddenSize})`);
    const G = gateCount(mode) * hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    const P = this.projSize || hiddenSize; // the size of h (the output and the recurrent state)
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const inSize = l === 0 ? inputSize : P * D;
        this.registerParameter(`weight_ih${sfx}`, new Parameter(empty([G, inSize])));
        this.registerParameter(`weight_hh${sfx}`, new Parameter(empty([G, P])));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, new Parameter(empty([G])));
          this.registerParameter(`bias_hh${sfx}`, new Parameter(empty([G])));
        }
        if (this.projSize > 0)
          this.registerParameter(`weight_hr${sfx}`, new Parameter(empty([this.projSize, hiddenSize])));
      }
    }
    this.resetParameters();
  }

  /** Re-initialises the parameters as PyTorch's constructor does. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  private param(name: string): Parameter | null {
    return (this as unknown as Record<string, Parameter | undefined>)[name] ?? null;
  }

  /** Runs all layers; hx: the initial states ([L*D, B, H] each) or null for zeros. */
  protected run(input: Tensor, hx: Tensor[] | null, options: RNNForwardOptions): [Tensor, Tensor[]] {
    const op = this.constructor.name;
    checkOptions(`nn.${op}.forward`, options, { lengths: true });
    if (!(input instanceof Tensor))
      throw new TypeError(`${op}: input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
    // bfloat16: each op of the cell computes in float32 and rounds, as PyTorch's bf16 RNNs on CPU.
    if (input.dtype !== 'float32' && input.dtype !== 'float64' && input.dtype !== 'bfloat16')
      throw new TypeError(`${op}: input must be float32, float64 or bfloat16, got ${input.dtype}`);
    if (input.ndim !== 2 && input.ndim !== 3)
      throw new RangeError(`${op}: input must be 2-D (unbatched) or 3-D, got ${formatShape(input.shape)}`);
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RangeError(
        `${op}: input.size(-1) must be equal to inputSize. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]}`,
      );
    }
    const batched = input.ndim === 3;
    const x = !batched ? unsqueeze(input, 1) : this.batchFirst ? transpose(input, 0, 1) : input; // [T, B, I]
    const [T, B] = x.shape;
    const H = this.hiddenSize;
    const P = this.projSize || H;
    const D = this.bidirectional ? 2 : 1;
    const L = this.numLayers;
    const nStates = this.mode === 'lstm' ? 2 : 1;
    const stateNames = this.mode === 'lstm' ? ['h_0', 'c_0'] : ['h_0'];
    let states: Tensor[] | null = null;
    if (hx) {
      if (hx.length !== nStates)
        throw new RangeError(`${op}: expected ${nStates} initial state tensor(s), got ${hx.length}`);
      states = hx.map((h, i) => {
        const size = i === 0 ? P : H;
        const s = checkState(op, stateNames[i], h, batched ? [L * D, B, size] : [L * D, size], input.dtype);
        return batched ? s : unsqueeze(s, 1);
      });
    }
    const lengths = lengthsOf(op, options.lengths, B, T);
    let layerInput = x;
    const hn: Tensor[][] = Array.from({ length: nStates }, () => []);
    for (let l = 0; l < L; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const idx = l * D + d;
        const xproj = inputProjection(
          this.mode,
          layerInput,
          this.param(`weight_ih${sfx}`)!,
          this.param(`bias_ih${sfx}`),
        ); // one GEMM over [T*B, I]
        const h0 = states ? select(states[0], 0, idx) : zeros([B, P], { dtype: input.dtype });
        const c0 = nStates === 2 ? (states ? select(states[1], 0, idx) : zeros([B, H], { dtype: input.dtype })) : null;
        const r = recurrentLayer(
          xproj,
          h0,
          c0,
          this.param(`weight_hh${sfx}`)!,
          this.param(`bias_hh${sfx}`),
          { mode: this.mode, reverse: d === 1, lengths },
          this.param(`weight_hr${sfx}`),
        );
        outs.push(r.output);
        hn[0].push(r.h);
        if (nStates === 2) hn[1].push(r.c!);
      }
      layerInput = D === 2 ? cat(outs, 2) : outs[0];
      if (this.dropout > 0 && this.training && l < L - 1) layerInput = dropoutOp(layerInput, this.dropout);
    }
    let output = layerInput;
    output = !batched ? squeeze(output, 1) : this.batchFirst ? transpose(output, 0, 1) : output;
    const finals = hn.map((list) => {
      const st = stack(list, 0);
      return batched ? st : squeeze(st, 1);
    });
    return [output, finals];
  }

  override extraRepr(): string {
    return rnnExtraRepr(this);
  }
}

/** What a recurrent layer's repr shows of its configuration. */
export interface RNNConfig {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
  projSize?: number;
}

/** torch's RNNBase.extra_repr: the sizes, then each option that differs from its default. */
export function rnnExtraRepr(m: RNNConfig): string {
  let s = `${m.inputSize}, ${m.hiddenSize}`;
  if (m.projSize) s += `, proj_size=${m.projSize}`;
  if (m.numLayers !== 1) s += `, num_layers=${m.numLayers}`;
  if (!m.bias) s += ', bias=False';
  if (m.batchFirst) s += ', batch_first=True';
  if (m.dropout) s += `, dropout=${pyFloat(m.dropout)}`;
  if (m.bidirectional) s += ', bidirectional=True';
  return s;
}

/**
 * x W_ihᵀ + b_ih. Under autocast PyTorch 1.13's CPU LSTM and GRU (layers and cells) stay float32
 * (their kernels call no listed op) while its Elman RNN's products run in bf16 (its cell calls
 * linear): the same here (recurrentLayer does the recurrent products).
 */
function inputProjection(mode: CellMode, x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  return mode === 'lstm' || mode === 'gru' ? withoutAutocast(() => linear(x, w, b)) : linear(x, w, b);
}
/** Elman RNN: h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh). forward returns [output, h_n]. */
export class RNN extends RNNBase {
  /** 'tanh' or 'relu'. */
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nl = checkOptions('nn.RNN', options, RNN_OPTIONS).nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new RangeError(`RNN: unknown nonlinearity '${String(nl)}' (expected 'tanh' or 'relu')`);
    super(nl, inputSize, hiddenSize, options);
    this.nonlinearity = nl;
  }
  forward(input: Tensor, hx?: Tensor | null, options: RNNForwardOptions = {}): [Tensor, Tensor] {
    const [out, [h]] = this.run(input, hx ? [hx] : null, options);
    return [out, h];
  }
}

/** LSTM; forward(input, [h_0, c_0]?) returns [output, [h_n, c_n]]. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super('lstm', inputSize, hiddenSize, checkOptions('nn.LSTM', options, LSTM_OPTIONS));
  }
  forward(input: Tensor, hx?: [Tensor, Tensor] | null, options: RNNForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new TypeError('LSTM: hx must be a pair [h_0, c_0]');
    }
    const [out, [h, c]] = this.run(input, hx ?? null, options);
    return [out, [h, c]];
  }
}

/** GRU; forward returns [output, h_n]. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super('gru', inputSize, hiddenSize, checkOptions('nn.GRU', options, LSTM_OPTIONS));
  }
  forward(input: Tensor, hx?: Tensor | null, options: RNNForwardOptions = {}): [Tensor, Tensor] {
    const [out, [h]] = this.run(input, hx ? [hx] : null, options);
    return [out, h];
  }
}

// ---- cells -----------------------------------------------------------------------------

abstract class CellBase extends Module {
  /** The size of each input element. */
  readonly inputSize: number;
  /** The size of the hidden state. */
  readonly hiddenSize: number;
  /** Add a learnable bias (default true). */
  readonly bias: boolean;
  /** The input-to-hidden weights (PyTorch's `weight_ih`). */
  weight_ih: Parameter;
  /** The hidden-to-hidden weights (PyTorch's `weight_hh`). */
  weight_hh: Parameter;
  /** The input-to-hidden bias (PyTorch's `bias_ih`), or null. */
  bias_ih: Parameter | null;
  /** The hidden-to-hidden bias (PyTorch's `bias_hh`), or null. */
  bias_hh: Parameter | null;

  constructor(
    /** The recurrent cell kind: 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'. */
    readonly mode: CellMode,
    inputSize: number,
    hiddenSize: number,
    options: { bias?: boolean },
  ) {
    super();
    const name = this.constructor.name;
    this.inputSize = positiveInt(name, 'inputSize', inputSize);
    this.hiddenSize = positiveInt(name, 'hiddenSize', hiddenSize);
    this.bias = options.bias ?? true;
    const G = gateCount(mode) * hiddenSize;
    this.weight_ih = new Parameter(empty([G, inputSize]));
    this.weight_hh = new Parameter(empty([G, hiddenSize]));
    this.bias_ih = this.bias ? new Parameter(empty([G])) : null;
    this.bias_hh = this.bias ? new Parameter(empty([G])) : null;
    this.resetParameters();
  }

  /** Re-initialises the parameters as PyTorch's constructor does. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** One step; input [B, I] or [I]; states [B, H] or [H]. Returns the new states. */
  protected step(input: Tensor, states: (Tensor | null | undefined)[]): Tensor[] {
    const op = this.constructor.name;
    if (!(input instanceof Tensor))
      throw new TypeError(`${op}: input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
    // bfloat16: each op of the cell computes in float32 and rounds, as PyTorch's bf16 RNNs on CPU.
    if (input.dtype !== 'float32' && input.dtype !== 'float64' && input.dtype !== 'bfloat16')
      throw new TypeError(`${op}: input must be float32, float64 or bfloat16, got ${input.dtype}`);
    if ((input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RangeError(
        `${op}: expected input of shape [batch, ${this.inputSize}] or [${this.inputSize}], got ${formatShape(input.shape)}`,
      );
    }
    const batched = input.ndim === 2;
    const x = batched ? input : unsqueeze(input, 0);
    const B = x.shape[0];
    const H = this.hiddenSize;
    const names = this.mode === 'lstm' ? ['h_0', 'c_0'] : ['h_0'];
    const st = names.map((n, i) => {
      const s = states[i];
      if (s === undefined || s === null) return zeros([B, H], { dtype: input.dtype });
      const t = checkState(op, n, s, batched ? [B, H] : [H], input.dtype);
      return batched ? t : unsqueeze(t, 0);
    });
    const xproj = reshape(inputProjection(this.mode, x, this.weight_ih, this.bias_ih), [
      1,
      B,
      gateCount(this.mode) * H,
    ]);
    const r = recurrentLayer(xproj, st[0], st[1] ?? null, this.weight_hh, this.bias_hh, {
      mode: this.mode,
      reverse: false,
      lengths: null,
    });
    return [r.h, r.c].slice(0, names.length).map((s) => (batched ? s! : squeeze(s!, 0)));
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=False'}`;
  }
}

/** One step of an Elman RNN, as `torch.nn.RNNCell`: forward(input, h?) returns h'. */
export class RNNCell extends CellBase {
  /** 'tanh' or 'relu'. */
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = checkOptions('nn.RNNCell', options, { bias: 'boolean', nonlinearity: 'string' }).nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new RangeError(`RNNCell: unknown nonlinearity '${String(nl)}' (expected 'tanh' or 'relu')`);
    super(nl, inputSize, hiddenSize, options);
    this.nonlinearity = nl;
  }
  forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.step(input, [hx])[0];
  }
}

/** forward(input, [h, c]?) returns [h', c']. */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super('lstm', inputSize, hiddenSize, checkOptions('nn.LSTMCell', options, { bias: 'boolean' }));
  }
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [h, c] = this.step(input, hx ?? []);
    return [h, c];
  }
}

/** One step of a GRU, as `torch.nn.GRUCell`: forward(input, h?) returns h'. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super('gru', inputSize, hiddenSize, checkOptions('nn.GRUCell', options, { bias: 'boolean' }));
  }
  forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.step(input, [hx])[0];
  }
}
