// DistributedSampler: the ranks' shares of an epoch, as PyTorch's DistributedSampler splits it.
import { describe, expect, it } from 'vitest';
import { arange, data } from '../../lib/index.js';

const shares = (n: number, replicas: number, options: data.DistributedSamplerOptions = {}) =>
  Array.from({ length: replicas }, (_, rank) => [
    ...new data.DistributedSampler(n, { numReplicas: replicas, rank, ...options }),
  ]);

describe('DistributedSampler', () => {
  it('splits an epoch exactly: every index once, over ranks that see the same permutation', () => {
    for (const [n, replicas] of [
      [12, 2],
      [12, 3],
      [1000, 4],
    ]) {
      const parts = shares(n, replicas, { seed: 5 });
      expect(parts.every((p) => p.length === n / replicas)).toBe(true);
      expect(parts.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      // rank r takes every replicas-th index of one shared permutation, from position r
      const perm: number[] = [];
      for (let i = 0; i < parts[0].length; i++) for (const p of parts) perm.push(p[i]);
      expect(perm).not.toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it("pads an uneven epoch with the first indices, or drops the tail (PyTorch's rules)", () => {
    // torch: DistributedSampler(range(10), num_replicas=4, rank=r, shuffle=False)
    expect(shares(10, 4, { shuffle: false })).toEqual([
      [0, 4, 8],
      [1, 5, 9],
      [2, 6, 0],
      [3, 7, 1],
    ]);
    expect(shares(10, 4, { shuffle: false, dropLast: true })).toEqual([
      [0, 4],
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
    // padding longer than the dataset repeats it
    expect(shares(2, 5, { shuffle: false })).toEqual([[0], [1], [0], [1], [0]]);
    const s = new data.DistributedSampler(10, { numReplicas: 4, rank: 0 });
    expect([s.length, s.numSamples, s.totalSize]).toEqual([3, 3, 12]);
  });

  it('setEpoch draws a new permutation (the same on every rank); the same epoch repeats it', () => {
    const s0 = new data.DistributedSampler(50, { numReplicas: 2, rank: 0, seed: 3 });
    const s1 = new data.DistributedSampler(50, { numReplicas: 2, rank: 1, seed: 3 });
    const e0 = [...s0];
    expect([...s0]).toEqual(e0);
    s0.setEpoch(1);
    s1.setEpoch(1);
    const e1 = [...s0];
    expect(e1).not.toEqual(e0);
    expect([...e1, ...s1].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    s0.setEpoch(0);
    expect([...s0]).toEqual(e0);
  });

  it('feeds a DataLoader', () => {
    const ds = new data.TensorDataset(arange(6));
    const sampler = new data.DistributedSampler(ds, { numReplicas: 2, rank: 1, shuffle: false });
    const loader = new data.DataLoader(ds, { batchSize: 2, sampler });
    expect([...loader].map(([x]) => [...x.data])).toEqual([[1, 3], [5]]);
  });

  it('checks its arguments', () => {
    expect(() => new data.DistributedSampler(10, { numReplicas: 2, rank: 2 })).toThrow(
      'DistributedSampler: rank must be in [0, 2), got 2',
    );
    expect(() => new data.DistributedSampler(10, { numReplicas: 0, rank: 0 })).toThrow(
      'numReplicas must be a positive integer',
    );
    expect(() => new data.DistributedSampler(10, { num_replicas: 2 } as never)).toThrow(
      "DistributedSampler: unknown option 'num_replicas'; did you mean 'numReplicas'?",
    );
    expect(() => new data.DistributedSampler(10, { numReplicas: 2, rank: 0 }).setEpoch(-1)).toThrow('setEpoch');
  });
});
