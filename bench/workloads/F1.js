// F1: Fashion-MNIST end to end: the MLP of M1 (784->256->128->10, ReLU), Adam lr 1e-3, batch 128,
// 5 epochs over the full 60k training set (shuffled each epoch), then the accuracy on the 10k
// test set; wall seconds and test accuracy side by side with PyTorch.
// Needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist).
import '../lib/myelin.js'; // first: says to run `npm run build` when dist/ is missing
import { makeModel } from '../../examples/fashion_models.mjs';
import { fashionRows } from '../lib/fashion_mnist.js';
import { linearFlops, trainFlops } from '../lib/roof.js';

export const id = 'F1';
export const title = 'Fashion-MNIST MLP 784-256-128-10, Adam, batch 128, 5 epochs + test, vs PyTorch';
export const EPOCHS = 5;

/** The model of examples/fashion_mnist.mjs --model mlp. */
export function model() {
  return makeModel('mlp');
}

// FLOPs a sample: the three linear layers (the first one's input needs no gradient).
const LAYERS = [
  [784, 256],
  [256, 128],
  [128, 10],
].map(([i, o], k) => ({ flops: linearFlops(1, i, o), inputGrad: k > 0 }));
const FLOPS = { train: trainFlops(LAYERS), test: LAYERS.reduce((s, l) => s + l.flops, 0) };

export async function run(opts) {
  return fashionRows('F1', opts, `${EPOCHS} epochs + test`, model, EPOCHS, FLOPS);
}
