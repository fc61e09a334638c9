// remainder, fmod, floorDivide and div's rounding modes: torch 1.13's values and gradients
// (test/fixtures/intops.json), the op harness, and the errors.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';
import { replayIntops } from '../helpers/intops.js';
import { describeOps } from '../helpers/opinfo.js';
import { divisionOps } from './declarations/division.js';

describeOps(divisionOps);

describe('remainder, fmod, floorDivide and rounding div against torch 1.13', () => {
  replayIntops({
    remainder: m.remainder,
    fmod: m.fmod,
    floorDivide: m.floorDivide,
    divFloor: (a: Tensor, b: Tensor) => m.div(a, b, { roundingMode: 'floor' }),
    divTrunc: (a: Tensor, b: Tensor) => m.div(a, b, { roundingMode: 'trunc' }),
  });
});

describe('remainder, fmod and floorDivide', () => {
  it("are Python's % and // and C's fmod, as methods too", () => {
    const x = m.tensor([-7, -3.5, 3.5, 7]);
    expect(x.remainder(2).tolist()).toEqual([1, 0.5, 1.5, 1]);
    expect(x.fmod(2).tolist()).toEqual([-1, -1.5, 1.5, 1]);
    expect(x.floorDivide(2).tolist()).toEqual([-4, -2, 1, 3]);
    expect(x.div(2, { roundingMode: 'trunc' }).tolist()).toEqual([-3, -1, 1, 3]);
    expect(x.div(2, { roundingMode: null }).tolist()).toEqual([-3.5, -1.75, 1.75, 3.5]);
    const i = m.tensor([-7, 7], { dtype: 'int8' });
    expect(i.remainder(-3).tolist()).toEqual([-1, -2]);
    expect(i.floorDivide(2).dtype).toBe('int8');
  });

  it("floorDivide's backward is an error, as torch 1.13 (div's floor mode has a zero gradient)", () => {
    const a = m.tensor([3, 4]).requiresGrad_();
    const y = m.floorDivide(a, 2);
    expect(y.requiresGrad).toBe(true);
    expect(() => y.sum().backward()).toThrow(/floorDivide: the derivative of floor_divide is not implemented/);
    const z = m.div(a, 2, { roundingMode: 'floor' });
    z.sum().backward();
    expect(a.grad!.tolist()).toEqual([0, 0]);
  });

  it('refuses forward-mode AD through floorDivide, as torch', () => {
    m.forwardAD.dualLevel(() => {
      const x = m.forwardAD.makeDual(m.tensor([3, 4]), m.tensor([1, 1]));
      expect(() => m.floorDivide(x, 2)).toThrow(/floorDivide: forward-mode AD is not implemented/);
    });
  });

  it('have in-place variants', () => {
    const t = m.tensor([-7, 5.5]);
    expect(t.remainder_(3)).toBe(t);
    expect(t.tolist()).toEqual([2, 2.5]);
    const u = m.tensor([-7, 7], { dtype: 'int32' });
    u.fmod_(3);
    expect(u.tolist()).toEqual([-1, 1]);
    u.floorDivide_(-2);
    expect(u.tolist()).toEqual([0, -1]);
    expect(() => m.tensor([1, 2], { dtype: 'int32' }).remainder_(1.5)).toThrow(/remainder_: result type float32/);
    const d = m.tensor([-7, 7], { dtype: 'int32' });
    expect(d.div_(2, { roundingMode: 'floor' })).toBe(d);
    expect(d.tolist()).toEqual([-4, 3]);
    const f = m.tensor([-7, 7]);
    f.div_(2, { roundingMode: 'trunc' });
    expect(f.tolist()).toEqual([-3, 3]);
    expect(() => d.div_(2)).toThrow(/div_: result type float32/);
    expect(() => f.div_(2, { rounding_mode: 'floor' } as never)).toThrow(/div_: unknown option 'rounding_mode'/);
  });

  it('refuse an integer zero divisor with a clear error and leave the process healthy', () => {
    const i = m.tensor([5, 3], { dtype: 'uint8' });
    expect(() => i.remainder(m.tensor([1, 0], { dtype: 'uint8' }))).toThrow(
      /remainder: ZeroDivisionError: integer division by zero \(a zero in the uint8 divisor\)/,
    );
    expect(() => i.fmod(0)).toThrow(RangeError);
    expect(i.fmod(2).tolist()).toEqual([1, 1]);
  });
});
