// The end-to-end Fashion-MNIST workloads (F1, F2): train on the full 60k training set from
// Debian's dataset-fashion-mnist package, shuffled each epoch, Adam lr 1e-3, batch 128, then the
// accuracy on the 10k test set; wall seconds and test accuracy side by side with PyTorch
// (bench/peers/torch_bench.py reads the same IDX files). Pixels are x / 255 on both sides (no
// normalisation), both sides use their default (PyTorch) initialisation.
// Wall seconds cover the training epochs and the test pass; loading the files is not timed.
import fs from 'node:fs';
import { myelin } from './myelin.js';
import { native } from './native.js';
import { fma } from './roof.js';
import { torchRows } from './torch_peer.js';

export const BATCH = 128;
export const LR = 1e-3;
export const TEST_BATCH = 1000;

let cached;

/** The full training and test sets, or an Error saying how to install them. */
function datasets() {
  if (cached) return cached;
  const dir = myelin.data.DEBIAN_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
  if (!fs.existsSync(dir)) {
    throw new Error(
      `F1/F2 need the full Fashion-MNIST (60k train, 10k test) from Debian's package: ` +
        `sudo apt-get install dataset-fashion-mnist (installs the IDX files in ${dir})`,
    );
  }
  const train = myelin.data.loadFashionMNIST({ train: true, source: 'debian' });
  const test = myelin.data.loadFashionMNIST({ train: false, source: 'debian' });
  cached = { train, test };
  return cached;
}

/**
 * One training run of makeModel() for `epochs` epochs: { seconds, accuracy, steps }, and with
 * `quantized` also `quantizedAccuracy`: the trained model's test accuracy after
 * quantization.quantizeDynamic (qint8 Linear layers; not timed).
 */
export function trainOnce(makeModel, epochs, seed = 0, { autocast = false, quantized = false } = {}) {
  const { nn, optim, data, noGrad, manualSeed, train: metrics } = myelin;
  // autocast: the forward passes (training and test) under autocast bf16 (B2).
  const run = autocast ? (fn) => myelin.autocast({ dtype: 'bfloat16' }, fn) : (fn) => fn();
  const { train, test } = datasets();
  manualSeed(seed);
  const model = makeModel();
  const opt = new optim.Adam([...model.parameters()], { lr: LR });
  const loader = new data.DataLoader(train, { batchSize: BATCH, shuffle: true });
  const testLoader = new data.DataLoader(test, { batchSize: TEST_BATCH });
  const t0 = process.hrtime.bigint();
  let steps = 0;
  model.train();
  for (let e = 0; e < epochs; e++) {
    for (const [x, y] of loader) {
      opt.zeroGrad();
      const loss = run(() => nn.functional.crossEntropy(model.call(x), y));
      loss.backward();
      opt.step();
      steps++;
    }
  }
  const testAccuracy = (net) => {
    net.eval();
    let correct = 0;
    noGrad(() => {
      for (const [x, y] of testLoader) {
        const logits = run(() => net.call(x));
        correct += Math.round(metrics.accuracy(logits, y) * y.shape[0]);
      }
    });
    return correct / test.length;
  };
  const accuracy = testAccuracy(model);
  const seconds = Number(process.hrtime.bigint() - t0) * 1e-9;
  if (!quantized) return { seconds, accuracy, steps };
  const int8Model = myelin.quantization.quantizeDynamic(model, { types: [nn.Linear], dtype: 'qint8' });
  return { seconds, accuracy, steps, quantizedAccuracy: testAccuracy(int8Model) };
}

/**
 * Rows of F1 or F2: at each thread count, myelin's wall seconds and test accuracy, then
 * PyTorch's from the same run, and the ratio (PyTorch seconds / myelin seconds). flops: the
 * model's { train, test } FLOPs a sample (a training step's share, a test forward), for the
 * FMA roof of the whole run.
 */
export function fashionRows(id, opts, caseName, makeModel, epochs, flops) {
  const { train, test } = datasets();
  const runFlops = flops.train * train.length * epochs + flops.test * test.length;
  const rows = [];
  for (const threads of opts.threads) {
    native.setNumThreads(threads);
    const mine = trainOnce(makeModel, epochs);
    const peer = torchRows(id, threads);
    const t = peer?.rows.find((r) => r.case === caseName);
    const ratio = t ? t.seconds / mine.seconds : undefined;
    const acc = (a) => `${(100 * a).toFixed(2)}%`;
    rows.push({
      case: caseName,
      threads,
      value: mine.seconds,
      unit: 's',
      note:
        `test acc ${acc(mine.accuracy)}; ` +
        (t ? `torch ${t.seconds.toFixed(1)} s, test acc ${acc(t.accuracy)}; ratio ${ratio.toFixed(2)}x` : 'torch: n/a'),
      accuracy: mine.accuracy,
      steps: mine.steps,
      torch: t?.seconds,
      torchAccuracy: t?.accuracy,
      ratio,
      roof: fma(runFlops),
    });
  }
  return rows;
}
