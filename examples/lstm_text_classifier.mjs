// The LSTM TextClassifier (Embedding -> bidirectional LSTM -> Linear on the last hidden
// states of both directions), trained on a small corpus this script generates: sequences of
// random "filler" tokens in which a class's keyword token appears somewhere; the class is the
// keyword. Then attention written with einsum, checked equal to
// nn.scaledDotProductAttention. Run from the repository root after building the TypeScript:
//   npm run build && node examples/lstm_text_classifier.mjs [epochs]
import { cat, einsum, manualSeed, nn, noGrad, optim, randint, randn, Tensor } from '../dist/index.js';

const epochs = Number(process.argv[2] ?? 6);
manualSeed(0);

const vocabSize = 40; // tokens 0..3 are the class keywords, 4.. filler
const numClasses = 4;
const seqLen = 12;

/** n sequences [n, seqLen] (int32) and their labels [n]. */
function makeCorpus(n) {
  const x = randint(numClasses, vocabSize, [n, seqLen]);
  const labels = randint(0, numClasses, [n]);
  const xd = x.data;
  const ld = labels.data;
  const pos = randint(0, seqLen, [n]).data;
  for (let i = 0; i < n; i++) xd[i * seqLen + pos[i]] = ld[i];
  return { x, labels };
}

class TextClassifier extends nn.Module {
  constructor(vocab, embedDim, hiddenDim, classes) {
    super();
    this.embedding = new nn.Embedding(vocab, embedDim);
    this.lstm = new nn.LSTM(embedDim, hiddenDim, { batchFirst: true, bidirectional: true });
    this.classifier = new nn.Linear(hiddenDim * 2, classes);
  }

  forward(x) {
    const embedded = this.embedding.call(x); // (batch, seq, embed)
    const [, [hidden]] = this.lstm.call(embedded);
    const both = cat([hidden.select(0, -2), hidden.select(0, -1)], -1); // both directions
    return this.classifier.call(both);
  }
}

const train = makeCorpus(2048);
const test = makeCorpus(512);
const model = new TextClassifier(vocabSize, 16, 32, numClasses);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
const batch = 64;

for (let epoch = 0; epoch < epochs; epoch++) {
  let total = 0;
  const t0 = performance.now();
  for (let start = 0; start < 2048; start += batch) {
    const xb = train.x.narrow(0, start, batch);
    const yb = train.labels.narrow(0, start, batch);
    const loss = nn.functional.crossEntropy(model.call(xb), yb);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    total += loss.item();
  }
  console.log(
    `epoch ${epoch + 1}: mean loss ${(total / (2048 / batch)).toFixed(4)} (${(performance.now() - t0).toFixed(0)} ms)`,
  );
}

model.eval();
const predicted = noGrad(() => model.call(test.x)).argmax(-1).data;
const truth = test.labels.data;
let correct = 0;
for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
console.log(`test accuracy: ${((100 * correct) / truth.length).toFixed(1)}%`);

// Attention written with einsum (softmax(QK^T / sqrt(d)) V), checked against scaledDotProductAttention.
const [Q, K, V] = [randn([2, 5, 8]), randn([2, 7, 8]), randn([2, 7, 4])];
const scores = einsum('bqd,bkd->bqk', Q, K).div(Math.sqrt(8));
const output = einsum('bqk,bkv->bqv', scores.softmax(-1), V);
const fused = nn.scaledDotProductAttention(Q, K, V);
const diff = output.sub(fused).abs().max().item();
console.log(`einsum attention vs scaledDotProductAttention: max |diff| = ${diff.toExponential(2)}`);
if (!(diff < 1e-5) || !(output instanceof Tensor)) process.exit(1);
