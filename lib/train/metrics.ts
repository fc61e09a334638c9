// Classification metrics from logits or predicted classes.
import { checkElementCount, checkInt, checkTensor, describe } from '../errors.js';
import { argmax } from '../ops/reduce.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** Predicted classes: argmax over the last dim of logits (an int32 tensor passes through). */
function predictions(op: string, output: Tensor): Int32Array {
  checkTensor(op, 'output', output);
  if (output.dtype === 'int32') return output.toTypedArray() as Int32Array;
  if (output.ndim !== 2)
    throw new RangeError(`${op}: expected logits [N, classes], got shape ${formatShape(output.shape)}`);
  return argmax(output, 1).toTypedArray() as Int32Array;
}

function labels(op: string, target: Tensor, n: number): Int32Array {
  checkTensor(op, 'target', target);
  if (target.dtype !== 'int32') throw new TypeError(`${op}: target must be int32 class indices, got ${target.dtype}`);
  const t = target.toTypedArray() as Int32Array;
  if (t.length !== n) throw new RangeError(`${op}: ${n} predictions but ${t.length} targets`);
  return t;
}

/** The number of correct predictions (logits [N, C] or int32 classes [N]) against int32 targets. */
export function correctCount(output: Tensor, target: Tensor): number {
  const p = predictions('correctCount', output);
  const t = labels('correctCount', target, p.length);
  let c = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) c++;
  return c;
}

/** Fraction of correct predictions. */
export function accuracy(output: Tensor, target: Tensor): number {
  checkTensor('accuracy', 'output', output);
  const n = output.dtype === 'int32' ? output.numel() : output.shape[0];
  return n === 0 ? NaN : correctCount(output, target) / n;
}

/** A confusion matrix: rows are true classes, columns predicted ones. */
export class ConfusionMatrix {
  /** The counts, row-major: counts[trueClass * numClasses + predicted]. */
  readonly counts: Int32Array;
  /** @throws RangeError if numClasses is not a positive integer. */
  constructor(
    /** The number of classes. */
    readonly numClasses: number,
  ) {
    if (!Number.isInteger(numClasses) || numClasses < 1)
      throw new RangeError(`ConfusionMatrix: numClasses must be a positive integer, got ${describe(numClasses)}`);
    this.counts = new Int32Array(checkElementCount('ConfusionMatrix', numClasses * numClasses));
  }

  /**
   * Counts a batch: output is logits [N, classes] (argmax taken) or int32 predicted classes,
   * target int32 true classes.
   * @throws TypeError or RangeError on tensors of the wrong dtype or shape, or classes out of range.
   */
  update(output: Tensor, target: Tensor): void {
    const p = predictions('ConfusionMatrix.update', output);
    const t = labels('ConfusionMatrix.update', target, p.length);
    const k = this.numClasses;
    for (let i = 0; i < p.length; i++) {
      if (t[i] < 0 || t[i] >= k || p[i] < 0 || p[i] >= k)
        throw new RangeError(
          `ConfusionMatrix.update: class ${t[i] < 0 || t[i] >= k ? t[i] : p[i]} is out of range for ${k} classes`,
        );
      this.counts[t[i] * k + p[i]]++;
    }
  }

  /**
   * How many samples of class trueClass were predicted as `predicted`.
   * @throws RangeError if either is not a class index.
   */
  get(trueClass: number, predicted: number): number {
    for (const [name, v] of [
      ['trueClass', trueClass],
      ['predicted', predicted],
    ] as const) {
      checkInt('ConfusionMatrix.get', name, v, 0);
      if (v >= this.numClasses)
        throw new RangeError(`ConfusionMatrix.get: ${name} ${v} is out of range for ${this.numClasses} classes`);
    }
    return this.counts[trueClass * this.numClasses + predicted];
  }

  /** The fraction of samples on the diagonal (NaN before any update). */
  accuracy(): number {
    let right = 0;
    let all = 0;
    for (let i = 0; i < this.numClasses; i++) {
      for (let j = 0; j < this.numClasses; j++) {
        all += this.get(i, j);
        if (i === j) right += this.get(i, j);
      }
    }
    return all ? right / all : NaN;
  }

  /** Per-class recall (diagonal over row sums). */
  recall(): number[] {
    return Array.from({ length: this.numClasses }, (_, i) => {
      let row = 0;
      for (let j = 0; j < this.numClasses; j++) row += this.get(i, j);
      return row ? this.get(i, i) / row : NaN;
    });
  }

  /**
   * The matrix as a table: a title saying which axis is which, one row per true class labelled
   * with its index and name, one column per predicted class headed by its index (class names are
   * too long to head ten columns within 80), and each class's recall at the end of its row.
   */
  toString(names?: readonly string[]): string {
    const k = this.numClasses;
    if (names !== undefined && !Array.isArray(names))
      throw new TypeError(`ConfusionMatrix.toString: names must be an array of class names, got ${describe(names)}`);
    if (names !== undefined && names.length !== k)
      throw new RangeError(`ConfusionMatrix.toString: ${k} classes but ${names.length} names`);
    const rowLabel = (i: number) => (names ? `${i} ${names[i]}` : String(i));
    const labelWidth = Math.max('true \\ predicted'.length, ...Array.from({ length: k }, (_, i) => rowLabel(i).length));
    const width = Math.max(String(k - 1).length, ...Array.from(this.counts, (c) => String(c).length));
    const recall = this.recall();
    const head = `${'true \\ predicted'.padEnd(labelWidth)} ${Array.from({ length: k }, (_, j) => String(j).padStart(width)).join(' ')}  recall`;
    const rows = Array.from(
      { length: k },
      (_, i) =>
        `${rowLabel(i).padEnd(labelWidth)} ${Array.from({ length: k }, (_, j) => String(this.get(i, j)).padStart(width)).join(' ')}  ${
          Number.isNaN(recall[i]) ? '   -' : `${(100 * recall[i]).toFixed(1)}%`.padStart(6)
        }`,
    );
    return ['confusion matrix (rows: true class, columns: predicted class)', head, ...rows].join('\n');
  }
}
