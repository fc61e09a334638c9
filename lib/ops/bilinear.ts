// bilinear (torch.nn.functional.bilinear): y[.., o] = sum_ij x1[.., i] W[o, i, j] x2[.., j] + b[o],
// as one GEMM (x2 against W viewed [out * in1, in2]) and a row-wise dot with x1; autograd
// comes from the ops it is made of.
import { formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, mul } from './binary.js';
import { linear } from './linear.js';
import { requireFloatAs } from '../raw/elementwise.js';
import { throughFloat32 } from '../autograd/define_op.js';
import { sum } from './reduce.js';
import { reshape, unsqueeze } from './view.js';
import { withoutAutocast } from '../lowp/autocast_state.js';

/**
 * The bilinear map y = x1^T A x2 + b (`torch.nn.functional.bilinear`): x1 [..., in1], x2 [..., in2],
 * weight [out, in1, in2], bias [out]; y [..., out].
 * Computes in float32, or in float64 when every operand is float64.
 * @throws TypeError if an argument is not a Tensor, or not float32 (or all float64); RangeError if the shapes do not match.
 */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'bilinear';
  if ([x1, x2, weight, bias].some((t) => t instanceof Tensor && t.dtype === 'bfloat16'))
    return throughFloat32(op, [x1, x2, weight, bias ?? null], bilinear);
  for (const [name, t] of [
    ['input1', x1],
    ['input2', x2],
    ['weight', weight],
  ] as const) {
    if (!(t instanceof Tensor))
      throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
    requireFloatAs(op, x1, t, 'input1');
  }
  if (weight.ndim !== 3)
    throw new RangeError(`${op}: weight must be 3-D [out, in1, in2], got shape ${formatShape(weight.shape)}`);
  const [out, in1, in2] = weight.shape;
  if (x1.ndim < 1 || x1.shape[x1.ndim - 1] !== in1)
    throw new RangeError(
      `${op}: input1 of shape ${formatShape(x1.shape)} does not match in1_features ${in1} of weight ${formatShape(weight.shape)}`,
    );
  if (x2.ndim < 1 || x2.shape[x2.ndim - 1] !== in2)
    throw new RangeError(
      `${op}: input2 of shape ${formatShape(x2.shape)} does not match in2_features ${in2} of weight ${formatShape(weight.shape)}`,
    );
  const lead = x1.shape.slice(0, -1);
  if (!sameShape(lead, x2.shape.slice(0, -1)))
    throw new RangeError(
      `${op}: input1 ${formatShape(x1.shape)} and input2 ${formatShape(x2.shape)} must have the same leading dims`,
    );
  if (bias !== undefined && bias !== null) {
    if (!(bias instanceof Tensor)) throw new TypeError(`${op}: bias must be a Tensor`);
    requireFloatAs(op, x1, bias, 'input1');
    if (bias.ndim !== 1 || bias.shape[0] !== out)
      throw new RangeError(`${op}: bias of shape ${formatShape(bias.shape)} does not match out_features ${out}`);
  }
  const n = lead.reduce((a, b) => a * b, 1);
  const a = reshape(x1, [n, in1]);
  const b = reshape(x2, [n, in2]);
  // float32 under autocast too, as torch's (its _trilinear is in none of autocast's lists).
  const t = withoutAutocast(() => reshape(linear(b, reshape(weight, [out * in1, in2])), [n, out, in1]));
  let y = sum(mul(t, unsqueeze(a, 1)), 2);
  if (bias) y = add(y, bias);
  return reshape(y, [...lead, out]);
}
