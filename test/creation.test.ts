import { describe, expect, it } from 'vitest';
import {
  arange,
  emptyLike,
  eye,
  full,
  fullLike,
  linspace,
  onesLike,
  Tensor,
  tensor,
  zeros,
  zerosLike,
} from '../lib/index.js';

describe('creation', () => {
  it('arange: int32 for integer arguments, float32 otherwise, any step sign', () => {
    expect(arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int32');
    expect(arange(1, 2, 0.25).tolist()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(1, 2, 0.25).dtype).toBe('float32');
    expect(arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
    expect(arange(0, 3, 1, { dtype: 'float32' }).dtype).toBe('float32');
    expect(arange(0).shape).toEqual([0]);
    expect(() => arange(0, 3, 0)).toThrow(/step must be nonzero/);
    expect(() => arange(3, 0, 1)).toThrow(/inconsistent with step sign/);
  });

  it('linspace hits both ends exactly', () => {
    expect(linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const l = linspace(-1, 0.3, 7).tolist() as number[];
    expect(l[0]).toBe(-1);
    expect(l[6]).toBe(Math.fround(0.3));
    expect(linspace(2, 3, 1).tolist()).toEqual([2]);
    expect(() => linspace(0, 1, -1)).toThrow(/steps must be a non-negative integer/);
  });

  it('arange and linspace refuse bool, as torch (its kernels have no bool version)', () => {
    for (const make of [() => arange(0, 2, 1, { dtype: 'bool' }), () => arange(0, 5, 1, { dtype: 'bool' })])
      expect(make).toThrow(
        'arange: dtype bool is not supported (torch.arange has no bool kernel either); make int32 and call .bool()',
      );
    for (const make of [() => linspace(0, 1, 5, { dtype: 'bool' }), () => linspace(0, 3, 3, { dtype: 'bool' })])
      expect(make).toThrow(
        'linspace: dtype bool is not supported (torch.linspace has no bool kernel either); make int32 and call .bool()',
      );
  });

  it('eye and the *Like functions', () => {
    expect(eye(2, 3).tolist()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(2).tolist()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    const i = tensor([[1, 2]], { dtype: 'int32' });
    expect(zerosLike(i).dtype).toBe('int32');
    expect(onesLike(i).tolist()).toEqual([[1, 1]]);
    expect(fullLike(i, 7, { dtype: 'float32' }).tolist()).toEqual([[7, 7]]);
    expect(emptyLike(i).shape).toEqual([1, 2]);
    expect(zerosLike(tensor([1]), { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('casts: to/float/int/bool truncate toward zero and map nonzero to true', () => {
    const t = tensor([-1.7, -0.2, 0, 0.5, 2.9]);
    expect(t.int().tolist()).toEqual([-1, 0, 0, 0, 2]);
    expect(t.bool().tolist()).toEqual([true, true, false, true, true]);
    expect(t.to('int32').float().tolist()).toEqual([-1, 0, 0, 0, 2]);
    // NaN is true as a bool; as an int32 it is an error (test/dtype.test.ts), not 0.
    expect(tensor([NaN]).bool().tolist()).toEqual([true]);
    expect(() => tensor([NaN]).int()).toThrow(/to: value NaN \(element 0\) is out of range for int32/);
    expect(t.float()).toBe(t);
    expect(tensor([true, false]).int().tolist()).toEqual([1, 0]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .T.int()
        .tolist(),
    ).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(() => t.to('float16' as 'float32')).toThrow(/to: dtype must be/);
  });
});

describe('conversions into int32 and bool', () => {
  it('int32 truncates toward zero as PyTorch does, and refuses what it cannot hold instead of wrapping', () => {
    expect(tensor([1.7, -1.7, 2147483647, -2147483648], { dtype: 'int32' }).tolist()).toEqual([
      1, -1, 2147483647, -2147483648,
    ]);
    expect(() => tensor([2 ** 40], { dtype: 'int32' })).toThrow(
      'tensor: value 1099511627776 (element 0) is out of range for int32 [-2^31, 2^31 - 1]',
    );
    expect(() => tensor([1, NaN], { dtype: 'int32' })).toThrow(/tensor: value NaN \(element 1\) is out of range/);
    expect(() => tensor(new Float32Array([3e9]), { dtype: 'int32' })).toThrow(/out of range for int32/);
    expect(() => full([2], 2 ** 31, { dtype: 'int32' })).toThrow(/full: value 2147483648 is out of range/);
    expect(() => arange(2 ** 31 - 2, 2 ** 31 + 2)).toThrow(/arange: value 2147483649 is out of range for int32/);
    expect(arange(2 ** 31 - 2, 2 ** 31 + 2, 1, { dtype: 'float32' }).numel()).toBe(4);
    expect(() => arange(0, 2 ** 40)).toThrow(/arange: 1099511627776 elements is more than a tensor can hold/);
  });

  it('bool stores nonzero as true (1), never another byte', () => {
    expect(Array.from(tensor([2, 0, -1, NaN], { dtype: 'bool' }).storage.data)).toEqual([1, 0, 1, 1]);
    expect(Array.from(tensor(new Uint8Array([0, 7]), { dtype: 'bool' }).storage.data)).toEqual([0, 1]);
  });

  it('a Uint8Array holds bytes: tensor() keeps their values (float32, or uint8 when asked), never 0/1', () => {
    const pixels = new Uint8Array([0, 7, 200, 255]);
    const t = tensor(pixels);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual([0, 7, 200, 255]);
    expect(t.div(255).max().item()).toBe(1);
    const u = tensor(pixels, { dtype: 'uint8' });
    expect(u.dtype).toBe('uint8');
    expect(Array.from(u.data)).toEqual([0, 7, 200, 255]);
    expect(Array.from(u.float().data)).toEqual([0, 7, 200, 255]);
    expect(u.add(1).tolist()).toEqual([1, 8, 201, 0]); // uint8 arithmetic wraps, as torch's
    expect(Array.from(tensor([-128, 127, 2.9, -2.9], { dtype: 'int8' }).data)).toEqual([-128, 127, 2, -2]);
    expect(tensor([[1, 2]], { dtype: 'int8' }).shape).toEqual([1, 2]);
    // What c10 converts (torch 1.13): uint8 takes integers down to -255, wrapping; a fraction must fit.
    expect(() => tensor([256], { dtype: 'uint8' })).toThrow(
      'tensor: value 256 (element 0) cannot be converted to uint8 without overflow',
    );
    expect(tensor([0, -1, -255, 1.5], { dtype: 'uint8' }).tolist()).toEqual([0, 255, 1, 1]);
    expect(() => tensor([0, -0.5], { dtype: 'uint8' })).toThrow(
      /value -0.5 \(element 1\) cannot be converted to uint8/,
    );
    expect(() => tensor([-300], { dtype: 'uint8' })).toThrow(/value -300 \(element 0\) cannot be converted to uint8/);
    expect(() => tensor(new Float32Array([128]), { dtype: 'int8' })).toThrow(
      /value 128 \(element 0\) cannot be converted to int8 without overflow/,
    );
    expect(() => tensor([-128.5], { dtype: 'int8' })).toThrow(/value -128.5 \(element 0\) cannot be converted/);
    expect(() => tensor([NaN], { dtype: 'int8' })).toThrow(/value NaN \(element 0\) cannot be converted to int8/);
    expect(() => tensor([1], { dtype: 'qint8' })).toThrow(
      /tensor: qint8 tensors come from quantizePerTensor or quantizePerChannel/,
    );
    expect(zeros([2], { dtype: 'uint8' }).dtype).toBe('uint8');
  });

  it('Tensor.fromData takes a Uint8Array as a bool mask only if every byte is 0 or 1', () => {
    expect(
      Tensor.fromData(new Uint8Array([0, 1, 1]), [3])
        .sum()
        .item(),
    ).toBe(2);
    expect(() => Tensor.fromData(new Uint8Array([0, 1, 200]), [3])).toThrow(
      /Tensor\.fromData: a Uint8Array is taken as a bool mask, whose elements are 0 or 1; element 2 is 200/,
    );
    expect(() => Tensor.fromData(new Uint8Array([0, 1, 200]), [3], { dtype: 'bool' })).toThrow(
      /Tensor\.fromData: a Uint8Array is taken as a bool mask, whose elements are 0 or 1; element 2 is 200/,
    );
    expect(() => Tensor.fromData(new Float32Array(3), [2])).toThrow(
      'Tensor.fromData: shape [2] needs 2 elements, data has 3',
    );
  });

  it('Tensor.fromData names itself when its array does not hold the dtype asked for', () => {
    expect(() => Tensor.fromData(new Int8Array(2), [2], { dtype: 'qint8' })).toThrow(
      "Tensor.fromData: a qint8 tensor needs a scale and a zero point, which fromData does not take: quantizePerTensor(x, scale, zeroPoint, 'qint8') quantizes a float tensor",
    );
    expect(() => Tensor.fromData(new Int32Array(2), [2], { dtype: 'float32' })).toThrow(
      "Tensor.fromData: an Int32Array cannot hold float32 elements; tensor(data, { dtype: 'float32' }) copies and converts it",
    );
    expect(() => Tensor.fromData(new Uint32Array(2) as never, [2])).toThrow(
      /^Tensor\.fromData: data must be a Float32Array, .* got a Uint32Array; tensor\(data\) copies other arrays/,
    );
    expect(Tensor.fromData(new Int8Array(2), [2], { dtype: 'int8' }).dtype).toBe('int8');
  });

  it('data of an unsupported kind is an error naming tensor', () => {
    expect(() => tensor('abc' as never)).toThrow(
      /tensor: data must be a number, a boolean, a nested array or a typed array, got the string 'abc'/,
    );
    expect(() => tensor(new BigInt64Array(2) as never)).toThrow(/tensor: a BigInt64Array of length 2 holds bigints/);
  });
});
