// F2: Fashion-MNIST, small CNN: Conv(1,32,3,p1)-ReLU-MaxPool2 -> Conv(32,64,3,p1)-ReLU-MaxPool2 ->
// Flatten -> Linear(3136,128)-ReLU -> Linear(128,10), Adam lr 1e-3, batch 128, 1 epoch over the
// full 60k training set (shuffled), then the accuracy on the 10k test set; wall seconds and test
// accuracy side by side with PyTorch (issue 8).
// Needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist).
import { myelin } from '../lib/myelin.js';
import { fashionRows } from '../lib/fashion_mnist.js';

export const id = 'F2';
export const title = 'Fashion-MNIST CNN (2 conv + 2 linear), Adam, batch 128, 1 epoch + test, vs PyTorch';
export const EPOCHS = 1;

export function model() {
  const { nn } = myelin;
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(3136, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

export async function run(opts) {
  return fashionRows('F2', opts, `${EPOCHS} epoch + test`, model, EPOCHS);
}
