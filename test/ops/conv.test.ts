import { describe, expect, it } from 'vitest';
import { Tensor } from '../../lib/index.js';
import { conv1d, conv2d, convTranspose2d } from '../../lib/ops/conv.js';
import { randomFloats } from '../helpers/native.js';
import { describeOps } from '../helpers/opinfo.js';
import { convOps } from './declarations/conv.js';

function rand(shape: number[], seed: number, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromData(randomFloats(n, seed), shape).requiresGrad_(requiresGrad);
}

describeOps(convOps);

describe('convolution inputs', () => {
  it('non-contiguous inputs and weights give the same result as contiguous copies', () => {
    const x = rand([2, 3, 6, 5], 21, false).transpose(2, 3);
    const w = rand([4, 3, 2, 3], 22, false).transpose(2, 3);
    const want = conv2d(x.contiguous(), w.contiguous(), null, { stride: 2, padding: 1 });
    expect(conv2d(x, w, null, { stride: 2, padding: 1 }).tolist()).toEqual(want.tolist());
  });
  it('gradients of only some inputs match the full computation', () => {
    for (const op of [conv2d, convTranspose2d]) {
      const xs = [rand([2, 4, 5, 5], 31), rand([2, 4, 5, 5], 31, false)];
      const ws = [rand([4, 2, 3, 3], 32), rand([4, 2, 3, 3], 32)];
      const o = { stride: 2, padding: 1, groups: 2 };
      op(xs[0], ws[0], null, o).sum().backward();
      op(xs[1], ws[1], null, o).sum().backward();
      expect(ws[1].grad!.tolist()).toEqual(ws[0].grad!.tolist());
      const x = rand([2, 4, 5, 5], 33);
      const wFrozen = rand([4, 2, 3, 3], 34, false);
      const xFull = rand([2, 4, 5, 5], 33);
      op(x, wFrozen, null, o).sum().backward();
      op(xFull, rand([4, 2, 3, 3], 34), null, o)
        .sum()
        .backward();
      expect(x.grad!.tolist()).toEqual(xFull.grad!.tolist());
    }
  });
  it('an unbatched input keeps its rank', () => {
    expect(conv2d(rand([3, 5, 5], 23, false), rand([2, 3, 3, 3], 24, false)).shape).toEqual([2, 3, 3]);
    expect(conv1d(rand([3, 9], 25, false), rand([2, 3, 3], 26, false), null, { stride: 2 }).shape).toEqual([2, 4]);
    expect(
      convTranspose2d(rand([3, 2, 2], 27, false), rand([3, 4, 2, 2], 28, false), null, { stride: 2 }).shape,
    ).toEqual([4, 4, 4]);
  });
});

describe('convolution errors name the op and the shapes', () => {
  const x = rand([1, 3, 5, 5], 1, false);
  const w = rand([4, 3, 3, 3], 2, false);
  it('wrong input rank', () => {
    expect(() => conv2d(rand([3, 5], 1, false), w)).toThrow(
      'conv2d: expected a 3-D (unbatched) or 4-D (batched) input [N, C, H, W], got shape [3,5]',
    );
    expect(() => conv1d(x, rand([2, 3, 3], 1, false))).toThrow(
      /conv1d: expected a 2-D \(unbatched\) or 3-D \(batched\) input/,
    );
    expect(() => conv2d(x, rand([4, 3, 3], 1, false))).toThrow(/conv2d: weight must be 4-D/);
  });
  it('wrong channel count', () => {
    expect(() => conv2d(rand([1, 2, 5, 5], 1, false), w)).toThrow(
      'conv2d: input [1,2,5,5] has 2 channels, but weight [4,3,3,3] with groups 1 expects 3',
    );
    expect(() => convTranspose2d(x, rand([2, 3, 3, 3], 1, false))).toThrow(
      /convTranspose2d: input \[1,3,5,5\] has 3 channels, but weight \[2,3,3,3\] expects 2/,
    );
  });
  it('channels not divisible by groups', () => {
    expect(() => conv2d(x, rand([4, 1, 3, 3], 1, false), null, { groups: 3 })).toThrow(
      /conv2d: out_channels 4 .* is not divisible by groups 3/,
    );
    expect(() =>
      convTranspose2d(rand([1, 3, 5, 5], 1, false), rand([3, 1, 3, 3], 1, false), null, { groups: 2 }),
    ).toThrow(/in_channels 3 .* not divisible by groups 2/);
  });
  it('kernel larger than the padded input', () => {
    expect(() => conv2d(rand([1, 3, 2, 2], 1, false), w)).toThrow(
      'conv2d: kernel 3x3 (dilated) is larger than the padded input 2x2 (input [1,3,2,2], padding [0,0])',
    );
    expect(() => conv2d(x, w, null, { dilation: 3 })).toThrow(
      /kernel 7x7 \(dilated\) is larger than the padded input 5x5/,
    );
  });
  it('output size zero', () => {
    expect(() =>
      convTranspose2d(rand([1, 3, 1, 1], 1, false), rand([3, 2, 1, 1], 1, false), null, { padding: 1 }),
    ).toThrow(/convTranspose2d: output size -1x-1 of input \[1,3,1,1\] is zero or negative/);
  });
  it('bad options', () => {
    expect(() => conv2d(x, w, null, { stride: 0 })).toThrow(/conv2d: stride must be a positive integer/);
    expect(() => conv2d(x, w, null, { stride: 2, padding: 'same' })).toThrow(
      /padding='same' is not supported for strided convolutions/,
    );
    expect(() => conv2d(x, w, rand([3], 1, false))).toThrow(
      /conv2d: bias of shape \[3\] does not match the 4 output channels/,
    );
    expect(() => convTranspose2d(x, rand([3, 2, 3, 3], 1, false), null, { stride: 2, outputPadding: 2 })).toThrow(
      /outputPadding \[2,2\] must be smaller than either stride/,
    );
    expect(() => conv2d(x, w, null, { groups: 0 })).toThrow(/groups must be a positive integer/);
  });
});
