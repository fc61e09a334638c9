import { describe, expect, it } from 'vitest';
import { manualSeed, nn, Tensor } from '../../../lib/index.js';
import { randomFloats } from '../../helpers/native.js';

function rand(shape: number[], seed: number): Tensor {
  return Tensor.fromData(
    randomFloats(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

describe('convolution modules', () => {
  it('seed 001 quiz: 3x3 filters from 3 to 96 channels hold 27 weights each, 96 filters', () => {
    const conv = new nn.Conv2d(3, 96, 3);
    expect(conv.weight.shape).toEqual([96, 3, 3, 3]);
    const perFilter = conv.weight.shape.slice(1).reduce((a, b) => a * b, 1);
    expect(perFilter).toBe(27);
    expect(conv.weight.shape[0]).toBe(96);
    expect(nn.countParameters(conv)).toBe(96 * 27 + 96);
    expect(nn.countParameters(new nn.Conv2d(3, 96, 3, { bias: false }))).toBe(2592);
  });

  it('prints as PyTorch does', () => {
    expect(String(new nn.Conv2d(3, 64, 3, { stride: 1, padding: 1 }))).toBe(
      'Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))',
    );
    expect(String(new nn.Conv2d(4, 8, [3, 5], { stride: 2, dilation: 2, groups: 2, bias: false }))).toBe(
      'Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), dilation=(2, 2), groups=2, bias=False)',
    );
    expect(String(new nn.Conv2d(2, 2, 3, { padding: 'same' }))).toBe(
      'Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=same)',
    );
    expect(String(new nn.Conv1d(16, 33, 3, { stride: 2 }))).toBe('Conv1d(16, 33, kernel_size=(3,), stride=(2,))');
    expect(String(new nn.ConvTranspose2d(16, 33, 3, { stride: 2, outputPadding: 1 }))).toBe(
      'ConvTranspose2d(16, 33, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))',
    );
    expect(String(new nn.MaxPool2d(2))).toBe(
      'MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
    );
    expect(String(new nn.MaxPool2d([3, 2], { stride: 1, ceilMode: true }))).toBe(
      'MaxPool2d(kernel_size=(3, 2), stride=1, padding=0, dilation=1, ceil_mode=True)',
    );
    expect(String(new nn.AvgPool2d(2))).toBe('AvgPool2d(kernel_size=2, stride=2, padding=0)');
    expect(String(new nn.AvgPool1d(3, { stride: 2 }))).toBe('AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))');
    expect(String(new nn.AdaptiveAvgPool2d([5, 7]))).toBe('AdaptiveAvgPool2d(output_size=(5, 7))');
    expect(String(new nn.AdaptiveAvgPool2d([null, 7]))).toBe('AdaptiveAvgPool2d(output_size=(None, 7))');
    expect(String(new nn.AdaptiveMaxPool2d(1))).toBe('AdaptiveMaxPool2d(output_size=1)');
  });

  it('initialises within the kaiming_uniform(a = sqrt(5)) and bias bounds', () => {
    manualSeed(0);
    const conv = new nn.Conv2d(8, 16, 3);
    const bound = 1 / Math.sqrt(8 * 9);
    const w = conv.weight.toTypedArray() as Float32Array;
    const b = conv.bias!.toTypedArray() as Float32Array;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(bound * 0.9);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    const t = new nn.ConvTranspose2d(4, 6, 3, { groups: 2 });
    expect(t.weight.shape).toEqual([4, 3, 3, 3]);
    const tb = 1 / Math.sqrt(3 * 9); // fan_in of [in, out/groups, k, k] is out/groups * k * k
    expect(Math.max(...(t.bias!.toTypedArray() as Float32Array).map(Math.abs))).toBeLessThanOrEqual(tb);
  });

  it('runs a small CNN forward and backward', () => {
    const net = new nn.Sequential(
      new nn.Conv2d(3, 8, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(8, 4, 3, { stride: 2, groups: 4 }),
      new nn.AdaptiveAvgPool2d(1),
      new nn.Flatten(),
    );
    const y = net.forward(rand([2, 3, 10, 10], 1)) as Tensor;
    expect(y.shape).toEqual([2, 4]);
    y.sum().backward();
    for (const p of net.parameters()) expect(p.grad?.shape).toEqual(p.shape);
    const up = new nn.ConvTranspose2d(4, 2, 2, { stride: 2 });
    expect((up.forward(rand([1, 4, 3, 3], 2)) as Tensor).shape).toEqual([1, 2, 6, 6]);
    const c1 = new nn.Conv1d(2, 3, 3, { padding: 'same' });
    expect((c1.forward(rand([4, 2, 9], 3)) as Tensor).shape).toEqual([4, 3, 9]);
    const [v, i] = new nn.MaxPool2d(2, { returnIndices: true }).forward(rand([1, 1, 4, 4], 4)) as [Tensor, Tensor];
    expect(v.shape).toEqual([1, 1, 2, 2]);
    expect(i.dtype).toBe('int32');
  });

  it('rejects bad constructor arguments', () => {
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow('Conv2d: inChannels 3 must be divisible by groups 2');
    expect(() => new nn.Conv2d(0, 4, 3)).toThrow('Conv2d: inChannels must be a positive integer, got 0');
    expect(() => new nn.Conv2d(2, 4, 0)).toThrow(/Conv2d: kernelSize must be an integer >= 1/);
    expect(() => new nn.Conv2d(2, 4, 3, { stride: 2, padding: 'same' })).toThrow(
      /padding='same' is not supported for strided/,
    );
  });
});
