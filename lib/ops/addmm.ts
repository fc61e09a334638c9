// beta * input + alpha * (a matrix product): addmm, baddbmm, addbmm, addmv and addr, as one op
// over the GEMM's own accumulate (C := alpha AB + beta C, C preloaded with input broadcast), no
// separate scale or add. beta = 0 leaves input unread, NaN included, as PyTorch. addbmm is addmm
// on the batch laid side by side ([n, B*k] x [B*k, p] sums the B products); addmv and addr are
// addmm on a column and a row. Under autocast, addmm, addbmm and baddbmm (PyTorch's CPU
// lower-precision list) multiply in bf16 and round their output to bf16, as matmul.
import { bfloat16BitsOf, bfloat16BitsToNumber, type DType } from '../dtype.js';
import { checkNumber, checkOptions, describe, refuseStorageOnly } from '../errors.js';
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { contiguousRaw } from '../raw/elementwise.js';
import { bmmRaw, type GemmPrecision } from '../raw/gemm.js';
import { roundTensorToBf16 } from '../raw/round_bf16.js';
import { formatShape, type Shape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { add, broadcastSum, mul } from './binary.js';
import { sumTo } from './reduce.js';
import { mT, permute, reshape } from './view.js';
import { autocastsTo, roundedCopy } from '../lowp/autocast_ops.js';

/** The scalars of the add-product ops (torch's keyword arguments beta and alpha). */
export interface AddProductOptions {
  /** The multiplier of input (default 1); 0 ignores input's values, NaN and infinities included. */
  beta?: number;
  /** The multiplier of the product (default 1). */
  alpha?: number;
}

type AddmmContext = OpContext<{
  alpha: number;
  beta: number;
  precision: GemmPrecision;
  inputShape: Shape;
  outShape: Shape;
}>;

/**
 * beta * input + alpha * (a @ b): a [...batch, m, k], b [...batch, k, n], input broadcast to
 * [...batch, m, n], or null (the product alone, scaled: the gradients).
 */
const addmmOp: (
  op: string,
  a: Tensor,
  b: Tensor,
  input: Tensor | null,
  beta: number,
  alpha: number,
  precision: GemmPrecision,
) => Tensor = defineOp({
  name: 'addmm',
  dtypes: ['float32', 'float64'],
  forward(ctx: AddmmContext, op: string, a: Tensor, b: Tensor, input: Tensor | null, beta, alpha, precision) {
    ctx.save(a, b);
    Object.assign(ctx, { alpha, beta, precision, inputShape: input?.shape ?? [] });
    // Autocast casts input to bf16 too.
    const c = input && precision === 'bfloat16' ? new Tensor(new Storage(roundedCopy(input)), input.shape) : input;
    const out = bmmRaw(op, a, b, precision, { input: beta === 0 ? null : c, alpha, beta });
    ctx.outShape = out.shape;
    return precision === 'bfloat16' ? roundTensorToBf16(out) : out;
  },
  // The product's gradients are products scaled by alpha (the same op with beta 0, so they have
  // derivatives of their own); input's is beta * grad summed over its broadcast dims.
  backward(ctx, g) {
    const [a, b] = ctx.saved;
    const { alpha, beta, precision } = ctx;
    return [
      ctx.needsInputGrad[0] ? sumTo(addmmOp('addmm', g, mT(b), null, 0, alpha, precision), a.shape) : null,
      ctx.needsInputGrad[1] ? sumTo(addmmOp('addmm', mT(a), g, null, 0, alpha, precision), b.shape) : null,
      ctx.needsInputGrad[2] ? inputGrad(g, beta, ctx.inputShape, precision) : null,
    ];
  },
  // beta * t_input + alpha * (t_a b + a t_b)
  jvp(ctx, ta, tb, tin) {
    const [a, b] = ctx.saved;
    const { alpha, beta, precision } = ctx;
    if (precision === 'bfloat16') {
      // Under autocast PyTorch's tangent is bf16 all along, as its output: input's tangent cast
      // to bf16 and multiplied by beta in bf16, each product rounded (addmmOp) and then
      // multiplied by alpha in bf16 (its formula's maybe_multiply(t_a.mm(b), alpha)), and each
      // sum rounded, in the formula's order (beta t_input + t_a b + a t_b); held in float32 as
      // the output is.
      const scaled = (t: Tensor | null, s: number) => t && (s === 1 ? t.bfloat16() : mul(t.bfloat16(), s));
      const terms = [
        scaled(tin, beta),
        scaled(ta && addmmOp('addmm', ta, b, null, 0, 1, precision), alpha),
        scaled(tb && addmmOp('addmm', a, tb, null, 0, 1, precision), alpha),
      ];
      const present = terms.filter((t): t is Tensor => t instanceof Tensor);
      return broadcastSum(ctx.outShape, present.reduce((s, t) => add(s, t)).float());
    }
    const pa = ta && addmmOp('addmm', ta, b, null, 0, alpha, precision);
    const pb = tb && addmmOp('addmm', a, tb, null, 0, alpha, precision);
    return broadcastSum(ctx.outShape, pa, pb, tin && (beta === 1 ? tin : mul(tin, beta)));
  },
});

/**
 * input's gradient: beta * grad summed over input's broadcast dims. Under autocast input went in
 * as bf16, so PyTorch's is bf16 all along: the gradient reaching the op rounded, multiplied by
 * beta rounded (torch's bf16 product with a scalar), the product and its sum each rounded, as
 * linear's bias gradient; also when the backward records a graph (createGraph), as PyTorch's.
 */
function inputGrad(g: Tensor, beta: number, shape: Shape, precision: GemmPrecision): Tensor {
  if (precision !== 'bfloat16') return sumTo(beta === 1 ? g : mul(g, beta), shape);
  // A backward that records a graph: the same roundings as recorded bf16 ops (a bfloat16 tensor
  // times a number rounds the number first; its sum accumulates in fp32 and rounds once).
  if (isGradEnabled()) {
    const gb = g.bfloat16();
    return sumTo(beta === 1 ? gb : mul(gb, beta), shape).float();
  }
  let scaled = new Tensor(new Storage(roundedCopy(g)), g.shape);
  const betaBf16 = bfloat16BitsToNumber(bfloat16BitsOf(beta));
  if (beta !== 1) scaled = roundTensorToBf16(contiguousRaw(mul(scaled, betaBf16)));
  const summed = sumTo(scaled, shape);
  return summed === scaled ? scaled : roundTensorToBf16(contiguousRaw(summed));
}

const ADD_PRODUCT_OPTIONS = { beta: 'number', alpha: 'number' } as const;

/** The operands checked: Tensors of one dtype, float32, float64 or bfloat16, with the dims the op takes. */
function checkOperands(op: string, operands: [string, unknown, number | null][]): Tensor[] {
  const ts = operands.map(([name, t, dims]) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${describe(t)}`);
    refuseStorageOnly(op, t);
    // bfloat16 operands run in float32 and round once (defineOp), as PyTorch's CPU kernels.
    if (t.dtype !== 'float32' && t.dtype !== 'float64' && t.dtype !== 'bfloat16')
      throw new TypeError(`${op}: ${name} must be a float32, float64 or bfloat16 tensor, got ${t.dtype}`);
    if (dims !== null && t.ndim !== dims)
      throw new RangeError(`${op}: ${name} must be ${dims}-D, got shape ${formatShape(t.shape)}`);
    return t;
  });
  const dtypes = ts.map((t) => t.dtype);
  if (dtypes.some((d) => d !== dtypes[0]))
    throw new TypeError(
      `${op}: ${operands.map(([name]) => name).join(', ')} must have one dtype (float32, float64 or bfloat16), got ${dtypes.join(', ')}`,
    );
  return ts;
}

/** The product a @ b (already checked to multiply) plus input, under the op's name and scalars. */
function addProduct(
  op: string,
  input: Tensor,
  a: Tensor,
  b: Tensor,
  outShape: Shape,
  opts: AddProductOptions | undefined,
  autocasts: boolean,
): Tensor {
  const o = checkOptions(op, opts, ADD_PRODUCT_OPTIONS);
  const beta = checkNumber(op, 'beta', o.beta ?? 1, { finite: false });
  const alpha = checkNumber(op, 'alpha', o.alpha ?? 1, { finite: false });
  checkBroadcastsTo(op, input, outShape);
  const precision = autocasts && autocastsTo(input, a, b) ? 'bfloat16' : 'float32';
  return addmmOp(op, a, b, input, beta, alpha, precision);
}

/** input broadcasts to the result's shape (torch's broadcast rules; the result's shape is fixed). */
function checkBroadcastsTo(op: string, input: Tensor, shape: Shape): void {
  const lead = shape.length - input.ndim;
  if (lead < 0 || input.shape.some((d, i) => d !== 1 && d !== shape[lead + i]))
    throw new RangeError(
      `${op}: input of shape ${formatShape(input.shape)} does not broadcast to the product's shape ${formatShape(shape)}`,
    );
}

function cannotMultiply(op: string, names: string, a: Tensor, b: Tensor): RangeError {
  return new RangeError(
    `${op}: ${names} shapes cannot be multiplied (${formatShape(a.shape)} and ${formatShape(b.shape)})`,
  );
}

/**
 * beta * input + alpha * (mat1 @ mat2) (`torch.addmm`): mat1 [n, m], mat2 [m, p], input
 * broadcast to [n, p]. One GEMM accumulating onto input; beta = 0 ignores input's values (NaN
 * included). float32, float64 or bfloat16; under autocast bf16 products, as matmul.
 * @throws TypeError for a non-tensor or mixed dtypes; RangeError for shapes that do not multiply
 * or an input that does not broadcast to the result.
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts?: AddProductOptions): Tensor {
  const op = 'addmm';
  checkOperands(op, [
    ['input', input, null],
    ['mat1', mat1, 2],
    ['mat2', mat2, 2],
  ]);
  if (mat1.shape[1] !== mat2.shape[0]) throw cannotMultiply(op, 'mat1 and mat2', mat1, mat2);
  return addProduct(op, input, mat1, mat2, [mat1.shape[0], mat2.shape[1]], opts, true);
}

/** The batch operands of baddbmm and addbmm checked: [B, n, m] and [B, m, p]. */
function checkBatches(op: string, input: Tensor, batch1: Tensor, batch2: Tensor): void {
  checkOperands(op, [
    ['input', input, null],
    ['batch1', batch1, 3],
    ['batch2', batch2, 3],
  ]);
  if (batch1.shape[0] !== batch2.shape[0] || batch1.shape[2] !== batch2.shape[1])
    throw cannotMultiply(op, 'batch1 and batch2', batch1, batch2);
}

/**
 * beta * input + alpha * bmm(batch1, batch2) (`torch.baddbmm`): batch1 [B, n, m], batch2
 * [B, m, p], input broadcast to [B, n, p]. float32, float64 or bfloat16; under autocast bf16 products.
 * @throws TypeError for a non-tensor or mixed dtypes; RangeError for batches that do not
 * multiply or an input that does not broadcast to the result.
 */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, opts?: AddProductOptions): Tensor {
  checkBatches('baddbmm', input, batch1, batch2);
  const [B, n, p] = [batch1.shape[0], batch1.shape[1], batch2.shape[2]];
  return addProduct('baddbmm', input, batch1, batch2, [B, n, p], opts, true);
}

/**
 * beta * input + alpha * (the sum over the batch of batch1[i] @ batch2[i]) (`torch.addbmm`):
 * batch1 [B, n, m], batch2 [B, m, p], input broadcast to [n, p]. One GEMM over the batch laid
 * side by side. float32, float64 or bfloat16; under autocast bf16 products.
 * @throws TypeError for a non-tensor or mixed dtypes; RangeError for batches that do not
 * multiply or an input that does not broadcast to the result.
 */
export function addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, opts?: AddProductOptions): Tensor {
  checkBatches('addbmm', input, batch1, batch2);
  const [B, n, m] = batch1.shape;
  const p = batch2.shape[2];
  // [n, B*m] x [B*m, p]: row i of the left is batch1[:, i, :] end to end.
  const left = reshape(permute(batch1, [1, 0, 2]), [n, B * m]);
  const right = reshape(batch2, [B * m, p]);
  return addProduct('addbmm', input, left, right, [n, p], opts, true);
}

/**
 * beta * input + alpha * (mat @ vec) (`torch.addmv`): mat [n, m], vec [m], input broadcast to
 * [n]. float32, float64 or bfloat16 (not on autocast's list: float32 under autocast, as PyTorch).
 * @throws TypeError for a non-tensor or mixed dtypes; RangeError for shapes that do not multiply
 * or an input that does not broadcast to the result.
 */
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, opts?: AddProductOptions): Tensor {
  const op = 'addmv';
  checkOperands(op, [
    ['input', input, null],
    ['mat', mat, 2],
    ['vec', vec, 1],
  ]);
  if (mat.shape[1] !== vec.shape[0]) throw cannotMultiply(op, 'mat and vec', mat, vec);
  const n = mat.shape[0];
  checkBroadcastsTo(op, input, [n]);
  // A column: [n, m] x [m, 1] onto input as [n, 1] (or [1, 1], or a scalar).
  const column = input.ndim === 0 ? input : reshape(input, [input.shape[0], 1]);
  const out = addProduct(op, column, mat, reshape(vec, [vec.shape[0], 1]), [n, 1], opts, false);
  return reshape(out, [n]);
}

/**
 * beta * input + alpha * outer(vec1, vec2) (`torch.addr`): vec1 [n], vec2 [m], input broadcast
 * to [n, m]. float32, float64 or bfloat16 (not on autocast's list: float32 under autocast, as PyTorch).
 * @throws TypeError for a non-tensor or mixed dtypes; RangeError for an input that does not
 * broadcast to the result.
 */
export function addr(input: Tensor, vec1: Tensor, vec2: Tensor, opts?: AddProductOptions): Tensor {
  const op = 'addr';
  checkOperands(op, [
    ['input', input, null],
    ['vec1', vec1, 1],
    ['vec2', vec2, 1],
  ]);
  const [n, m] = [vec1.shape[0], vec2.shape[0]];
  return addProduct(op, input, reshape(vec1, [n, 1]), reshape(vec2, [1, m]), [n, m], opts, false);
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    /** `addmm(this, ...)` as a method (`torch.Tensor.addmm`): see `addmm`. */
    addmm(mat1: Tensor, mat2: Tensor, opts?: AddProductOptions): Tensor;
    /** `baddbmm(this, ...)` as a method (`torch.Tensor.baddbmm`): see `baddbmm`. */
    baddbmm(batch1: Tensor, batch2: Tensor, opts?: AddProductOptions): Tensor;
    /** `addbmm(this, ...)` as a method (`torch.Tensor.addbmm`): see `addbmm`. */
    addbmm(batch1: Tensor, batch2: Tensor, opts?: AddProductOptions): Tensor;
    /** `addmv(this, ...)` as a method (`torch.Tensor.addmv`): see `addmv`. */
    addmv(mat: Tensor, vec: Tensor, opts?: AddProductOptions): Tensor;
    /** `addr(this, ...)` as a method (`torch.Tensor.addr`): see `addr`. */
    addr(vec1: Tensor, vec2: Tensor, opts?: AddProductOptions): Tensor;
  }
}

Tensor.prototype.addmm = function (this: Tensor, mat1: Tensor, mat2: Tensor, opts?: AddProductOptions) {
  return addmm(this, mat1, mat2, opts);
};
Tensor.prototype.baddbmm = function (this: Tensor, batch1: Tensor, batch2: Tensor, opts?: AddProductOptions) {
  return baddbmm(this, batch1, batch2, opts);
};
Tensor.prototype.addbmm = function (this: Tensor, batch1: Tensor, batch2: Tensor, opts?: AddProductOptions) {
  return addbmm(this, batch1, batch2, opts);
};
Tensor.prototype.addmv = function (this: Tensor, mat: Tensor, vec: Tensor, opts?: AddProductOptions) {
  return addmv(this, mat, vec, opts);
};
Tensor.prototype.addr = function (this: Tensor, vec1: Tensor, vec2: Tensor, opts?: AddProductOptions) {
  return addr(this, vec1, vec2, opts);
};
