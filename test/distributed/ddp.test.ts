// DistributedDataParallel on 2 ranks against one process on the whole batch
// (test/distributed/workers/ddp.ts trains both and compares).
import { describe, expect, it } from 'vitest';
import { explain, runRanks } from './helpers.js';

async function ranks(mode: string) {
  const results = await runRanks('ddp.ts', 2, { args: [mode] });
  expect(
    results.every((r) => r.code === 0),
    explain(results),
  ).toBe(true);
  return results.map((r) => r.reports[0] as any);
}

describe('DistributedDataParallel, 2 ranks with half batches against 1 process on the whole batch', () => {
  it('M1 MLP, SGD momentum, 20 steps: the same parameters within 1e-5 relative; stateDict keys prefixed module.', async () => {
    for (const r of await ranks('m1')) {
      expect(r.maxRel).toBeLessThan(1e-5);
      expect(r.keysMatch).toBe(true);
      expect(r.keyCount).toBe(6);
    }
  });

  it("N1 CNN with BatchNorm, 20 steps: parameters within 1e-5 relative; running statistics are rank 0's", async () => {
    for (const r of await ranks('n1')) {
      expect(r.maxRel).toBeLessThan(1e-5);
      expect(r.buffersMaxRel).toBeLessThan(1e-5);
      expect(r.keysMatch).toBe(true);
    }
  });

  it('noSync gradient accumulation equals the large batch (also with gradientAsBucketView, findUnusedParameters)', async () => {
    for (const r of await ranks('nosync')) {
      for (const [options, maxRel] of Object.entries(r.results)) expect(maxRel, options).toBeLessThan(1e-5);
      expect(Object.keys(r.results).length).toBe(3);
    }
  });

  it('findUnusedParameters: a branch one rank skips is averaged with zeros; a layer no rank uses keeps grad null', async () => {
    for (const r of await ranks('unused')) {
      expect(r.error).toBe('');
      expect(r.maxRel).toBeLessThan(1e-5);
      expect(r.neverGradIsNull).toBe(true);
    }
  });

  it('without findUnusedParameters an unused parameter is a clear error', async () => {
    for (const r of await ranks('unused-error')) {
      expect(r.error).toMatch(
        /DistributedDataParallel: .*module\.never\.weight.* received no gradient in this backward/,
      );
      expect(r.error).toContain('findUnusedParameters: true');
    }
  });

  it('buckets in reverse parameter order, first bucket 1 MiB; its allreduce starts before backward reaches the first layer', async () => {
    for (const r of await ranks('buckets')) {
      expect(r.buckets).toEqual([
        ['module.4.bias', 'module.4.weight', 'module.2.bias', 'module.2.weight'],
        ['module.0.bias', 'module.0.weight'],
      ]);
      expect(r.launchedBeforeFirstLayer).toBe(1);
      expect(r.gradMaxRel).toBeLessThan(1e-5);
    }
  });

  it("buffers of dtypes the collectives do not carry (float64, bfloat16) and int8 ones are rank 0's after construction and each training forward", async () => {
    for (const r of await ranks('buffer-dtypes')) {
      expect(r.error).toBe('');
      expect(r.afterConstruction).toEqual({
        stats: [1 / 3, -2.5e-300, 7],
        half: [1.5, -3, 0.25],
        small: [1, -2, 3, 4, 0],
      });
      expect(r.afterForward).toEqual({ stats: [2, 2, 2], half: [2, 2, 2], small: [2, 2, 2, 2, 2] });
    }
  });
});
