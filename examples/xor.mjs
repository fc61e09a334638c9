// A 2-layer MLP learns XOR (Linear(2,4) - ReLU - Linear(4,1) - Sigmoid, BCELoss, Adam).
// Run from the repository root after building the TypeScript (dist/):
//   npm run build && node examples/xor.mjs [epochs]
import { manualSeed, nn, optim, tensor } from '../dist/index.js';

const epochs = Number(process.argv[2] ?? 1000);
// With only 4 ReLU units some seeds leave units dead and stop at 75% (in PyTorch too); seed 1 learns it.
manualSeed(1);

const X = tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const y = tensor([[0], [1], [1], [0]]);

const model = new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 1), new nn.Sigmoid());
const criterion = new nn.BCELoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.1 });

let loss;
for (let epoch = 0; epoch < epochs; epoch++) {
  const output = model.call(X);
  loss = criterion.call(output, y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  if ((epoch + 1) % Math.max(1, Math.floor(epochs / 5)) === 0)
    console.log(`epoch ${epoch + 1}: loss ${loss.item().toFixed(5)}`);
}

const predictions = model.call(X).toTypedArray();
const rounded = Array.from(predictions, (p) => Math.round(p));
const correct = rounded.filter((p, i) => p === y.toTypedArray()[i]).length;
console.log(model.toString());
console.log(`predictions: ${JSON.stringify(rounded)} (targets [0,1,1,0])`);
console.log(`accuracy: ${(100 * correct) / 4}%`);
