// unique: the distinct elements (or, with dim, the distinct slices along dim), optionally with
// the inverse indices and the counts, as torch.unique. Not differentiable (neither is torch's).
import { allocate, type TypedArray } from '../dtype.js';
import { checkOptions, refuseStorageOnly } from '../errors.js';
import { formatShape, normalizeDim, numel } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { copyRaw, widenBf16 } from '../raw/strided.js';
import { permute } from './view.js';
import { activeTracer } from '../trace.js';

/** The options of `unique` (PyTorch's keyword arguments, in camelCase). */
export interface UniqueOptions {
  /**
   * Ascending order (default true). false: the order of first appearance (torch leaves that
   * order unspecified).
   */
  sorted?: boolean;
  /** Also return, for each input element (or slice), the index of its value in the output. */
  returnInverse?: boolean;
  /** Also return how many times each output value (or slice) occurs. */
  returnCounts?: boolean;
  /** Distinct slices along this dim instead of distinct elements (compared lexicographically). */
  dim?: number;
}

/** unique's outputs; destructures as torch's tuple: [values, inverse?, counts?] (those asked for). */
export class UniqueResult {
  constructor(
    /** The distinct elements (or slices). */
    readonly values: Tensor,
    /** int32, one per input element (input's shape), or per slice along dim. */
    readonly inverse: Tensor | null,
    /** int32, one per output value or slice. */
    readonly counts: Tensor | null,
  ) {}
  /** Yields values, then inverse and counts where they were asked for. */
  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    if (this.inverse) yield this.inverse;
    if (this.counts) yield this.counts;
  }
}

const UNIQUE_OPTIONS = ['sorted', 'returnInverse', 'returnCounts', 'dim'];

/** Orders two rows (slices) lexicographically; NaN after every number, NaNs all distinct. */
function compareRows(data: TypedArray, width: number, a: number, b: number): number {
  for (let k = 0; k < width; k++) {
    const x = data[a * width + k];
    const y = data[b * width + k];
    if (x < y) return -1;
    if (x > y) return 1;
    if (x !== y) {
      // at least one NaN
      if (x === x) return -1;
      if (y === y) return 1;
      return a - b;
    }
  }
  return 0;
}

function int32(values: number[] | Int32Array, shape: number[]): Tensor {
  return new Tensor(new Storage(Int32Array.from(values)), shape);
}

/**
 * The distinct elements of x, or distinct slices along `dim` (`torch.unique`): a tensor, or a
 * `UniqueResult` with the inverse indices and counts when asked for.
 * @throws TypeError if x is not a Tensor, or on an unknown option; RangeError if dim is out of range.
 */
export function unique(x: Tensor, options?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function unique(x: Tensor, options: UniqueOptions): UniqueResult;
export function unique(x: Tensor, options: UniqueOptions = {}): Tensor | UniqueResult {
  if (!(x instanceof Tensor)) throw new TypeError(`unique: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  refuseStorageOnly('unique', x);
  checkOptions('unique', options, UNIQUE_OPTIONS);
  if (x.dtype === 'bfloat16') {
    // On the float32 values; the unique ones are bfloat16 values, so they convert back exactly.
    const found = unique(widenBf16(x.detach()), options);
    if (found instanceof Tensor) return copyRaw(found, 'bfloat16');
    return new UniqueResult(copyRaw(found.values, 'bfloat16'), found.inverse, found.counts);
  }
  // Its result's size comes from the values, read here: onnx.export refuses it on computed ones.
  if (activeTracer !== null) activeTracer.read(x, 'unique()');
  const { sorted = true, returnInverse = false, returnCounts = false } = options;
  // Rows: the elements (width 1), or the slices along dim moved to the front, flattened.
  let rows: Tensor;
  let sliceShape: number[] = [];
  let dim: number | null = null;
  if (options.dim === undefined || options.dim === null) {
    rows = copyRaw(x);
  } else {
    dim = normalizeDim('unique', options.dim, x.ndim);
    if (x.ndim === 0) throw new RangeError('unique: dim needs a tensor of at least 1 dim, got a 0-d tensor');
    const order = [dim, ...x.shape.map((_, d) => d).filter((d) => d !== dim)];
    rows = copyRaw(permute(x.detach(), order));
    sliceShape = order.slice(1).map((d) => x.shape[d]);
    if (x.shape[dim] > 0 && numel(sliceShape) === 0)
      throw new RangeError(
        `unique: cannot take unique slices of size 0 along dim ${options.dim} (shape ${formatShape(x.shape)})`,
      );
  }
  const data = rows.storage.data;
  const width = dim === null ? 1 : numel(sliceShape);
  const n = dim === null ? data.length : x.shape[dim];
  const idx = Array.from({ length: n }, (_, i) => i);
  if (sorted) idx.sort((a, b) => compareRows(data, width, a, b) || a - b);
  // Group equal rows: sorted, neighbours; unsorted, the first row equal to each (a hash on the row).
  const groupOf = new Int32Array(n);
  const firsts: number[] = [];
  const counts: number[] = [];
  if (sorted) {
    for (let k = 0; k < n; k++) {
      if (k === 0 || compareRows(data, width, idx[k - 1], idx[k]) !== 0) {
        firsts.push(idx[k]);
        counts.push(0);
      }
      groupOf[idx[k]] = firsts.length - 1;
      counts[counts.length - 1]++;
    }
  } else {
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const row = data.subarray(i * width, (i + 1) * width);
      // NaNs never equal anything: a key that no other row shares.
      const key = row.some((v) => v !== v) ? `nan:${i}` : Array.from(row, (v) => (v === 0 ? 0 : v)).join(',');
      let g = seen.get(key);
      if (g === undefined) {
        g = firsts.length;
        seen.set(key, g);
        firsts.push(i);
        counts.push(0);
      }
      groupOf[i] = g;
      counts[g]++;
    }
  }
  const out = allocate(x.dtype, firsts.length * width);
  firsts.forEach((r, k) => out.set(data.subarray(r * width, (r + 1) * width), k * width));
  let values = new Tensor(new Storage(out), dim === null ? [firsts.length] : [firsts.length, ...sliceShape]);
  if (dim !== null) {
    // Back to the input's dim order: the unique slices along dim.
    const back = x.shape.map((_, d) => (d === dim ? 0 : d < dim ? d + 1 : d));
    values = copyRaw(permute(values, back));
  }
  if (!returnInverse && !returnCounts) return values;
  return new UniqueResult(
    values,
    returnInverse ? int32(groupOf, dim === null ? [...x.shape] : [n]) : null,
    returnCounts ? int32(counts, [counts.length]) : null,
  );
}

declare module '../tensor.js' {
  interface Tensor {
    /** `unique(this, ...)` as a method (`torch.Tensor.unique`): see `unique`. */
    unique(options?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    /** With returnInverse or returnCounts: the values with the inverse indices and counts asked for. */
    unique(options: UniqueOptions): UniqueResult;
  }
}

(Tensor.prototype as unknown as Record<string, unknown>).unique = function (this: Tensor, options?: UniqueOptions) {
  return unique(this, options as UniqueOptions);
};
