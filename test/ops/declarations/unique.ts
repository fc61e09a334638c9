// Declarations of lib/ops/unique.ts's ops for the op harness (test/helpers/opinfo.ts).
import { unique } from '../../../lib/ops/unique.js';
import { declareOp } from '../../helpers/opinfo.js';

type P = Record<string, any>;

// Integer values with repeats, so there is something to remove.
const repeats = (shape: number[], n: number) => ({
  shape,
  values: Array.from({ length: n }, (_, i) => ((i * 7) % 5) - 2),
});

export const uniqueOps = [
  declareOp<P>({
    name: 'unique',
    op: ([x], p) => {
      if (!p.returnInverse) return unique(x, p);
      const r = unique(x, { ...p, returnInverse: true });
      return [r.values, r.inverse!];
    },
    samples: [
      { name: '[3, 4]', inputs: [repeats([3, 4], 12)], args: {} },
      { name: '[3, 4] unsorted', inputs: [repeats([3, 4], 12)], args: { sorted: false } },
      { name: '[3, 4] with the inverse', inputs: [repeats([3, 4], 12)], args: { returnInverse: true } },
    ],
    dtypes: { float32: 'float32', float64: 'float64', int32: 'int32' },
    supportsAutograd: false,
    supportsGradGrad: false,
  }),
];
