import { describe, expect, it } from 'vitest';
import { BinaryOp, native } from '../../lib/native.js';

const f = (n: number) => new Float32Array(n);

describe('binding argument checks', () => {
  it('binary rejects wrong types, lengths, shapes and strides with clear messages', () => {
    const call =
      (...args: unknown[]) =>
      () =>
        (native.binary as (...a: unknown[]) => void)(...args);
    expect(call(0, [3])).toThrow(/binary: expected 11 arguments, got 2/);
    expect(call(9, [3], f(3), 0, [1], f(3), 0, [1], f(3), 0, [1])).toThrow(
      /binary: argument 'op' must be in \[0, 6\], got 9/,
    );
    // A Float64Array out picks the float64 kernels, whose operands must be Float64Arrays too.
    expect(call(0, [3], new Float64Array(3), 0, [1], f(3), 0, [1], f(3), 0, [1])).toThrow(
      /argument 'a' must be a Float64Array, got Float32Array\(3\)/,
    );
    expect(call(0, [3], f(3), 0, [1], new Float64Array(3), 0, [1], f(3), 0, [1])).toThrow(
      /argument 'a' must be a Float32Array, got Float64Array\(3\)/,
    );
    expect(call(0, [3], f(3), 0, [1], [1, 2, 3], 0, [1], f(3), 0, [1])).toThrow(
      /argument 'a' must be a Float32Array, got array of length 3/,
    );
    expect(call(0, [3], f(3), 0, [1], f(3), 1, [1], f(3), 0, [1])).toThrow(
      /argument 'a': offset 1 with strides \[1\] over shape \[3\] reaches element 3 of a Float32Array of length 3/,
    );
    expect(call(0, [-1], f(3), 0, [1], f(3), 0, [1], f(3), 0, [1])).toThrow(RangeError);
    expect(call(0, [2 ** 60], f(3), 0, [1], f(3), 0, [1], f(3), 0, [1])).toThrow(/must be a non-negative integer/);
    expect(call(0, [3], f(3), 0, [1, 1], f(3), 0, [1], f(3), 0, [1])).toThrow(
      /'outStrides' must have 1 strides \(one per dim\), got 2/,
    );
    expect(call(0, [3], f(3), 0, [-1], f(3), 0, [1], f(3), 0, [1])).toThrow(
      /'outStrides'\[0\] must be a non-negative integer/,
    );
    expect(call(0, [3], f(3), 0.5, [1], f(3), 0, [1], f(3), 0, [1])).toThrow(
      /'outOffset' must be an integer, got number 0.5/,
    );
    expect(call(0, new Array(17).fill(1), f(3), 0, [], f(3), 0, [], f(3), 0, [])).toThrow(/has 17 dims; at most 16/);
    expect(call(0, [3], f(3), 0, [0], f(3), 0, [1], f(3), 0, [1])).toThrow(
      /output 'out' .* writes some elements more than once/,
    );
    const shared = f(8);
    expect(call(0, [4], shared, 1, [1], shared, 0, [1], f(4), 0, [1])).toThrow(
      /output 'out' partially overlaps input 'a'/,
    );
    // zero-size shapes touch nothing, so any offset is fine
    expect(call(0, [0], f(0), 0, [1], f(0), 0, [1], f(0), 0, [1])).not.toThrow();
  });

  it('setNumThreads and setIsaForTesting validate their arguments', () => {
    expect(() => native.setNumThreads(0)).toThrow(/setNumThreads: argument 'n' must be in \[1, 256\], got 0/);
    expect(() => native.setNumThreads(1.5)).toThrow(/must be an integer/);
    expect(() => (native.setNumThreads as (x: unknown) => void)('2')).toThrow(/got string '2'/);
    expect(() => native.setIsaForTesting('sse9' as never)).toThrow(
      /must be one of scalar, avx2, avx512, neon, avx2vnni, avx512bf16, got 'sse9'/,
    );
  });

  it('the process is still healthy after the errors', () => {
    const o = f(2);
    native.binary(BinaryOp.add, [2], o, 0, [1], new Float32Array([1, 2]), 0, [1], new Float32Array([3, 4]), 0, [1]);
    expect(Array.from(o)).toEqual([4, 6]);
  });
});
