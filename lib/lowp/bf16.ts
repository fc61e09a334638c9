// Reduced precision, first part: bfloat16 conversions with PyTorch's bits and matrix products
// with bf16 multiplications and fp32 sums (the bf16 GEMM: AVX512_BF16's vdpbf16ps where the CPU
// has it, else the fp32 GEMM on the rounded operands, same values up to the order of fp32 sums).
import { defineOp } from '../autograd/define_op.js';
import { describe } from '../errors.js';
import { bmmRaw } from '../raw/gemm.js';
import { requireFloat } from '../raw/elementwise.js';
import { fromBf16Bits, toBf16Bits } from '../raw/round_bf16.js';
import { formatShape } from '../shape.js';
import { isTensor, type Tensor } from '../tensor.js';
import { sumTo } from '../ops/reduce.js';
import { mT } from '../ops/view.js';

/**
 * The bfloat16 bit patterns of x's values, as PyTorch's x.to(torch.bfloat16): round to nearest
 * even (a value past the largest bf16 becomes infinity), every NaN 0xffff.
 */
export function bfloat16FromFloat32(x: Float32Array): Uint16Array {
  if (!(x instanceof Float32Array))
    throw new TypeError(`bfloat16FromFloat32: expected a Float32Array, got ${describe(x)}`);
  return toBf16Bits(x);
}

/** The float32 values of bfloat16 bit patterns (exact: every bf16 is a float32). */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  if (!(bits instanceof Uint16Array))
    throw new TypeError(`bfloat16ToFloat32: expected a Uint16Array of bfloat16 bits, got ${describe(bits)}`);
  return fromBf16Bits(bits);
}

/** [...batchA, m, k] x [...batchB, k, n] in bf16 products, fp32 sums; backward the same way. */
const matmulBf16Op: (op: string, a: Tensor, b: Tensor) => Tensor = defineOp({
  name: 'matmulBf16',
  forward(ctx, op: string, a: Tensor, b: Tensor) {
    ctx.save(a, b);
    return bmmRaw(op, a, b, 'bfloat16');
  },
  backward(ctx, g) {
    const [a, b] = ctx.saved;
    // dA = g Bᵀ, dB = Aᵀ g, in the forward's precision (as PyTorch's autocast backward).
    return [
      ctx.needsInputGrad[0] ? sumTo(matmulBf16Op('matmulBf16', g, mT(b)), a.shape) : null,
      ctx.needsInputGrad[1] ? sumTo(matmulBf16Op('matmulBf16', mT(a), g), b.shape) : null,
    ];
  },
  // Forward mode in the same precision: tA B + A tB, each a bf16 product.
  jvp(ctx, ta, tb) {
    const [a, b] = ctx.saved;
    const terms = [ta && matmulBf16Op('matmulBf16', ta, b), tb && matmulBf16Op('matmulBf16', a, tb)];
    return terms[0] && terms[1] ? terms[0].add(terms[1]) : (terms[0] ?? terms[1]);
  },
});

/**
 * a @ b for float32 tensors of at least 2 dims ([...batchA, m, k] and [...batchB, k, n], batch
 * dims broadcast) with each element rounded to bfloat16 before it is multiplied and the products
 * summed in float32, as PyTorch's matmul of bf16 tensors on CPU (and under autocast), with a
 * float32 result (PyTorch's rounds it to bf16 once more). Differentiable: the gradients are
 * bf16 products too.
 */
export function matmulBf16(a: Tensor, b: Tensor): Tensor {
  const op = 'matmulBf16';
  for (const [name, t] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (!isTensor(t)) throw new TypeError(`${op}: argument '${name}' must be a Tensor, got ${describe(t)}`);
    requireFloat(op, t);
    if (t.ndim < 2)
      throw new RangeError(`${op}: argument '${name}' must have at least 2 dims, got shape ${formatShape(t.shape)}`);
  }
  return matmulBf16Op(op, a, b);
}
