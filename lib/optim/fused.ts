// Shared plumbing of the fused optimizers: the contiguous views the native step kernels take
// (Float32Arrays, or Float64Arrays for a float64 parameter: it steps in double), and lazily
// created state buffers of the parameter's dtype, as PyTorch's.
//
// A bfloat16 parameter steps through the float32 kernel: its elements, its gradient and its
// state are widened to float32 (exact), updated by one float32 step, and the parameter and the
// state are rounded back to bfloat16 (nearest even). The state stays bfloat16 between steps, as
// PyTorch's; PyTorch rounds after each tensor op of its update instead of once at the end, so the
// two agree within a bfloat16 ulp on a step from the same values, not bit for bit.
import { toBf16Bits, type Widened, widen } from '../raw/round_bf16.js';
import { copyRaw } from '../raw/strided.js';
import { Storage, Tensor } from '../tensor.js';
import { floatElements } from '../raw/elementwise.js';
import type { OptimizerState } from './optimizer.js';

type Floats = Float32Array | Float64Array;

/** A contiguous tensor's elements as floats (a float32 copy of bfloat16 bits, written back by store()). */
function widenTensor(t: Tensor): Widened {
  return widen(t.storage.data as Floats | Uint16Array, t.offset, t.numel());
}

/**
 * The arrays of one parameter's fused step: views for float32 and float64 parameters; float32
 * copies for a bfloat16 one, written back rounded by `done()`.
 */
export class FusedStep {
  /** The bfloat16 tensors to write back and their float32 working copies. */
  private readonly widened: Widened[] = [];
  private readonly bf16: boolean;

  constructor(
    private readonly op: string,
    private readonly p: Tensor,
  ) {
    if (!p.isContiguous())
      throw new Error(
        `${op}: parameters must be contiguous (got strides [${p.strides.join(',')}] for shape [${p.shape.join(',')}])`,
      );
    this.bf16 = p.dtype === 'bfloat16';
  }

  /** The elements of a contiguous tensor of the parameter's dtype, as the kernel updates them. */
  private working(t: Tensor): Floats {
    const w = widenTensor(t);
    if (w.bf16) this.widened.push(w);
    return w.values;
  }

  /** The parameter's elements. */
  param(): Floats {
    return this.working(this.p);
  }

  /** The gradient's elements (read only: a copy when it is not contiguous or is bfloat16). */
  grad(g: Tensor): Floats {
    const p = this.p;
    if (g.numel() !== p.numel())
      throw new RangeError(`${this.op}: gradient has ${g.numel()} elements, its parameter ${p.numel()}`);
    if (g.dtype !== p.dtype)
      throw new TypeError(`${this.op}: gradient must be ${p.dtype} (the parameter's dtype), got ${g.dtype}`);
    if (!this.bf16) return floatElements(g);
    return widenTensor(g.isContiguous() ? g : copyRaw(g)).values;
  }

  /** state[key] (of the parameter's dtype), created (filled with `init`) on first use. */
  state(state: OptimizerState, key: string, init = 0): Floats {
    let t = state[key];
    if (!(t instanceof Tensor)) {
      const n = this.p.numel();
      const data =
        this.p.dtype === 'float64'
          ? new Float64Array(n).fill(init)
          : this.bf16
            ? toBf16Bits(new Float32Array(n).fill(init))
            : new Float32Array(n).fill(init);
      t = new Tensor(new Storage(data), this.p.shape);
      state[key] = t;
    }
    return this.working(t);
  }

  /** Writes the bfloat16 copies back (rounded) and bumps the parameter's version (autograd's staleness check). */
  done(): void {
    for (const w of this.widened) w.store();
    this.p.storage.version++;
  }
}
