// The distributed API in this one process: errors before and at initialization, a group of one
// rank (every collective is then the identity), option checks, DDP's state dict, the loader's
// messages (DistributedDataParallel and DistributedSampler in one rank: ddp_api.test.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadErrorMessage } from '../../lib/distributed/native.js';
import { distributed as dist, ones, tensor, zeros } from '../../lib/index.js';
import { repoRoot, tsLoader } from './helpers.js';

describe('before a group exists', () => {
  it('every call names itself and says to initialize', () => {
    expect(dist.isInitialized()).toBe(false);
    expect(() => dist.getRank()).toThrow('getRank: the default process group has not been initialized');
    expect(() => dist.allReduce(ones([2]))).toThrow('allReduce: the default process group has not been initialized');
  });

  it('initProcessGroup checks its options', () => {
    expect(() => dist.initProcessGroup({ init_method: 'env://' } as never)).toThrow(
      "initProcessGroup: unknown option 'init_method'; did you mean 'initMethod'?",
    );
    expect(() => dist.initProcessGroup({ backend: 'nccl' as never, rank: 0, worldSize: 1 })).toThrow(
      "backend must be 'gloo'",
    );
    expect(() => dist.initProcessGroup({ rank: 2, worldSize: 2, initMethod: 'tcp://127.0.0.1:1' })).toThrow(
      'rank 2 is out of range for worldSize 2',
    );
    expect(() => dist.initProcessGroup({ rank: 0, worldSize: 1, initMethod: 'udp://x:1' })).toThrow(
      "initMethod must be 'env://', 'tcp://host:port' or 'file:///path'",
    );
    expect(() => dist.initProcessGroup({ rank: 0, worldSize: 1, initMethod: 'tcp://127.0.0.1:99999' })).toThrow(
      '[1, 65535]',
    );
    expect(() => dist.initProcessGroup({ rank: 0, worldSize: 1, timeout: -5, initMethod: 'tcp://h:1' })).toThrow(
      'timeout',
    );
    const saved = { ...process.env };
    try {
      delete process.env.MASTER_ADDR;
      delete process.env.RANK;
      expect(() => dist.initProcessGroup({ worldSize: 1 })).toThrow(
        'initProcessGroup: rank is not given and RANK is not set',
      );
      expect(() => dist.initProcessGroup({ rank: 0, worldSize: 1 })).toThrow('env:// needs MASTER_ADDR');
    } finally {
      process.env = saved;
    }
    expect(dist.isInitialized()).toBe(false);
  });

  it('the loader says what to install when Gloo is missing', () => {
    expect(
      loadErrorMessage(
        '/x/myelin_distributed.node',
        'libgloo.so.0: cannot open shared object file: No such file or directory',
      ),
    ).toBe(
      'distributed: a run-time library of Gloo is missing (libgloo.so.0, needed by /x/myelin_distributed.node): install it (Debian/Ubuntu: sudo apt-get install libgloo0)',
    );
    const r = spawnSync(
      process.execPath,
      [
        ...tsLoader,
        '--input-type=module',
        '-e',
        "import('./lib/index.ts').then((m) => m.distributed.initProcessGroup({ rank: 0, worldSize: 1, initMethod: 'tcp://127.0.0.1:1' }))",
      ],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, MYELIN_DISTRIBUTED_ADDON: '/nonexistent/myelin_distributed.node' },
      },
    );
    expect(r.stderr).toContain('distributed: this installation of myelin has no distributed module');
    expect(r.stderr).toContain('sudo apt-get install libgloo-dev');
  });
});

describe('a group of one rank', () => {
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-dist-'));
    dist.initProcessGroup({ rank: 0, worldSize: 1, initMethod: `file://${path.join(dir, 'rdv')}`, timeout: 10_000 });
  });
  afterAll(() => {
    if (dist.isInitialized()) dist.destroyProcessGroup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('knows its rank, size and backend; a second init is an error', () => {
    expect(dist.isInitialized()).toBe(true);
    expect(dist.getRank()).toBe(0);
    expect(dist.getWorldSize()).toBe(1);
    expect(dist.getBackend()).toBe('gloo');
    expect(() => dist.initProcessGroup({ rank: 0, worldSize: 1 })).toThrow('already initialized');
  });

  it('every collective is the identity', async () => {
    const t = tensor([1, 2, 3]);
    dist.allReduce(t, { op: 'avg' });
    expect([...t.data]).toEqual([1, 2, 3]);
    const out = [zeros([3])];
    dist.allGather(out, t);
    expect([...out[0].data]).toEqual([1, 2, 3]);
    const rs = zeros([3]);
    dist.reduceScatter(rs, [tensor([4, 5, 6])], { op: 'max' });
    expect([...rs.data]).toEqual([4, 5, 6]);
    dist.broadcast(t, 0);
    dist.reduce(t, 0, { op: 'product' });
    const g = [zeros([3])];
    dist.gather(t, { gatherList: g });
    expect([...g[0].data]).toEqual([1, 2, 3]);
    const s = zeros([3]);
    dist.scatter(s, { scatterList: [tensor([7, 8, 9])] });
    expect([...s.data]).toEqual([7, 8, 9]);
    dist.barrier();
    const w = dist.allReduce(t, { asyncOp: true });
    const [done] = await w.getFuture();
    expect(done).toBe(t);
    expect(w.wait()).toBe(true);
    expect(w.isCompleted()).toBe(true);
  });

  it('checks tensors and options, naming the op', () => {
    expect(() => dist.allReduce(ones([2, 3]).transpose(0, 1))).toThrow('allReduce: tensor must be contiguous');
    expect(() => dist.allReduce(ones([2]), { op: 'mean' as never })).toThrow(
      "allReduce: op must be one of 'sum', 'avg'",
    );
    expect(() => dist.allReduce(ones([2]), { async_op: true } as never)).toThrow(
      "unknown option 'async_op'; did you mean 'asyncOp'?",
    );
    expect(() => dist.allReduce(ones([2]), { asyncOp: 'yes' } as never)).toThrow(
      'allReduce: asyncOp must be a boolean',
    );
    expect(() => dist.allReduce(ones([2], { dtype: 'int32' }), { op: 'avg' })).toThrow(
      "allReduce: op 'avg' needs a float32 tensor",
    );
    expect(() => dist.allReduce(ones([2], { dtype: 'int8' }), { op: 'avg' })).toThrow(
      "allReduce: op 'avg' needs a float32 tensor, got int8",
    );
    expect(() => dist.allReduce(tensor([true, false]))).toThrow('allReduce: bool tensors cannot be reduced');
    expect(() => dist.allReduce(tensor([1, 2], { dtype: 'float64' }))).toThrow(/float64/);
    expect(() => dist.broadcast(ones([2]), 1)).toThrow('broadcast: src must be a rank in [0, 1), got 1');
    expect(() => dist.allGather([zeros([2]), zeros([2])], ones([2]))).toThrow(
      'allGather: tensorList must hold 1 tensors',
    );
    expect(() => dist.allGather([zeros([3])], ones([2]))).toThrow(
      'allGather: tensorList[0] is float32 [3], the tensor is float32 [2]',
    );
    expect(() => dist.gather(ones([2]))).toThrow('gather: rank 0 (dst) must pass gatherList');
    expect(() => dist.allReduce('x' as never)).toThrow('allReduce: tensor must be a Tensor');
  });

  it('destroyProcessGroup ends it', () => {
    dist.destroyProcessGroup();
    expect(dist.isInitialized()).toBe(false);
    expect(() => dist.barrier()).toThrow('barrier: the default process group has not been initialized');
  });
});
