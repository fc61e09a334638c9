// F2: Fashion-MNIST, small CNN: Conv(1,32,3,p1)-ReLU-MaxPool2 -> Conv(32,64,3,p1)-ReLU-MaxPool2 ->
// Flatten -> Linear(3136,128)-ReLU -> Linear(128,10), Adam lr 1e-3, batch 128, 1 epoch over the
// full 60k training set (shuffled), then the accuracy on the 10k test set; wall seconds and test
// accuracy side by side with PyTorch.
// Needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist).
import '../lib/myelin.js'; // first: says to run `npm run build` when dist/ is missing
import { makeModel } from '../../examples/fashion_models.mjs';
import { fashionRows } from '../lib/fashion_mnist.js';
import { convFlops, linearFlops, trainFlops } from '../lib/roof.js';

export const id = 'F2';
export const title = 'Fashion-MNIST CNN (2 conv + 2 linear), Adam, batch 128, 1 epoch + test, vs PyTorch';
export const EPOCHS = 1;

/** The model of examples/fashion_mnist.mjs --model cnn. */
export function model() {
  return makeModel('cnn');
}

// FLOPs a sample: the two convolutions (28x28, then 14x14 after the pool; the first one's input
// needs no gradient) and the two linear layers; pools and ReLUs are bandwidth work, left out.
const LAYERS = [
  { flops: convFlops(1, 1, 32, 28, 28, 3), inputGrad: false },
  { flops: convFlops(1, 32, 64, 14, 14, 3), inputGrad: true },
  { flops: linearFlops(1, 3136, 128), inputGrad: true },
  { flops: linearFlops(1, 128, 10), inputGrad: true },
];
const FLOPS = { train: trainFlops(LAYERS), test: LAYERS.reduce((s, l) => s + l.flops, 0) };

export async function run(opts) {
  return fashionRows('F2', opts, `${EPOCHS} epoch + test`, model, EPOCHS, FLOPS);
}
