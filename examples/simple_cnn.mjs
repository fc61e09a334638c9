// SimpleCNN (three Conv-BatchNorm-ReLU blocks, MaxPool2d, AdaptiveAvgPool2d, a Linear
// classifier), the ResNet bottleneck block (1x1 -> 3x3 -> 1x1 convolutions around a residual
// connection) and count_parameters. Prints the models, their parameter counts (checked against
// the per-layer arithmetic), the output shapes, and a few SGD steps of SimpleCNN on synthetic
// images showing the loss falling.
//   npm run build && node examples/simple_cnn.mjs [steps]
import assert from 'node:assert/strict';
import { manualSeed, nn, noGrad, optim, randint, randn } from '../dist/index.js';

const steps = Number(process.argv[2] ?? 30);
manualSeed(0);

class SimpleCNN extends nn.Module {
  constructor(numClasses = 10) {
    super();
    this.features = new nn.Sequential(
      // Conv Block 1
      new nn.Conv2d(3, 32, 3, { padding: 1 }),
      new nn.BatchNorm2d(32),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      // Conv Block 2
      new nn.Conv2d(32, 64, 3, { padding: 1 }),
      new nn.BatchNorm2d(64),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      // Conv Block 3
      new nn.Conv2d(64, 128, 3, { padding: 1 }),
      new nn.BatchNorm2d(128),
      new nn.ReLU(),
      new nn.AdaptiveAvgPool2d([1, 1]),
    );
    this.classifier = new nn.Linear(128, numClasses);
  }

  forward(x) {
    x = this.features.call(x);
    x = x.view(x.size(0), -1); // Flatten
    return this.classifier.call(x);
  }
}

// The bottleneck block (ResNet): mid = out / 4 channels in the 3x3 convolution.
class Bottleneck extends nn.Module {
  constructor(inChannels, outChannels) {
    super();
    const mid = Math.floor(outChannels / 4);
    this.conv1 = new nn.Conv2d(inChannels, mid, 1);
    this.conv2 = new nn.Conv2d(mid, mid, 3, { padding: 1 });
    this.conv3 = new nn.Conv2d(mid, outChannels, 1);
    this.relu = new nn.ReLU();
  }

  forward(x) {
    let out = this.relu.call(this.conv1.call(x));
    out = this.relu.call(this.conv2.call(out));
    out = this.conv3.call(out);
    return this.relu.call(out.add(x)); // Residual connection
  }
}

/** The seed's count_parameters: trainable parameter elements. */
const countParameters = (model) =>
  [...model.parameters()].filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel(), 0);
const fmt = (n) => n.toLocaleString('en-US');
// Per-layer arithmetic: Linear in*out + out; Conv2d in*out*k*k + out; BatchNorm2d 2*C (weight, bias).
const linear = (i, o) => i * o + o;
const conv = (i, o, k) => i * o * k * k + o;
const bn = (c) => 2 * c;

// The seed's worked example: MLP(784, [256], 10) has 203,530 parameters.
const mlp = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
assert.equal(linear(784, 256), 200_960);
assert.equal(linear(256, 10), 2_570);
assert.equal(countParameters(mlp), 203_530);
console.log(
  `MLP(784, [256], 10) parameters: ${fmt(countParameters(mlp))} (Linear(784, 256): ${fmt(linear(784, 256))}, Linear(256, 10): ${fmt(linear(256, 10))})`,
);

const model = new SimpleCNN();
console.log(model.toString());
const cnnExpected = conv(3, 32, 3) + bn(32) + conv(32, 64, 3) + bn(64) + conv(64, 128, 3) + bn(128) + linear(128, 10);
assert.equal(countParameters(model), cnnExpected);
assert.equal(nn.countParameters(model), 94_986);
console.log(`SimpleCNN parameters: ${fmt(countParameters(model))}`);
const out = noGrad(() => model.call(randn([16, 3, 32, 32])));
console.log(`SimpleCNN input [16, 3, 32, 32] -> output [${out.shape.join(', ')}]`);
assert.deepEqual([...out.shape], [16, 10]);

const block = new Bottleneck(256, 256);
console.log(block.toString());
const bottleneckExpected = conv(256, 64, 1) + conv(64, 64, 3) + conv(64, 256, 1);
assert.equal(countParameters(block), bottleneckExpected);
assert.equal(countParameters(block), 70_016);
// Why a bottleneck: two plain 3x3 convolutions at 256 channels would need 1,180,160 parameters.
const plain = 2 * conv(256, 256, 3);
console.log(
  `Bottleneck(256, 256) parameters: ${fmt(countParameters(block))} (two plain 3x3 convs at 256 channels: ${fmt(plain)}, ${(plain / countParameters(block)).toFixed(1)}x more)`,
);
const feature = randn([2, 256, 8, 8]);
const y = noGrad(() => block.call(feature));
console.log(
  `Bottleneck input [${feature.shape.join(', ')}] -> output [${y.shape.join(', ')}], min ${y.min().item().toFixed(3)} (>= 0 after the final ReLU)`,
);
assert.deepEqual([...y.shape], [...feature.shape]);

// Training on synthetic data: class k's images carry a bright 8x8 patch in one of 10 places
// (plus noise). The same batch is reused: the seed's single-batch overfit check.
const batch = 32;
const labels = randint(0, 10, [batch]);
const images = randn([batch, 3, 32, 32]).mul(0.5);
{
  const data = images.data;
  const ld = labels.data;
  for (let n = 0; n < batch; n++) {
    const k = ld[n];
    const [r0, c0] = [8 * Math.floor(k / 4), 8 * (k % 4)];
    for (let c = 0; c < 3; c++) {
      for (let r = r0; r < r0 + 8; r++) for (let q = c0; q < c0 + 8; q++) data[((n * 3 + c) * 32 + r) * 32 + q] += 2;
    }
  }
}
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
model.train();
const losses = [];
for (let step = 1; step <= steps; step++) {
  const loss = criterion.call(model.call(images), labels);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
  if (step === 1 || step % 5 === 0 || step === steps) console.log(`step ${step}: loss ${losses[step - 1].toFixed(4)}`);
}
model.eval();
const acc = noGrad(() => model.call(images).argmax(1).eq(labels).float().mean().item());
console.log(
  `loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}; train accuracy (eval mode) ${(100 * acc).toFixed(1)}%`,
);
