// Dtype conversion as one op: Tensor.to/float/int/bool and the promotion of int32/bool inputs to
// float32 inside the floating ops, so that a traced forward (onnx.export) sees every cast.
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { recorded } from '../trace.js';
import { copyRaw } from '../raw/strided.js';

/** x as `dtype` (x itself when it already is): a copy, truncating floats toward zero for int32. */
export function cast(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : recorded('to', [x, dtype], () => copyRaw(x, dtype));
}
