// F1 from PyTorch's own start: PyTorch (bench/peers/f1_same_start.py) draws the initial weights
// and the five epochs' batch orders for a seed and trains from them; myelin loads the same weights
// and trains on the same batches. Same start, same data order: what is left is each library's
// arithmetic (float rounding makes the two runs drift apart slowly). Per-epoch mean training loss
// and test accuracy, side by side, for each seed.
//   npm run build && node bench/f1_same_start.mjs [--seeds 3] [--first 0] [--own-init] [--own-order]
// --own-init: myelin's own initial weights (manualSeed(seed)) instead of PyTorch's; --own-order:
// myelin's own shuffling instead of PyTorch's batch orders (to tell which of the two matters).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { myelin } from './lib/myelin.js';
import { runPython } from './lib/torch_peer.js';
import { model as f1Model } from './workloads/F1.js';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    first: { type: 'string', default: '0' },
    'own-init': { type: 'boolean', default: false },
    'own-order': { type: 'boolean', default: false },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
myelin.setNumThreads(1);
const train = myelin.data.loadFashionMNIST({ train: true, source: 'debian' });
const test = myelin.data.loadFashionMNIST({ train: false, source: 'debian' });
const { nn, optim, data, noGrad } = myelin;

function run(seed) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'f1-start-'));
  const theirs = runPython([path.join(here, 'peers', 'f1_same_start.py'), String(seed), out], 1);
  const shapes = JSON.parse(fs.readFileSync(path.join(out, 'params.json'), 'utf8'));
  const state = {};
  for (const [k, shape] of Object.entries(shapes)) {
    const b = fs.readFileSync(path.join(out, `${k}.f32`));
    state[k] = myelin.tensor(new Float32Array(b.buffer, b.byteOffset, b.length / 4)).reshape(shape);
  }
  const ob = fs.readFileSync(path.join(out, 'orders.i32'));
  const orders = new Int32Array(ob.buffer, ob.byteOffset, ob.length / 4);
  fs.rmSync(out, { recursive: true, force: true });
  myelin.manualSeed(seed);
  const model = f1Model();
  if (!args['own-init']) model.loadStateDict(state);
  const opt = new optim.Adam([...model.parameters()], { lr: 1e-3 });
  const n = train.length;
  const losses = [];
  model.train();
  for (let e = 0; e < orders.length / n; e++) {
    const batches = [];
    for (let i = 0; i < n; i += 128) batches.push(Array.from(orders.subarray(e * n + i, e * n + Math.min(i + 128, n))));
    const loader = args['own-order']
      ? new data.DataLoader(train, { batchSize: 128, shuffle: true })
      : new data.DataLoader(train, { batchSampler: batches });
    let total = 0;
    for (const [x, y] of loader) {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.call(x), y);
      loss.backward();
      opt.step();
      total += loss.item();
    }
    losses.push(total / batches.length);
  }
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const [x, y] of new data.DataLoader(test, { batchSize: 1000 }))
      correct += Math.round(myelin.train.accuracy(model.call(x), y) * y.shape[0]);
  });
  return { mine: { losses, accuracy: correct / test.length }, theirs };
}

console.log(
  `F1 from ${args['own-init'] ? "myelin's own" : "PyTorch's"} initial weights and ${args['own-order'] ? "myelin's own" : "PyTorch's"} batch orders, 1 thread\n`,
);
console.log('seed | epoch mean training loss, myelin / PyTorch                      | test acc myelin / PyTorch');
for (let s = Number(args.first); s < Number(args.first) + Number(args.seeds); s++) {
  const { mine, theirs } = run(s);
  const l = mine.losses.map((v, i) => `${v.toFixed(4)}/${theirs.losses[i].toFixed(4)}`).join(' ');
  console.log(`${s}    | ${l} | ${(100 * mine.accuracy).toFixed(2)}% / ${(100 * theirs.accuracy).toFixed(2)}%`);
}
