// The ops autocast runs in bf16: products with bf16 multiplications and fp32 sums (the bf16 GEMM),
// outputs rounded to bf16 as PyTorch's bf16 outputs are (held in float32 tensors). Their backward
// is bf16 products too, the gradients rounded to bf16 as PyTorch's autocast backward gives them.
import { defineOp } from '../autograd/define_op.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { native } from '../native.js';
import { bmmRaw } from '../raw/gemm.js';
import { roundedBf16Copy, roundTensorToBf16, roundToBf16InPlace, scratchBits } from '../raw/round_bf16.js';
import { contiguousRaw, storageF32 } from '../raw/elementwise.js';
import type { Tensor } from '../tensor.js';
import { add } from '../ops/binary.js';
import { sumTo } from '../ops/reduce.js';
import { mT } from '../ops/view.js';
import { isAutocastEnabled } from './autocast_state.js';

/** A new float32 copy of t's values rounded to bf16 (contiguous). */
export function roundedCopy(t: Tensor): Float32Array {
  const c = contiguousRaw(t);
  return roundedBf16Copy(storageF32(c), c.offset, c.numel());
}

/**
 * Whether an op on these operands runs in bf16 now: autocast is on and every operand is float32
 * (PyTorch's autocast casts no other dtype: float64 and integer operands keep theirs).
 */
export function autocastsTo(...operands: (Tensor | null | undefined)[]): boolean {
  return isAutocastEnabled() && operands.every((t) => !t || t.dtype === 'float32');
}

/**
 * A gradient summed over the batch dims its operand broadcast, rounded to bf16 as torch's sum of
 * a bf16 gradient is. (Not when the backward records a graph: the sum is then a recorded op.)
 */
function sumToRounded(g: Tensor, shape: readonly number[]): Tensor {
  const s = sumTo(g, shape);
  if (s !== g && !isGradEnabled()) return roundTensorToBf16(contiguousRaw(s));
  return s;
}

/** [...batchA, m, k] x [...batchB, k, n] under autocast: bf16 products, the output rounded to bf16. */
export const autocastMatmulOp: (op: string, a: Tensor, b: Tensor) => Tensor = defineOp({
  name: 'matmul',
  forward(ctx, op: string, a: Tensor, b: Tensor) {
    ctx.save(a, b);
    const out = bmmRaw(op, a, b, 'bfloat16');
    roundToBf16InPlace(storageF32(out));
    return out;
  },
  backward(ctx, g) {
    const [a, b] = ctx.saved;
    return [
      ctx.needsInputGrad[0] ? sumToRounded(autocastMatmulOp('matmul', g, mT(b)), a.shape) : null,
      ctx.needsInputGrad[1] ? sumToRounded(autocastMatmulOp('matmul', mT(a), g), b.shape) : null,
    ];
  },
  // The tangent is bf16 as PyTorch's: each product rounded, and their sum (a bf16 add).
  jvp(ctx, ta, tb) {
    const [a, b] = ctx.saved;
    const terms = [ta && autocastMatmulOp('matmul', ta, b), tb && autocastMatmulOp('matmul', a, tb)];
    return terms[0] && terms[1] ? add(terms[0].bfloat16(), terms[1].bfloat16()).float() : (terms[0] ?? terms[1]);
  },
});

/**
 * Below this k the bf16 GEMM's whole-k packing costs more than the products (k = 10: 0.19 ms
 * against the fp32 GEMM's 0.01 for 256 x 128 on AMD Zen 5, 1 thread).
 */
const SHORT_K = 32;

/**
 * m x k times k x n (op(A) op(B)) through the bf16 GEMM into out (a new contiguous float32
 * [m, n]), rounded to bf16: the GEMM rounds its sums as it stores them (bf16 bits), which are
 * then widened into out.
 */
export function gemmBf16Into(
  out: Tensor,
  a: { t: Tensor; trans: boolean },
  b: { t: Tensor; trans: boolean },
  m: number,
  n: number,
  k: number,
  colBias: Float32Array | null,
): void {
  if (k < SHORT_K) {
    // The same bf16 products summed in fp32 by the fp32 GEMM, on bf16-rounded copies.
    const args = {
      transA: a.trans,
      transB: b.trans,
      m,
      n,
      k,
      alpha: 1,
      a: roundedCopy(a.t),
      aOffset: 0,
      lda: a.trans ? m : k,
      b: roundedCopy(b.t),
      bOffset: 0,
      ldb: b.trans ? k : n,
      beta: 0,
      c: storageF32(out),
      cOffset: 0,
      ldc: n,
    };
    native.gemm(args);
    const o = storageF32(out);
    if (colBias) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) o[i * n + j] += colBias[j];
    roundToBf16InPlace(o);
    return;
  }
  const bits = scratchBits(m * n);
  native.gemmBf16({
    transA: a.trans,
    transB: b.trans,
    batch: 1,
    m,
    n,
    k,
    alpha: 1,
    a: storageF32(a.t),
    aOffset: a.t.offset,
    lda: a.trans ? m : k,
    strideA: 0,
    b: storageF32(b.t),
    bOffset: b.t.offset,
    ldb: b.trans ? k : n,
    strideB: 0,
    beta: 0,
    c: bits,
    cOffset: 0,
    ldc: n,
    strideC: 0,
    rowBias: null,
    colBias,
  });
  native.convertBf16ToF32(bits, storageF32(out));
}
