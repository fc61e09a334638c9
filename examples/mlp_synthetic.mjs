// An MLP (Linear - BatchNorm1d - GELU - Dropout, twice) classifies synthetic data: three
// Gaussian blobs in 20 dimensions, pushed through a fixed random nonlinearity. Mini-batches,
// AdamW, a cosine LR schedule, gradient clipping, and train/eval accuracy per epoch.
//   npm run build && node examples/mlp_synthetic.mjs [epochs]
import { manualSeed, nn, noGrad, optim, randint, randn, randperm } from '../dist/index.js';

const epochs = Number(process.argv[2] ?? 10);
const [N, D, C, H, batchSize] = [2048, 20, 3, 64, 64];
manualSeed(0);

// data: class centres, noise, then a fixed nonlinear mixing
const centres = randn([C, D]).mul(2);
const labels = randint(0, C, [N]);
const mix = randn([D, D]).mul(1 / Math.sqrt(D));
const X = centres
  .indexSelect(0, labels)
  .add(randn([N, D]).mul(1.5))
  .matmul(mix)
  .tanh();
const split = Math.floor(N * 0.8);
const [xTrain, xTest] = [X.narrow(0, 0, split), X.narrow(0, split, N - split)];
const [yTrain, yTest] = [labels.narrow(0, 0, split), labels.narrow(0, split, N - split)];

const model = new nn.Sequential(
  new nn.Linear(D, H),
  new nn.BatchNorm1d(H),
  new nn.GELU(),
  new nn.Dropout(0.1),
  new nn.Linear(H, H),
  new nn.BatchNorm1d(H),
  new nn.GELU(),
  new nn.Dropout(0.1),
  new nn.Linear(H, C),
);
console.log(nn.summary(model, [batchSize, D]).toString());
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 1e-2 });
const stepsPerEpoch = Math.ceil(split / batchSize);
const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, epochs * stepsPerEpoch);

const accuracy = (x, y) =>
  noGrad(() => {
    const pred = model.call(x).argmax(1);
    return pred.eq(y).float().mean().item();
  });

for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  const order = randperm(split);
  let total = 0;
  for (let s = 0; s < split; s += batchSize) {
    const idx = order.narrow(0, s, Math.min(batchSize, split - s));
    const loss = criterion.call(model.call(xTrain.indexSelect(0, idx)), yTrain.indexSelect(0, idx));
    optimizer.zeroGrad();
    loss.backward();
    nn.clipGradNorm_(model.parameters(), 1.0);
    optimizer.step();
    scheduler.step();
    total += loss.item() * idx.shape[0];
  }
  model.eval();
  console.log(
    `epoch ${epoch}: train loss ${(total / split).toFixed(4)}, test accuracy ${(100 * accuracy(xTest, yTest)).toFixed(1)}%`,
  );
}
