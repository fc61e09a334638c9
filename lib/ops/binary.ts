// Broadcasting binary arithmetic: forward through the native strided kernel, backward beside it.
import { defineOp } from '../autograd/define_op.js';
import { BinaryOp } from '../native.js';
import { Storage, Tensor } from '../tensor.js';
import { binaryRaw, requireFloat, sumToShape } from './raw.js';

export type TensorLike = Tensor | number;

/** A number becomes a 0-d float32 tensor; tensors pass through. */
export function asTensor(op: string, x: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return new Tensor(new Storage(new Float32Array([x])), []);
  throw new TypeError(`${op}: expected a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
}

const addOp = defineOp({
  name: 'add',
  forward(ctx, a: Tensor, b: Tensor) {
    ctx.aShape = a.shape;
    ctx.bShape = b.shape;
    return binaryRaw('add', BinaryOp.add, a, b);
  },
  backward(ctx, g) {
    return [
      ctx.needsInputGrad[0] ? sumToShape(g, ctx.aShape as number[]) : null,
      ctx.needsInputGrad[1] ? sumToShape(g, ctx.bShape as number[]) : null,
    ];
  },
});

const subOp = defineOp({
  name: 'sub',
  forward(ctx, a: Tensor, b: Tensor) {
    ctx.aShape = a.shape;
    ctx.bShape = b.shape;
    return binaryRaw('sub', BinaryOp.sub, a, b);
  },
  backward(ctx, g) {
    return [
      ctx.needsInputGrad[0] ? sumToShape(g, ctx.aShape as number[]) : null,
      ctx.needsInputGrad[1] ? sumToShape(binaryRaw('sub', BinaryOp.sub, asTensor('sub', 0), g), ctx.bShape as number[]) : null,
    ];
  },
});

const mulOp = defineOp({
  name: 'mul',
  forward(ctx, a: Tensor, b: Tensor) {
    ctx.save(a, b);
    return binaryRaw('mul', BinaryOp.mul, a, b);
  },
  backward(ctx, g) {
    const [a, b] = ctx.saved;
    return [
      ctx.needsInputGrad[0] ? sumToShape(mul(g, b), a.shape) : null,
      ctx.needsInputGrad[1] ? sumToShape(mul(g, a), b.shape) : null,
    ];
  },
});

const divOp = defineOp({
  name: 'div',
  forward(ctx, a: Tensor, b: Tensor) {
    ctx.save(a, b);
    return binaryRaw('div', BinaryOp.div, a, b);
  },
  backward(ctx, g) {
    const [a, b] = ctx.saved;
    // d(a/b)/da = 1/b; d(a/b)/db = -a/b^2
    return [
      ctx.needsInputGrad[0] ? sumToShape(div(g, b), a.shape) : null,
      ctx.needsInputGrad[1] ? sumToShape(div(mul(mul(g, a), -1), mul(b, b)), b.shape) : null,
    ];
  },
});

function floatPair(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const ta = asTensor(op, a);
  const tb = asTensor(op, b);
  requireFloat(op, ta);
  requireFloat(op, tb);
  return [ta, tb];
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  return addOp(...floatPair('add', a, b));
}
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return subOp(...floatPair('sub', a, b));
}
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return mulOp(...floatPair('mul', a, b));
}
export function div(a: TensorLike, b: TensorLike): Tensor {
  return divOp(...floatPair('div', a, b));
}

declare module '../tensor.js' {
  interface Tensor {
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
  }
}

Tensor.prototype.add = function (this: Tensor, other: TensorLike) { return add(this, other); };
Tensor.prototype.sub = function (this: Tensor, other: TensorLike) { return sub(this, other); };
Tensor.prototype.mul = function (this: Tensor, other: TensorLike) { return mul(this, other); };
Tensor.prototype.div = function (this: Tensor, other: TensorLike) { return div(this, other); };
