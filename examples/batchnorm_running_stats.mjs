// BatchNorm1d in training mode normalises with the batch's statistics and
// updates the running ones; in eval mode it uses the running statistics.
//   npm run build && node examples/batchnorm_running_stats.mjs [batches]
import { manualSeed, nn, noGrad, randn } from '../dist/index.js';

const batches = Number(process.argv[2] ?? 100);
manualSeed(0);
const bn = new nn.BatchNorm1d(10);
const batch = () => randn([32, 10]).mul(10).add(5); // mean 5, std 10

const mean = (t) => t.mean().item();
const channelStd = (t) => t.std(0, { correction: 0 }).mean().item();

const x = batch();
const yTrain = bn.call(x);
console.log(`input:            mean ${mean(x).toFixed(2)}, std ${channelStd(x).toFixed(2)}`);
console.log(`train-mode output: mean ${mean(yTrain).toFixed(4)}, std ${channelStd(yTrain).toFixed(4)}`);

noGrad(() => {
  for (let i = 1; i < batches; i++) bn.call(batch());
});
console.log(
  `after ${batches} batches: running_mean ~ ${mean(bn.runningMean).toFixed(3)}, running_var ~ ${mean(bn.runningVar).toFixed(2)}, num_batches_tracked ${bn.numBatchesTracked.item()}`,
);

bn.eval();
const yEval = noGrad(() => bn.call(x));
console.log(
  `eval-mode output:  mean ${mean(yEval).toFixed(4)}, std ${channelStd(yEval).toFixed(4)} (running statistics)`,
);
const unchanged = bn.numBatchesTracked.item() === batches;
console.log(`eval leaves the running statistics alone: ${unchanged}`);
