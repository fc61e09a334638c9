import { describe, expect, it } from 'vitest';
import {
  argsort,
  gather,
  gradcheck,
  indexSelect,
  maskedFill,
  nonzero,
  oneHot,
  scatter,
  scatterAdd,
  sort,
  Tensor,
  tensor,
  topk,
  zeros,
} from '../../lib/index.js';
import { randomFloats } from '../helpers/native.js';
import { describeOps } from '../helpers/opinfo.js';
import { indexingOps } from './declarations/indexing.js';

function rand(shape: number[], seed: number, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromData(randomFloats(n, seed), shape).requiresGrad_(requiresGrad);
}

const int = (data: number[] | number[][] | number[][][]) => tensor(data, { dtype: 'int32' });

describeOps(indexingOps);

describe('indexing second-order gradients', () => {
  const idx = int([
    [0, 2, 1],
    [2, 2, 0],
  ]);
  it('second order: the gradient of gather is a scatterAdd, whose gradient is a gather', () => {
    expect(gradcheck((s) => gather(scatterAdd(zeros([3, 3]), 0, idx, s), 0, idx), [rand([2, 3], 16, true)])).toBe(true);
    expect(
      gradcheck((x) => indexSelect(indexSelect(x, 0, int([1, 1, 0])), 0, int([2, 0])), [rand([2, 2], 17, true)]),
    ).toBe(true);
  });
});

describe('indexing semantics', () => {
  it('non-contiguous inputs and indices', () => {
    const x = rand([4, 3], 20).mT; // [3, 4], strides [1, 3]
    const i = int([
      [0, 3],
      [1, 1],
      [3, 2],
    ]).mT.contiguous().mT; // [3, 2] transposed storage
    expect(gather(x, 1, i).tolist()).toEqual(gather(x.contiguous(), 1, i.contiguous()).tolist());
    expect(scatter(x, 1, i, rand([3, 2], 21)).tolist()).toEqual(
      scatter(x.contiguous(), 1, i.contiguous(), rand([3, 2], 21)).tolist(),
    );
    expect(sort(x, 0).values.tolist()).toEqual(sort(x.contiguous(), 0).values.tolist());
    expect(topk(x, 3, 1).indices.tolist()).toEqual(topk(x.contiguous(), 3, 1).indices.tolist());
    expect(indexSelect(x, 1, int([3, 0])).tolist()).toEqual(indexSelect(x.contiguous(), 1, int([3, 0])).tolist());
    const m = tensor([true, false, true, false]).unsqueeze(0).expand(3, 4);
    expect(maskedFill(x, m, 0).tolist()).toEqual(
      maskedFill(x.contiguous(), tensor([true, false, true, false]), 0).tolist(),
    );
  });

  it('sort: stable, NaN last ascending and first descending, int32 values, argsort', () => {
    const x = tensor([3, NaN, 1, 3, -0, 1]);
    expect(sort(x).indices.tolist()).toEqual([4, 2, 5, 0, 3, 1]);
    expect(sort(x, { descending: true }).indices.tolist()).toEqual([1, 0, 3, 2, 5, 4]);
    expect(argsort(x, -1, { descending: true }).tolist()).toEqual([1, 0, 3, 2, 5, 4]);
    const [values, indices] = sort(tensor([5, 2, 9], { dtype: 'int32' }));
    expect(values.dtype).toBe('int32');
    expect(values.tolist()).toEqual([2, 5, 9]);
    expect(indices.tolist()).toEqual([1, 0, 2]);
    expect(rand([2, 3], 1).sort(0).values.shape).toEqual([2, 3]);
    expect(sort(tensor(4)).values.item()).toBe(4);
    expect(topk(tensor([1, 5, 3]), 0).values.shape).toEqual([0]);
  });

  it('gather, scatter and scatterAdd keep the input dtype; duplicates accumulate in scatterAdd', () => {
    const x = int([
      [1, 2],
      [3, 4],
    ]);
    expect(
      gather(
        x,
        1,
        int([
          [1, 1],
          [0, 1],
        ]),
      ).tolist(),
    ).toEqual([
      [2, 2],
      [3, 4],
    ]);
    expect(scatterAdd(zeros([3]), 0, int([0, 0, 2, 0]), tensor([1, 2, 3, 4])).tolist()).toEqual([7, 0, 3]);
    expect(scatter(x, 0, int([[1, 0]]), 9).tolist()).toEqual([
      [1, 9],
      [9, 4],
    ]);
    expect(x.gather(0, int([[1, 0]])).tolist()).toEqual([[3, 2]]);
    expect(x.indexSelect(0, int([1])).tolist()).toEqual([[3, 4]]);
  });

  it('maskedFill with a broadcast mask, oneHot, nonzero', () => {
    expect(
      maskedFill(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([true, false]),
        -1,
      ).tolist(),
    ).toEqual([
      [-1, 2],
      [-1, 4],
    ]);
    expect(tensor([1, 2]).maskedFill(tensor(true), 0).tolist()).toEqual([0, 0]);
    expect(oneHot(int([2, 0])).tolist()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(oneHot(int([1]), 4).dtype).toBe('int32');
    expect(
      nonzero(
        tensor([
          [0, 1],
          [NaN, 0],
        ]),
      ).tolist(),
    ).toEqual([
      [0, 1],
      [1, 0],
    ]);
    const [rows, cols] = nonzero(
      tensor([
        [0, 1],
        [1, 1],
      ]),
      { asTuple: true },
    );
    expect(rows.tolist()).toEqual([0, 1, 1]);
    expect(cols.tolist()).toEqual([1, 0, 1]);
    expect(nonzero(tensor([false, true, true])).shape).toEqual([2, 1]);
    expect(nonzero(tensor(0)).shape).toEqual([0, 0]);
  });
});

describe('indexing errors', () => {
  const x = zeros([2, 3]);
  it('bounds, dtypes and shapes', () => {
    expect(() => gather(x, 1, int([[3], [0]]))).toThrow('gather: index 3 is out of bounds for dim 1 with size 3');
    expect(() => gather(x, 0, int([[-1, 0, 0]]))).toThrow('gather: index -1 is out of bounds for dim 0 with size 2');
    expect(() => gather(x, 0, tensor([[0, 1]]))).toThrow('gather: index must be an int32 tensor, got float32');
    expect(() => gather(x, 0, int([0, 1]))).toThrow('gather: index [2] must have as many dims as the input [2,3]');
    expect(() => gather(x, 0, int([[0, 0, 0, 0]]))).toThrow(
      'gather: index shape [1,4] exceeds input shape [2,3] at dim 1 (4 > 3)',
    );
    expect(() => gather(x, 2, int([[0]]))).toThrow(/gather: dim 2 is out of range/);
    expect(() => scatter(x, 0, int([[0, 5]]), 1)).toThrow('scatter: index 5 is out of bounds for dim 0 with size 2');
    expect(() => scatter(x, 0, int([[0, 1]]), zeros([1, 1]))).toThrow(
      'scatter: index shape [1,2] exceeds src shape [1,1] at dim 1 (2 > 1)',
    );
    expect(() => scatterAdd(x, 0, int([[0]]), zeros([1, 1], { dtype: 'int32' }))).toThrow(
      "scatterAdd: src dtype int32 does not match the input's float32",
    );
    expect(() => indexSelect(x, 1, int([[0]]))).toThrow('indexSelect: index must be 1-D, got shape [1,1]');
    expect(() => indexSelect(x, 1, int([0, 3]))).toThrow('indexSelect: index 3 is out of bounds for dim 1 with size 3');
    expect(() => maskedFill(x, tensor([1, 0, 1]), 0)).toThrow('maskedFill: mask must be a bool tensor, got float32');
    expect(() => maskedFill(x, tensor([[[true]], [[false]]]), 0)).toThrow(
      "maskedFill: mask of shape [2,1,1] does not broadcast to the input's shape [2,3]",
    );
    expect(() => maskedFill(x, tensor([true, false]), 0)).toThrow(
      /maskedFill: shapes \[2,3\] and \[2\] cannot be broadcast/,
    );
    expect(() => topk(x, 4)).toThrow('topk: k (4) must be an integer in [0, 3] for dim 1 of shape [2,3]');
    expect(() => sort(x, 2)).toThrow(/sort: dim 2 is out of range/);
    expect(() => oneHot(int([0, 3]), 3)).toThrow('oneHot: class value 3 is out of range [0, 3)');
    expect(() => oneHot(tensor([1]))).toThrow('oneHot: input must be an int32 tensor, got float32');
    expect(() => gather(null as unknown as Tensor, 0, int([0]))).toThrow('gather: input must be a Tensor, got null');
  });
  it('a rejected index writes nothing', () => {
    const t = tensor([1, 2, 3]);
    expect(() => scatter(t, 0, int([0, 9]), tensor([7, 7]))).toThrow(RangeError);
    expect(t.tolist()).toEqual([1, 2, 3]);
  });
});
