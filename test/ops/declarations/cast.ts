// Declarations of lib/ops/cast.ts's ops for the op harness (test/helpers/opinfo.ts).
import { cast } from '../../../lib/ops/cast.js';
import { declareOp } from '../../helpers/opinfo.js';

type P = Record<string, any>;

/** A conversion out of float32: a copy (floats truncated toward zero for int32), no gradient. */
const castTo = (dtype: 'int32' | 'bool') =>
  declareOp<P>({
    name: `cast: to ${dtype}`,
    op: ([x]) => cast(x, dtype),
    samples: [{ name: '[3, 4]', inputs: [{ shape: [3, 4] }], args: {} }],
    dtypes: { float32: dtype, float64: dtype },
    supportsAutograd: false,
    supportsGradGrad: false,
  });

export const castOps = [castTo('int32'), castTo('bool')];
