// Embedding: a lookup table of numEmbeddings rows of embeddingDim, indexed by int32 tensors.
import { empty } from '../../creation.js';
import { checkOptions, describe, optionKeys } from '../../errors.js';
import { embedding } from '../../ops/embedding.js';
import { fillRaw } from '../../raw/strided.js';
import { clone } from '../../ops/view.js';
import { formatShape } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyFloat } from '../repr.js';

/** The options of nn.Embedding (PyTorch's keyword arguments, in camelCase). */
export interface EmbeddingModuleOptions {
  /** Row whose entries start (and, untouched by the gradient, stay) zero; negative counts from the end. */
  paddingIdx?: number | null;
  /** Looked-up rows with a larger norm are rescaled in place to this norm (torch's max_norm). */
  maxNorm?: number | null;
  /** The p of the maxNorm norm (default 2). */
  normType?: number;
  /** Use this [numEmbeddings, embeddingDim] tensor as the weight instead of N(0, 1) values. */
  weight?: Tensor;
}

const EMBEDDING_OPTIONS = optionKeys<EmbeddingModuleOptions>({
  paddingIdx: 'integer',
  maxNorm: 'number',
  normType: 'number',
  weight: 'tensor',
});

export class Embedding extends Module {
  /** The size of the vocabulary. */
  readonly numEmbeddings: number;
  /** The size of each embedding vector. */
  readonly embeddingDim: number;
  /** The index whose embedding is not trained (its gradient is zero), or null. */
  readonly paddingIdx: number | null;
  /** Embeddings looked up are renormalised to at most this norm, or null. */
  readonly maxNorm: number | null;
  /** The p of the p-norm for maxNorm (default 2). */
  readonly normType: number;
  /** The learnable weight (PyTorch's `weight`). */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingModuleOptions = {}) {
    super();
    checkOptions('nn.Embedding', options, EMBEDDING_OPTIONS);
    for (const [name, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0)
        throw new RangeError(`Embedding: ${name} must be a positive integer, got ${describe(v)}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    let pad = options.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings) {
        throw new RangeError(
          `Embedding: paddingIdx must be within [${-numEmbeddings}, ${numEmbeddings}), got ${describe(pad)}`,
        );
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.maxNorm = options.maxNorm ?? null;
    this.normType = options.normType ?? 2;
    if (options.weight !== undefined) {
      const w = options.weight;
      if (!(w instanceof Tensor) || w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) {
        throw new RangeError(
          `Embedding: weight must have shape [${numEmbeddings}, ${embeddingDim}], got ${w instanceof Tensor ? formatShape(w.shape) : typeof w}`,
        );
      }
      this.weight = new Parameter(w);
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim]));
      this.resetParameters();
    }
  }

  /** N(0, 1), with the padding row zeroed (torch's reset_parameters). */
  resetParameters(): void {
    normal_(this.weight);
    this.zeroPaddingRow();
  }

  private zeroPaddingRow(): void {
    if (this.paddingIdx === null) return;
    const w = this.weight; // any layout: a weight given in the options may be a view
    fillRaw(new Tensor(w.storage, [w.shape[1]], [w.strides[1]], w.offset + this.paddingIdx * w.strides[0]), 0);
  }

  /** An Embedding over a copy of `embeddings` ([num, dim]); freeze (default true) turns off its gradient. */
  static fromPretrained(
    embeddings: Tensor,
    options: { freeze?: boolean; paddingIdx?: number | null; maxNorm?: number | null; normType?: number } = {},
  ): Embedding {
    const { freeze, ...rest } = checkOptions('nn.Embedding.fromPretrained', options, {
      freeze: 'boolean',
      paddingIdx: 'integer',
      maxNorm: 'number',
      normType: 'number',
    });
    if (!(embeddings instanceof Tensor) || embeddings.ndim !== 2) {
      throw new RangeError(
        `Embedding.fromPretrained: embeddings must be a 2-D tensor, got ${embeddings instanceof Tensor ? formatShape(embeddings.shape) : typeof embeddings}`,
      );
    }
    if (embeddings.dtype !== 'float32')
      throw new TypeError(`Embedding.fromPretrained: embeddings must be float32, got ${embeddings.dtype}`);
    const [n, d] = embeddings.shape;
    const m = new Embedding(n, d, { ...rest, weight: clone(embeddings.detach()) });
    m.weight.requiresGrad = !(freeze ?? true);
    return m;
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    return s;
  }
}
