// An encoder-decoder CNN with U-Net skip connections. The encoder convolves,
// applies a nonlinearity and subsamples (max-pool); the decoder upsamples (ConvTranspose2d,
// stride 2) and concatenates the encoder's feature map of the same size (torch.cat along the
// channels) before convolving again, so fine detail skips the bottleneck.
// Task: synthetic segmentation. Each noisy 32x32 image holds a few discs and rectangles of the same
// brightness; the target mask marks the discs only, so the network must tell shapes apart, not
// threshold brightness. BCEWithLogits loss, Adam with a cosine LR schedule; prints the loss per
// epoch, then the test pixel accuracy and IoU of the disc mask. --compare also trains the same
// network with its skip inputs zeroed (a plain encoder-decoder) and prints its figures.
//   npm run build && node examples/unet_segmentation.mjs [epochs] [--compare]
import { cat, manualSeed, nn, noGrad, optim, randperm, zeros } from '../dist/index.js';

const args = process.argv.slice(2);
const compare = args.includes('--compare');
const epochs = Number(args.find((a) => !a.startsWith('--')) ?? 5);
const [size, nTrain, nTest, batchSize] = [32, 256, 128, 16];
manualSeed(0);

/** n images [n, 1, size, size] and disc masks [n, 1, size, size] (a seeded xorshift for the layout). */
function makeShapes(n, seed) {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const images = zeros([n, 1, size, size]);
  const masks = zeros([n, 1, size, size]);
  const img = images.data;
  const msk = masks.data;
  for (let i = 0; i < n; i++) {
    const base = i * size * size;
    const shapes = 2 + Math.floor(rnd() * 3);
    for (let k = 0; k < shapes; k++) {
      const disc = rnd() < 0.5;
      const [cy, cx] = [4 + rnd() * (size - 8), 4 + rnd() * (size - 8)];
      const r = 3 + rnd() * 3; // disc radius, or rectangle half-sides
      const [hh, hw] = [2 + rnd() * 4, 2 + rnd() * 4];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const inside = disc
            ? (y - cy) ** 2 + (x - cx) ** 2 <= r * r
            : Math.abs(y - cy) <= hh && Math.abs(x - cx) <= hw;
          if (!inside) continue;
          img[base + y * size + x] = 1;
          msk[base + y * size + x] = disc ? 1 : 0; // a later shape covers an earlier one
        }
      }
    }
    for (let p = 0; p < size * size; p++) img[base + p] += 0.3 * gauss();
  }
  return { images, masks };
}

/** Conv-BN-ReLU twice: the unit of each U-Net level. */
const doubleConv = (cin, cout) =>
  new nn.Sequential(
    new nn.Conv2d(cin, cout, 3, { padding: 1 }),
    new nn.BatchNorm2d(cout),
    new nn.ReLU(),
    new nn.Conv2d(cout, cout, 3, { padding: 1 }),
    new nn.BatchNorm2d(cout),
    new nn.ReLU(),
  );

class UNet extends nn.Module {
  /** skips: false builds the plain encoder-decoder of p55 (same layers, the skip inputs are zeros). */
  constructor(inChannels = 1, outChannels = 1, width = 8, skips = true) {
    super();
    this.skips = skips;
    this.enc1 = doubleConv(inChannels, width); // 32x32
    this.enc2 = doubleConv(width, 2 * width); // 16x16
    this.bottleneck = doubleConv(2 * width, 4 * width); // 8x8: the latent z
    this.pool = new nn.MaxPool2d(2);
    this.up2 = new nn.ConvTranspose2d(4 * width, 2 * width, 2, { stride: 2 }); // 8 -> 16
    this.dec2 = doubleConv(4 * width, 2 * width); // [up2, enc2] concatenated
    this.up1 = new nn.ConvTranspose2d(2 * width, width, 2, { stride: 2 }); // 16 -> 32
    this.dec1 = doubleConv(2 * width, width); // [up1, enc1] concatenated
    this.head = new nn.Conv2d(width, outChannels, 1); // per-pixel logits
  }

  skip(e) {
    return this.skips ? e : zeros(e.shape);
  }

  forward(x) {
    const e1 = this.enc1.call(x);
    const e2 = this.enc2.call(this.pool.call(e1));
    const z = this.bottleneck.call(this.pool.call(e2));
    const d2 = this.dec2.call(cat([this.up2.call(z), this.skip(e2)], 1)); // skip connection
    const d1 = this.dec1.call(cat([this.up1.call(d2), this.skip(e1)], 1)); // skip connection
    return this.head.call(d1);
  }
}

const trainSet = makeShapes(nTrain, 1);
const testSet = makeShapes(nTest, 2);
const criterion = new nn.BCEWithLogitsLoss();

/** Pixel accuracy and IoU of the predicted disc mask (logit > 0) on the test set. */
function evaluate(model) {
  model.eval();
  const { acc, iou } = noGrad(() => {
    const pred = model.call(testSet.images).gt(0).float();
    const target = testSet.masks;
    const inter = pred.mul(target).sum().item();
    const union = pred.add(target).gt(0).float().sum().item();
    return { acc: pred.eq(target).float().mean().item(), iou: inter / union };
  });
  model.train();
  return { acc, iou };
}

function fit(model, label) {
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  // Annealing the LR lets the BatchNorm running statistics (used in eval mode) catch up.
  const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, epochs * Math.ceil(nTrain / batchSize));
  const t0 = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = randperm(nTrain);
    let total = 0;
    for (let s = 0; s < nTrain; s += batchSize) {
      const idx = order.narrow(0, s, batchSize);
      const loss = criterion.call(model.call(trainSet.images.indexSelect(0, idx)), trainSet.masks.indexSelect(0, idx));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      total += loss.item() * batchSize;
    }
    console.log(`${label} epoch ${epoch}: train loss ${(total / nTrain).toFixed(4)}`);
  }
  const { acc, iou } = evaluate(model);
  console.log(
    `${label}: test pixel accuracy ${(100 * acc).toFixed(1)}%, disc IoU ${iou.toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

const discShare = testSet.masks.mean().item();
console.log(
  `${nTrain} train / ${nTest} test images ${size}x${size}; disc pixels ${(100 * discShare).toFixed(1)}% ` +
    `(all-background accuracy ${(100 * (1 - discShare)).toFixed(1)}%)`,
);
const unet = new UNet();
console.log(`U-Net parameters: ${nn.countParameters(unet).toLocaleString('en-US')}`);
fit(unet, 'U-Net');
if (compare) {
  manualSeed(0);
  fit(new UNet(1, 1, 8, false), 'no skips');
}
