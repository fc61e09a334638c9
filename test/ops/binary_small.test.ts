import { describe, expect, it } from 'vitest';
import { BinaryOp, native } from '../../lib/native.js';
import { binaryRaw } from '../../lib/raw/elementwise.js';
import { Storage, Tensor } from '../../lib/tensor.js';
import { contiguousStrides, randomFloats } from '../helpers/native.js';

// binaryRaw computes tensors of <= 64 elements in TypeScript; it must give the kernels' bits.
describe('binaryRaw small-tensor path', () => {
  it('matches the native kernel bit for bit, with broadcasting and special values', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-45, 3.4028234663852886e38, -1.5, 2 ** -126];
    const shapes: [number[], number[]][] = [
      [[4], [4]],
      [[3, 5], [5]],
      [
        [2, 1, 4],
        [3, 1],
      ],
      [[8, 8], []],
      [[1], [7, 9]],
    ];
    for (const [sa, sb] of shapes) {
      const a = new Tensor(
        new Storage(
          randomFloats(
            sa.reduce((x, y) => x * y, 1),
            3,
            -4,
            4,
          ),
        ),
        sa,
      );
      const b = new Tensor(
        new Storage(
          randomFloats(
            sb.reduce((x, y) => x * y, 1),
            4,
            -4,
            4,
          ),
        ),
        sb,
      );
      const ad = a.storage.data as Float32Array;
      specials.forEach((v, i) => {
        if (i < ad.length) ad[i] = v;
      });
      (b.storage.data as Float32Array)[0] = -0;
      for (const [name, op] of Object.entries(BinaryOp)) {
        const got = binaryRaw(name, op, a, b);
        expect(got.numel()).toBeLessThanOrEqual(64);
        const shape = got.shape;
        const want = new Float32Array(got.numel());
        const bstr = (t: Tensor) => {
          const off = shape.length - t.ndim;
          return shape.map((_s, d) => (d < off || t.shape[d - off] === 1 ? 0 : t.strides[d - off]));
        };
        native.binary(
          op,
          shape,
          want,
          0,
          contiguousStrides(shape),
          ad,
          0,
          bstr(a),
          b.storage.data as Float32Array,
          0,
          bstr(b),
        );
        const g = got.storage.data as Float32Array;
        for (let i = 0; i < want.length; i++) {
          const same =
            Object.is(g[i], want[i]) ||
            (Number.isNaN(g[i]) && Number.isNaN(want[i])) ||
            (g[i] === 0 && want[i] === 0 && name.startsWith('m') && name !== 'mul');
          if (!same)
            throw new Error(
              `${name} ${JSON.stringify(sa)}x${JSON.stringify(sb)} at ${i}: ${g[i]} vs native ${want[i]}`,
            );
        }
      }
    }
  });
});
