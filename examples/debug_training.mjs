// A training-debugging checklist with myelin.train's tools, on synthetic data:
// 1. single-batch overfit, 2. gradient statistics, 3. activation statistics and dead ReLUs,
// 4. NaN/Inf detection that names the layer, 5. the LR range test.
//   npm run build && node examples/debug_training.mjs [overfitSteps]
import { argmax, crossEntropy, manualSeed, nn, optim, randn, train } from '../dist/index.js';

const overfitSteps = Number(process.argv[2] ?? 200);
manualSeed(0);

// 3 classes: the class of a 10-feature vector is its largest of 3 fixed projections.
const D = 10;
const C = 3;
const projection = randn([D, C]);
const makeBatch = (n) => {
  const x = randn([n, D]);
  return [x, argmax(x.matmul(projection), 1)];
};
const batches = Array.from({ length: 8 }, () => makeBatch(32));
const [x, y] = batches[0];

const mlp = () =>
  new nn.Sequential(new nn.Linear(D, 32), new nn.ReLU(), new nn.Linear(32, 32), new nn.ReLU(), new nn.Linear(32, C));
const model = mlp();

console.log('== 1. single-batch overfit ==');
const overfit = train.overfitSingleBatch({
  model,
  inputs: x,
  targets: y,
  lossFn: crossEntropy,
  optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }),
  steps: overfitSteps,
  targetLoss: 1e-3,
  restore: true,
  onStep: (step, loss) => {
    if (step % 20 === 0) console.log(`step ${step}: loss ${loss.toFixed(4)}`);
  },
});
console.log(`overfit with Adam(lr=0.01): ${overfit.passed ? 'passed' : 'FAILED'}: ${overfit.reason}`);
const stuck = train.overfitSingleBatch({
  model,
  inputs: x,
  targets: y,
  lossFn: crossEntropy,
  optimizer: new optim.SGD(model.parameters(), { lr: 0 }),
  steps: 20,
  restore: true,
});
console.log(`overfit with SGD(lr=0): ${stuck.passed ? 'passed' : 'FAILED'}: ${stuck.reason}`);

console.log('\n== 2. gradient statistics ==');
crossEntropy(model.call(x), y).backward();
console.log(train.gradientStats(model).table());
model.zeroGrad();

console.log('\n== 3. activation statistics ==');
// A layer whose biases are very negative: most of its ReLUs never fire.
const broken = mlp();
const bias = broken[2].bias.data;
for (let i = 0; i < 24; i++) bias[i] = -50;
const rec = train.recordActivations(broken);
broken.call(x);
console.log(rec.table());
for (const [name, ratio] of Object.entries(rec.deadReluRatios())) {
  console.log(
    `dead ReLU ratio ${name}: ${(100 * ratio).toFixed(1)}%${ratio > 0.5 ? '  [WARNING] many dead neurons' : ''}`,
  );
}
rec.remove();

// A small CNN on 8x8 single-channel images: conv outputs are [N, C, H, W].
const cnn = new nn.Sequential(
  new nn.Conv2d(1, 4, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(4 * 4 * 4, C),
);
const images = randn([16, 1, 8, 8]);
const cnnRec = train.recordActivations(cnn, { modules: [nn.Conv2d, nn.ReLU] });
cnn.call(images);
console.log(cnnRec.table());
cnnRec.remove();

console.log('\n== 4. NaN/Inf detection ==');
cnn[0].weight.data[5] = NaN;
try {
  train.withAnomalyDetection(cnn, () => cnn.call(images));
} catch (e) {
  console.log(`caught: ${e.message}`);
}
cnn[0].weight.data[5] = 0;
try {
  // sqrt of negative logits: NaN in the loss, and in the gradient that reaches the model.
  train.withAnomalyDetection(model, () => model.call(x).sqrt().mean().backward());
} catch (e) {
  console.log(`caught: ${e.message}`);
}
model.zeroGrad();

console.log('\n== 5. LR range test ==');
const before = model.stateDict()['0.weight'].toTypedArray();
const sgd = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
const range = train.lrRangeTest({
  model,
  data: batches,
  lossFn: crossEntropy,
  optimizer: sgd,
  startLr: 1e-4,
  endLr: 100,
  numIter: 100,
});
for (let i = 0; i < range.lrs.length; i += 10)
  console.log(`lr ${range.lrs[i].toExponential(2)}  loss ${range.losses[i].toFixed(4)}`);
console.log(
  `stopped at lr ${range.lrs[range.lrs.length - 1].toExponential(2)} (${range.diverged ? 'diverged' : 'reached endLr'})`,
);
console.log(
  `suggested lr ${range.suggestedLr?.toExponential(2)} (steepest descent), lr at the minimum ${range.minLossLr.toExponential(2)}`,
);
const after = model.stateDict()['0.weight'].toTypedArray();
console.log(`model restored: ${before.every((v, i) => v === after[i])}, optimizer lr ${sgd.paramGroups[0].lr}`);
