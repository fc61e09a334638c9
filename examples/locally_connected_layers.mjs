// Fully-connected vs locally-connected vs convolutional layers. A
// locally-connected layer applies a different small filter at every position of the input; with
// the filters tied (one for all positions) it is a convolution. Written with F.unfold (every
// kernel-sized block as a column, torch's im2col) for images and Tensor.unfold (the windows along
// one dim, a view) for sequences. Prints the parameter counts of the three layers on the same
// input, checks that the tied locally-connected layer equals Conv2d, and trains both on a target
// whose pattern depends on the position, which only the locally-connected layer can fit.
//   npm run build && node examples/locally_connected_layers.mjs [steps]
import assert from 'node:assert/strict';
import { einsum, manualSeed, nn, optim, randn, zeros } from '../dist/index.js';

const steps = Number(process.argv[2] ?? 150);
manualSeed(0);
const F = nn.functional;

/** Locally-connected 2-D layer: one [outChannels, inChannels * k * k] filter per output position. */
class LocallyConnected2d extends nn.Module {
  constructor(inChannels, outChannels, inputSize, kernelSize, { stride = 1, padding = 0 } = {}) {
    super();
    const out = (n) => Math.floor((n + 2 * padding - kernelSize) / stride) + 1;
    this.outSize = [out(inputSize[0]), out(inputSize[1])];
    this.geometry = { kernelSize, stride, padding };
    const positions = this.outSize[0] * this.outSize[1];
    const fanIn = inChannels * kernelSize * kernelSize;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = new nn.Parameter(randn([positions, outChannels, fanIn]).mul(bound));
    this.bias = new nn.Parameter(zeros([outChannels, positions]));
  }

  forward(x) {
    const { kernelSize, stride, padding } = this.geometry;
    const cols = F.unfold(x, kernelSize, { stride, padding }); // [N, C*k*k, L]
    const out = einsum('ncl,loc->nol', cols, this.weight).add(this.bias); // [N, O, L]
    return out.reshape(x.shape[0], -1, ...this.outSize);
  }
}

/** Locally-connected 1-D layer over [N, C, T] with Tensor.unfold's windows. */
class LocallyConnected1d extends nn.Module {
  constructor(inChannels, outChannels, length, kernelSize) {
    super();
    this.kernelSize = kernelSize;
    const positions = length - kernelSize + 1;
    this.weight = new nn.Parameter(randn([positions, outChannels, inChannels, kernelSize]).mul(0.3));
  }

  forward(x) {
    const windows = x.unfold(2, this.kernelSize, 1); // [N, C, L, k], a view of x
    return einsum('nclk,lock->nol', windows, this.weight);
  }
}

const count = (m) => [...m.parameters()].reduce((n, p) => n + p.numel(), 0);
const [C, O, H, W, K] = [3, 8, 12, 12, 3];
const fc = new nn.Linear(C * H * W, O * (H - K + 1) * (W - K + 1));
const lc = new LocallyConnected2d(C, O, [H, W], K);
const conv = new nn.Conv2d(C, O, K);
console.log(`input [N, ${C}, ${H}, ${W}] -> [N, ${O}, ${H - K + 1}, ${W - K + 1}]`);
console.log(`fully-connected parameters:   ${count(fc).toLocaleString('en-US')}`);
console.log(`locally-connected parameters: ${count(lc).toLocaleString('en-US')}`);
console.log(`convolution parameters:       ${count(conv).toLocaleString('en-US')}`);

// Weight sharing: the same filter at every position turns the locally-connected layer into Conv2d.
const x = randn([2, C, H, W]);
const tied = new LocallyConnected2d(C, O, [H, W], K);
const positions = tied.outSize[0] * tied.outSize[1];
tied.weight = new nn.Parameter(
  conv.weight
    .detach()
    .reshape(1, O, C * K * K)
    .expand(positions, -1, -1)
    .contiguous(),
);
tied.bias = new nn.Parameter(conv.bias.detach().reshape(O, 1).expand(O, positions).contiguous());
const diff = tied.call(x).sub(conv.call(x)).abs().max().item();
assert.ok(diff < 1e-5, `tied locally-connected layer differs from Conv2d by ${diff}`);
console.log(`tied locally-connected layer == Conv2d: max |difference| ${diff.toExponential(1)}`);

// A target that depends on the position: each output position wants its own filter.
const T = 16;
const seq = randn([64, 1, T]);
const truth = new LocallyConnected1d(1, 1, T, 3);
const target = truth.call(seq).detach();
function fit(model) {
  const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
  let loss;
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    loss = F.mseLoss(model.call(seq), target);
    loss.backward();
    opt.step();
  }
  return loss.item();
}
const lcLoss = fit(new LocallyConnected1d(1, 1, T, 3));
const convLoss = fit(new nn.Conv1d(1, 1, 3, { bias: false }));
console.log(
  `position-dependent target after ${steps} Adam steps: locally-connected MSE ${lcLoss.toExponential(2)}, conv MSE ${convLoss.toExponential(2)}`,
);
