// Models that several tests build: the SimpleCNN of examples/simple_cnn.mjs (with
// scripts/gen_fixtures_torch.py's PyTorch twin) and of workload N1, and the Fashion-MNIST CNN of
// examples/fashion_models.mjs (workload F2).
import { nn, type Tensor } from '../../lib/index.js';

/** SimpleCNN's features: three Conv-BatchNorm-ReLU blocks, max-pooled, then average-pooled to 1x1. */
function simpleCnnFeatures(): nn.Module[] {
  const block = (cin: number, cout: number) => [
    new nn.Conv2d(cin, cout, 3, { padding: 1 }),
    new nn.BatchNorm2d(cout),
    new nn.ReLU(),
  ];
  return [
    ...block(3, 32),
    new nn.MaxPool2d(2),
    ...block(32, 64),
    new nn.MaxPool2d(2),
    ...block(64, 128),
    new nn.AdaptiveAvgPool2d([1, 1]),
  ];
}

/** SimpleCNN as the example and PyTorch write it: state dict keys features.N.* and classifier.*. */
export class SimpleCNN extends nn.Module {
  features = new nn.Sequential(...simpleCnnFeatures());
  classifier = new nn.Linear(128, 10);
  forward(x: Tensor): Tensor {
    const f = this.features.call(x) as Tensor;
    return this.classifier.call(f.view(f.shape[0], -1));
  }
}

/** SimpleCNN as one Sequential (workload N1): its layers in order, Flatten before the Linear. */
export function simpleCnn(): nn.Sequential {
  return new nn.Sequential(...simpleCnnFeatures(), new nn.Flatten(), new nn.Linear(128, 10));
}

/** The Fashion-MNIST CNN (workload F2): two Conv-ReLU-MaxPool blocks, then Linear 3136-128-10. */
export function fashionCnn(): nn.Sequential {
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
