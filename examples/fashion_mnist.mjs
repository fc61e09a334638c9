// The main demo: trains a classifier on Fashion-MNIST with visible progress, saves a checkpoint
// after every epoch (atomically) and the loss/accuracy curves as an SVG, then prints the test
// accuracy and the confusion matrix.
//
//   npm run demo                              the embedded slice (4,000 train / 1,000 test images)
//   node examples/fashion_mnist.mjs --full    Debian's full set when installed (apt-get install
//                                             dataset-fashion-mnist), else the slice
//   options: --model cnn|mlp  --epochs N  --batch N  --lr X  --root DIR  --out DIR  --threads N
//
// The models are workloads F2 (cnn: Conv(1,32,3,p1)-ReLU-MaxPool2 → Conv(32,64,3,p1)-ReLU-MaxPool2
// → Flatten → Linear(3136,128)-ReLU → Linear(128,10)) and F1 (mlp: 784-256-128-10), with Adam.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backendInfo, data, io, manualSeed, nn, noGrad, optim, setNumThreads, train } from '../dist/index.js';
import { makeModel } from './fashion_models.mjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: typeof nn.Conv2d === 'function' ? 'cnn' : 'mlp' },
    epochs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.001' },
    full: { type: 'boolean', default: false },
    root: { type: 'string' },
    out: { type: 'string', default: path.join('runs', 'fashion-mnist') },
    threads: { type: 'string' },
    seed: { type: 'string', default: '0' },
  },
});
if (args.threads) setNumThreads(Number(args.threads));
manualSeed(Number(args.seed));

const source = args.root ? undefined : args.full ? undefined : 'embedded';
const trainSet = data.loadFashionMNIST({ root: args.root, train: true, source });
const testSet = data.loadFashionMNIST({ root: args.root, train: false, source });
console.log(
  `myelin ${backendInfo().version} (${backendInfo().isa}, ${backendInfo().threads} threads); ` +
    `Fashion-MNIST from ${trainSet.source}: ${trainSet.length} train, ${testSet.length} test images; model ${args.model}`,
);

const model = makeModel(args.model);
const optimizer = new optim.Adam(model.parameters(), { lr: Number(args.lr) });
const criterion = new nn.CrossEntropyLoss();
const batchSize = Number(args.batch);
const trainLoader = new data.DataLoader(trainSet, { batchSize, shuffle: true });
const testLoader = new data.DataLoader(testSet, { batchSize: 500 });
const epochs = Number(args.epochs);
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
