// Shape arithmetic: sizes, contiguous strides, broadcasting, dim normalisation and their errors.
import { describe, expect, it } from 'vitest';
import {
  broadcastShapes,
  broadcastStrides,
  checkShape,
  contiguousStrides,
  formatShape,
  isContiguous,
  normalizeDim,
  normalizeDims,
  numel,
  sameShape,
} from '../lib/shape.js';

describe('shape arithmetic', () => {
  it('sizes, formats and compares shapes', () => {
    expect(numel([2, 3, 4])).toBe(24);
    expect(numel([])).toBe(1);
    expect(numel([3, 0])).toBe(0);
    expect(formatShape([2, 3])).toBe('[2,3]');
    expect(formatShape([])).toBe('[]');
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([2], [2, 1])).toBe(false);
  });

  it('gives row-major strides, and recognises them (size-1 dims take any stride)', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(isContiguous([2, 3, 4], [12, 4, 1])).toBe(true);
    expect(isContiguous([2, 1, 4], [4, 99, 1])).toBe(true);
    expect(isContiguous([2, 3], [1, 2])).toBe(false);
  });

  it('broadcasts as PyTorch: trailing dims aligned, size 1 stretched, stride 0 where it is', () => {
    expect(broadcastShapes('add', [3, 1, 5], [4, 1])).toEqual([3, 4, 5]);
    expect(broadcastShapes('add', [], [2, 2])).toEqual([2, 2]);
    expect(broadcastShapes('add', [0, 1], [1, 3])).toEqual([0, 3]);
    expect(broadcastStrides([4, 1], [1, 1], [3, 4, 5])).toEqual([0, 1, 0]);
    expect(() => broadcastShapes('add', [2, 3], [4, 3])).toThrow(
      'add: shapes [2,3] and [4,3] cannot be broadcast (axis -2: 2 vs 4)',
    );
  });

  it('normalises negative dims and dim lists, naming the op in its errors', () => {
    expect(normalizeDim('sum', -1, 3)).toBe(2);
    expect(normalizeDim('sum', 0, 0)).toBe(0);
    expect(normalizeDim('sum', -1, 0)).toBe(0);
    expect(normalizeDims('sum', [2, -3], 3)).toEqual([0, 2]);
    expect(normalizeDims('sum', undefined, 3)).toEqual([0, 1, 2]);
    expect(() => normalizeDim('sum', 3, 3)).toThrow(
      'sum: dim 3 is out of range for a tensor of 3 dims (expected [-3, 2])',
    );
    expect(() => normalizeDim('sum', 0.5, 3)).toThrow(/sum: dim 0.5 is out of range/);
    expect(() => normalizeDims('sum', [1, -2], 3)).toThrow('sum: dim [1,-2] repeats a dim');
  });

  it('checks user shapes: arrays of non-negative integers', () => {
    expect(checkShape('zeros', [2, 0])).toEqual([2, 0]);
    expect(() => checkShape('zeros', [2, -1])).toThrow(
      'zeros: invalid shape [2,-1]: sizes must be non-negative integers',
    );
    expect(() => checkShape('zeros', [1.5])).toThrow(/zeros: invalid shape \[1.5\]/);
    expect(() => checkShape('zeros', 3 as unknown as number[])).toThrow(
      'zeros: shape must be an array of sizes, got 3',
    );
    expect(() => checkShape('zeros', [2, 'a'] as unknown as number[])).toThrow(
      "zeros: shape must be an array of sizes, got an element the string 'a'",
    );
  });
});
