// The main demo: trains a classifier on Fashion-MNIST with visible progress, saves a checkpoint
// after every epoch (atomically) and the loss/accuracy curves as an SVG, then prints the test
// accuracy and the confusion matrix (rows: true class, columns: predicted class).
//
//   npm run demo                              the embedded slice (4,000 train / 1,000 test images)
//   node examples/fashion_mnist.mjs --full    Debian's full set when installed (apt-get install
//                                             dataset-fashion-mnist), else the slice
//   node examples/fashion_mnist.mjs --help   the options
//
// The models are workloads F2 (cnn: Conv(1,32,3,p1)-ReLU-MaxPool2 → Conv(32,64,3,p1)-ReLU-MaxPool2
// → Flatten → Linear(3136,128)-ReLU → Linear(128,10)) and F1 (mlp: 784-256-128-10), with Adam.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backendInfo, data, io, manualSeed, nn, noGrad, optim, setNumThreads, train } from '../dist/index.js';
import { makeModel } from './fashion_models.mjs';

const usage = `usage: node examples/fashion_mnist.mjs [options]

Trains a classifier on Fashion-MNIST; saves a checkpoint and the loss/accuracy curves in --out.

  --model cnn|mlp   the model (default cnn)
  --epochs N        epochs to train (default 3)
  --batch N         batch size (default 128)
  --lr X            Adam's learning rate (default 0.001)
  --full            Debian's full set when installed (apt-get install dataset-fashion-mnist),
                    else the embedded slice
  --root DIR        a directory holding the IDX files instead
  --out DIR         where the checkpoint and curves go (default runs/fashion-mnist)
  --threads N       threads of the kernel pool (default: the CPUs this process may use)
  --seed N          the random seed (default 0)
  -h, --help        this text`;

/** Exits with the message and a pointer to --help (status 2: a usage error). */
function usageError(message) {
  console.error(`fashion_mnist: ${message}\nrun with --help for the options`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      model: { type: 'string', default: 'cnn' },
      epochs: { type: 'string', default: '3' },
      batch: { type: 'string', default: '128' },
      lr: { type: 'string', default: '0.001' },
      full: { type: 'boolean', default: false },
      root: { type: 'string' },
      out: { type: 'string', default: path.join('runs', 'fashion-mnist') },
      threads: { type: 'string' },
      seed: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (e) {
  usageError(e.message);
}
if (parsed.help) {
  console.log(usage);
  process.exit(0);
}

/** The option's value as an integer >= min, or a usage error that shows what was given. */
function integer(name, min) {
  const text = parsed[name];
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
    usageError(`--${name} must be an integer >= ${min}, got '${text}'`);
  return n;
}
function positiveNumber(name) {
  const text = parsed[name];
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || x <= 0) usageError(`--${name} must be a number > 0, got '${text}'`);
  return x;
}
if (!['cnn', 'mlp'].includes(parsed.model)) usageError(`--model must be cnn or mlp, got '${parsed.model}'`);
const args = {
  model: parsed.model,
  epochs: integer('epochs', 1),
  batch: integer('batch', 1),
  lr: positiveNumber('lr'),
  full: parsed.full,
  root: parsed.root,
  out: parsed.out,
  threads: parsed.threads === undefined ? undefined : integer('threads', 1),
  seed: integer('seed', 0),
};
if (args.threads !== undefined) setNumThreads(args.threads);
manualSeed(args.seed);

const source = args.root ? undefined : args.full ? undefined : 'embedded';
const trainSet = data.loadFashionMNIST({ root: args.root, train: true, source });
const testSet = data.loadFashionMNIST({ root: args.root, train: false, source });
console.log(
  `myelin ${backendInfo().version} (${backendInfo().isa}, ${backendInfo().threads} threads); ` +
    `Fashion-MNIST from ${trainSet.source}: ${trainSet.length} train, ${testSet.length} test images; model ${args.model}`,
);

const model = makeModel(args.model);
const optimizer = new optim.Adam(model.parameters(), { lr: args.lr });
const criterion = new nn.CrossEntropyLoss();
const batchSize = args.batch;
const trainLoader = new data.DataLoader(trainSet, { batchSize, shuffle: true });
const testLoader = new data.DataLoader(testSet, { batchSize: 500 });
const epochs = args.epochs;
const progress = new train.Progress({ total: trainLoader.length, epochs });
const history = { trainLoss: [], trainAcc: [], testLoss: [], testAcc: [] };
fs.mkdirSync(args.out, { recursive: true });
const checkpoint = path.join(args.out, 'checkpoint.safetensors');
const curves = path.join(args.out, 'curves.svg');

function evaluate() {
  model.eval();
  const matrix = new train.ConfusionMatrix(10);
  let loss = 0;
  noGrad(() => {
    for (const [x, y] of testLoader) {
      const out = model.call(x);
      loss += criterion.call(out, y).item() * y.numel();
      matrix.update(out, y);
    }
  });
  model.train();
  return { loss: loss / testSet.length, accuracy: matrix.accuracy(), matrix };
}

const started = performance.now();
let last;
for (let epoch = 0; epoch < epochs; epoch++) {
  progress.startEpoch(epoch);
  for (const [x, y] of trainLoader) {
    const out = model.call(x);
    const loss = criterion.call(out, y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    progress.step({ loss: loss.item(), accuracy: train.accuracy(out, y), samples: y.numel() });
  }
  last = evaluate();
  const summary = progress.endEpoch(`test loss ${last.loss.toFixed(4)}  test acc ${(100 * last.accuracy).toFixed(2)}%`);
  history.trainLoss.push(summary.loss);
  history.trainAcc.push(summary.accuracy);
  history.testLoss.push(last.loss);
  history.testAcc.push(last.accuracy);
  io.saveCheckpoint(checkpoint, { model, optimizer, epoch: epoch + 1, extra: { history } });
  train.saveCurves(curves, [
    {
      title: 'loss',
      series: [
        { name: 'train', values: history.trainLoss },
        { name: 'test', values: history.testLoss },
      ],
    },
    {
      title: 'accuracy',
      series: [
        { name: 'train', values: history.trainAcc },
        { name: 'test', values: history.testAcc },
      ],
    },
  ]);
}
console.log(`\n${last.matrix.toString(data.FASHION_MNIST_CLASSES)}`);
console.log(
  `\ntest accuracy ${(100 * last.accuracy).toFixed(2)}% after ${epochs} epochs in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
console.log(`checkpoint: ${checkpoint}\ncurves: ${curves}`);
