// linear(x, weight, bias) = x · weightᵀ + bias, fused: one GEMM with the bias preloaded into C,
// and the backward as two GEMMs plus a row sum. The hot path of every MLP.
import { describe } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { hasTangent } from '../autograd/dual_state.js';
import { native, ReduceOp } from '../native.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { contiguousRaw, emptyFloat, requireFloat, storageF32, uninitFloat } from '../raw/elementwise.js';
import { matmul } from './matmul.js';
import { add, broadcastSum } from './binary.js';
import { sum } from './reduce.js';
import { reshape } from './view.js';
import { autocastLinearOp, autocastsTo } from '../lowp/autocast_ops.js';

const linearOp: (x: Tensor, weight: Tensor, bias?: Tensor) => Tensor = defineOp({
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
    const xc = contiguousRaw(x);
    const wc = contiguousRaw(weight);
    // Needs no zero-fill: the bias rows below, or beta = 0, write every element.
    const out = uninitFloat([...x.shape.slice(0, -1), outF]);
    const o = storageF32(out);
    if (bias) {
      const b = contiguousRaw(bias);
      const bd = storageF32(b).subarray(b.offset, b.offset + outF);
      for (let r = 0; r < rows; r++) o.set(bd, r * outF);
    }
    native.gemm({
      transA: false,
      transB: true,
      m: rows,
      n: outF,
      k: inF,
      alpha: 1,
      a: storageF32(xc),
      aOffset: xc.offset,
      lda: inF,
      b: storageF32(wc),
      bOffset: wc.offset,
      ldb: inF,
      beta: bias ? 1 : 0,
      c: o,
      cOffset: 0,
      ldc: outF,
    });
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
    return broadcastSum(ctx.outShape, tx && linearOp(tx, weight), tw && linearOp(x, tw), tb ?? null);
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
        ctx.needsInputGrad[0] ? matmul(grad, weight) : null,
        ctx.needsInputGrad[1] ? matmul(g2.mT, reshape(x, [rows, inF])) : null,
        ctx.hasBias && ctx.needsInputGrad[2] ? sum(g2, 0) : null,
      ];
    }
    const xc = contiguousRaw(x);
    const wc = contiguousRaw(weight);
    const g = contiguousRaw(grad);
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      dx = uninitFloat(xc.shape); // beta = 0 (and k = 0) overwrite every element
      native.gemm({
        transA: false,
        transB: false,
        m: rows,
        n: inF,
        k: outF,
        alpha: 1,
        a: storageF32(g),
        aOffset: g.offset,
        lda: outF,
        b: storageF32(wc),
        bOffset: wc.offset,
        ldb: inF,
        beta: 0,
        c: storageF32(dx),
        cOffset: 0,
        ldc: inF,
      });
    }
    if (ctx.needsInputGrad[1]) {
      dw = uninitFloat([outF, inF]);
      native.gemm({
        transA: true,
        transB: false,
        m: outF,
        n: inF,
        k: rows,
        alpha: 1,
        a: storageF32(g),
        aOffset: g.offset,
        lda: outF,
        b: storageF32(xc),
        bOffset: xc.offset,
        ldb: inF,
        beta: 0,
        c: storageF32(dw),
        cOffset: 0,
        ldc: inF,
      });
    }
    if (ctx.hasBias && ctx.needsInputGrad[2]) {
      db = emptyFloat([outF]);
      native.reduce(ReduceOp.sum, [rows, outF], storageF32(g), g.offset, [outF, 1], [0], storageF32(db));
    }
    return [dx, dw, db];
  },
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
  requireLinearDtype(x, x);
  requireLinearDtype(x, weight);
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
    requireLinearDtype(x, bias);
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

/** Every operand float32 (the fused op), or every one float64 as the input is. */
function requireLinearDtype(x: Tensor, t: Tensor): void {
  if (x.dtype !== 'float64') requireFloat('linear', t);
  else if (t.dtype !== 'float64')
    throw new TypeError(`linear: expected a float64 tensor (as the input), got ${t.dtype}`);
}
