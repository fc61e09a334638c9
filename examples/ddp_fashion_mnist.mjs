// Data-parallel training across processes and machines: the Fashion-MNIST MLP (F1) or CNN (F2)
// under DistributedDataParallel, each process on its share of every epoch (DistributedSampler).
// Start it with myelin-run, which sets the ranks, the rendezvous and the threads:
//
//   one machine, 2 processes:
//     npx myelin-run --nproc-per-node 2 examples/ddp_fashion_mnist.mjs
//   two machines (A at 10.0.0.1, B), 2 processes each:
//     on A: npx myelin-run --nnodes 2 --node-rank 0 --nproc-per-node 2 --master-addr 10.0.0.1 --master-port 29500 examples/ddp_fashion_mnist.mjs
//     on B: npx myelin-run --nnodes 2 --node-rank 1 --nproc-per-node 2 --master-addr 10.0.0.1 --master-port 29500 examples/ddp_fashion_mnist.mjs
//
//   options: --model mlp|cnn  --epochs N  --batch N (per process)  --lr X  --out DIR  --full
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { data, distributed as dist, io, manualSeed, nn, noGrad, optim, tensor } from '../dist/index.js';
import { makeModel } from './fashion_models.mjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'mlp' },
    epochs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.001' },
    out: { type: 'string', default: path.join('runs', 'ddp-fashion-mnist') },
    full: { type: 'boolean', default: false },
  },
});

dist.initProcessGroup(); // env:// : MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE from myelin-run
const rank = dist.getRank();
const world = dist.getWorldSize();
const log = (msg) => rank === 0 && console.log(msg);

const source = args.full ? undefined : 'embedded';
const trainSet = data.loadFashionMNIST({ train: true, source });
const testSet = data.loadFashionMNIST({ train: false, source });
// Each rank visits its own 1/world of every epoch; setEpoch reshuffles (the same way on every rank).
const sampler = new data.DistributedSampler(trainSet, { shuffle: true, seed: 0 });
const loader = new data.DataLoader(trainSet, { batchSize: Number(args.batch), sampler });
const testLoader = new data.DataLoader(testSet, {
  batchSize: 500,
  sampler: new data.DistributedSampler(testSet, { shuffle: false }),
});

manualSeed(rank); // any initial weights: DistributedDataParallel starts every rank from rank 0's
const model = new nn.parallel.DistributedDataParallel(makeModel(args.model));
const optimizer = new optim.Adam(model.parameters(), { lr: Number(args.lr) });
log(
  `${world} processes, ${trainSet.length} training images (${sampler.length} a process per epoch), model ${args.model}`,
);

for (let epoch = 0; epoch < Number(args.epochs); epoch++) {
  sampler.setEpoch(epoch);
  let lossSum = 0;
  let seen = 0;
  const started = performance.now();
  for (const [x, y] of loader) {
    optimizer.zeroGrad();
    const loss = nn.functional.crossEntropy(model.call(x), y);
    loss.backward(); // gradients averaged over the ranks, bucket by bucket, during backward
    optimizer.step();
    lossSum += loss.item() * y.numel();
    seen += y.numel();
  }
  // Every rank evaluates its share of the test set; the counts are summed over the ranks.
  let correct = 0;
  let tested = 0;
  model.eval();
  noGrad(() => {
    for (const [x, y] of testLoader) {
      const predicted = model.call(x).argmax(1);
      correct += predicted.eq(y).sum().item();
      tested += y.numel();
    }
  });
  model.train();
  const totals = tensor([lossSum, seen, correct, tested]);
  dist.allReduce(totals);
  const [loss, samples, right, total] = totals.data;
  const seconds = (performance.now() - started) / 1000;
  log(
    `epoch ${epoch + 1}: train loss ${(loss / samples).toFixed(4)}, test accuracy ${(right / total).toFixed(4)}, ` +
      `${Math.round(samples / seconds)} images/s over ${world} processes`,
  );
}

if (rank === 0) {
  // The wrapped module's weights (keys without 'module.'), loadable into a plain model.
  fs.mkdirSync(args.out, { recursive: true });
  io.saveCheckpoint(path.join(args.out, 'checkpoint.safetensors'), { model: model.module, optimizer });
  log(`saved ${path.join(args.out, 'checkpoint.safetensors')}`);
}
dist.destroyProcessGroup();
