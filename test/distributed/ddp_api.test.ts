// DistributedDataParallel and DistributedSampler in a group of one rank: what needs no peers
// (the state dict's keys, option checks, noSync, defaults from the group).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, distributed as dist, nn, ones } from '../../lib/index.js';

describe('DistributedDataParallel and DistributedSampler in one rank', () => {
  it('need an initialized group', () => {
    expect(() => new data.DistributedSampler(10)).toThrow(
      'getWorldSize: the default process group has not been initialized',
    );
    expect(() => new nn.parallel.DistributedDataParallel(new nn.Linear(2, 2))).toThrow(/has not been initialized/);
  });

  it('refuses a bfloat16 or float64 model when made, before any collective (no group needed)', () => {
    const DDP = nn.parallel.DistributedDataParallel;
    expect(() => new DDP(new nn.Linear(2, 2).bfloat16())).toThrow(
      'DistributedDataParallel: parameter weight is bfloat16; gradients are averaged in float32 buckets, for float32 parameters only ' +
        '(convert the model with .float(); autocast runs its products in bfloat16)',
    );
    expect(() => new DDP(new nn.Sequential(new nn.Linear(2, 2)).double())).toThrow(
      /DistributedDataParallel: parameter 0\.weight is float64; /,
    );
    // Frozen parameters are not averaged: their dtype is theirs to keep.
    expect(() => new DDP(new nn.Linear(2, 2).bfloat16().requiresGrad_(false))).toThrow(/has not been initialized/);
  });

  describe('with a group', () => {
    let dir = '';
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-dist-'));
      dist.initProcessGroup({ rank: 0, worldSize: 1, initMethod: `file://${path.join(dir, 'rdv')}`, timeout: 10_000 });
    });
    afterAll(() => {
      if (dist.isInitialized()) dist.destroyProcessGroup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('DistributedDataParallel: stateDict keys prefixed module., options checked, noSync restores', () => {
      const model = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
      const ddp = new nn.parallel.DistributedDataParallel(model);
      expect(Object.keys(ddp.stateDict())).toEqual(Object.keys(model.stateDict()).map((k) => `module.${k}`));
      expect([...ddp.parameters()].length).toBe(4);
      ddp.loadStateDict(ddp.stateDict());
      expect(() => new nn.parallel.DistributedDataParallel(model, { bucket_cap_mb: 1 } as never)).toThrow(
        "DistributedDataParallel: unknown option 'bucket_cap_mb'; did you mean 'bucketCapMb'?",
      );
      expect(() => new nn.parallel.DistributedDataParallel(model, { bucketCapMb: 0 })).toThrow(
        'bucketCapMb must be a positive number',
      );
      const x = ones([5, 4]);
      ddp.noSync(() => ddp.call(x).sum().backward());
      expect(model.children().next().value.weight.grad).not.toBeNull();
      ddp.call(x).sum().backward();
      expect(() =>
        ddp.noSync(() => {
          throw new Error('inside');
        }),
      ).toThrow('inside');
      ddp.call(x).sum().backward();
      expect(ddp.toString()).toContain('worldSize=1');
    });

    it('DistributedSampler takes its rank and size from the group', () => {
      const s = new data.DistributedSampler(5, { shuffle: false });
      expect([...s]).toEqual([0, 1, 2, 3, 4]);
      expect(s.numReplicas).toBe(1);
    });
  });
});
