// The two Fashion-MNIST models of fashion_mnist.mjs and train_server.mjs: F2's small CNN
// ('cnn') and F1's MLP ('mlp') of the project's workloads.
import { nn } from '../dist/index.js';

export function makeModel(kind) {
  if (kind === 'cnn') {
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
  if (kind !== 'mlp') throw new Error(`--model must be cnn or mlp, got ${kind}`);
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}
