// Dtype conversion as one op: Tensor.to/float/double/int/bool and the promotion of int32/bool
// inputs to float32 inside the floating ops, so that a traced forward (onnx.export) sees every
// cast. A cast between floating dtypes is differentiable (its gradient is cast back), as torch's.
import { defineOp, type OpContext, registerFloatCast } from '../autograd/define_op.js';
import {
  type DType,
  isFloatingDType,
  isIntegerDType,
  isQuantizedDType,
  STORAGE_FLOATING_DTYPES,
  unsupportedDtype,
} from '../dtype.js';
import { toInt32 } from '../creation.js';
import { isContiguous } from '../shape.js';
import type { Tensor } from '../tensor.js';
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
 * float32, truncating floats toward zero for the integer dtypes (a RangeError for NaN, infinities
 * and values int32 cannot hold). Differentiable between floating dtypes. bfloat16 converts from
 * the others as torch's: through float32 (nearest), then to nearest even. int8 and uint8 take the
 * low 8 bits of the (truncated) integer, as torch's casts on x86: int32 300 and float 300.7 give
 * 44, float -1 as uint8 255. Casts from or to the quantized dtypes are refused (quantizePerTensor
 * and dequantize convert).
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (isQuantizedDType(dtype))
    throw new TypeError(`to: casts to ${dtype} are not supported (quantizePerTensor makes qint8 and quint8 tensors)`);
  if (isQuantizedDType(x.dtype)) throw unsupportedDtype('to', x.dtype);
  if (isFloatingDType(x.dtype) && isFloatingDType(dtype)) return floatCastOp(x, dtype);
  if (isIntegerDType(dtype) && isFloatingDType(x.dtype)) checkFitsInt32(x);
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

/**
 * x as the floating operand of an op that computes in float32 only: int32 and bool promote to
 * float32; float64 is refused with an error naming the op (rather than rounded to float32);
 * bfloat16 stays as it is (the op widens it and rounds its result: defineOp).
 */
export function float32Operand(op: string, x: Tensor): Tensor {
  if (x.dtype === 'float64') throw unsupportedDtype(op, x.dtype);
  return x.dtype === 'bfloat16' ? x : cast(x, 'float32');
}

/**
 * The product `run` of 8-bit integer operands (all int8 or all uint8, as torch requires) computed
 * in int32 and cast back: the low 8 bits of the wrapping int32 result are torch's wrapping int8 /
 * uint8 result, since 2^8 divides 2^32. null when ts are not all int8 or all uint8.
 */
export function byteProduct(ts: readonly unknown[], run: (...ts: Tensor[]) => Tensor): Tensor | null {
  const d = (ts[0] as Tensor | undefined)?.dtype;
  if ((d !== 'int8' && d !== 'uint8') || !ts.every((t) => (t as Tensor)?.dtype === d)) return null;
  return cast(run(...ts.map((t) => cast(t as Tensor, 'int32'))), d);
}
