// scaledDotProductAttention: softmax(q kᵀ · scale + mask) v, from the batched matmul and the
// fused native softmax. Mask semantics follow torch 2.0's F.scaled_dot_product_attention: a
// bool mask is True where a query MAY attend to a key (False entries get -inf); a float mask is
// added to the scores. (nn.MultiheadAttention keeps its own, opposite bool convention: True =
// masked out, as torch's.) A row whose keys are all masked gives NaN, as in torch.
import { checkOptions, optionKeys } from '../errors.js';
import { type DType, isFloatingDType } from '../dtype.js';
import { full } from '../creation.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, mul } from './binary.js';
import { dropout } from './dropout.js';
import { matmul } from './matmul.js';
import { where } from './pointwise.js';
import { softmax } from './softmax.js';
import { transpose } from './view.js';
import type { Generator } from '../random.js';

/** The options of scaledDotProductAttention (PyTorch's keyword arguments, in camelCase). */
export interface SdpaOptions {
  /** bool: True = take part; float: added to the scores. Broadcast to [..., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (applied whenever > 0, as torch's functional). */
  dropoutP?: number;
  /** Mask out keys after each query (top-left aligned lower triangle); not with attnMask. */
  isCausal?: boolean;
  /** Default 1 / sqrt(q.shape[-1]). */
  scale?: number;
  /** The generator drawing the dropout mask (default: the process-wide one). */
  generator?: Generator;
}

const SDPA_OPTIONS = optionKeys<SdpaOptions>({
  attnMask: 'tensor',
  dropoutP: 'number',
  isCausal: 'boolean',
  scale: 'number',
  generator: 'object',
});

function broadcastable(mask: readonly number[], target: readonly number[]): boolean {
  if (mask.length > target.length) return false;
  for (let i = 1; i <= mask.length; i++) {
    const m = mask[mask.length - i];
    if (m !== 1 && m !== target[target.length - i]) return false;
  }
  return true;
}

/** An additive float mask (0 / -inf, or the float mask itself) checked against scores' shape. */
export function additiveMask(
  op: string,
  name: string,
  mask: Tensor,
  scoresShape: readonly number[],
  trueMeans: 'keep' | 'mask',
  dtype: DType = 'float32',
): Tensor {
  if (!(mask instanceof Tensor))
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${mask === null ? 'null' : typeof mask}`);
  if (mask.dtype !== 'bool' && !isFloatingDType(mask.dtype))
    throw new TypeError(`${op}: ${name} must be a bool, float32 or float64 tensor, got ${mask.dtype}`);
  if (!broadcastable(mask.shape, scoresShape)) {
    throw new RangeError(
      `${op}: ${name} of shape ${formatShape(mask.shape)} cannot be broadcast to the attention scores ${formatShape(scoresShape)}`,
    );
  }
  if (mask.dtype !== 'bool') return mask;
  const additive = trueMeans === 'keep' ? where(mask, 0, -Infinity) : where(mask, -Infinity, 0);
  // 0 and -inf in the scores' dtype: a bool mask keeps bfloat16 scores bfloat16.
  return dtype === 'bfloat16' ? additive.bfloat16() : additive;
}

/** The bool [L, S] mask that is True on and below the diagonal. */
export function causalMask(L: number, S: number): Tensor {
  const m = full([L, S], false, { dtype: 'bool' });
  const d = m.storage.data;
  for (let i = 0; i < L; i++) for (let j = 0; j <= Math.min(i, S - 1); j++) d[i * S + j] = 1;
  return m;
}

/** The attention output and the weights (after dropout), for MultiheadAttention. */
export function attentionWithWeights(q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions = {}): [Tensor, Tensor] {
  const op = 'scaledDotProductAttention';
  checkOptions(op, options, SDPA_OPTIONS);
  for (const [name, t] of [
    ['query', q],
    ['key', k],
    ['value', v],
  ] as const) {
    if (!(t instanceof Tensor))
      throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
    // float64 runs the same ops (the products on the dgemm) in double.
    if (t.dtype !== q.dtype || !isFloatingDType(t.dtype))
      throw new TypeError(
        `${op}: ${name} must be a floating tensor of query's dtype, got ${t.dtype} (query ${q.dtype})`,
      );
    if (t.ndim < 2)
      throw new RangeError(
        `${op}: ${name} must have at least 2 dims [..., len, features], got ${formatShape(t.shape)}`,
      );
  }
  const E = q.shape[q.ndim - 1];
  if (k.shape[k.ndim - 1] !== E)
    throw new RangeError(
      `${op}: query ${formatShape(q.shape)} and key ${formatShape(k.shape)} must have the same last dim`,
    );
  if (k.shape[k.ndim - 2] !== v.shape[v.ndim - 2])
    throw new RangeError(
      `${op}: key ${formatShape(k.shape)} and value ${formatShape(v.shape)} must have the same length (dim -2)`,
    );
  const scale = options.scale ?? 1 / Math.sqrt(E);
  // Scaling q (L x E) costs less than scaling the scores (L x S) when S > E.
  let scores =
    E <= k.shape[k.ndim - 2]
      ? matmul(mul(q, scale), transpose(k, -2, -1))
      : mul(matmul(q, transpose(k, -2, -1)), scale);
  const L = q.shape[q.ndim - 2];
  const S = k.shape[k.ndim - 2];
  if (options.isCausal) {
    if (options.attnMask) throw new RangeError(`${op}: pass either attnMask or isCausal, not both`);
    scores = add(scores, additiveMask(op, 'causal mask', causalMask(L, S), scores.shape, 'keep', scores.dtype));
  } else if (options.attnMask !== undefined && options.attnMask !== null) {
    scores = add(scores, additiveMask(op, 'attnMask', options.attnMask, scores.shape, 'keep', scores.dtype));
    // A float mask of another dtype than the query's (float32 on bfloat16 scores): the sum in the
    // wider dtype rounded once to the query's, as PyTorch 1.13's attention returns the query's dtype.
    if (scores.dtype !== q.dtype) scores = scores.to(q.dtype);
  }
  let weights = softmax(scores, -1);
  const p = options.dropoutP ?? 0;
  if (p > 0) weights = dropout(weights, p, { generator: options.generator });
  return [matmul(weights, v), weights];
}

/** torch.nn.functional.scaled_dot_product_attention (torch 2.0 semantics; see the file comment). */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions = {}): Tensor {
  return attentionWithWeights(q, k, v, options)[0];
}
