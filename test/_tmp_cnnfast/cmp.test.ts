import { expect, it } from 'vitest';
import { pad, interpolate, Tensor, Generator, nn } from '../../lib/index.js';
import { pad as oldPad } from './old_pad.js';
import { interpolate as oldInterp } from './old_interpolate.js';
import { dropout2d as oldDrop2d } from './old_dropout.js';
import { randomFloats } from '../helpers/native.js';
import { shaped } from '../nn/helpers.js';
function rand(shape: number[], seed: number): Tensor {
  return shaped(Array.from(randomFloats(shape.reduce((a, b) => a * b, 1), seed)), shape, true);
}
function bits(t: Tensor) { return Array.from(new Uint32Array(new Float32Array(t.toTypedArray() as Float32Array).buffer)); }
function maxdiff(a: Tensor, b: Tensor) { const x = a.toTypedArray() as Float32Array, y = b.toTypedArray() as Float32Array; let m = 0; for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]-y[i])); return m; }
it('pad same as old', () => {
  let n = 0, gdiff = 0;
  const shapes = [[2, 3, 5, 6], [2, 3, 4, 5, 6], [3, 7], [2, 3, 9]];
  const padsList = [[1, 2], [2, 1, 0, 3], [1, 1, 2, 0, 1, 2], [0, 0, 1, 1], [-1, 2], [2, -1, -1, 1], [-2, -2, 1, 0]];
  for (const mode of ['constant', 'reflect', 'replicate', 'circular'] as const) for (const shape of shapes) for (const p of padsList) {
    let yo: Tensor; const x1 = rand(shape, 5); const x2 = rand(shape, 5);
    try { yo = oldPad(x1, p, mode, mode === 'constant' ? 0.5 : undefined); } catch { expect(() => pad(x2, p, mode, mode === 'constant' ? 0.5 : undefined)).toThrow(); continue; }
    const yn = pad(x2, p, mode, mode === 'constant' ? 0.5 : undefined);
    expect(yn.shape).toEqual(yo.shape); expect(bits(yn)).toEqual(bits(yo));
    const g = rand(yo.shape as number[], 9); yo.backward(g); yn.backward(g);
    gdiff = Math.max(gdiff, maxdiff(x1.grad!, x2.grad!)); n++;
  }
  console.log('pad cases', n, 'max grad diff', gdiff);
  expect(gdiff).toBeLessThan(1e-5);
});
it('interpolate same as old (bitwise)', () => {
  let n = 0;
  const cases: [number[], any][] = [
    [[2, 3, 5, 7], { scaleFactor: 2, mode: 'bilinear' }], [[2, 3, 5, 7], { size: [3, 4], mode: 'bilinear', alignCorners: true }],
    [[2, 3, 5, 7], { size: [9, 13], mode: 'bilinear' }], [[2, 3, 5, 7], { size: [5, 7], mode: 'bilinear' }],
    [[2, 3, 5, 7], { scaleFactor: 2 }], [[2, 3, 5, 7], { size: [3, 11] }], [[2, 3, 5, 7], { size: [8, 3], mode: 'nearest-exact' }],
    [[2, 3, 9], { size: 4, mode: 'linear' }], [[2, 3, 9], { size: 17, mode: 'linear', alignCorners: true }], [[2, 3, 9], { scaleFactor: 1.7 }],
    [[3, 8, 16, 16], { scaleFactor: [1.5, 0.5], mode: 'bilinear' }],
  ];
  for (const [shape, o] of cases) {
    const x1 = rand(shape, 3), x2 = rand(shape, 3);
    const yo = oldInterp(x1, o), yn = interpolate(x2, o);
    expect(bits(yn)).toEqual(bits(yo));
    const g = rand(yo.shape as number[], 4); yo.backward(g); yn.backward(g);
    expect(bits(x2.grad!)).toEqual(bits(x1.grad!)); n++;
  }
  console.log('interp cases', n);
});
it('dropout2d same as old', () => {
  const x1 = rand([4, 6, 3, 5], 1), x2 = rand([4, 6, 3, 5], 1);
  const yo = oldDrop2d(x1, 0.4, { generator: new Generator().manualSeed(5) });
  const yn = nn.functional.dropout2d(x2, 0.4, { generator: new Generator().manualSeed(5) });
  expect(Array.from(yn.toTypedArray()).map((v) => v + 0)).toEqual(Array.from(yo.toTypedArray()));
  const g = rand([4, 6, 3, 5], 2); yo.backward(g); yn.backward(g);
  expect(Array.from(x2.grad!.toTypedArray()).map((v) => v + 0)).toEqual(Array.from(x1.grad!.toTypedArray()));
});
