// Serving while training: the main thread answers HTTP on 127.0.0.1 while a worker_threads Worker
// trains a Fashion-MNIST classifier (the embedded slice). The worker posts its progress, and
// after every epoch its weights, which the main thread copies into its own model for /predict.
// At the end (or when stopped) the worker saves a checkpoint.
//
//   node examples/train_server.mjs --port 8080
//   curl http://127.0.0.1:8080/status
//   curl 'http://127.0.0.1:8080/predict?index=3'
//   curl -X POST -d '{"image": [784 numbers in 0..1]}' http://127.0.0.1:8080/predict
//
// options: --port N (0 = any free port)  --model cnn|mlp  --epochs N (0 = serve only)  --batch N
//          --lr X  --limit N (train on the first N images)  --threads N (the worker's myelin
//          threads)  --nice N (0..19: lower the training threads' priority; Linux keeps a nice
//          value per thread, so the main thread keeps its own)  --duration S (shut down after S
//          seconds; 0 = on SIGINT/SIGTERM only)  --out DIR (checkpoint)  --seed N
//
// The main thread's own work stays small (one image through the model, a JSON reply), so the
// event loop is never blocked by training. Note that myelin's thread pool is one per process:
// --threads (setNumThreads in the worker) sizes it for the main thread too; a main-thread op that
// finds the pool busy runs on the main thread alone instead of waiting for it.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  argmax,
  backendInfo,
  data,
  getNumThreads,
  io,
  manualSeed,
  nn,
  noGrad,
  optim,
  setNumThreads,
  softmax,
  Tensor,
  train,
} from '../dist/index.js';
import { makeModel } from './fashion_models.mjs';

const options = {
  port: { type: 'string', default: '8080' },
  model: { type: 'string', default: 'cnn' },
  epochs: { type: 'string', default: '3' },
  batch: { type: 'string', default: '128' },
  lr: { type: 'string', default: '0.001' },
  limit: { type: 'string' },
  threads: { type: 'string' },
  duration: { type: 'string', default: '0' },
  out: { type: 'string', default: path.join('runs', 'train-server') },
  seed: { type: 'string', default: '0' },
  nice: { type: 'string', default: '0' },
};

function count(name, text, min) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${name} must be an integer >= ${min}, got ${text}`);
  return n;
}

// ---------------------------------------------------------------- the worker: training

function runTraining({ args, stop }) {
  const stopWord = new Int32Array(stop);
  const stopRequested = () => Atomics.load(stopWord, 0) !== 0;
  const post = (message, transfer) => parentPort.postMessage(message, transfer);
  // Linux keeps a nice value per thread: this lowers the priority of this worker's thread (and of
  // pool threads it starts, setNumThreads below) but not of the main thread.
  const nice = Number(args.nice);
  if (nice !== 0) os.setPriority(nice);
  if (args.threads || nice !== 0) setNumThreads(args.threads ? count('threads', args.threads, 1) : getNumThreads());
  manualSeed(Number(args.seed));
  const limit = args.limit ? count('limit', args.limit, 1) : undefined;
  const trainSet = data.loadFashionMNIST({ train: true, source: 'embedded', limit });
  const testSet = data.loadFashionMNIST({ train: false, source: 'embedded', limit });
  const model = makeModel(args.model);
  const optimizer = new optim.Adam(model.parameters(), { lr: Number(args.lr) });
  const criterion = new nn.CrossEntropyLoss();
  const loader = new data.DataLoader(trainSet, { batchSize: count('batch', args.batch, 1), shuffle: true });
  const testLoader = new data.DataLoader(testSet, { batchSize: 500 });
  const epochs = count('epochs', args.epochs, 0);
  const progress = {
    epoch: 0,
    epochs,
    step: 0,
    stepsPerEpoch: loader.length,
    samples: 0,
    loss: null,
    samplesPerSec: 0,
    testAccuracy: null,
    threads: backendInfo().threads,
  };
  const started = performance.now();
  let windowStart = started;
  let windowSamples = 0;

  function evaluate() {
    model.eval();
    const matrix = new train.ConfusionMatrix(10);
    noGrad(() => {
      for (const [x, y] of testLoader) matrix.update(model.call(x), y);
    });
    model.train();
    return matrix.accuracy();
  }

  let epochsDone = 0;
  let steps = 0;
  training: for (let epoch = 0; epoch < epochs; epoch++) {
    progress.epoch = epoch + 1;
    progress.step = 0;
    for (const [x, y] of loader) {
      if (stopRequested()) break training;
      const loss = criterion.call(model.call(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      steps++;
      progress.step++;
      progress.loss = loss.item();
      progress.samples += y.numel();
      windowSamples += y.numel();
      const now = performance.now();
      // A few messages a second: each one is a (small) task on the main thread.
      if (now - windowStart >= 250 || progress.step === 1) {
        progress.samplesPerSec = (1000 * windowSamples) / (now - windowStart);
        windowStart = now;
        windowSamples = 0;
        post({ type: 'progress', ...progress });
      }
    }
    epochsDone = epoch + 1;
    progress.testAccuracy = evaluate();
    post({ type: 'progress', ...progress });
    // The weights as fresh copies, transferred (not cloned) to the main thread's model.
    const weights = Object.entries(model.stateDict()).map(([key, t]) => ({
      key,
      shape: [...t.shape],
      data: t.toTypedArray(),
    }));
    post(
      { type: 'weights', epoch: epochsDone, weights },
      weights.map((w) => w.data.buffer),
    );
  }
  fs.mkdirSync(args.out, { recursive: true });
  const checkpoint = path.join(args.out, 'checkpoint.safetensors');
  io.saveCheckpoint(checkpoint, {
    model,
    optimizer,
    epoch: epochsDone,
    step: steps,
    extra: { testAccuracy: progress.testAccuracy },
  });
  post({
    type: 'done',
    checkpoint,
    epochs: epochsDone,
    steps,
    stopped: epochsDone < epochs,
    seconds: (performance.now() - started) / 1000,
  });
}

// ---------------------------------------------------------------- the main thread: HTTP

function runServer() {
  const { values: args } = parseArgs({ options });
  const port = count('port', args.port, 0);
  const epochs = count('epochs', args.epochs, 0);
  const duration = Number(args.duration);
  const nice = Number(args.nice);
  if (!Number.isInteger(nice) || nice < 0 || nice > 19)
    throw new RangeError(`--nice must be an integer in [0, 19], got ${args.nice}`);
  if (!(duration >= 0)) throw new RangeError(`--duration must be a number of seconds >= 0, got ${args.duration}`);
  if (args.threads && epochs === 0) setNumThreads(count('threads', args.threads, 1)); // else the worker sets it
  manualSeed(Number(args.seed));
  const model = makeModel(args.model).eval(); // same seed: starts from the worker's initial weights
  const testSet = data.loadFashionMNIST({ train: false, source: 'embedded' });
  const [, , height, width] = testSet.images.shape;
  const status = {
    state: epochs > 0 ? 'starting' : 'serving',
    model: args.model,
    epoch: 0,
    epochs,
    step: 0,
    stepsPerEpoch: null,
    samples: 0,
    loss: null,
    samplesPerSec: 0,
    testAccuracy: null,
    threads: backendInfo().threads,
    modelEpoch: 0,
    checkpoint: null,
    done: epochs === 0,
    error: null,
  };
  const started = performance.now();

  function predict(image) {
    return noGrad(() => {
      const probs = softmax(model.call(image), 1);
      const k = argmax(probs, 1).item();
      return {
        predicted: k,
        class: data.FASHION_MNIST_CLASSES[k],
        probability: probs.data[k],
        modelEpoch: status.modelEpoch,
      };
    });
  }

  function reply(res, code, body) {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function predictIndex(res, query) {
    const index = Number(query.get('index') ?? 0);
    if (!Number.isInteger(index) || index < 0 || index >= testSet.length)
      return reply(res, 400, {
        error: `index must be an integer in [0, ${testSet.length}), got ${query.get('index')}`,
      });
    const image = testSet.images.narrow(0, index, 1);
    reply(res, 200, { index, label: testSet.labels.data[index], ...predict(image) });
  }

  function predictBody(req, res) {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= 1 << 16) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > 1 << 16) return reply(res, 413, { error: 'the body is over 64 KiB' });
      let pixels;
      try {
        pixels = JSON.parse(Buffer.concat(chunks).toString('utf8')).image;
      } catch {
        return reply(res, 400, { error: 'the body must be JSON: {"image": [numbers]}' });
      }
      if (!Array.isArray(pixels) || pixels.length !== height * width || !pixels.every(Number.isFinite)) {
        return reply(res, 400, { error: `image must be an array of ${height * width} finite numbers` });
      }
      reply(res, 200, predict(Tensor.fromData(Float32Array.from(pixels), [1, 1, height, width])));
    });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/status' && req.method === 'GET')
      return reply(res, 200, { ...status, uptime: (performance.now() - started) / 1000 });
    if (url.pathname === '/predict' && req.method === 'GET') return predictIndex(res, url.searchParams);
    if (url.pathname === '/predict' && req.method === 'POST') return predictBody(req, res);
    if (url.pathname === '/status' || url.pathname === '/predict')
      return reply(res, 405, { error: `${req.method} ${url.pathname} is not allowed` });
    reply(res, 404, { error: `no route ${url.pathname}; try GET /status, GET /predict?index=N, POST /predict` });
  });

  const stop = new SharedArrayBuffer(4);
  let worker = null;
  let workerExit = Promise.resolve();
  if (epochs > 0) {
    worker = new Worker(new URL(import.meta.url), { workerData: { args, stop } });
    worker.on('message', (m) => {
      if (m.type === 'progress') {
        const { type, ...rest } = m;
        Object.assign(status, rest, { state: 'training' });
      } else if (m.type === 'weights') {
        const state = Object.fromEntries(m.weights.map((w) => [w.key, Tensor.fromData(w.data, w.shape)]));
        model.loadStateDict(state);
        status.modelEpoch = m.epoch;
      } else if (m.type === 'done') {
        Object.assign(status, { state: m.stopped ? 'stopped' : 'done', done: true, checkpoint: m.checkpoint });
        console.log(
          `training ${status.state} after ${m.epochs} epochs (${m.steps} steps) in ${m.seconds.toFixed(1)} s; checkpoint ${m.checkpoint}`,
        );
      }
    });
    worker.on('error', (e) => {
      status.error = String(e?.stack ?? e);
      status.state = 'failed';
      console.error(`training failed: ${status.error}`);
    });
    workerExit = new Promise((resolve) => worker.on('exit', resolve));
    workerExit.then(() => (worker = null));
  }

  let durationTimer = null;
  let closing = null;
  function shutdown(reason) {
    closing ??= (async () => {
      console.log(`shutting down (${reason})`);
      clearTimeout(durationTimer);
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 1000);
      if (worker) {
        // Ask the worker to stop after its current step (it saves its checkpoint); terminate it
        // if it does not exit in time.
        Atomics.store(new Int32Array(stop), 0, 1);
        const late = setTimeout(() => worker?.terminate(), 20_000);
        await workerExit;
        clearTimeout(late);
      }
      await closed;
      clearTimeout(force);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      console.log(
        `shut down cleanly: ${epochs > 0 ? `training ${status.state}` : 'no training'}, model epoch ${status.modelEpoch}`,
      );
    })();
    return closing;
  }
  // The first signal shuts down cleanly; a second one does not wait.
  const onSignal = (signal) => (closing ? process.exit(1) : void shutdown(signal));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  server.listen(port, '127.0.0.1', () => {
    const info = backendInfo();
    console.log(
      `myelin ${info.version} (${info.isa}); model ${args.model}; ${epochs > 0 ? `training ${epochs} epochs in a worker` : 'serving only (no training)'}`,
    );
    console.log(`listening on http://127.0.0.1:${server.address().port}`);
    if (duration > 0) durationTimer = setTimeout(() => void shutdown(`--duration ${duration} s`), duration * 1000);
  });
}

if (isMainThread) runServer();
else runTraining(workerData);
