// accuracy, correctCount and ConfusionMatrix: counts from logits or classes, the labelled table,
// and errors that name the function and the values.
import { describe, expect, it } from 'vitest';
import { tensor, train } from '../../lib/index.js';

const classes = (v: number[]) => tensor(new Int32Array(v));
// logits whose argmax per row is [2, 0, 1, 1]
const logits = tensor([
  [0.1, 0.2, 0.9],
  [3, -1, 0],
  [0, 5, 1],
  [0, 2, 2.5 - 1],
]);

describe('accuracy and correctCount', () => {
  it('count the argmax of logits, or int32 classes, against the targets', () => {
    expect(train.correctCount(logits, classes([2, 0, 0, 1]))).toBe(3);
    expect(train.accuracy(logits, classes([2, 0, 0, 1]))).toBe(0.75);
    expect(train.accuracy(classes([1, 1]), classes([1, 0]))).toBe(0.5);
  });

  it('reject float targets and mismatched counts', () => {
    expect(() => train.accuracy(logits, tensor([2, 0, 0, 1]))).toThrow(
      /correctCount: target must be int32 class indices, got float32/,
    );
    expect(() => train.accuracy(logits, classes([2, 0]))).toThrow(/correctCount: 4 predictions but 2 targets/);
  });
});

describe('ConfusionMatrix', () => {
  it('counts (true, predicted) pairs, with accuracy and per-class recall', () => {
    const m = new train.ConfusionMatrix(3);
    m.update(logits, classes([2, 0, 0, 1]));
    m.update(classes([2]), classes([2]));
    expect(m.get(0, 1)).toBe(1);
    expect(m.get(2, 2)).toBe(2);
    expect(m.accuracy()).toBe(0.8);
    expect(m.recall()).toEqual([0.5, 1, 1]);
  });

  it('prints a table that says which axis is which, rows labelled by index and name, with recall', () => {
    const m = new train.ConfusionMatrix(3);
    m.update(classes([0, 1, 1, 2, 0, 0]), classes([0, 1, 2, 2, 0, 1]));
    expect(m.toString(['cat', 'dog', 'bird']).split('\n')).toEqual([
      'confusion matrix (rows: true class, columns: predicted class)',
      'true \\ predicted 0 1 2  recall',
      '0 cat            2 0 0  100.0%',
      '1 dog            1 1 0   50.0%',
      '2 bird           0 1 1   50.0%',
    ]);
    expect(new train.ConfusionMatrix(2).toString().split('\n').slice(1)).toEqual([
      'true \\ predicted 0 1  recall',
      '0                0 0     -',
      '1                0 0     -',
    ]);
  });

  it('rejects a class out of range, a bad class count and a wrong number of names', () => {
    const m = new train.ConfusionMatrix(3);
    expect(() => m.update(classes([3]), classes([0]))).toThrow(
      /ConfusionMatrix.update: class 3 is out of range for 3 classes/,
    );
    expect(() => new train.ConfusionMatrix(0)).toThrow(/ConfusionMatrix: numClasses must be a positive integer, got 0/);
    expect(() => m.toString(['a', 'b'])).toThrow(/ConfusionMatrix.toString: 3 classes but 2 names/);
  });
});
