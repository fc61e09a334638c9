// Matrix products with torch.matmul's rules: 1-D·1-D dot, 2-D, 1-D promoted then squeezed,
// batched with broadcast batch dims. One differentiable primitive (matmulOp, >= 2-D operands)
// whose backward is two more products against transposed views: no transpose copies, the
// GEMM reads them through its transA/transB flags. float64 operands run the dgemm; two int32
// operands multiply exactly, wrapping modulo 2^32 as torch's CPU kernels (no gradient: int
// tensors cannot require one); two int8 (or uint8) operands through int32, wrapping modulo 2^8.
import type { DType } from '../dtype.js';
import { defineOp } from '../autograd/define_op.js';
import { broadcastShapes, formatShape, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { bmmRaw } from '../raw/gemm.js';
import { checkProductDtypes } from '../raw/int32_products.js';
import { byteProduct } from './cast.js';
import { sumTo } from './reduce.js';
import { add } from './binary.js';
import { mT, reshape, viewStrides } from './view.js';
import { autocastMatmulOp, autocastsTo } from '../lowp/autocast_ops.js';

/** The >= 2-D primitive: [...batchA, m, k] x [...batchB, k, n] -> [...batch, m, n]. */
const matmulOp: (op: string, a: Tensor, b: Tensor) => Tensor = defineOp({
  name: 'matmul',
  dtypes: ['float32', 'float64'],
  forward(ctx, op: string, a: Tensor, b: Tensor) {
    ctx.save(a, b);
    return bmmRaw(op, a, b);
  },
  backward(ctx, g) {
    const [a, b] = ctx.saved;
    // dA = g · Bᵀ, dB = Aᵀ · g, summed over the batch dims broadcasting added.
    return [
      ctx.needsInputGrad[0] ? sumTo(matmulOp('matmul', g, mT(b)), a.shape) : null,
      ctx.needsInputGrad[1] ? sumTo(matmulOp('matmul', mT(a), g), b.shape) : null,
    ];
  },
  // d(AB) = dA·B + A·dB (each term has the output's broadcast batch shape).
  jvp(ctx, ta, tb) {
    const [a, b] = ctx.saved;
    const terms = [ta && matmulOp('matmul', ta, b), tb && matmulOp('matmul', a, tb)];
    return terms[0] && terms[1] ? add(terms[0], terms[1]) : (terms[0] ?? terms[1]);
  },
});

function checkOperands(op: string, a: unknown, b: unknown): asserts a is Tensor {
  for (const [name, t] of [
    ['input', a],
    ['other', b],
  ] as const) {
    if (!(t instanceof Tensor))
      throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  }
  checkProductDtypes(op, [a as Tensor, b as Tensor]);
}

function cannotMultiply(op: string, a: Tensor, b: Tensor, ka: number, kb: number): RangeError {
  return new RangeError(
    `${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${ka} != ${kb})`,
  );
}

/** torch.matmul: the product of two tensors of at least one dim each. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const bytes = byteProduct([a, b], matmul);
  if (bytes) return bytes;
  return matmulNamed('matmul', a, b);
}

const AUTOCAST_OPS = new Set(['matmul', 'mm', 'bmm']);

function matmulNamed(op: string, a: Tensor, b: Tensor): Tensor {
  checkOperands(op, a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(
      `${op}: both arguments need at least 1 dim, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const ka = a.shape[a.ndim - 1];
  const kb = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (ka !== kb) throw cannotMultiply(op, a, b, ka, kb);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  broadcastShapes(op, batchA, batchB); // names both shapes when the batch dims clash

  const a2 = a.ndim === 1 ? reshape(a, [1, ka]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [kb, 1]) : b;
  // Autocast's lower-precision list has matmul, mm and bmm, not dot or mv (they stay float32).
  const product = AUTOCAST_OPS.has(op) && autocastsTo(a, b) ? autocastMatmulOp : matmulOp;
  let out: Tensor;
  const foldable =
    ka > 0 && a2.ndim > 2 && b2.ndim === 2 && viewStrides(a2.shape, a2.strides, [numel(a2.shape) / ka, ka]);
  if (foldable) {
    // [..., m, k] x [k, n]: one GEMM over all rows of a, as torch folds it.
    const rows = reshape(a2, [numel(a2.shape) / ka, ka]);
    out = reshape(product(op, rows, b2), [...a2.shape.slice(0, -1), b2.shape[1]]);
  } else {
    out = product(op, a2, b2);
  }
  if (a.ndim === 1 && b.ndim === 1) return reshape(out, []);
  if (a.ndim === 1) return reshape(out, [...out.shape.slice(0, -2), out.shape[out.ndim - 1]]);
  if (b.ndim === 1) return reshape(out, out.shape.slice(0, -1));
  return out;
}

function requireDims(op: string, t: Tensor, dims: number, name: string): void {
  if (t.ndim !== dims) throw new RangeError(`${op}: ${name} must be ${dims}-D, got shape ${formatShape(t.shape)}`);
}

/** Matrix product of two 2-D tensors (torch.mm). */
export function mm(a: Tensor, b: Tensor): Tensor {
  const bytes = byteProduct([a, b], mm);
  if (bytes) return bytes;
  checkOperands('mm', a, b);
  requireDims('mm', a, 2, 'input');
  requireDims('mm', b, 2, 'mat2');
  return matmulNamed('mm', a, b);
}

/** Batched product of [B, n, m] and [B, m, p] tensors, no broadcasting (torch.bmm). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  const bytes = byteProduct([a, b], bmm);
  if (bytes) return bytes;
  checkOperands('bmm', a, b);
  requireDims('bmm', a, 3, 'input');
  requireDims('bmm', b, 3, 'mat2');
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(
      `bmm: batch sizes of ${formatShape(a.shape)} and ${formatShape(b.shape)} differ (${a.shape[0]} != ${b.shape[0]})`,
    );
  }
  return matmulNamed('bmm', a, b);
}

/** Matrix-vector product (torch.mv). */
export function mv(a: Tensor, v: Tensor): Tensor {
  const bytes = byteProduct([a, v], mv);
  if (bytes) return bytes;
  checkOperands('mv', a, v);
  requireDims('mv', a, 2, 'input');
  requireDims('mv', v, 1, 'vec');
  return matmulNamed('mv', a, v);
}

/** Dot product of two 1-D tensors of equal length (torch.dot). */
export function dot(a: Tensor, b: Tensor): Tensor {
  const bytes = byteProduct([a, b], dot);
  if (bytes) return bytes;
  checkOperands('dot', a, b);
  requireDims('dot', a, 1, 'input');
  requireDims('dot', b, 1, 'other');
  return matmulNamed('dot', a, b);
}

/** Outer product of two 1-D tensors: [n] x [m] -> [n, m] (torch.outer). */
export function outer(a: Tensor, b: Tensor): Tensor {
  const bytes = byteProduct([a, b], outer);
  if (bytes) return bytes;
  checkOperands('outer', a, b);
  requireDims('outer', a, 1, 'input');
  requireDims('outer', b, 1, 'vec2');
  return matmulOp('outer', reshape(a, [a.shape[0], 1]), reshape(b, [1, b.shape[0]]));
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    /** `matmul(this, ...)` as a method (`torch.Tensor.matmul`): see `matmul`. */
    matmul(other: Tensor): Tensor;
    /** `mm(this, ...)` as a method (`torch.Tensor.mm`): see `mm`. */
    mm(other: Tensor): Tensor;
    /** `bmm(this, ...)` as a method (`torch.Tensor.bmm`): see `bmm`. */
    bmm(other: Tensor): Tensor;
    /** `mv(this, ...)` as a method (`torch.Tensor.mv`): see `mv`. */
    mv(vec: Tensor): Tensor;
    /** `dot(this, ...)` as a method (`torch.Tensor.dot`): see `dot`. */
    dot(other: Tensor): Tensor;
    /** `outer(this, ...)` as a method (`torch.Tensor.outer`): see `outer`. */
    outer(other: Tensor): Tensor;
  }
}

Tensor.prototype.matmul = function (this: Tensor, other: Tensor) {
  return matmul(this, other);
};
Tensor.prototype.mm = function (this: Tensor, other: Tensor) {
  return mm(this, other);
};
Tensor.prototype.bmm = function (this: Tensor, other: Tensor) {
  return bmm(this, other);
};
Tensor.prototype.mv = function (this: Tensor, vec: Tensor) {
  return mv(this, vec);
};
Tensor.prototype.dot = function (this: Tensor, other: Tensor) {
  return dot(this, other);
};
Tensor.prototype.outer = function (this: Tensor, other: Tensor) {
  return outer(this, other);
};
