// A full PyTorch training pipeline, line for line: the MLP (Linear - BatchNorm1d - ReLU -
// Dropout, twice), the device idiom (`torch.device('cuda' if torch.cuda.is_available() else
// 'cpu')`, `.to(device)`: myelin runs on the CPU, so this picks 'cpu' and the moves are no-ops),
// CrossEntropyLoss, AdamW with weight decay, CosineAnnealingLR, train/evaluate loops with gradient
// clipping and accuracy, on the embedded Fashion-MNIST slice (4,000 train / 1,000 test images).
//   npm run build && node examples/training_pipeline.mjs [epochs]
import { cuda, data, device as torchDevice, manualSeed, nn, noGrad, optim } from '../dist/index.js';

const epochs = Number(process.argv[2] ?? 10);
manualSeed(0);

// 모델 정의 (the model)
class MLP extends nn.Module {
  constructor(inputDim, hiddenDim, outputDim, dropout = 0.5) {
    super();
    this.layers = new nn.Sequential(
      new nn.Linear(inputDim, hiddenDim),
      new nn.BatchNorm1d(hiddenDim),
      new nn.ReLU(),
      new nn.Dropout(dropout),
      new nn.Linear(hiddenDim, hiddenDim),
      new nn.BatchNorm1d(hiddenDim),
      new nn.ReLU(),
      new nn.Dropout(dropout),
      new nn.Linear(hiddenDim, outputDim),
    );
  }
  forward(x) {
    return this.layers.call(x.flatten(1));
  }
}

// 초기화 (set-up)
const device = torchDevice(cuda.isAvailable() ? 'cuda' : 'cpu');
const model = new MLP(784, 256, 10).to(device);
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, 100);
const trainLoader = new data.DataLoader(data.loadFashionMNIST({ train: true, source: 'embedded' }), {
  batchSize: 64,
  shuffle: true,
});
const valLoader = new data.DataLoader(data.loadFashionMNIST({ train: false, source: 'embedded' }), { batchSize: 256 });
console.log(`device: ${device}; model parameters on ${model.parameters().next().value.device}`);

// 학습 루프 (one training epoch)
function trainEpoch(model, loader, criterion, optimizer, device) {
  model.train();
  let totalLoss = 0;
  for (let [x, y] of loader) {
    [x, y] = [x.to(device), y.to(device)];
    optimizer.zeroGrad();
    const output = model.call(x);
    const loss = criterion.call(output, y);
    loss.backward();
    // Gradient clipping (선택, optional)
    nn.utils.clipGradNorm_(model.parameters(), 1.0);
    optimizer.step();
    totalLoss += loss.item();
  }
  return totalLoss / loader.length;
}

// 검증 루프 (evaluation, under no_grad)
function evaluate(model, loader, criterion, device) {
  return noGrad(() => {
    model.eval();
    let totalLoss = 0;
    let correct = 0;
    let total = 0;
    for (let [x, y] of loader) {
      [x, y] = [x.to(device), y.to(device)];
      const output = model.call(x);
      const loss = criterion.call(output, y);
      totalLoss += loss.item();
      const pred = output.argmax(1);
      correct += pred.eq(y).sum().item();
      total += y.shape[0];
    }
    return [totalLoss / loader.length, correct / total];
  });
}

// 학습 실행 (training)
for (let epoch = 0; epoch < epochs; epoch++) {
  const trainLoss = trainEpoch(model, trainLoader, criterion, optimizer, device);
  const [valLoss, valAcc] = evaluate(model, valLoader, criterion, device);
  scheduler.step();
  console.log(
    `Epoch ${epoch + 1}: Train Loss=${trainLoss.toFixed(4)}, Val Loss=${valLoss.toFixed(4)}, Val Acc=${valAcc.toFixed(4)}`,
  );
}
