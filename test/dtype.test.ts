// Element types: their typed arrays, recognition and promotion (bool < int32 < float32, as torch).
import { describe, expect, it } from 'vitest';
import { allocate, dtypeOf, isDType, promoteTypes } from '../lib/dtype.js';

describe('dtypes', () => {
  it('allocate the typed array of each dtype, zero-filled, and read the dtype back', () => {
    for (const [dtype, Ctor] of [
      ['float32', Float32Array],
      ['int32', Int32Array],
      ['bool', Uint8Array],
    ] as const) {
      const a = allocate(dtype, 3);
      expect(a).toBeInstanceOf(Ctor);
      expect(Array.from(a)).toEqual([0, 0, 0]);
      expect(dtypeOf(a)).toBe(dtype);
    }
  });

  it('recognise only their three names', () => {
    expect(['float32', 'int32', 'bool'].every(isDType)).toBe(true);
    for (const x of ['float64', 'Float32', 'int', '', undefined, null, 32]) expect(isDType(x)).toBe(false);
  });

  it('promote as torch: float32 over int32 over bool', () => {
    const order = ['bool', 'int32', 'float32'] as const;
    for (const a of order)
      for (const b of order) expect(promoteTypes(a, b)).toBe(order[Math.max(order.indexOf(a), order.indexOf(b))]);
  });
});
