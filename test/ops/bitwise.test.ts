// The bitwise ops: torch 1.13's values (test/fixtures/intops.json), the op harness, and the errors.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { replayIntops } from '../helpers/intops.js';
import { describeOps } from '../helpers/opinfo.js';
import { bitwiseOps } from './declarations/bitwise.js';

describeOps(bitwiseOps);

describe('bitwise ops against torch 1.13', () => {
  replayIntops({
    bitwiseAnd: m.bitwiseAnd,
    bitwiseOr: m.bitwiseOr,
    bitwiseXor: m.bitwiseXor,
    bitwiseLeftShift: m.bitwiseLeftShift,
    bitwiseRightShift: m.bitwiseRightShift,
    bitwiseNot: m.bitwiseNot,
  });
});

describe('bitwise ops', () => {
  it('work on bool tensors and booleans, as methods too', () => {
    const p = m.tensor([true, false, true]);
    const q = m.tensor([true, true, false]);
    expect(p.bitwiseAnd(q).tolist()).toEqual([true, false, false]);
    expect(p.bitwiseOr(q).dtype).toBe('bool');
    expect(p.bitwiseXor(true).tolist()).toEqual([false, true, false]);
    expect(p.bitwiseNot().tolist()).toEqual([false, true, false]);
    expect(p.bitwiseAnd(3).dtype).toBe('int32');
  });

  it('keep an 8-bit dtype and convert a number to it, as torch', () => {
    const u = m.tensor([5, 255], { dtype: 'uint8' });
    expect(u.bitwiseAnd(-1).tolist()).toEqual([5, 255]);
    expect(u.bitwiseNot().tolist()).toEqual([250, 0]);
    expect(u.bitwiseLeftShift(1).tolist()).toEqual([10, 254]);
    expect(m.tensor([-128], { dtype: 'int8' }).bitwiseRightShift(7).tolist()).toEqual([-1]);
  });

  it('have in-place variants', () => {
    const t = m.tensor([12, 10], { dtype: 'int32' });
    expect(t.bitwiseAnd_(6)).toBe(t);
    expect(t.tolist()).toEqual([4, 2]);
    t.bitwiseOr_(1).bitwiseXor_(3).bitwiseLeftShift_(2).bitwiseRightShift_(1);
    expect(t.tolist()).toEqual([12, 0]);
    t.bitwiseNot_();
    expect(t.tolist()).toEqual([-13, -1]);
    expect(() => m.tensor([1.5]).bitwiseNot_()).toThrow(/bitwiseNot: expected a bool, int8, uint8 or int32 tensor/);
    // torch.bitwise_not takes a tensor only (not Python's True), as its documentation says.
    expect(() => m.bitwiseNot(true as never)).toThrow(/bitwiseNot: expected a Tensor, got boolean/);
  });
});
