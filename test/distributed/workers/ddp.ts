// One rank of the DistributedDataParallel tests. Every rank starts from its own random weights
// (DDP must broadcast rank 0's), trains on its share of each batch, and compares its parameters
// after training with a single-process reference it trains itself on the whole batch from rank
// 0's initial weights.
//   argv[2]: m1 | n1 | nosync | unused | unused-error | buckets | buffer-dtypes
import { distributed as dist, manualSeed, nn, optim, randint, randn, Tensor, tensor } from '../../../lib/index.js';
import { noGrad } from '../../../lib/autograd/grad_mode.js';
import { bfloat16BitsOf } from '../../../lib/dtype.js';
import { simpleCnn } from '../../helpers/models.js';
import { report } from '../helpers.js';

const mode = process.argv[2];
dist.initProcessGroup({ timeout: 60_000 });
const rank = dist.getRank();
const world = dist.getWorldSize();
const { crossEntropy } = nn.functional;

function mlp(hidden = [256, 128]): nn.Module {
  const sizes = [784, ...hidden, 10];
  const layers: nn.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new nn.Linear(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.length) layers.push(new nn.ReLU());
  }
  return new nn.Sequential(...layers);
}

/** Largest |a - b| over largest |b|, over every entry of two state dicts. */
function maxRelative(a: Record<string, Tensor>, b: Record<string, Tensor>, keys: string[]): number {
  let worst = 0;
  for (const k of keys) {
    const x = a[k].data;
    const y = b[k].data;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < y.length; i++) {
      diff = Math.max(diff, Math.abs(x[i] - y[i]));
      scale = Math.max(scale, Math.abs(y[i]));
    }
    worst = Math.max(worst, scale === 0 ? diff : diff / scale);
  }
  return worst;
}

/** Rank 0's initial weights in a fresh model (the reference starts from them). */
function referenceFrom(make: () => nn.Module): nn.Module {
  manualSeed(1000);
  return make();
}

function sgd(m: nn.Module): optim.SGD {
  return new optim.SGD([...m.parameters()], { lr: 0.01, momentum: 0.9 });
}

/** 20 steps: DDP on this rank's half of every batch against one process on the whole batch. */
function trainAgainstReference(make: () => nn.Module, batch: number, input: number[], steps: number, bn: boolean) {
  manualSeed(1000 + rank * 7); // rank 0's draw equals the reference's
  const ddp = new nn.parallel.DistributedDataParallel(make());
  const reference = referenceFrom(make);
  const optDdp = sgd(ddp);
  const optRef = sgd(reference);
  const share = batch / world;
  for (let step = 0; step < steps; step++) {
    manualSeed(5000 + step);
    const x = randn([batch, ...input]);
    const y = randint(0, 10, [batch]);
    const mine = [rank * share, (rank + 1) * share];
    optDdp.zeroGrad();
    crossEntropy(ddp.call(x.slice(0, mine[0], mine[1])), y.slice(0, mine[0], mine[1])).backward();
    optDdp.step();

    optRef.zeroGrad();
    if (!bn) {
      crossEntropy(reference.call(x), y).backward();
    } else {
      // BatchNorm normalises each rank's share with that share's statistics (as PyTorch's DDP
      // on CPU, which has no SyncBatchNorm), so the reference does too: the mean of the shares'
      // losses; running statistics follow rank 0's share (DDP broadcasts rank 0's buffers).
      let total: Tensor | null = null;
      let saved: Tensor[] = [];
      for (let r = 0; r < world; r++) {
        if (r === 1) saved = [...reference.buffers()].map((b) => b.clone());
        const part = crossEntropy(
          reference.call(x.slice(0, r * share, (r + 1) * share)),
          y.slice(0, r * share, (r + 1) * share),
        );
        total = total ? total.add(part) : part;
      }
      noGrad(() =>
        [...reference.buffers()].forEach((b, i) => (b.data as Float32Array | Int32Array).set(saved[i].data as never)),
      );
      total!.div(world).backward();
    }
    optRef.step();
  }
  const got = ddp.stateDict();
  const want = reference.stateDict();
  const params = [...reference.namedParameters()].map(([k]) => k);
  const keysMatch = Object.keys(got).every((k) => k.startsWith('module.') && k.slice(7) in want);
  const prefixed = Object.fromEntries(Object.entries(got).map(([k, v]) => [k.slice(7), v]));
  const buffers = [...reference.namedBuffers()].map(([k]) => k);
  return {
    maxRel: maxRelative(prefixed, want, params),
    buffersMaxRel: rank === 0 && buffers.length ? maxRelative(prefixed, want, buffers) : 0,
    keysMatch,
    keyCount: Object.keys(got).length,
  };
}

if (mode === 'm1') {
  report({ rank, ...trainAgainstReference(() => mlp(), 64, [784], 20, false) });
} else if (mode === 'n1') {
  report({ rank, ...trainAgainstReference(simpleCnn, 16, [3, 32, 32], 20, true) });
} else if (mode === 'nosync') {
  // Gradient accumulation: two micro-batches a step, the first under noSync. The reference
  // takes the whole batch (2 ranks x 2 micro-batches x 8 rows) at once.
  const results: Record<string, number> = {};
  for (const options of [{}, { gradientAsBucketView: true }, { findUnusedParameters: true }]) {
    manualSeed(1000 + rank * 7);
    const ddp = new nn.parallel.DistributedDataParallel(mlp(), options);
    const reference = referenceFrom(() => mlp());
    const optDdp = sgd(ddp);
    const optRef = sgd(reference);
    const micro = 8;
    for (let step = 0; step < 6; step++) {
      manualSeed(7000 + step);
      const x = randn([2 * world * micro, 784]);
      const y = randint(0, 10, [2 * world * micro]);
      optDdp.zeroGrad();
      for (let j = 0; j < 2; j++) {
        const rows = [(j * world + rank) * micro, (j * world + rank + 1) * micro];
        const run = () =>
          crossEntropy(ddp.call(x.slice(0, rows[0], rows[1])), y.slice(0, rows[0], rows[1]))
            .div(2)
            .backward();
        if (j === 0) ddp.noSync(run);
        else run();
      }
      optDdp.step();
      optRef.zeroGrad();
      crossEntropy(reference.call(x), y).backward();
      optRef.step();
    }
    const got = Object.fromEntries(Object.entries(ddp.stateDict()).map(([k, v]) => [k.slice(7), v]));
    results[JSON.stringify(options)] = maxRelative(got, reference.stateDict(), Object.keys(reference.stateDict()));
  }
  report({ rank, results });
} else if (mode === 'unused' || mode === 'unused-error') {
  // A branch only rank 0's forward uses, and a layer no rank uses.
  class Branchy extends nn.Module {
    trunk = new nn.Linear(20, 10);
    branch = new nn.Linear(10, 10);
    never = new nn.Linear(10, 10);
    forward(x: Tensor, useBranch: boolean): Tensor {
      const h = this.trunk.call(x).relu();
      return useBranch ? this.branch.call(h) : h;
    }
  }
  manualSeed(1000 + rank * 7);
  const ddp = new nn.parallel.DistributedDataParallel(new Branchy(), { findUnusedParameters: mode === 'unused' });
  const reference = referenceFrom(() => new Branchy());
  const optDdp = sgd(ddp);
  const optRef = sgd(reference);
  let error = '';
  try {
    for (let step = 0; step < 5; step++) {
      manualSeed(9000 + step);
      const x = randn([8 * world, 20]);
      const y = randint(0, 10, [8 * world]);
      optDdp.zeroGrad();
      const rows = [rank * 8, rank * 8 + 8];
      crossEntropy(ddp.call(x.slice(0, rows[0], rows[1]), rank === 0), y.slice(0, rows[0], rows[1])).backward();
      optDdp.step();
      optRef.zeroGrad();
      const parts = Array.from({ length: world }, (_, r) =>
        crossEntropy(reference.call(x.slice(0, r * 8, r * 8 + 8), r === 0), y.slice(0, r * 8, r * 8 + 8)),
      );
      parts
        .reduce((a, b) => a.add(b))
        .div(world)
        .backward();
      optRef.step();
    }
  } catch (e) {
    error = (e as Error).message;
  }
  const got = Object.fromEntries(Object.entries(ddp.stateDict()).map(([k, v]) => [k.slice(7), v]));
  const module = ddp.module as Branchy;
  report({
    rank,
    error,
    maxRel: error ? null : maxRelative(got, reference.stateDict(), Object.keys(reference.stateDict())),
    neverGradIsNull: module.never.weight.grad === null,
  });
} else if (mode === 'buckets') {
  // 784-512-512-10 (2.7 MB): the first bucket (1 MiB) holds the last two layers, the second
  // the first layer. Its allreduce must start before backward reaches the first layer.
  manualSeed(1000 + rank * 7);
  const model = mlp([512, 512]);
  const ddp = new nn.parallel.DistributedDataParallel(model, { bucketCapMb: 1 });
  const first = (model as nn.Sequential).children().next().value as nn.Linear;
  let launchedBeforeFirstLayer = -1;
  first.weight.registerHook(() => {
    launchedBeforeFirstLayer = ddp._ddp.launched;
  });
  manualSeed(42);
  const x = randn([16, 784]);
  const y = randint(0, 10, [16]);
  crossEntropy(ddp.call(x.slice(0, rank * 8, rank * 8 + 8)), y.slice(0, rank * 8, rank * 8 + 8)).backward();
  // The average of both ranks' gradients, from the allGather of each rank's own gradient.
  manualSeed(1000);
  const reference = mlp([512, 512]);
  const parts = [0, 1].map((r) =>
    crossEntropy(reference.call(x.slice(0, r * 8, r * 8 + 8)), y.slice(0, r * 8, r * 8 + 8)),
  );
  parts[0].add(parts[1]).div(2).backward();
  const grads = Object.fromEntries([...model.namedParameters()].map(([k, p]) => [k, p.grad!]));
  const refGrads = Object.fromEntries([...reference.namedParameters()].map(([k, p]) => [k, p.grad!]));
  report({
    rank,
    buckets: ddp.bucketParameterNames(),
    launchedBeforeFirstLayer,
    gradMaxRel: maxRelative(grads, refGrads, Object.keys(refGrads)),
  });
}
if (mode === 'buffer-dtypes') {
  // Buffers of the dtypes the collectives do not carry (float64 running statistics, bfloat16,
  // int8; odd counts, so their bytes are no whole number of int32 words), each rank its own values:
  // rank 0's after the construction, and again after a training forward.
  class WithBuffers extends nn.Module {
    lin = new nn.Linear(3, 2);
    constructor() {
      super();
      this.registerBuffer('stats', tensor([1 / 3, -2.5e-300, 7 + rank], { dtype: 'float64' }));
      this.registerBuffer('half', tensor([1.5, -3, 0.25 + rank]).bfloat16());
      this.registerBuffer('small', Tensor.fromData(new Int8Array([1, -2, 3, 4, rank]), [5], { dtype: 'int8' }));
    }
    forward(x: Tensor): Tensor {
      return this.lin.call(x);
    }
  }
  const model = new WithBuffers();
  const values = () => Object.fromEntries([...model.namedBuffers()].map(([k, b]) => [k, b.tolist()]));
  let error = '';
  let afterConstruction = {};
  let afterForward = {};
  try {
    const ddp = new nn.parallel.DistributedDataParallel(model);
    afterConstruction = values();
    // Each rank's own values again, written into the storages (int8 is storage only).
    const v = rank + 2;
    for (const [k, b] of model.namedBuffers()) b.storage.data.fill(k === 'half' ? bfloat16BitsOf(v) : v);
    ddp.call(randn([2, 3]));
    afterForward = values();
  } catch (e) {
    error = String((e as Error).message);
  }
  report({ rank, error, afterConstruction, afterForward });
}
dist.destroyProcessGroup();
