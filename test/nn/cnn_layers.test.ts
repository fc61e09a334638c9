// interpolate / Upsample and pad / padding layers: semantics, errors and reprs.
import { describe, expect, it } from 'vitest';
import { conv1d, convTranspose1d, interpolate, nn, pad, permute, type Tensor } from '../../lib/index.js';
import { randomFloats } from '../helpers/native.js';
import { close, shaped } from './helpers.js';

function rand(shape: number[], seed: number, requiresGrad = false): Tensor {
  return shaped(
    Array.from(
      randomFloats(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ),
    ),
    shape,
    requiresGrad,
  );
}

// interpolate's and pad's PyTorch fixtures and finite-difference checks run in the op harness
// (test/ops/declarations/interpolate.ts and pad.ts).
describe('interpolate', () => {
  it('reads non-contiguous inputs', () => {
    const base = rand([1, 4, 5, 2], 3); // permuted to [1, 2, 4, 5]
    const x = permute(base, [0, 3, 1, 2]);
    const want = interpolate(x.contiguous(), { size: [7, 3], mode: 'bilinear' }).toTypedArray();
    close(interpolate(x, { size: [7, 3], mode: 'bilinear' }), Array.from(want), 0, 'bilinear');
  });
});

describe('interpolate semantics', () => {
  it('nearest x2 repeats every pixel; bilinear with alignCorners keeps the corners', () => {
    const x = shaped([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(Array.from(interpolate(x, { scaleFactor: 2 }).toTypedArray())).toEqual([
      1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4,
    ]);
    const y = interpolate(x, { size: 3, mode: 'bilinear', alignCorners: true });
    expect(Array.from(y.toTypedArray())).toEqual([1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
    expect(interpolate(shaped([0, 1, 2], [1, 1, 3]), { scaleFactor: 1.3 }).toTypedArray()).toEqual(
      new Float32Array([0, 0, 1]),
    );
  });

  it('names the function and the values in its errors', () => {
    const x4 = rand([1, 2, 3, 3], 1);
    const x3 = rand([1, 2, 3], 1);
    expect(() => interpolate(x4, { scaleFactor: 2, mode: 'bicubic' as never })).toThrow(
      `interpolate: mode must be one of 'nearest', 'nearest-exact', 'linear', 'bilinear', got "bicubic"`,
    );
    expect(() => interpolate(x4, { size: 4, scaleFactor: 2 })).toThrow(
      'interpolate: only one of size or scaleFactor should be given, got both',
    );
    expect(() => interpolate(x4, {})).toThrow('interpolate: either size or scaleFactor should be given, got neither');
    expect(() => interpolate(x4)).toThrow(/either size or scaleFactor/);
    expect(() => interpolate(rand([2, 3], 1), { size: 4 })).toThrow(
      'interpolate: expected a 3-D [N, C, W] or 4-D [N, C, H, W] input, got shape [2,3]',
    );
    expect(() => interpolate(rand([1, 1, 2, 2, 2], 1), { size: 4 })).toThrow(/expected a 3-D \[N, C, W\] or 4-D/);
    expect(() => interpolate(x3, { scaleFactor: 2, mode: 'bilinear' })).toThrow(
      "interpolate: got a 3-D input [1,2,3], but mode 'bilinear' needs a 4-D input [N, C, H, W]",
    );
    expect(() => interpolate(x4, { scaleFactor: 2, mode: 'linear' })).toThrow(/mode 'linear' needs a 3-D input/);
    expect(() => interpolate(x4, { scaleFactor: 2, alignCorners: true })).toThrow(
      /alignCorners can only be set with the interpolating modes .* not with mode 'nearest'/,
    );
    expect(() => interpolate(x3, { scaleFactor: 0.2 })).toThrow(
      'interpolate: input and output sizes should be greater than 0, but got input [1,2,3] and output size [0] (scaleFactor 0.2)',
    );
    expect(() => interpolate(x4, { size: [4, 0] })).toThrow(/output size \[4,0\]/);
    expect(() => interpolate(x4, { size: [4, 4, 4] })).toThrow(
      /same number of spatial dims, but got input with spatial dims \[3,3\] and size \[4,4,4\]/,
    );
    expect(() => interpolate(x4, { size: 2.5 })).toThrow(/size must hold integers/);
    expect(() => interpolate(x4, { size: 4, recomputeScaleFactor: true })).toThrow(
      /recomputeScaleFactor is not meaningful with an explicit size/,
    );
    expect(() => interpolate(null as never, { size: 4 })).toThrow('interpolate: input must be a Tensor, got null');
  });
});

describe('pad', () => {
  it('takes an options object and non-contiguous inputs', () => {
    const x = permute(rand([4, 3, 2], 5), [2, 1, 0]);
    const want = pad(x.contiguous(), [1, 2, 2, 1], 'reflect').toTypedArray();
    close(pad(x, [1, 2, 2, 1], { mode: 'reflect' }), Array.from(want), 0, 'reflect');
    const c = pad(x, [1, 0], { value: 7 });
    expect(c.shape).toEqual([2, 3, 5]);
    expect(c.toTypedArray()[0]).toBe(7);
    expect(pad(x, []).shape).toEqual([2, 3, 4]);
  });
});

describe('pad errors', () => {
  it('names the function and the values', () => {
    const x = rand([1, 2, 3, 4], 1);
    expect(() => pad(x, [1, 1], 'wrap' as never)).toThrow(
      `pad: mode must be one of 'constant', 'reflect', 'replicate', 'circular', got "wrap"`,
    );
    expect(() => pad(x, [1, 1, 1])).toThrow('pad: padding length must be divisible by 2, got 3 values [1,1,1]');
    expect(() => pad(rand([3], 1), [1, 1, 1, 1])).toThrow(
      'pad: padding length 4 is too large for a 1-D input [3] (at most 2 values)',
    );
    expect(() => pad(rand([2, 3, 4], 1), [4, 1], 'reflect')).toThrow(
      'pad: reflect padding (4, 1) must be less than the size 4 of dim 2 of input [2,3,4]',
    );
    expect(() => pad(x, [1, 1, 3, 0], 'reflect')).toThrow(
      /reflect padding \(3, 0\) must be less than the size 3 of dim 2/,
    );
    expect(() => pad(rand([5], 1), [1, 1], 'reflect')).toThrow(
      /pad: mode 'reflect' pads the last 1, 2 or 3 dims .* 2 values need a 2-D or 3-D input, got shape \[5\]/,
    );
    expect(() => pad(x, [1, 1], 'reflect', 2)).toThrow(
      "pad: padding mode 'reflect' doesn't take a value argument (got 2)",
    );
    expect(() => pad(x, [-3, -2])).toThrow(
      'pad: padding (-3, -2) of dim 3 of input [1,2,3,4] gives a negative output size -1',
    );
    expect(() => pad(rand([2, 4], 1), [-2, -2], 'replicate')).toThrow(
      'pad: padding (-2, -2) of dim 1 of input [2,4] gives an output size 0, which must be positive',
    );
    expect(() => pad(x, [5, 0, 0, 0], 'circular')).toThrow(
      'pad: circular padding (5, 0) of dim 3 of input [1,2,3,4] would wrap around more than once',
    );
    expect(() => pad(x, [1, 1, 1, 1], 'replicate', 2)).toThrow(/padding mode 'replicate' doesn't take a value/);
    expect(() => pad(x, [1.5, 1])).toThrow('pad: pad must be an array of integers, got [1.5,1]');
  });
});

describe('upsampling and padding modules', () => {
  it('print as PyTorch does', () => {
    expect(String(new nn.Upsample({ scaleFactor: 2 }))).toBe('Upsample(scale_factor=2.0, mode=nearest)');
    expect(String(new nn.Upsample({ size: [4, 5], mode: 'bilinear' }))).toBe('Upsample(size=(4, 5), mode=bilinear)');
    expect(String(new nn.Upsample({ size: 4 }))).toBe('Upsample(size=4, mode=nearest)');
    expect(String(new nn.Upsample({ scaleFactor: [2, 3] }))).toBe('Upsample(scale_factor=(2.0, 3.0), mode=nearest)');
    expect(String(new nn.UpsamplingNearest2d({ scaleFactor: 2 }))).toBe(
      'UpsamplingNearest2d(scale_factor=2.0, mode=nearest)',
    );
    expect(String(new nn.UpsamplingBilinear2d({ size: 3 }))).toBe('UpsamplingBilinear2d(size=3, mode=bilinear)');
    expect(String(new nn.ZeroPad2d(2))).toBe('ZeroPad2d((2, 2, 2, 2))');
    expect(String(new nn.ZeroPad2d([1, 2, 3, 4]))).toBe('ZeroPad2d((1, 2, 3, 4))');
    expect(String(new nn.ConstantPad1d(2, 3.5))).toBe('ConstantPad1d(padding=(2, 2), value=3.5)');
    expect(String(new nn.ReflectionPad1d(2))).toBe('ReflectionPad1d((2, 2))');
    expect(String(new nn.ReflectionPad2d([1, 1, 2, 0]))).toBe('ReflectionPad2d((1, 1, 2, 0))');
    expect(String(new nn.ReplicationPad1d([3, 1]))).toBe('ReplicationPad1d((3, 1))');
    expect(String(new nn.ReplicationPad2d(1))).toBe('ReplicationPad2d((1, 1, 1, 1))');
  });

  it('are exported by nn.functional too', () => {
    expect(nn.functional.interpolate).toBe(interpolate);
    expect(nn.functional.pad).toBe(pad);
  });

  it('forward as the functional ops', () => {
    const x = rand([2, 3, 4, 5], 9);
    const same = (a: Tensor, b: Tensor) => {
      expect(a.shape).toEqual(b.shape);
      expect(a.toTypedArray()).toEqual(b.toTypedArray());
    };
    same(
      new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(x),
      interpolate(x, { scaleFactor: 2, mode: 'bilinear' }),
    );
    same(new nn.UpsamplingNearest2d({ size: [5, 7] }).forward(x), interpolate(x, { size: [5, 7] }));
    same(
      new nn.UpsamplingBilinear2d({ scaleFactor: 2 }).forward(x),
      interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true }),
    );
    same(new nn.ZeroPad2d([1, 0, 2, 3]).forward(x), pad(x, [1, 0, 2, 3]));
    same(new nn.ConstantPad2d(1, -2).forward(x), pad(x, [1, 1, 1, 1], 'constant', -2));
    same(new nn.ConstantPad1d([0, 2], 1).forward(x), pad(x, [0, 2], 'constant', 1));
    same(new nn.ReflectionPad2d([1, 2, 3, 0]).forward(x), pad(x, [1, 2, 3, 0], 'reflect'));
    same(new nn.ReplicationPad2d(2).forward(x), pad(x, [2, 2, 2, 2], 'replicate'));
    const x3 = rand([2, 3, 6], 10);
    same(new nn.ReflectionPad1d([2, 1]).forward(x3), pad(x3, [2, 1], 'reflect'));
    same(new nn.ReplicationPad1d(3).forward(x3), pad(x3, [3, 3], 'replicate'));
    same(
      new nn.Upsample({ size: 9, mode: 'linear', alignCorners: true }).forward(x3),
      interpolate(x3, { size: 9, mode: 'linear', alignCorners: true }),
    );
  });

  it('train inside a small encoder-decoder', () => {
    const net = new nn.Sequential(
      new nn.ReflectionPad2d(1),
      new nn.Conv2d(2, 4, 3),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: false }),
      new nn.ZeroPad2d([0, 1, 0, 1]),
      new nn.Conv2d(4, 1, 2),
    );
    const y = net.forward(rand([2, 2, 6, 6], 4)) as Tensor;
    expect(y.shape).toEqual([2, 1, 6, 6]);
    y.sum().backward();
    for (const p of net.parameters()) expect(p.grad?.shape).toEqual(p.shape);
  });

  it('reject bad arguments', () => {
    expect(() => new nn.Upsample({ scaleFactor: 2, mode: 'area' as never })).toThrow(/Upsample: mode must be one of/);
    expect(() => new nn.Upsample({})).toThrow('Upsample: either size or scaleFactor should be given, got neither');
    expect(() => new nn.UpsamplingNearest2d({ size: 2, scaleFactor: 2 })).toThrow(
      'UpsamplingNearest2d: only one of size or scaleFactor should be given, got both',
    );
    expect(() => new nn.ReflectionPad2d([1, 1] as never)).toThrow(
      'ReflectionPad2d: padding must be an integer or 4 integers, got [1,1]',
    );
    expect(() => new nn.ReflectionPad1d(3).forward(rand([1, 2, 3], 1))).toThrow(
      /pad: reflect padding \(3, 3\) must be less than the size 3/,
    );
  });
});

describe('1-d convolution errors name the shapes the user passed', () => {
  it('kernel larger than the padded input, channel count, groups, rank', () => {
    expect(() => conv1d(rand([1, 2, 3], 1), rand([4, 2, 5], 2))).toThrow(
      'conv1d: kernel 5 (dilated) is larger than the padded input 3 (input [1,2,3], padding [0])',
    );
    expect(() => new nn.Conv1d(2, 4, 3, { padding: 1, dilation: 3 }).forward(rand([1, 2, 4], 1))).toThrow(
      /conv1d: kernel 7 \(dilated\) is larger than the padded input 6/,
    );
    expect(() => conv1d(rand([1, 3, 8], 1), rand([4, 2, 3], 2))).toThrow(
      'conv1d: input [1,3,8] has 3 channels, but weight [4,2,3] with groups 1 expects 2',
    );
    expect(() => conv1d(rand([1, 4, 8], 1), rand([3, 2, 3], 2), null, { groups: 2 })).toThrow(
      'conv1d: out_channels 3 (weight [3,2,3]) is not divisible by groups 2',
    );
    expect(() => conv1d(rand([1, 1, 3, 8], 1), rand([4, 1, 3], 2))).toThrow(
      'conv1d: expected a 2-D (unbatched) or 3-D (batched) input [N, C, L], got shape [1,1,3,8]',
    );
    expect(() => convTranspose1d(rand([1, 3, 5], 1), rand([2, 2, 3], 2))).toThrow(
      'convTranspose1d: input [1,3,5] has 3 channels, but weight [2,2,3] expects 2',
    );
    expect(() => convTranspose1d(rand([1, 2, 1], 1), rand([2, 2, 1], 2), null, { padding: 1 })).toThrow(
      'convTranspose1d: output size -1 of input [1,2,1] is zero or negative',
    );
  });
});
