// Are myelin's F1 batch orders worse to train on than other uniform orders? For each seed,
// myelin draws its own five epochs' orders exactly as F1 does (manualSeed, the model's
// initialisation, then the DataLoader's RandomSampler once per epoch); PyTorch then trains F1
// from its own initial weights for that seed (bench/peers/f1_on_orders.py) twice: on myelin's
// orders and on NumPy's (default_rng(seed + 1000) permutations). Same weights, same arithmetic:
// the two accuracies differ only by the orders. Prints each seed and the paired summary.
//   npm run build && node bench/f1_orders.mjs [--first 0] [--seeds 40] [--key-offset 0]
// --key-offset k: myelin's orders from manualSeed(seed + k) (fresh Philox keys for the same weights).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { myelin } from './lib/myelin.js';
import { runPython } from './lib/torch_peer.js';
import { model as f1Model, EPOCHS } from './workloads/F1.js';

const { values: args } = parseArgs({
  options: {
    first: { type: 'string', default: '0' },
    seeds: { type: 'string', default: '40' },
    'key-offset': { type: 'string', default: '0' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const train = myelin.data.loadFashionMNIST({ train: true, source: 'debian' });
const n = train.length;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'f1-orders-'));
const rows = [];
console.log('seed | PyTorch on myelin orders | PyTorch on NumPy orders');
for (let s = Number(args.first); s < Number(args.first) + Number(args.seeds); s++) {
  myelin.manualSeed(s + Number(args['key-offset']));
  f1Model(); // its initialisation draws come first in F1, so the orders start where F1's do
  const orders = new Int32Array(EPOCHS * n);
  for (let e = 0; e < EPOCHS; e++) orders.set([...new myelin.data.RandomSampler(train)], e * n);
  const file = path.join(dir, `orders_${s}.i32`);
  fs.writeFileSync(file, Buffer.from(orders.buffer));
  const r = runPython([path.join(here, 'peers', 'f1_on_orders.py'), String(s), file], 1);
  fs.rmSync(file);
  rows.push(r);
  console.log(`${s} | ${r.myelin_orders.toFixed(2)}% | ${r.numpy_orders.toFixed(2)}%`);
}
fs.rmSync(dir, { recursive: true, force: true });
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v) => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));
const mine = rows.map((r) => r.myelin_orders);
const numpy = rows.map((r) => r.numpy_orders);
const diff = rows.map((r) => r.numpy_orders - r.myelin_orders);
console.log(
  `\n${rows.length} seeds: myelin orders ${mean(mine).toFixed(3)}% (sd ${sd(mine).toFixed(3)}), NumPy orders ` +
    `${mean(numpy).toFixed(3)}% (sd ${sd(numpy).toFixed(3)}); paired difference ${mean(diff).toFixed(3)} ` +
    `(standard error ${(sd(diff) / Math.sqrt(rows.length)).toFixed(3)})`,
);
