// Seed 001, p50-51 (quiz): input 3x128x128, output 96x128x128, a bank of 3x3 filters.
// p50: each filter holds 3 * 3 * 3 = 27 weights (it spans all 3 input channels).
// p51: the bank holds 96 filters (one per output channel).
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, randn } from '../../lib/index.js';

describe('seed 001 quiz, p50-51', () => {
  const conv = new nn.Conv2d(3, 96, 3, { padding: 1 });

  it('p50: every 3x3 filter over 3 input channels has 27 weights', () => {
    expect(conv.weight.shape).toEqual([96, 3, 3, 3]);
    const perFilter = conv.weight.shape.slice(1).reduce((a, b) => a * b, 1);
    expect(perFilter).toBe(27);
  });

  it('p51: the bank has 96 filters, one per output channel: 2592 weights + 96 biases', () => {
    expect(conv.weight.shape[0]).toBe(96);
    expect(conv.weight.numel()).toBe(2592);
    expect(conv.bias!.shape).toEqual([96]);
    expect(nn.countParameters(conv)).toBe(2592 + 96);
  });

  it('maps a 3x128x128 input to a 96x128x128 output', () => {
    manualSeed(0);
    const y = conv.forward(randn([3, 128, 128]));
    expect(y.shape).toEqual([96, 128, 128]);
  });

  it('rejects an input with the wrong channel count or rank, naming the shapes', () => {
    expect(() => conv.forward(randn([1, 4, 8, 8]))).toThrow(
      'conv2d: input [1,4,8,8] has 4 channels, but weight [96,3,3,3] with groups 1 expects 3',
    );
    expect(() => conv.forward(randn([8, 8]))).toThrow(
      'conv2d: expected a 3-D (unbatched) or 4-D (batched) input [N, C, H, W], got shape [8,8]',
    );
  });
});
