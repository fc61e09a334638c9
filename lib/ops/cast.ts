// Dtype conversion as one op: Tensor.to/float/double/int/bool and the promotion of int32/bool
// inputs to float32 inside the floating ops, so that a traced forward (onnx.export) sees every
// cast. A cast between floating dtypes is differentiable (its gradient is cast back), as torch's.
import { defineOp, type OpContext, registerFloatCast } from '../autograd/define_op.js';
import {
  allocate,
  type DType,
  isFloatingDType,
  isStorageOnlyDType,
  STORAGE_FLOATING_DTYPES,
  unsupportedDtype,
} from '../dtype.js';
import { toInt32 } from '../creation.js';
import { isContiguous } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { recorded } from '../trace.js';
import { copyRaw } from '../raw/strided.js';

const floatCastOp: (x: Tensor, dtype: DType) => Tensor = defineOp({
  name: 'to',
  dtypes: STORAGE_FLOATING_DTYPES,
  forward(ctx: OpContext<{ from: DType; to: DType }>, x: Tensor, dtype: DType) {
    ctx.from = x.dtype;
    ctx.to = dtype;
    return copyRaw(x, dtype);
  },
  backward(ctx, g) {
    return [cast(g, ctx.from)];
  },
  jvp: (ctx, t) => cast(t!, ctx.to),
});
registerFloatCast(floatCastOp);

/**
 * x as `dtype` (x itself when it already is): a copy, rounding to nearest from float64 to
 * float32, truncating floats toward zero for int32 (a RangeError for NaN, infinities and values
 * int32 cannot hold, which would otherwise wrap). Differentiable between floating dtypes.
 * bfloat16 converts from the others as torch's: through float32 (nearest), then to nearest even.
 * int8 and uint8 convert exactly to float32, float64 and int32 (and to bool: nonzero), and to
 * bfloat16 as above; casts to them and from or to the quantized dtypes are refused
 * (quantizePerTensor and dequantize convert).
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (isStorageOnlyDType(dtype) && dtype !== 'bfloat16')
    throw new TypeError(
      `to: casts to ${dtype} are not supported yet (quantizePerTensor makes qint8 and quint8 tensors)`,
    );
  if (isStorageOnlyDType(x.dtype) && x.dtype !== 'bfloat16') return widen(x, dtype);
  if (isFloatingDType(x.dtype) && isFloatingDType(dtype)) return floatCastOp(x, dtype);
  if (dtype === 'int32' && isFloatingDType(x.dtype)) checkFitsInt32(x);
  return recorded('to', [x, dtype], () => copyRaw(x, dtype));
}

/**
 * Refuses a float whose truncation int32 cannot hold (NaN, infinities, beyond 2^31): the
 * conversion would wrap it or make it 0 silently (PyTorch leaves it undefined).
 */
function checkFitsInt32(x: Tensor): void {
  if (x.dtype === 'bfloat16') x = copyRaw(x, 'float32');
  const n = x.numel();
  const contiguous = isContiguous(x.shape, x.strides);
  const values = contiguous ? x.storage.data : copyRaw(x, x.dtype).storage.data;
  const start = contiguous ? x.offset : 0;
  for (let i = 0; i < n; i++) {
    toInt32('to', values[start + i], i);
  }
}

/** An int8 or uint8 tensor as a wider dtype, exactly (every 8-bit integer is one in each). */
function widen(x: Tensor, dtype: DType): Tensor {
  if (x.isQuantized) throw unsupportedDtype('to', x.dtype);
  if (dtype === 'bfloat16') return copyRaw(widen(x, 'float32'), dtype);
  const src = x.toTypedArray();
  const out = allocate(dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = dtype === 'bool' ? (src[i] !== 0 ? 1 : 0) : src[i];
  return new Tensor(new Storage(out), x.shape);
}

/**
 * x as the floating operand of an op that computes in float32 only: int32 and bool promote to
 * float32; float64 is refused with an error naming the op (rather than rounded to float32);
 * bfloat16 stays as it is (the op widens it and rounds its result: defineOp).
 */
export function float32Operand(op: string, x: Tensor): Tensor {
  if (x.dtype === 'float64') throw unsupportedDtype(op, x.dtype);
  return x.dtype === 'bfloat16' ? x : cast(x, 'float32');
}
