// Child process for the atomicity test in checkpoint.test.ts: saves a large checkpoint over and
// over (every element of round k equals k, and epoch = k), printing "saved k" after each save,
// until the parent kills it.  node --import ./test/helpers/ts_loader.mjs checkpoint_child.ts PATH START
// It also exits by itself when its stdin closes (the parent died) or after 20 s, so a crashed
// test run never leaves it saving forever.
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { saveCheckpoint } from '../../lib/io/checkpoint.js';
import { BigModel } from './checkpoint_model.js';

const [path, start] = process.argv.slice(2);
process.stdin.on('end', () => process.exit(0)).resume();
process.stdout.on('error', () => process.exit(0));
const deadline = Date.now() + 20_000;
const model = new BigModel();
for (let k = Number(start); Date.now() < deadline; k++) {
  model.fill(k);
  saveCheckpoint(path, { model, epoch: k, extra: { round: k } });
  process.stdout.write(`saved ${k}\n`);
  await yieldToEvents();
}
