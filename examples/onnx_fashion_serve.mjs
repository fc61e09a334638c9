// Exports the Fashion-MNIST CNN (workload F2) to ONNX and serves it over HTTP with ONNX Runtime
// (onnxruntime-node), as a model trained with myelin is deployed: the server needs only the
// .onnx file. The model is the checkpoint fashion_mnist.mjs saved (--checkpoint), or a short
// training run on the embedded slice. The script then queries its own server on 127.0.0.1 with
// test images (a bounded number of requests) and checks every answer against myelin's.
//   npm run build && node examples/onnx_fashion_serve.mjs [--checkpoint runs/fashion-mnist/checkpoint.safetensors]
//   options: --steps N (training steps without a checkpoint)  --out FILE (the .onnx)  --requests N
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { data, io, manualSeed, nn, noGrad, onnx, optim } from '../dist/index.js';
import { makeModel } from './fashion_models.mjs';

const { values: args } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    steps: { type: 'string', default: '60' },
    out: { type: 'string', default: path.join(os.tmpdir(), 'fashion_cnn.onnx') },
    requests: { type: 'string', default: '4' },
  },
});
manualSeed(0);
const model = makeModel('cnn');
const testSet = data.loadFashionMNIST({ train: false, source: 'embedded' });
if (args.checkpoint) {
  io.loadCheckpoint(args.checkpoint, { model });
  console.log(`loaded ${args.checkpoint}`);
} else {
  const trainSet = data.loadFashionMNIST({ train: true, source: 'embedded' });
  const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true });
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  let step = 0;
  for (const [x, y] of loader) {
    if (step++ >= Number(args.steps)) break;
    const loss = nn.functional.crossEntropy(model.call(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  }
  console.log(`trained ${step - 1} steps on the embedded slice`);
}
model.eval();

// Export: one sample batch to trace, the batch dim dynamic.
const [sample] = new data.DataLoader(testSet, { batchSize: 1 })[Symbol.iterator]().next().value;
onnx.export(model, [sample], args.out, {
  inputNames: ['image'],
  outputNames: ['logits'],
  dynamicAxes: { image: { 0: 'batch' }, logits: { 0: 'batch' } },
});
console.log(`exported ${args.out}`);

// The server: ONNX Runtime only. POST /predict {"images": [[784 pixels], ...]} -> {"classes": [...]}.
const session = await ort.InferenceSession.create(args.out);
const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/predict') {
    res.writeHead(404).end();
    return;
  }
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', async () => {
    try {
      const { images } = JSON.parse(body);
      const flat = Float32Array.from(images.flat());
      const out = await session.run({ image: new ort.Tensor('float32', flat, [images.length, 1, 28, 28]) });
      const logits = out.logits.data;
      const classes = images.map((_, i) => {
        const row = logits.subarray(i * 10, i * 10 + 10);
        return row.indexOf(Math.max(...row));
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ classes }));
    } catch (e) {
      res.writeHead(400).end(JSON.stringify({ error: String(e) }));
    }
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
console.log(`serving on http://127.0.0.1:${port}/predict`);

// The client: a few batches of test images; each answer compared with myelin's own prediction.
let asked = 0;
let correct = 0;
let agree = 0;
const loader = new data.DataLoader(testSet, { batchSize: 50 });
for (const [x, y] of loader) {
  if (asked >= Number(args.requests) * 50) break;
  const images = Array.from({ length: x.shape[0] }, (_, i) => Array.from(x.narrow(0, i, 1).data));
  const response = await fetch(`http://127.0.0.1:${port}/predict`, {
    method: 'POST',
    body: JSON.stringify({ images }),
    signal: AbortSignal.timeout(10_000),
  });
  const { classes } = await response.json();
  const mine = noGrad(() => model.call(x)).argmax(1).data;
  const labels = y.data;
  classes.forEach((c, i) => {
    if (c === mine[i]) agree++;
    if (c === labels[i]) correct++;
  });
  asked += classes.length;
}
server.close();
console.log(
  `ONNX Runtime answered ${asked} images: accuracy ${((100 * correct) / asked).toFixed(1)}%, ` +
    `same class as myelin for ${agree}/${asked}`,
);
if (agree !== asked) process.exit(1);
