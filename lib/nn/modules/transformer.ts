// TransformerDecoderLayer, TransformerDecoder and Transformer as torch.nn's (1.13), with PyTorch's
// parameter names (self_attn, multihead_attn, linear1/2, norm1-3; encoder.layers.N..., decoder.norm)
// so a torch state dict loads by key. The encoder half is attention.ts's TransformerEncoder.
import { full } from '../../creation.js';
import { checkOptions } from '../../errors.js';
import { add } from '../../ops/binary.js';
import { triu } from '../../ops/diag.js';
import { formatShape } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { xavierUniform_ } from '../init.js';
import { Module } from '../module.js';
import {
  activationFn,
  MultiheadAttention,
  positiveInt,
  type TransformerActivation,
  TransformerEncoder,
  TransformerEncoderLayer,
} from './attention.js';
import { ModuleList } from './container.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';

/** The options of nn.TransformerDecoderLayer (PyTorch's keyword arguments, in camelCase). */
export interface TransformerDecoderLayerOptions {
  /** The hidden size of the feed-forward network. */
  dimFeedforward?: number;
  /** The dropout probability (default 0.1). */
  dropout?: number;
  /** The feed-forward network's activation. */
  activation?: TransformerActivation;
  /** The layer norms' eps. */
  layerNormEps?: number;
  /** Inputs and outputs are [batch, seq, feature] (default false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** Pre-norm: x + block(norm(x)) for each of the three blocks (default false: post-norm). */
  normFirst?: boolean;
  /** Add a learnable bias (default true). */
  bias?: boolean;
}

const LAYER_OPTIONS = ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'];

/** The masks of a decoder layer's forward (PyTorch's keyword arguments, in camelCase). */
export interface DecoderForwardOptions {
  /** `[T, T]`: bool True = may not attend, or float added (e.g. Transformer.generateSquareSubsequentMask). */
  tgtMask?: Tensor | null;
  /** `[T, S]`: the same for the attention over the memory. */
  memoryMask?: Tensor | null;
  /** [N, T] bool: True = a padding position of the target. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [N, S] bool: True = a padding position of the memory. */
  memoryKeyPaddingMask?: Tensor | null;
  /** A causal self-attention mask (used when no tgtMask is given). */
  tgtIsCausal?: boolean;
  /** A causal mask over the memory (used when no memoryMask is given). */
  memoryIsCausal?: boolean;
}

const DECODER_FORWARD_OPTIONS = [
  'tgtMask',
  'memoryMask',
  'tgtKeyPaddingMask',
  'memoryKeyPaddingMask',
  'tgtIsCausal',
  'memoryIsCausal',
];

/**
 * torch.nn.TransformerDecoderLayer: self-attention over the target, attention over the memory
 * (the encoder's output), and a feed-forward block, each with a residual connection and a norm.
 */
export class TransformerDecoderLayer extends Module {
  /** The self-attention block (PyTorch's `self_attn`). */
  self_attn: MultiheadAttention;
  /** The attention over the encoder's memory (PyTorch's `multihead_attn`). */
  multihead_attn: MultiheadAttention;
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
  /** The layer norm of the third block. */
  norm3: LayerNorm;
  /** The dropout of the first block. */
  dropout1: Dropout;
  /** The dropout of the second block. */
  dropout2: Dropout;
  /** The dropout of the third block. */
  dropout3: Dropout;
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
    readonly options: TransformerDecoderLayerOptions = {},
  ) {
    super();
    checkOptions('TransformerDecoderLayer', options, LAYER_OPTIONS);
    const ff = positiveInt('TransformerDecoderLayer', 'dimFeedforward', options.dimFeedforward ?? 2048);
    const p = options.dropout ?? 0.1;
    const bias = options.bias ?? true;
    const eps = options.layerNormEps ?? 1e-5;
    const mha = () =>
      new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: options.batchFirst ?? false, bias });
    this.self_attn = mha();
    this.multihead_attn = mha();
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = options.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    this.norm3 = new LayerNorm(dModel, { eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = activationFn('TransformerDecoderLayer', options.activation ?? 'relu');
  }

  /** A new layer with the same options and a copy of this one's parameters. */
  cloneLayer(): TransformerDecoderLayer {
    const c = new TransformerDecoderLayer(this.dModel, this.nhead, this.options);
    c.loadStateDict(this.stateDict());
    c.train(this.training);
    return c;
  }

  private sa(x: Tensor, o: DecoderForwardOptions): Tensor {
    const [y] = this.self_attn.call(x, x, x, {
      attnMask: o.tgtMask,
      keyPaddingMask: o.tgtKeyPaddingMask,
      needWeights: false,
      isCausal: o.tgtIsCausal,
    });
    return this.dropout1.call(y);
  }

  private mha(x: Tensor, memory: Tensor, o: DecoderForwardOptions): Tensor {
    const [y] = this.multihead_attn.call(x, memory, memory, {
      attnMask: o.memoryMask,
      keyPaddingMask: o.memoryKeyPaddingMask,
      needWeights: false,
      isCausal: o.memoryIsCausal,
    });
    return this.dropout2.call(y);
  }

  private ff(x: Tensor): Tensor {
    return this.dropout3.call(this.linear2.call(this.dropout.call(this.activation(this.linear1.call(x)))));
  }

  /** tgt [T, N, E] (batchFirst: [N, T, E]; unbatched: [T, E]), memory [S, N, E]. */
  forward(tgt: Tensor, memory: Tensor, options: DecoderForwardOptions = {}): Tensor {
    checkOptions('TransformerDecoderLayer.forward', options, DECODER_FORWARD_OPTIONS);
    let x = tgt;
    if (this.normFirst) {
      x = add(x, this.sa(this.norm1.call(x), options));
      x = add(x, this.mha(this.norm2.call(x), memory, options));
      x = add(x, this.ff(this.norm3.call(x)));
    } else {
      x = this.norm1.call(add(x, this.sa(x, options)));
      x = this.norm2.call(add(x, this.mha(x, memory, options)));
      x = this.norm3.call(add(x, this.ff(x)));
    }
    return x;
  }
}

/** torch.nn.TransformerDecoder: numLayers copies of decoderLayer, then an optional norm. */
export class TransformerDecoder extends Module {
  /** The stacked layers. */
  layers: ModuleList;
  /** The final layer norm, or null. */
  norm: Module | null;
  /** Stacked recurrent layers. */
  readonly numLayers: number;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, options: { norm?: Module | null } = {}) {
    super();
    checkOptions('TransformerDecoder', options, ['norm']);
    if (!(decoderLayer instanceof TransformerDecoderLayer))
      throw new TypeError('TransformerDecoder: decoderLayer must be a TransformerDecoderLayer');
    this.numLayers = positiveInt('TransformerDecoder', 'numLayers', numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.cloneLayer()));
    this.norm = options.norm ?? null;
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderForwardOptions = {}): Tensor {
    checkOptions('TransformerDecoder.forward', options, DECODER_FORWARD_OPTIONS);
    let x = tgt;
    for (const layer of this.layers.children()) x = layer.call(x, memory, options) as Tensor;
    return this.norm ? (this.norm.call(x) as Tensor) : x;
  }
}

/** The options of nn.Transformer (PyTorch's keyword arguments, in camelCase). */
export interface TransformerOptions extends TransformerDecoderLayerOptions {
  /** The model's dimension. */
  dModel?: number;
  /** Attention heads. */
  nhead?: number;
  /** Encoder layers. */
  numEncoderLayers?: number;
  /** Decoder layers. */
  numDecoderLayers?: number;
  /** Used instead of the stack of numEncoderLayers layers. */
  customEncoder?: Module | null;
  /** Used instead of the stack of numDecoderLayers layers. */
  customDecoder?: Module | null;
}

const TRANSFORMER_OPTIONS = [
  ...LAYER_OPTIONS,
  'dModel',
  'nhead',
  'numEncoderLayers',
  'numDecoderLayers',
  'customEncoder',
  'customDecoder',
];

/** The masks of nn.Transformer's forward (PyTorch's keyword arguments, in camelCase). */
export interface TransformerForwardOptions extends DecoderForwardOptions {
  /** `[S, S]`: the encoder's self-attention mask. */
  srcMask?: Tensor | null;
  /** [N, S] bool: True = a padding position of the source. */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * torch.nn.Transformer: an encoder over src and a decoder over tgt attending to the encoder's
 * output; both stacks end in a LayerNorm. Parameters with more than one dim start Xavier-uniform.
 */
export class Transformer extends Module {
  /** The encoder stack. */
  encoder: Module;
  /** The decoder stack. */
  decoder: Module;
  /** The model's dimension. */
  readonly dModel: number;
  /** Attention heads. */
  readonly nhead: number;
  /** Whether inputs and outputs are [batch, seq, feature] rather than [seq, batch, feature]. */
  readonly batchFirst: boolean;

  constructor(options: TransformerOptions = {}) {
    super();
    checkOptions('Transformer', options, TRANSFORMER_OPTIONS);
    const {
      dModel = 512,
      nhead = 8,
      numEncoderLayers = 6,
      numDecoderLayers = 6,
      customEncoder,
      customDecoder,
    } = options;
    this.dModel = positiveInt('Transformer', 'dModel', dModel);
    this.nhead = positiveInt('Transformer', 'nhead', nhead);
    this.batchFirst = options.batchFirst ?? false;
    const layerOptions: TransformerDecoderLayerOptions = {
      dimFeedforward: options.dimFeedforward,
      dropout: options.dropout,
      activation: options.activation,
      layerNormEps: options.layerNormEps,
      batchFirst: options.batchFirst,
      normFirst: options.normFirst,
      bias: options.bias,
    };
    for (const k of Object.keys(layerOptions) as (keyof TransformerDecoderLayerOptions)[])
      if (layerOptions[k] === undefined) delete layerOptions[k];
    const eps = options.layerNormEps ?? 1e-5;
    this.encoder =
      customEncoder ??
      new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layerOptions), numEncoderLayers, {
        norm: new LayerNorm(dModel, { eps }),
      });
    this.decoder =
      customDecoder ??
      new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layerOptions), numDecoderLayers, {
        norm: new LayerNorm(dModel, { eps }),
      });
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
  }

  /**
   * src [S, N, E], tgt [T, N, E] (batchFirst: [N, S, E], [N, T, E]; unbatched: [S, E], [T, E]).
   * Returns the decoder's output, shaped like tgt.
   */
  forward(src: Tensor, tgt: Tensor, options: TransformerForwardOptions = {}): Tensor {
    checkOptions('Transformer.forward', options, [...DECODER_FORWARD_OPTIONS, 'srcMask', 'srcKeyPaddingMask']);
    for (const [name, t] of [
      ['src', src],
      ['tgt', tgt],
    ] as const) {
      if (!(t instanceof Tensor))
        throw new TypeError(`Transformer: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
    }
    const batched = src.ndim === 3;
    const batchDim = this.batchFirst ? 0 : 1;
    if (src.ndim !== tgt.ndim || (batched && src.shape[batchDim] !== tgt.shape[batchDim]))
      throw new RangeError(
        `Transformer: the batch number of src and tgt must be equal (src ${formatShape(src.shape)}, tgt ${formatShape(tgt.shape)})`,
      );
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel)
      throw new RangeError(
        `Transformer: the feature number of src and tgt must be equal to dModel ${this.dModel} (src ${formatShape(src.shape)}, tgt ${formatShape(tgt.shape)})`,
      );
    const memory = this.encoder.call(src, {
      mask: options.srcMask,
      srcKeyPaddingMask: options.srcKeyPaddingMask,
    }) as Tensor;
    const { srcMask: _m, srcKeyPaddingMask: _k, ...decoderOptions } = options;
    return this.decoder.call(tgt, memory, decoderOptions) as Tensor;
  }

  /** A [sz, sz] float mask: -Infinity above the diagonal (future positions), 0 elsewhere. */
  static generateSquareSubsequentMask(sz: number): Tensor {
    positiveInt('Transformer.generateSquareSubsequentMask', 'sz', sz);
    return triu(full([sz, sz], -Infinity), 1);
  }
}
