// Dropout: zeroes elements with probability p and scales the rest by 1 / (1 - p) (inverted
// dropout, as torch), so eval needs no rescaling. The mask is drawn from a seeded Generator;
// the backward multiplies by the same mask.
import { defineOp } from '../autograd/define_op.js';
import { defaultGenerator, Generator } from '../random.js';
import { Storage, Tensor } from '../tensor.js';
import { floatValues } from './activation.js';
import { unaryInplace } from './inplace.js';

const dropoutOp = defineOp({
  name: 'dropout',
  forward(ctx, x: Tensor, p: number, gen: Generator) {
    const xv = floatValues(x);
    const mask = new Float32Array(xv.length);
    const out = new Float32Array(xv.length);
    const scale = p === 1 ? 0 : 1 / (1 - p);
    for (let i = 0; i < xv.length; i++) {
      const m = gen.nextFloat() < p ? 0 : scale;
      mask[i] = m;
      out[i] = xv[i] * m;
    }
    ctx.mask = mask;
    return new Tensor(new Storage(out), x.shape);
  },
  backward(ctx, grad) {
    const mask = ctx.mask as Float32Array;
    const g = floatValues(grad);
    const dx = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) dx[i] = g[i] * mask[i];
    return [new Tensor(new Storage(dx), grad.shape)];
  },
});

export interface DropoutOptions {
  /** Default true (torch's F.dropout); false returns x unchanged. */
  training?: boolean;
  inplace?: boolean;
  generator?: Generator;
}

/** torch.nn.functional.dropout(x, p, training, inplace). */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`dropout: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`dropout: probability has to be between 0 and 1, but got ${p}`);
  if (x.dtype !== 'float32') throw new TypeError(`dropout: expected a float32 tensor, got ${x.dtype}`);
  const gen = options.generator ?? defaultGenerator;
  if (!(gen instanceof Generator)) throw new TypeError('dropout: generator must be a Generator');
  if (options.training === false || p === 0) return x;
  if (options.inplace) return unaryInplace('dropout_', x, (t) => dropoutOp(t, p, gen));
  return dropoutOp(x, p, gen);
}
