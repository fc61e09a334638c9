// linear(x, weight, bias) = x · weightᵀ + bias, fused: one GEMM with the bias preloaded into C,
// and the backward as two GEMMs plus a row sum. The hot path of every MLP.
import { describe } from '../errors.js';
import { defineOp, type OpContext, returnsFreshGrads, throughFloat32 } from '../autograd/define_op.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { hasTangent } from '../autograd/dual_state.js';
import { native, ReduceOp } from '../native.js';
import { formatShape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { contiguousRaw, emptyFloat, requireFloatAs, storageF32, uninitFloat } from '../raw/elementwise.js';
import { matmul } from './matmul.js';
import { add, broadcastSum } from './binary.js';
import { sum } from './reduce.js';
import { reshape } from './view.js';
import { autocastMatmulOp, autocastsTo, gemmBf16Into, roundedCopy } from '../lowp/autocast_ops.js';
import { roundToBf16InPlace } from '../raw/round_bf16.js';

/** A GEMM operand: a contiguous float32 tensor, read transposed or not. */
interface GemmOperand {
  t: Tensor;
  trans: boolean;
}

/** How a fused linear op multiplies: the fp32 GEMM, or bf16 products under autocast. */
interface LinearProducts {
  /** out (a new contiguous float32 [m, n]) = op(a) · op(b), plus bias on every row. */
  gemm(out: Tensor, a: GemmOperand, b: GemmOperand, m: number, n: number, k: number, bias: Tensor | null): void;
  /** The same product as a recorded op (a createGraph backward). */
  matmul(a: Tensor, b: Tensor): Tensor;
  /** The output gradient as the products read it: contiguous (under autocast rounded to bf16). */
  gradOperand(grad: Tensor): Tensor;
  /** Rounds a bias gradient in place as the products round their outputs (or leaves it). */
  roundSum(values: Float32Array): void;
  /** Whether a tangent's terms and sums round to bf16 (autocast: PyTorch's tangent is bf16). */
  bf16Tangent: boolean;
}

/**
 * linear(x, W, b) = x·Wᵀ + b as one op over `products`: forward one GEMM (the bias added as
 * it stores), backward two GEMMs and a row sum, or the same products as recorded ops when the
 * backward records a graph; the JVP is the op itself on the tangents.
 */
function defineLinear(products: LinearProducts): (x: Tensor, weight: Tensor, bias?: Tensor) => Tensor {
  const op: (x: Tensor, weight: Tensor, bias?: Tensor) => Tensor = defineOp({
    name: 'linear',
    forward(
      ctx: OpContext<{ rows: number; hasBias: boolean; outShape: readonly number[] }>,
      x: Tensor,
      weight: Tensor,
      bias?: Tensor,
    ) {
      const inF = weight.shape[1];
      const outF = weight.shape[0];
      const rows = x.numel() / inF;
      const out = uninitFloat([...x.shape.slice(0, -1), outF]);
      const xc = { t: contiguousRaw(x), trans: false };
      const wc = { t: contiguousRaw(weight), trans: true };
      products.gemm(out, xc, wc, rows, outF, inF, bias ?? null);
      // The inputs themselves (not their contiguous copies): a recorded backward needs their graph.
      ctx.save(x, weight);
      ctx.rows = rows;
      ctx.hasBias = bias !== undefined;
      ctx.outShape = out.shape;
      return out;
    },
    // d(x·Wᵀ + b) = dx·Wᵀ + x·dWᵀ + db
    jvp(ctx, tx, tw, tb) {
      const [x, weight] = ctx.saved;
      const px = tx && op(tx, weight);
      const pw = tw && op(x, tw);
      if (!products.bf16Tangent) return broadcastSum(ctx.outShape, px, pw, tb ?? null);
      // bf16 adds in PyTorch's addmm order, (db + dx·Wᵀ) + x·dWᵀ, each product already rounded.
      const terms = [tb?.bfloat16(), px?.bfloat16(), pw?.bfloat16()].filter((t): t is Tensor => t instanceof Tensor);
      return broadcastSum(ctx.outShape, terms.reduce((s, t) => add(s, t)).float());
    },
    backward(ctx, grad) {
      const [x, weight] = ctx.saved;
      const rows = ctx.rows;
      const outF = weight.shape[0];
      const inF = weight.shape[1];
      if (isGradEnabled() || hasTangent(grad, x, weight)) {
        // createGraph: the same products as recorded ops, so the gradients have derivatives.
        const g2 = reshape(grad, [rows, outF]);
        return [
          ctx.needsInputGrad[0] ? products.matmul(grad, weight) : null,
          ctx.needsInputGrad[1] ? products.matmul(g2.mT, reshape(x, [rows, inF])) : null,
          ctx.hasBias && ctx.needsInputGrad[2] ? sum(g2, 0) : null,
        ];
      }
      const g = products.gradOperand(grad);
      let dx: Tensor | null = null;
      let dw: Tensor | null = null;
      let db: Tensor | null = null;
      if (ctx.needsInputGrad[0]) {
        dx = uninitFloat(x.shape);
        const w = { t: contiguousRaw(weight), trans: false };
        products.gemm(dx, { t: g, trans: false }, w, rows, inF, outF, null);
      }
      if (ctx.needsInputGrad[1]) {
        dw = uninitFloat([outF, inF]);
        products.gemm(dw, { t: g, trans: true }, { t: contiguousRaw(x), trans: false }, outF, inF, rows, null);
      }
      if (ctx.hasBias && ctx.needsInputGrad[2]) {
        db = emptyFloat([outF]);
        native.reduce(ReduceOp.sum, [rows, outF], storageF32(g), g.offset, [outF, 1], [0], storageF32(db));
        products.roundSum(storageF32(db));
      }
      return [dx, dw, db];
    },
  });
  // Its gradients are fresh: new buffers (recorded products only under createGraph).
  returnsFreshGrads(op);
  return op;
}

/** The fused fp32 linear: the fp32 GEMM (needs no zero-fill: bias rows, or beta = 0, write every element). */
const linearOp = defineLinear({
  gemm(out, a, b, m, n, k, bias) {
    const o = storageF32(out);
    if (bias) {
      const bc = contiguousRaw(bias);
      const values = storageF32(bc).subarray(bc.offset, bc.offset + n);
      for (let r = 0; r < m; r++) o.set(values, r * n);
    }
    native.gemm({
      transA: a.trans,
      transB: b.trans,
      m,
      n,
      k,
      alpha: 1,
      a: storageF32(a.t),
      aOffset: a.t.offset,
      lda: a.trans ? m : k,
      b: storageF32(b.t),
      bOffset: b.t.offset,
      ldb: b.trans ? k : n,
      beta: bias ? 1 : 0,
      c: o,
      cOffset: 0,
      ldc: n,
    });
  },
  matmul,
  gradOperand: contiguousRaw,
  roundSum: () => {},
  bf16Tangent: false,
});

/**
 * linear under autocast: x, W and b rounded to bf16, bf16 products summed in fp32, the output
 * rounded to bf16; its backward rounds the output gradient once (PyTorch's reaches the bf16
 * product as bf16) and the bias gradient as torch's sum of a bf16 gradient.
 */
const autocastLinearOp = defineLinear({
  gemm: (out, a, b, m, n, k, bias) => gemmBf16Into(out, a, b, m, n, k, bias && roundedCopy(bias)),
  matmul: (a, b) => autocastMatmulOp('matmul', a, b),
  gradOperand: (grad) => new Tensor(new Storage(roundedCopy(grad)), [grad.numel()]),
  roundSum: (values) => roundToBf16InPlace(values),
  bf16Tangent: true,
});

/** y = x · weightᵀ + bias over the last dim of x (torch.nn.functional.linear). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  for (const [name, t] of [
    ['input', x],
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if ((name !== 'bias' || (t !== undefined && t !== null)) && !(t instanceof Tensor))
      throw new TypeError(`linear: ${name} must be a Tensor, got ${describe(t)}`);
  }
  // bfloat16 operands: products of bfloat16 values are exact in float32, so the float32 GEMM on
  // the widened operands is PyTorch's bf16 GEMM (fp32 sums) up to the order of its sums.
  if (x.dtype === 'bfloat16' || weight.dtype === 'bfloat16' || bias?.dtype === 'bfloat16') {
    // As torch: a bfloat16 product with a float32 or float64 operand is an error, not a promotion.
    const other = [x, weight, bias].find((t) => t && t.dtype !== 'bfloat16');
    if (other)
      throw new TypeError(
        `linear: input, weight and bias must all be bfloat16 or none, got input ${x.dtype}, weight ${weight.dtype}` +
          (bias ? `, bias ${bias.dtype}` : ''),
      );
    return throughFloat32('linear', [x, weight, bias ?? null], linear);
  }
  requireFloatAs('linear', x, x);
  requireFloatAs('linear', x, weight);
  if (weight.ndim !== 2)
    throw new RangeError(
      `linear: weight must be 2-D [out_features, in_features], got shape ${formatShape(weight.shape)}`,
    );
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new RangeError(
      `linear: input of shape ${formatShape(x.shape)} does not match weight ${formatShape(weight.shape)} ` +
        `(last dim ${x.ndim ? x.shape[x.ndim - 1] : 'none'} != in_features ${weight.shape[1]})`,
    );
  }
  if (bias) {
    requireFloatAs('linear', x, bias);
    if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) {
      throw new RangeError(
        `linear: bias of shape ${formatShape(bias.shape)} does not match out_features ${weight.shape[0]}`,
      );
    }
  }
  // float64: the same product through matmul (the dgemm), its gradients and JVP matmul's and add's
  // (autocast leaves float64 alone, as torch's).
  if (x.dtype === 'float64') {
    const y = matmul(x, weight.mT);
    return bias ? add(y, bias) : y;
  }
  if (bias) return autocastsTo(x, weight, bias) ? autocastLinearOp(x, weight, bias) : linearOp(x, weight, bias);
  return autocastsTo(x, weight) ? autocastLinearOp(x, weight) : linearOp(x, weight);
}
