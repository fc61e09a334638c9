// MultiheadAttention, TransformerEncoderLayer and TransformerEncoder with PyTorch's parameter
// names (in_proj_weight, in_proj_bias, out_proj.weight, ...; q/k/v_proj_weight when kdim or vdim
// differ from embedDim), so a torch state dict loads by key.
import { empty, zeros } from '../../creation.js';
import { checkInt, checkOptions, describe, optionKeys } from '../../errors.js';
import { gelu, relu } from '../../ops/activation.js';
import { add } from '../../ops/binary.js';
import { attentionWithWeights, additiveMask, causalMask } from '../../ops/attention.js';
import { linear } from '../../ops/linear.js';
import { mean } from '../../ops/reduce.js';
import { narrow, permute, reshape, transpose, unsqueeze, squeeze } from '../../ops/view.js';
import { formatShape } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { constant_, xavierUniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { ModuleList } from './container.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';

/** The options of nn.MultiheadAttention (PyTorch's keyword arguments, in camelCase). */
export interface MultiheadAttentionOptions {
  /** The dropout probability on the attention weights (default 0). */
  dropout?: number;
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Inputs and outputs are [batch, seq, feature] (default false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** The size of the keys. */
  kdim?: number;
  /** The size of the values. */
  vdim?: number;
}

/** The options of nn.MultiheadAttention's forward (PyTorch's keyword arguments, in camelCase). */
export interface MhaForwardOptions {
  /** `[N, S]`: bool True = ignore that key (torch's convention), or float added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Default true: also return the attention weights. */
  needWeights?: boolean;
  /** [L, S] or [N*numHeads, L, S]: bool True = not allowed to attend (torch's MHA convention), or float added. */
  attnMask?: Tensor | null;
  /** Default true: weights averaged over heads ([N, L, S]); false: [N, numHeads, L, S]. */
  averageAttnWeights?: boolean;
  /** A causal mask (used when no attnMask is given). */
  isCausal?: boolean;
}

const MHA_OPTIONS = optionKeys<MultiheadAttentionOptions>({
  dropout: 'number',
  bias: 'boolean',
  batchFirst: 'boolean',
  kdim: 'integer',
  vdim: 'integer',
});
const MHA_FORWARD_OPTIONS = optionKeys<MhaForwardOptions>({
  keyPaddingMask: 'tensor',
  needWeights: 'boolean',
  attnMask: 'tensor',
  averageAttnWeights: 'boolean',
  isCausal: 'boolean',
});

export function positiveInt(op: string, name: string, v: number): number {
  return checkInt(op, name, v, 1);
}

export class MultiheadAttention extends Module {
  /** The model's dimension: the size of each query, key and value. */
  readonly embedDim: number;
  /** The size of the keys. */
  readonly kdim: number;
  /** The size of the values. */
  readonly vdim: number;
  /** Attention heads; embedDim divides by it. */
  readonly numHeads: number;
  /** The size of each head: embedDim / numHeads. */
  readonly headDim: number;
  /** The dropout probability on the attention weights. */
  readonly dropout: number;
  /** Whether inputs and outputs are [batch, seq, feature] rather than [seq, batch, feature]. */
  readonly batchFirst: boolean;
  /** Whether kdim and vdim equal embedDim (then one packed in_proj_weight). */
  readonly sameEmbedDim: boolean;
  /** The packed query, key and value projection [3 embedDim, embedDim] (PyTorch's `in_proj_weight`), or null. */
  in_proj_weight: Parameter | null = null;
  /** The query projection when kdim or vdim differ (PyTorch's `q_proj_weight`), or null. */
  q_proj_weight: Parameter | null = null;
  /** The key projection when kdim or vdim differ (PyTorch's `k_proj_weight`), or null. */
  k_proj_weight: Parameter | null = null;
  /** The value projection when kdim or vdim differ (PyTorch's `v_proj_weight`), or null. */
  v_proj_weight: Parameter | null = null;
  /** The packed query, key and value bias [3 embedDim] (PyTorch's `in_proj_bias`), or null. */
  in_proj_bias: Parameter | null = null;
  /** The output projection (PyTorch's `out_proj`). */
  out_proj: Linear;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkOptions('nn.MultiheadAttention', options, MHA_OPTIONS);
    this.embedDim = positiveInt('MultiheadAttention', 'embedDim', embedDim);
    this.numHeads = positiveInt('MultiheadAttention', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0)
      throw new RangeError(`MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.kdim = positiveInt('MultiheadAttention', 'kdim', options.kdim ?? embedDim);
    this.vdim = positiveInt('MultiheadAttention', 'vdim', options.vdim ?? embedDim);
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1))
      throw new RangeError(`MultiheadAttention: dropout must be in [0, 1], got ${describe(this.dropout)}`);
    this.batchFirst = options.batchFirst ?? false;
    this.sameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    if (this.sameEmbedDim) {
      this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim]));
    } else {
      this.q_proj_weight = new Parameter(empty([embedDim, embedDim]));
      this.k_proj_weight = new Parameter(empty([embedDim, this.kdim]));
      this.v_proj_weight = new Parameter(empty([embedDim, this.vdim]));
    }
    const bias = options.bias ?? true;
    if (bias) this.in_proj_bias = new Parameter(zeros([3 * embedDim]));
    this.out_proj = new Linear(embedDim, embedDim, { bias });
    this.resetParameters();
  }

  /** torch's _reset_parameters: xavier_uniform_ projections, zero biases. */
  resetParameters(): void {
    if (this.in_proj_weight) xavierUniform_(this.in_proj_weight);
    else for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) xavierUniform_(w!);
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      constant_(this.out_proj.bias!, 0);
    }
  }

  private project(x: Tensor, which: number): Tensor {
    const E = this.embedDim;
    const w = this.in_proj_weight
      ? narrow(this.in_proj_weight, 0, which * E, E)
      : [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight][which]!;
    const b = this.in_proj_bias ? narrow(this.in_proj_bias, 0, which * E, E) : null;
    return linear(x, w, b);
  }

  /**
   * query [L, N, E] (batchFirst: [N, L, E]; unbatched: [L, E]), key [S, N, kdim], value [S, N, vdim].
   * Returns [output like query, weights or null].
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MhaForwardOptions = {}): [Tensor, Tensor | null] {
    const op = 'MultiheadAttention';
    checkOptions('nn.MultiheadAttention.forward', options, MHA_FORWARD_OPTIONS);
    for (const [name, t] of [
      ['query', query],
      ['key', key],
      ['value', value],
    ] as const) {
      if (!(t instanceof Tensor))
        throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
    }
    const batched = query.ndim === 3;
    if (!batched && query.ndim !== 2)
      throw new RangeError(`${op}: query must be 2-D (unbatched) or 3-D, got ${formatShape(query.shape)}`);
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new RangeError(
        `${op}: query ${formatShape(query.shape)}, key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must have the same number of dims`,
      );
    }
    // Internally batch-first [N, L, E].
    const toBF = (t: Tensor) => (!batched ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1));
    const q0 = toBF(query);
    const k0 = toBF(key);
    const v0 = toBF(value);
    const [N, L, Eq] = q0.shape;
    const S = k0.shape[1];
    if (Eq !== this.embedDim)
      throw new RangeError(`${op}: expected query's last dim ${this.embedDim}, got ${formatShape(query.shape)}`);
    if (k0.shape[2] !== this.kdim)
      throw new RangeError(`${op}: expected key's last dim ${this.kdim}, got ${formatShape(key.shape)}`);
    if (v0.shape[2] !== this.vdim)
      throw new RangeError(`${op}: expected value's last dim ${this.vdim}, got ${formatShape(value.shape)}`);
    if (k0.shape[0] !== N || v0.shape[0] !== N || v0.shape[1] !== S) {
      throw new RangeError(
        `${op}: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} do not match query ${formatShape(query.shape)} in batch or length`,
      );
    }
    const H = this.numHeads;
    const hd = this.headDim;
    const heads = (t: Tensor, len: number) => permute(reshape(t, [N, len, H, hd]), [0, 2, 1, 3]); // [N, H, len, hd]
    const q = heads(this.project(q0, 0), L);
    const k = heads(this.project(k0, 1), S);
    const v = heads(this.project(v0, 2), S);
    const scoresShape = [N, H, L, S];
    let mask: Tensor | null = null;
    let attnMask = options.attnMask ?? null;
    if (!attnMask && options.isCausal) attnMask = causalMask(L, S).logicalNot();
    if (attnMask) {
      const ok2 = attnMask.ndim === 2 && attnMask.shape[0] === L && attnMask.shape[1] === S;
      const ok3 =
        attnMask.ndim === 3 && attnMask.shape[0] === N * H && attnMask.shape[1] === L && attnMask.shape[2] === S;
      if (!(attnMask instanceof Tensor) || !(ok2 || ok3)) {
        throw new RangeError(
          `${op}: attnMask must have shape [${L}, ${S}] or [${N * H}, ${L}, ${S}], got ${attnMask instanceof Tensor ? formatShape(attnMask.shape) : typeof attnMask}`,
        );
      }
      const m = ok3 ? reshape(attnMask, [N, H, L, S]) : attnMask;
      mask = additiveMask(op, 'attnMask', m, scoresShape, 'mask', q.dtype);
    }
    const kpm = options.keyPaddingMask ?? null;
    if (kpm) {
      const want = batched ? [N, S] : [S];
      if (!(kpm instanceof Tensor) || kpm.ndim !== want.length || kpm.shape.some((s, i) => s !== want[i])) {
        throw new RangeError(
          `${op}: keyPaddingMask must have shape ${formatShape(want)}, got ${kpm instanceof Tensor ? formatShape(kpm.shape) : typeof kpm}`,
        );
      }
      const m = additiveMask(op, 'keyPaddingMask', reshape(kpm, [N, 1, 1, S]), scoresShape, 'mask', q.dtype);
      mask = mask ? add(mask, m) : m;
    }
    const p = this.training ? this.dropout : 0;
    const [ctxOut, weights] = attentionWithWeights(q, k, v, { attnMask: mask, dropoutP: p });
    const merged = reshape(permute(ctxOut, [0, 2, 1, 3]), [N, L, this.embedDim]);
    let out = this.out_proj.forward(merged);
    out = !batched ? squeeze(out, 0) : this.batchFirst ? out : transpose(out, 0, 1);
    if (options.needWeights === false) return [out, null];
    let w = options.averageAttnWeights === false ? weights : mean(weights, 1);
    if (!batched) w = squeeze(w, 0);
    return [out, w];
  }
}

/** The feed-forward network's activation: 'relu', 'gelu', or a function. */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

/** The feed-forward activation of a Transformer layer: 'relu', 'gelu' or a function. */
export function activationFn(op: string, act: TransformerActivation): (x: Tensor) => Tensor {
  if (act === 'relu') return (x) => relu(x);
  if (act === 'gelu') return (x) => gelu(x);
  if (typeof act === 'function') return act;
  throw new RangeError(`${op}: activation should be relu/gelu or a function, not ${String(act)}`);
}

/** The options of nn.TransformerEncoderLayer (PyTorch's keyword arguments, in camelCase). */
export interface TransformerEncoderLayerOptions {
  /** The hidden size of the feed-forward network. */
  dimFeedforward?: number;
  /** The dropout probability (default 0.1). */
  dropout?: number;
  /** The feed-forward network's activation. */
  activation?: TransformerActivation;
  /** The layer norms' eps. */
  layerNormEps?: number;
  /** Whether inputs and outputs are [batch, seq, feature] rather than [seq, batch, feature]. */
  batchFirst?: boolean;
  /** Pre-norm: x + sa(norm1(x)), x + ff(norm2(x)) (default false: post-norm). */
  normFirst?: boolean;
  /** Add a learnable bias (default true). */
  bias?: boolean;
}

/** The masks of an encoder layer's forward (PyTorch's keyword arguments, in camelCase). */
export interface EncoderForwardOptions {
  /** `[S, S]`: the encoder's self-attention mask. */
  srcMask?: Tensor | null;
  /** `[N, S]` bool: true at a padding position of the source. */
  srcKeyPaddingMask?: Tensor | null;
  /** Apply a causal mask (used when no mask is given). */
  isCausal?: boolean;
}

const ENCODER_LAYER_OPTIONS = optionKeys<TransformerEncoderLayerOptions>({
  dimFeedforward: 'integer',
  dropout: 'number',
  activation: true,
  layerNormEps: 'number',
  batchFirst: 'boolean',
  normFirst: 'boolean',
  bias: 'boolean',
});
const ENCODER_FORWARD_OPTIONS = optionKeys<EncoderForwardOptions>({
  srcMask: 'tensor',
  srcKeyPaddingMask: 'tensor',
  isCausal: 'boolean',
});

/** torch.nn.TransformerEncoderLayer: self-attention and a feed-forward block, each with a residual. */
export class TransformerEncoderLayer extends Module {
  /** The self-attention block (PyTorch's `self_attn`). */
  self_attn: MultiheadAttention;
  /** The feed-forward network's first linear layer. */
  linear1: Linear;
  /** The dropout inside the feed-forward network. */
  dropout: Dropout;
  /** The feed-forward network's second linear layer. */
  linear2: Linear;
  /** The layer norm of the first block. */
  norm1: LayerNorm;
  /** The layer norm of the second block. */
  norm2: LayerNorm;
  /** The dropout of the first block. */
  dropout1: Dropout;
  /** The dropout of the second block. */
  dropout2: Dropout;
  /** Whether the layer norms come before the attention and feed-forward blocks. */
  readonly normFirst: boolean;
  /** The feed-forward network's activation. */
  readonly activation: (x: Tensor) => Tensor;

  constructor(
    /** The model's dimension. */
    readonly dModel: number,
    /** Attention heads. */
    readonly nhead: number,
    /** The options given. */
    readonly options: TransformerEncoderLayerOptions = {},
  ) {
    super();
    checkOptions('nn.TransformerEncoderLayer', options, ENCODER_LAYER_OPTIONS);
    const ff = options.dimFeedforward ?? 2048;
    const p = options.dropout ?? 0.1;
    const bias = options.bias ?? true;
    const eps = options.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, {
      dropout: p,
      batchFirst: options.batchFirst ?? false,
      bias,
    });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = options.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = activationFn('TransformerEncoderLayer', options.activation ?? 'relu');
  }

  /** A new layer with the same options and a copy of this one's parameters. */
  cloneLayer(): TransformerEncoderLayer {
    const c = new TransformerEncoderLayer(this.dModel, this.nhead, this.options);
    c.loadStateDict(this.stateDict());
    c.train(this.training);
    return c;
  }

  private sa(x: Tensor, o: EncoderForwardOptions): Tensor {
    const [y] = this.self_attn.call(x, x, x, {
      attnMask: o.srcMask,
      keyPaddingMask: o.srcKeyPaddingMask,
      needWeights: false,
      isCausal: o.isCausal,
    });
    return this.dropout1.call(y);
  }

  private ff(x: Tensor): Tensor {
    return this.dropout2.call(this.linear2.call(this.dropout.call(this.activation(this.linear1.call(x)))));
  }

  forward(src: Tensor, options: EncoderForwardOptions = {}): Tensor {
    checkOptions('nn.TransformerEncoderLayer.forward', options, ENCODER_FORWARD_OPTIONS);
    let x = src;
    if (this.normFirst) {
      x = add(x, this.sa(this.norm1.call(x), options));
      x = add(x, this.ff(this.norm2.call(x)));
    } else {
      x = this.norm1.call(add(x, this.sa(x, options)));
      x = this.norm2.call(add(x, this.ff(x)));
    }
    return x;
  }
}

/** torch.nn.TransformerEncoder: numLayers copies of encoderLayer, then an optional norm. */
export class TransformerEncoder extends Module {
  /** The stacked layers. */
  layers: ModuleList;
  /** The final layer norm, or null. */
  norm: Module | null;
  /** Stacked recurrent layers. */
  readonly numLayers: number;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, options: { norm?: Module | null } = {}) {
    super();
    checkOptions('nn.TransformerEncoder', options, { norm: 'object' });
    if (!(encoderLayer instanceof TransformerEncoderLayer))
      throw new TypeError('TransformerEncoder: encoderLayer must be a TransformerEncoderLayer');
    this.numLayers = positiveInt('TransformerEncoder', 'numLayers', numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.cloneLayer()));
    this.norm = options.norm ?? null;
  }

  forward(src: Tensor, options: EncoderForwardOptions & { mask?: Tensor | null } = {}): Tensor {
    checkOptions('nn.TransformerEncoder.forward', options, { ...ENCODER_FORWARD_OPTIONS, mask: 'tensor' });
    let x = src;
    const o = {
      srcMask: options.mask ?? options.srcMask,
      srcKeyPaddingMask: options.srcKeyPaddingMask,
      isCausal: options.isCausal,
    };
    for (const layer of this.layers.children()) x = layer.call(x, o) as Tensor;
    return this.norm ? (this.norm.call(x) as Tensor) : x;
  }
}
