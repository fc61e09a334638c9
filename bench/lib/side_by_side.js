// Rows of a myelin-vs-PyTorch workload: for each thread count, myelin's figure, PyTorch's
// figure from the same run, and their ratio (higher is better for myelin).
import { native } from './native.js';
import { torchRows } from './torch_peer.js';

/**
 * cases(threads) returns [{ case, value, unit, roof, mean200? }] for myelin (roof: bench/lib/roof.js;
 * mean200: the mean over a loop of 200 calls, in the row's unit, for ops that allocate their
 * output); torchValue(row) reads the same figure from a PyTorch row (and its mean200_ms);
 * higherIsBetter says whether the figure is a rate or a time.
 */
export function sideBySide(id, opts, cases, { torchValue, higherIsBetter }) {
  const rows = [];
  for (const threads of opts.threads) {
    native.setNumThreads(threads);
    const mine = cases(threads);
    const peer = torchRows(id, threads);
    for (const m of mine) {
      const t = peer?.rows.find((r) => r.case === m.case);
      const tv = t ? torchValue(t) : undefined;
      const ratio = tv === undefined ? undefined : higherIsBetter ? m.value / tv : tv / m.value;
      rows.push({
        case: m.case,
        threads,
        value: m.value,
        unit: m.unit,
        note:
          tv === undefined
            ? 'torch: n/a'
            : `torch ${tv.toFixed(tv < 10 ? 2 : 1)} ${m.unit}, ratio ${ratio.toFixed(2)}x${m.note ? `; ${m.note}` : ''}`,
        torch: tv,
        ratio,
        roof: m.roof,
        ...(m.mean200 !== undefined && { mean200: m.mean200, torchMean200: t?.mean200_ms }),
      });
    }
  }
  return rows;
}
