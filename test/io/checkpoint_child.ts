// Child process for the atomicity test in checkpoint.test.ts: saves a large checkpoint over and
// over (every element of round k equals k, and epoch = k), printing "saved k" after each save,
// until the parent kills it.  node --import ./test/helpers/ts_loader.mjs checkpoint_child.ts PATH START
import { saveCheckpoint } from '../../lib/io/checkpoint.js';
import { BigModel } from './checkpoint_model.js';

const [path, start] = process.argv.slice(2);
const model = new BigModel();
for (let k = Number(start); ; k++) {
  model.fill(k);
  saveCheckpoint(path, { model, epoch: k, extra: { round: k } });
  process.stdout.write(`saved ${k}\n`);
}
