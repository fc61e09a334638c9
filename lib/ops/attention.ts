// scaledDotProductAttention: softmax(q kᵀ · scale + mask) v, from the batched matmul and the
// fused native softmax. Mask semantics follow torch 2.0's F.scaled_dot_product_attention: a
// bool mask is True where a query MAY attend to a key (False entries get -inf); a float mask is
// added to the scores. (nn.MultiheadAttention keeps its own, opposite bool convention: True =
// masked out, as torch's.) A row whose keys are all masked gives NaN, as in torch.
import { checkOptions, optionKeys } from '../errors.js';
import { type DType, isFloatingDType } from '../dtype.js';
import { full } from '../creation.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { hasTangent, isForwardADActive } from '../autograd/dual_state.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { autocastsTo } from '../lowp/autocast_ops.js';
import { SoftmaxOp } from '../native.js';
import { contiguousOf } from '../raw/elementwise.js';
import { bmmRaw } from '../raw/gemm.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { activeTracer } from '../trace.js';
import { add, mul } from './binary.js';
import { dropout } from './dropout.js';
import { matmul } from './matmul.js';
import { where } from './pointwise.js';
import { runRows, softmax } from './softmax.js';
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
  // Any floating mask is added in the promoted dtype (a bfloat16 one on float32 scores included),
  // the sum rounded to the query's dtype.
  if (mask.dtype !== 'bool' && !isFloatingDType(mask.dtype))
    throw new TypeError(`${op}: ${name} must be a bool, float32, float64 or bfloat16 tensor, got ${mask.dtype}`);
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

/** t with its last two dims swapped, a view without the autograd record (a GEMM reads it as a flag). */
function swapLastRaw(t: Tensor): Tensor {
  const n = t.ndim;
  const shape = [...t.shape];
  const strides = [...t.strides];
  [shape[n - 2], shape[n - 1]] = [shape[n - 1], shape[n - 2]];
  [strides[n - 2], strides[n - 1]] = [strides[n - 1], strides[n - 2]];
  return new Tensor(t.storage, shape, strides, t.offset);
}

/**
 * The attention as one recorded op: S = scale · q kᵀ + mask (the scale as the GEMM's alpha, the
 * mask as its beta = 1 input), W = softmax(S) in S's buffer, out = W v. Only W is kept besides
 * q, k, v: the composite recorded q · scale, S, S + mask and W, each with its gradient buffer.
 */
const fusedAttentionOp = defineOp({
  name: 'scaledDotProductAttention',
  dtypes: ['float32', 'float64'],
  forward(
    ctx: OpContext<{ scale: number; mask: Tensor | null }>,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | null,
    scale: number,
  ) {
    const op = 'scaledDotProductAttention';
    const w = bmmRaw(op, q, swapLastRaw(k), 'float32', { input: mask, alpha: scale, beta: 1 });
    runRows(SoftmaxOp.softmax, w, null, w); // in place: each row is read before it is written
    ctx.save(q, k, v, w);
    ctx.scale = scale;
    ctx.mask = mask;
    return bmmRaw(op, w, v);
  },
  backward(ctx, g) {
    const [q, k, v, w] = ctx.saved;
    const scale = ctx.scale;
    if (isGradEnabled() || hasTangent(g, q, k, v)) {
      // createGraph (or forward over reverse): the same formulas as recorded ops, with the
      // weights recomputed from q and k so the gradient has a derivative of its own.
      let s = matmul(q, transpose(k, -2, -1)).mul(scale);
      if (ctx.mask) s = add(s, ctx.mask);
      const wr = softmax(s, -1);
      const dw = matmul(g, transpose(v, -2, -1));
      const ds = wr.mul(dw.sub(dw.mul(wr).sum(-1, true)));
      return [
        ctx.needsInputGrad[0] ? matmul(ds, k).mul(scale) : null,
        ctx.needsInputGrad[1] ? matmul(transpose(ds, -2, -1), q).mul(scale) : null,
        ctx.needsInputGrad[2] ? matmul(transpose(wr, -2, -1), g) : null,
      ];
    }
    const op = 'scaledDotProductAttention';
    const none = { input: null, alpha: 1, beta: 0 };
    // One copy of a strided gradient (sum()'s is expanded) for the two products that read it.
    g = contiguousOf(g);
    // dS = W ∘ (dW − rowsum(dW ∘ W)) with dW = g vᵀ, written over dW's buffer.
    const ds = bmmRaw(op, g, swapLastRaw(v));
    runRows(SoftmaxOp.softmaxBackward, w, ds, ds); // into ds: each element read before written
    return [
      ctx.needsInputGrad[0] ? bmmRaw(op, ds, k, 'float32', { ...none, alpha: scale }) : null,
      ctx.needsInputGrad[1] ? bmmRaw(op, swapLastRaw(ds), q, 'float32', { ...none, alpha: scale }) : null,
      ctx.needsInputGrad[2] ? bmmRaw(op, swapLastRaw(w), g) : null,
    ];
  },
});

/**
 * The additive mask of the fused op (of q's dtype), or undefined where the composite must run:
 * a mask that requires grad, or a float mask of another dtype.
 */
function fusedMask(op: string, q: Tensor, k: Tensor, options: SdpaOptions): Tensor | null | undefined {
  const L = q.shape[q.ndim - 2];
  const S = k.shape[k.ndim - 2];
  const scoresShape = [...q.shape.slice(0, -1), S];
  let mask: Tensor | null = null;
  if (options.isCausal) {
    if (options.attnMask) return undefined; // the composite's error
    mask = additiveMask(op, 'causal mask', causalMask(L, S), scoresShape, 'keep', q.dtype);
  } else if (options.attnMask !== undefined && options.attnMask !== null) {
    const given = options.attnMask;
    if (!(given instanceof Tensor) || given.requiresGrad) return undefined;
    // A float mask of another dtype goes the composite's way (its sum rounds once).
    if (given.dtype !== 'bool' && given.dtype !== q.dtype) return undefined;
    mask = additiveMask(op, 'attnMask', given, scoresShape, 'keep', q.dtype);
  }
  // A bool mask's 0 and -inf, exact in float64.
  return mask && mask.dtype !== q.dtype ? mask.to(q.dtype) : mask;
}

/** Whether q, k, v take the fused op: one floating dtype it computes in, same batch dims, nothing empty. */
function fusable(q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions): boolean {
  if (!(q instanceof Tensor && k instanceof Tensor && v instanceof Tensor)) return false;
  // Forward-mode AD and traces (onnx export: opset ops) see the composite's ops.
  if ((options.dropoutP ?? 0) > 0 || isForwardADActive() || activeTracer !== null) return false;
  if (q.dtype !== k.dtype || q.dtype !== v.dtype || (q.dtype !== 'float32' && q.dtype !== 'float64')) return false;
  if (autocastsTo(q, k, v)) return false;
  // The GEMM skips its products when alpha (the scale) is 0, so a NaN or an infinity in q or k
  // would not reach the scores as q * 0 does in the composite; a scale of 0 or an infinite one
  // runs the composite.
  if (options.scale !== undefined && !(Number.isFinite(options.scale) && options.scale !== 0)) return false;
  if (q.ndim < 3 || k.ndim !== q.ndim || v.ndim !== q.ndim) return false;
  for (let d = 0; d < q.ndim - 2; d++) if (k.shape[d] !== q.shape[d] || v.shape[d] !== q.shape[d]) return false;
  const E = q.shape[q.ndim - 1];
  const S = k.shape[k.ndim - 2];
  if (k.shape[k.ndim - 1] !== E || v.shape[v.ndim - 2] !== S) return false;
  return q.numel() > 0 && k.numel() > 0 && v.numel() > 0;
}

/** torch.nn.functional.scaled_dot_product_attention (torch 2.0 semantics; see the file comment). */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions = {}): Tensor {
  const op = 'scaledDotProductAttention';
  checkOptions(op, options, SDPA_OPTIONS);
  if (fusable(q, k, v, options)) {
    const mask = fusedMask(op, q, k, options);
    if (mask !== undefined) return fusedAttentionOp(q, k, v, mask, options.scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]));
  }
  return attentionWithWeights(q, k, v, options)[0];
}
