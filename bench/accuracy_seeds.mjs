// Test accuracy of F1 (or F2) over several seeds, myelin and PyTorch side by side: one seed each
// says little about whether two trainings are equally good (a different seed moves F1's test
// accuracy by several tenths of a point on either side).
//   npm run build && node bench/accuracy_seeds.mjs [F1|F2] [--seeds 5] [--first 0] [--threads 1] [--autocast | --quantized]
// --autocast: myelin in float32 against myelin under autocast bf16 (B2) instead of against PyTorch.
// --quantized: the trained float32 model against the same model after quantization.quantizeDynamic
// (qint8 Linear layers), both on the test set (Q1's accuracy check).
import { parseArgs } from 'node:util';
import { myelin } from './lib/myelin.js';
import { trainOnce } from './lib/fashion_mnist.js';
import { torchRows } from './lib/torch_peer.js';
import { EPOCHS as F1_EPOCHS, model as f1Model } from './workloads/F1.js';
import { model as f2Model } from './workloads/F2.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seeds: { type: 'string', default: '5' },
    first: { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    autocast: { type: 'boolean', default: false },
    quantized: { type: 'boolean', default: false },
  },
});
const id = positionals[0] ?? 'F1';
const [makeModel, epochs, caseName] =
  id === 'F2' ? [f2Model, 1, '1 epoch + test'] : [f1Model, F1_EPOCHS, `${F1_EPOCHS} epochs + test`];
const seeds = Number(args.seeds);
const threads = Number(args.threads);
myelin.setNumThreads(threads);

const stats = (xs) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${(100 * mean).toFixed(2)}% +- ${(100 * sd).toFixed(2)} (min ${(100 * Math.min(...xs)).toFixed(2)}, max ${(100 * Math.max(...xs)).toFixed(2)})`;
};
const mine = [];
const theirs = [];
if (args.autocast && args.quantized) throw new Error('accuracy_seeds: --autocast and --quantized exclude each other');
const other = args.autocast ? 'myelin autocast bf16' : args.quantized ? 'myelin qint8' : 'PyTorch';
console.log(`${id}, ${seeds} seeds, ${threads} thread(s)\n\nseed | myelin  | ${other}\n-----|---------|--------`);
for (let seed = Number(args.first); seed < Number(args.first) + seeds; seed++) {
  const run = trainOnce(makeModel, epochs, seed, { quantized: args.quantized });
  const m = run.accuracy;
  const t = args.quantized
    ? run.quantizedAccuracy
    : args.autocast
      ? trainOnce(makeModel, epochs, seed, { autocast: true }).accuracy
      : torchRows(id, threads, ['--seed', String(seed)])?.rows.find((r) => r.case === caseName)?.accuracy;
  mine.push(m);
  if (t !== undefined) theirs.push(t);
  console.log(`${seed}    | ${(100 * m).toFixed(2)}% | ${t === undefined ? 'n/a' : `${(100 * t).toFixed(2)}%`}`);
}
console.log(`\nmyelin:  ${stats(mine)}`);
if (theirs.length) console.log(`${other}: ${stats(theirs)}`);
