// int32 results that int32 cannot hold are errors, never wrapped around (PyTorch sums int32 to
// int64, which myelin does not have); a tensor's storage is one of the three dtypes' typed arrays
// and holds every element the tensor reaches, for as long as the tensor lives.
import { describe, expect, it } from 'vitest';
import { arange, cumsum, full, prod, Storage, sum, Tensor, tensor } from '../../lib/index.js';

describe('int32 overflow', () => {
  const big = () => full([4], 2 ** 30, { dtype: 'int32' });
  it('sum: exact to the int32 limit, an error past it', () => {
    expect(sum(full([2], 2 ** 30 - 1, { dtype: 'int32' }).add(tensor([1, 0], { dtype: 'int32' }))).item()).toBe(
      2 ** 31 - 1,
    );
    expect(() => sum(big())).toThrow('sum: the result 4294967296 does not fit in int32');
    expect(() => sum(big().reshape([2, 2]), 1)).toThrow('sum: the result 2147483648 does not fit in int32');
    expect(sum(big().neg().reshape([2, 2]), 1).tolist()).toEqual([-(2 ** 31), -(2 ** 31)]);
    // Partial sums may leave the range as long as the result is in it.
    expect(sum(tensor([2 ** 31 - 1, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31) + 2], { dtype: 'int32' })).item()).toBe(0);
  });
  it('a bool sum counts past nothing it cannot hold', () => {
    expect(sum(tensor([true, true, false])).item()).toBe(2);
  });
  it('prod and cumsum', () => {
    expect(() => prod(tensor([65536, 65536], { dtype: 'int32' }))).toThrow(
      'prod: the result 4294967296 does not fit in int32',
    );
    expect(prod(tensor([65536, 65536, 0], { dtype: 'int32' })).item()).toBe(0);
    expect(prod(tensor([-65536, 32768], { dtype: 'int32' })).item()).toBe(-(2 ** 31));
    expect(() => cumsum(big(), 0)).toThrow('cumsum: the result 2147483648 does not fit in int32');
  });
  it('arange and tensor refuse what int32 cannot hold', () => {
    expect(() => arange(2 ** 31 - 2, 2 ** 31 + 2, 1)).toThrow(/arange/);
    expect(() => tensor([2 ** 40], { dtype: 'int32' })).toThrow(/tensor/);
  });
});

describe('storage', () => {
  it('a typed array of no dtype is no storage, never reported as bool; a Float64Array is float64', () => {
    expect(new Storage(new Float64Array(3)).dtype).toBe('float64');
    expect(new Storage(new Uint16Array(3)).dtype).toBe('bfloat16'); // bit patterns
    expect(() => new Storage(new Uint32Array(3) as never)).toThrow(/got a Uint32Array/);
    expect(() => new Storage(new Uint8ClampedArray(3) as never)).toThrow(/got a Uint8ClampedArray/);
    expect(() => Tensor.fromData(new Int16Array(3) as never, [3])).toThrow(/Int16Array/);
    expect(new Storage(new Uint8Array(2)).dtype).toBe('bool');
  });
  it('a tensor reaching past its storage is refused when made', () => {
    expect(() => Tensor.fromData(new Float32Array(5), [2, 3])).toThrow(/shape \[2,3\] needs 6 elements/);
    const s = new Storage(new Float32Array(6));
    expect(() => new Tensor(s, [2, 3], [3, 1], 1)).toThrow(/reaches elements 1 to 6, outside the storage's 6/);
    expect(() => new Tensor(s, [3], [-1], 1)).toThrow(/reaches elements -1 to 1/);
    expect(new Tensor(s, [0, 3], [3, 1], 6).numel()).toBe(0);
  });
  it('a storage whose ArrayBuffer was transferred away is an error to read, not NaN', () => {
    const data = new Float32Array([1, 2, 3]);
    const t = Tensor.fromData(data, [3]);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    expect(() => t.add(1)).toThrow(/storage was detached/);
    expect(() => t.tolist()).toThrow(/storage was detached/);
  });
  it('a resizable ArrayBuffer shrunk under a tensor is an error to read', () => {
    const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer;
    const buffer = new Resizable(16, { maxByteLength: 64 });
    const t = Tensor.fromData(new Float32Array(buffer), [4]);
    (buffer as ArrayBuffer & { resize(n: number): void }).resize(8);
    expect(() => t.sum()).toThrow(/shrunk: it held 4 elements, it now holds 2/);
  });
});
