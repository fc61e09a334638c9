// The LSTM text classifier (Embedding -> bidirectional LSTM -> Linear; see
// lstm_text_classifier.mjs), trained briefly, exported to ONNX with a dynamic batch and
// sequence length (the LSTM becomes ONNX's LSTM op, gates reordered to ONNX's i,o,f,c), then run
// in ONNX Runtime (onnxruntime-node) on test sequences of two lengths and compared with myelin.
//   npm run build && node examples/onnx_text_classifier.mjs [epochs] [out.onnx]
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { cat, manualSeed, nn, noGrad, onnx, optim, randint } from '../dist/index.js';

const epochs = Number(process.argv[2] ?? 3);
const out = process.argv[3] ?? path.join(os.tmpdir(), 'text_classifier.onnx');
manualSeed(0);
const vocabSize = 40; // tokens 0..3 are the class keywords, 4.. filler

function makeCorpus(n, seqLen) {
  const x = randint(4, vocabSize, [n, seqLen]);
  const labels = randint(0, 4, [n]);
  const pos = randint(0, seqLen, [n]).data;
  for (let i = 0; i < n; i++) x.data[i * seqLen + pos[i]] = labels.data[i];
  return { x, labels };
}

class TextClassifier extends nn.Module {
  constructor() {
    super();
    this.embedding = new nn.Embedding(vocabSize, 16);
    this.lstm = new nn.LSTM(16, 32, { batchFirst: true, bidirectional: true });
    this.classifier = new nn.Linear(64, 4);
  }
  forward(x) {
    const [, [hidden]] = this.lstm.call(this.embedding.call(x));
    return this.classifier.call(cat([hidden.select(0, -2), hidden.select(0, -1)], -1));
  }
}

const model = new TextClassifier();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
const train = makeCorpus(1024, 12);
for (let epoch = 0; epoch < epochs; epoch++) {
  for (let s = 0; s < 1024; s += 64) {
    const loss = nn.functional.crossEntropy(model.call(train.x.narrow(0, s, 64)), train.labels.narrow(0, s, 64));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  }
}
model.eval();
onnx.export(model, [train.x.narrow(0, 0, 2)], out, {
  inputNames: ['tokens'],
  outputNames: ['logits'],
  dynamicAxes: { tokens: { 0: 'batch', 1: 'sequence' }, logits: { 0: 'batch' } },
});
console.log(`exported ${out}`);

const session = await ort.InferenceSession.create(out);
for (const seqLen of [12, 20]) {
  const test = makeCorpus(256, seqLen);
  const result = await session.run({ tokens: new ort.Tensor('int32', test.x.data, [...test.x.shape]) });
  const got = result.logits.data;
  const want = noGrad(() => model.call(test.x)).data;
  let maxDiff = 0;
  let correct = 0;
  for (let i = 0; i < 256; i++) {
    const row = got.subarray(i * 4, i * 4 + 4);
    if (row.indexOf(Math.max(...row)) === test.labels.data[i]) correct++;
    for (let k = 0; k < 4; k++) maxDiff = Math.max(maxDiff, Math.abs(row[k] - want[i * 4 + k]));
  }
  console.log(
    `sequences of ${seqLen}: ONNX Runtime accuracy ${((100 * correct) / 256).toFixed(1)}%, max |ONNX Runtime - myelin| ${maxDiff.toExponential(2)}`,
  );
  if (!(maxDiff < 1e-4)) process.exit(1);
}
