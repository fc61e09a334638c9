// ONNX mappings of the diagonal and triangle ops: tril/triu as Trilu, diagonal as a Gather of
// the flattened matrices, diagEmbed as a Gather from the vector padded with one zero (so the
// zeros are exact and an infinity or NaN stays on the diagonal). diag and trace are made of
// these (diagonal and diagEmbed, then clone or sum).
import type { Tensor } from '../tensor.js';
import type { OpContext, OpHandler } from './export.js';
import { INT64, onnxDType } from './ops_math.js';

export function registerDiag(reg: (name: string, h: OpHandler) => void): void {
  for (const name of ['tril', 'triu'] as const) {
    reg(name, (c) => {
      const g = c.g;
      const t = (c.args[0] as Tensor).dtype;
      const k = g.constant({ dtype: 'int64', shape: [], data: [c.static(1) as number] }, 'k');
      // The runtimes' Trilu has no int32: int32 and bool go through int64 (exactly); float64
      // stays float64 (through int64 it lost its fractions).
      const float = t === 'float32' || t === 'float64';
      const x = float ? c.input(0) : g.op('Cast', [c.input(0)], { to: INT64 });
      const y = g.op('Trilu', [x, k], { upper: name === 'triu' ? 1 : 0 });
      return float ? y : g.op('Cast', [y], { to: onnxDType(t) });
    });
  }
  reg('diagonal', (c) => {
    const { offset, dim1, dim2 } = c.static(2) as { offset: number; dim1: number; dim2: number };
    const [x1, x2] = [c.args[0] as Tensor, c.args2[0] as Tensor];
    const rows = c.same(x1.shape[dim1], x2.shape[dim1], `the size of dim ${dim1}`);
    const cols = c.same(x1.shape[dim2], x2.shape[dim2], `the size of dim ${dim2}`);
    const g = c.g;
    const keep = x1.shape.map((_, d) => d).filter((d) => d !== dim1 && d !== dim2);
    const moved = g.op('Transpose', [c.input(0)], { perm: [...keep, dim1, dim2] });
    const flat = g.op('Reshape', [moved, g.ints([...keep.map(() => 0), rows * cols], 'shape')]);
    const length = Math.max(offset >= 0 ? Math.min(rows, cols - offset) : Math.min(rows + offset, cols), 0);
    const start = offset >= 0 ? offset : -offset * cols;
    const at = Array.from({ length }, (_, k) => start + k * (cols + 1));
    const indices = g.constant({ dtype: 'int64', shape: [length], data: at }, 'indices');
    return g.op('Gather', [flat, indices], { axis: keep.length });
  });
  reg('diagEmbed', (c) => diagEmbedValue(c));
}

/** diagEmbed(x, offset, d1, d2): x's last dim on diagonal `offset` of new dims d1, d2. */
function diagEmbedValue(c: OpContext): string {
  const [x1, x2] = [c.args[0] as Tensor, c.args2[0] as Tensor];
  const last = x1.ndim - 1;
  const m = c.same(x1.shape[last], x2.shape[last], `the size of the last dim`);
  const offset = c.static(1) as number;
  const [d1, d2] = [c.static(2) as number, c.static(3) as number];
  const n = m + Math.abs(offset);
  const g = c.g;
  // x padded with one zero at the end of its last dim; every place off the diagonal takes it.
  const pads = new Array(2 * x1.ndim).fill(0);
  pads[x1.ndim + last] = 1;
  const padded = g.op('Pad', [c.input(0), g.ints(pads, 'pads')]);
  const at = new Array(n * n).fill(m);
  for (let k = 0; k < m; k++) at[(offset >= 0 ? k : k - offset) * n + (offset >= 0 ? k + offset : k)] = k;
  const indices = g.constant({ dtype: 'int64', shape: [n, n], data: at }, 'indices');
  // Gather puts the matrix dims last (row for d1, column for d2); Transpose moves them to d1, d2.
  const out = g.op('Gather', [padded, indices], { axis: last });
  const rank = x1.ndim + 1;
  const perm: number[] = [];
  let batch = 0;
  for (let d = 0; d < rank; d++) perm.push(d === d1 ? rank - 2 : d === d2 ? rank - 1 : batch++);
  return g.op('Transpose', [out], { perm });
}
