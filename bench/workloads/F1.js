// F1: Fashion-MNIST end to end: the MLP of M1 (784->256->128->10, ReLU), Adam lr 1e-3, batch 128,
// 5 epochs over the full 60k training set (shuffled each epoch), then the accuracy on the 10k
// test set; wall seconds and test accuracy side by side with PyTorch (issue 8).
// Needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist).
import { myelin } from '../lib/myelin.js';
import { fashionRows } from '../lib/fashion_mnist.js';

export const id = 'F1';
export const title = 'Fashion-MNIST MLP 784-256-128-10, Adam, batch 128, 5 epochs + test, vs PyTorch';
export const EPOCHS = 5;

export function model() {
  const { nn } = myelin;
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

export async function run(opts) {
  return fashionRows('F1', opts, `${EPOCHS} epochs + test`, model, EPOCHS);
}
