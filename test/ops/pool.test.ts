import { describe, expect, it } from 'vitest';
import { Tensor } from '../../lib/index.js';
import {
  adaptiveAvgPool2d,
  adaptiveMaxPool2dWithIndices,
  avgPool1d,
  avgPool2d,
  maxPool2d,
  maxPool2dWithIndices,
} from '../../lib/ops/pool.js';
import { native, PoolOp, type PoolShape } from '../../lib/native.js';
import { randomFloats, withThreads } from '../helpers/native.js';
import { describeOps } from '../helpers/opinfo.js';
import { poolOps } from './declarations/pool.js';

function rand(shape: number[], seed: number, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromData(randomFloats(n, seed), shape).requiresGrad_(requiresGrad);
}

describeOps(poolOps);

describe('pooling on larger inputs (threaded over planes)', () => {
  it('gives the same result at 1 and 2 threads', () => {
    const x = rand([4, 16, 33, 31], 3, false);
    for (const f of [
      (t: Tensor) => maxPool2d(t, 3, { stride: 2, padding: 1 }),
      (t: Tensor) => avgPool2d(t, 2),
      (t: Tensor) => adaptiveAvgPool2d(t, [5, 4]),
    ]) {
      const a = withThreads(1, () => f(x).toTypedArray());
      const b = withThreads(2, () => f(x).toTypedArray());
      expect(b).toEqual(a);
    }
  });
});

describe('max pooling and NaN', () => {
  it('propagates NaN with the index of the last NaN, as PyTorch does', () => {
    const x = Tensor.fromData(new Float32Array([1, NaN, 3, NaN]), [1, 1, 2, 2]);
    for (const [v, i] of [maxPool2dWithIndices(x, 2), adaptiveMaxPool2dWithIndices(x, 1)]) {
      expect(Number.isNaN(v.item())).toBe(true);
      expect(i.item()).toBe(3);
    }
    const [v, i] = maxPool2dWithIndices(Tensor.fromData(new Float32Array([1, -Infinity, 5, 2]), [1, 1, 2, 2]), 2);
    expect([v.item(), i.item()]).toEqual([5, 2]);
  });
});

describe('maxPool2d(2): the 2x2 stride-2 fast path', () => {
  // The generic rule, element by element: windows in row-major order, the first maximum wins,
  // a NaN wins over numbers and a later NaN over an earlier one.
  function reference(x: Float32Array, planes: number, h: number, w: number): [number[], number[]] {
    const oh = h >> 1,
      ow = w >> 1;
    const vals: number[] = [],
      idx: number[] = [];
    for (let p = 0; p < planes; p++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let m = -Infinity,
            best = 2 * oy * w + 2 * ox;
          for (const [dy, dx] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ]) {
            const at = (2 * oy + dy) * w + 2 * ox + dx;
            const v = x[p * h * w + at];
            if (v > m || Number.isNaN(v)) {
              m = v;
              best = at;
            }
          }
          vals.push(m);
          idx.push(best);
        }
      }
    }
    return [vals, idx];
  }
  for (const threads of [1, 2]) {
    it(`matches the generic rule on odd sizes, ties, NaN and -Infinity (${threads} thread(s))`, () => {
      for (const [n, c, h, w] of [
        [1, 1, 2, 2],
        [2, 3, 5, 7],
        [4, 32, 28, 28],
        [3, 5, 9, 4],
      ]) {
        const x = randomFloats(n * c * h * w, h * 100 + w);
        // Ties (rounded values), NaN and -Infinity here and there.
        for (let i = 0; i < x.length; i += 7) x[i] = Math.round(x[i]);
        for (let i = 3; i < x.length; i += 29) x[i] = NaN;
        for (let i = 5; i < x.length; i += 31) x[i] = -Infinity;
        const t = Tensor.fromData(x, [n, c, h, w]).requiresGrad_(true);
        const [v, i] = withThreads(threads, () => maxPool2dWithIndices(t, 2));
        const [rv, ri] = reference(x, n * c, h, w);
        expect(v.shape).toEqual([n, c, h >> 1, w >> 1]);
        expect(Array.from(v.toTypedArray())).toEqual(rv);
        expect(Array.from(i.toTypedArray())).toEqual(ri);
        // The backward scatters dy through those indices.
        const g = randomFloats(v.numel(), 7);
        withThreads(threads, () => v.backward(Tensor.fromData(g, v.shape)));
        const dx = new Float32Array(x.length);
        const plane = (h >> 1) * (w >> 1);
        ri.forEach((at, o) => {
          dx[Math.floor(o / plane) * h * w + at] += g[o];
        });
        expect(t.grad!.toTypedArray()).toEqual(dx);
      }
    });
  }
  it('leaves ceilMode windows that overhang the plane to the generic path', () => {
    const x = Tensor.fromData(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 1, 3, 3]);
    const [v, i] = maxPool2dWithIndices(x, 2, { ceilMode: true });
    expect(Array.from(v.toTypedArray())).toEqual([5, 6, 8, 9]);
    expect(Array.from(i.toTypedArray())).toEqual([4, 5, 7, 8]);
  });
});

describe('pooling errors', () => {
  const x = rand([1, 2, 4, 4], 1, false);
  it('wrong rank, empty input, too small, bad padding and options', () => {
    expect(() => maxPool2d(rand([4, 4], 1, false), 2)).toThrow(
      'maxPool2d: expected a 3-D or 4-D input [N, C, H, W] or [C, H, W], got shape [4,4]',
    );
    expect(() => avgPool1d(x, 2)).toThrow(/avgPool1d: expected a 2-D or 3-D input/);
    expect(() => maxPool2d(rand([1, 2, 0, 4], 1, false), 2)).toThrow(/has an empty spatial dim/);
    expect(() => maxPool2d(x, 5)).toThrow(
      'maxPool2d: input [1,2,4,4] is too small for kernel [5,5] (dilation [1,1], padding [0,0]): output size 0x0 is zero',
    );
    expect(() => maxPool2d(x, 2, { padding: 2 })).toThrow(
      'maxPool2d: padding [2,2] should be at most half of kernel size [2,2]',
    );
    expect(() => avgPool2d(x, 0)).toThrow(/avgPool2d: kernelSize must be an integer >= 1/);
    expect(() => adaptiveAvgPool2d(x, [0, 2])).toThrow(/adaptiveAvgPool2d: outputSize must hold positive integers/);
    expect(() => adaptiveAvgPool2d(x, [2, 2, 2] as unknown as number)).toThrow(/outputSize must be a number or a pair/);
  });
  it('the binding rejects indices outside the plane', () => {
    const shape: PoolShape = {
      planes: 1,
      h: 2,
      w: 2,
      oh: 1,
      ow: 1,
      kh: 2,
      kw: 2,
      strideH: 2,
      strideW: 2,
      padH: 0,
      padW: 0,
      dilationH: 1,
      dilationW: 1,
      countIncludePad: false,
    };
    expect(() =>
      native.pool2dBackward(PoolOp.max, shape, new Float32Array(1), new Int32Array([4]), new Float32Array(4)),
    ).toThrow('pool2dBackward: indices[0] = 4 is outside [0, 4)');
    expect(() => native.pool2d(PoolOp.max, shape, new Float32Array(4), new Float32Array(1), null)).toThrow(
      /'indices' must be an Int32Array/,
    );
    expect(() =>
      native.pool2d(
        PoolOp.avg,
        { ...shape, h: 4, w: 4, oh: 3, ow: 3 },
        new Float32Array(16),
        new Float32Array(9),
        null,
      ),
    ).toThrow(/windows starting past input/);
  });
});
