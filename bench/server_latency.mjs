// Server latency while training: starts examples/train_server.mjs as a child process (its main
// thread serves HTTP, a worker trains) and loads it from this process over loopback, with and
// without training. Reports per endpoint p50 / p90 / p99 / max latency and requests/s.
//
//   node bench/server_latency.mjs                 (after `npm run build`: the example uses dist/)
//   options: --configs idle,1,2,1n,2n   idle = no training; N = training in the worker at N
//                                  threads; Nn = the same with the training threads at nice 10
//            --model cnn|mlp      the model trained and served (default cnn, workload F2)
//            --connections 4      concurrent keep-alive connections
//            --rate 400           requests/s in all (paced per connection; 0 = as fast as replies come)
//            --seconds 10         measured time per run (after 1 s of unmeasured warm-up)
//            --requests 100000    at most this many measured requests per run
//            --repeat 3           runs of each config, interleaved; the table shows the medians
//            --json               print the runs as JSON
// Each connection alternates GET /predict?index=i (one test image through the model on the
// server's main thread) and GET /status. Latency is from just before the request is written to
// the end of the reply body (process.hrtime.bigint). Only 127.0.0.1 is addressed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    configs: { type: 'string', default: 'idle,1,2,1n,2n' },
    model: { type: 'string', default: 'cnn' },
    connections: { type: 'string', default: '4' },
    rate: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '10' },
    requests: { type: 'string', default: '100000' },
    repeat: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const connections = Number(opts.connections);
const rate = Number(opts.rate);
const seconds = Number(opts.seconds);
const maxRequests = Number(opts.requests);
const repeat = Number(opts.repeat);
// 'idle'; or N (threads) with an optional 'n': the worker's thread at nice 10.
const configs = [...new Set(opts.configs.split(','))].map((c) => {
  if (c === 'idle') return { name: 'idle', threads: null, nice: 0 };
  const m = c.match(/^(\d+)(n?)$/);
  if (!m) throw new Error(`server_latency: --configs takes idle, N or Nn (N threads, n: nice 10), got ${c}`);
  return { name: `train ${m[1]}T${m[2] ? ' nice' : ''}`, threads: Number(m[1]), nice: m[2] ? 10 : 0 };
});
if (!fs.existsSync(path.join(root, 'dist', 'index.js')))
  throw new Error('server_latency: dist/index.js is missing: run `npm run build` first');
const log = (...a) => console.error(...a);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the example; resolves with { child, port, exited, output() } once it listens. */
function startServer({ threads, nice }, outDir) {
  const args = [
    'examples/train_server.mjs',
    '--port',
    '0',
    '--model',
    opts.model,
    '--out',
    outDir,
    '--epochs',
    threads === null ? '0' : '1000',
    '--duration',
    String(seconds + 120),
  ];
  if (threads !== null) args.push('--threads', String(threads), '--nice', String(nice));
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(() => reject(new Error(`server exited before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`server did not listen within 60 s:\n${output}`)), 60_000).unref();
  });
  return port.then((p) => ({ child, port: p, exited, output: () => output }));
}

function get(agent, port, pathname) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout on ${pathname}`)));
  });
}

async function status(agent, port) {
  return JSON.parse((await get(agent, port, '/status')).body);
}

/** The closed (or paced) loop of one connection; pushes latencies in ns per endpoint. */
async function connection(agent, port, k, until, counters, samples) {
  const interval = rate > 0 ? (1000 * connections) / rate : 0;
  let next = performance.now() + (interval * k) / connections;
  for (let i = k; ; i += connections) {
    if (performance.now() >= until.time || counters.sent >= until.requests) return;
    if (interval > 0) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      // Fallen behind (the server is slower than the rate): resume from now instead of sending
      // the missed requests in a burst, whose queueing would be the generator's own doing.
      next = wait < -interval ? performance.now() + interval : next + interval;
    }
    const endpoint = i % 2 === 0 ? 'predict' : 'status';
    const pathname = endpoint === 'predict' ? `/predict?index=${(i >> 1) % 1000}` : '/status';
    counters.sent++;
    const measured = until.measuring;
    const t0 = process.hrtime.bigint();
    try {
      const r = await get(agent, port, pathname);
      const ns = Number(process.hrtime.bigint() - t0);
      if (r.status !== 200) counters.errors++;
      else if (measured) samples[endpoint].push(ns);
    } catch {
      counters.errors++;
    }
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarize(ns) {
  const v = Float64Array.from(ns).sort();
  const ms = (x) => x / 1e6;
  return {
    count: v.length,
    p50: ms(percentile(v, 50)),
    p90: ms(percentile(v, 90)),
    p99: ms(percentile(v, 99)),
    max: ms(v[v.length - 1]),
  };
}

async function measure(config) {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-server-latency-'));
  const server = await startServer(config, outDir);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    if (config.threads !== null) {
      // Wait until training runs (a few steps done), so the measured window is all training.
      const deadline = performance.now() + 60_000;
      for (;;) {
        const s = await status(agent, server.port);
        if (s.state === 'training' && (s.step >= 3 || s.epoch > 1)) break;
        if (s.state === 'failed' || performance.now() > deadline)
          throw new Error(`training did not start: ${JSON.stringify(s)}`);
        await sleep(100);
      }
    }
    const before = await status(agent, server.port);
    const loadBefore = os.loadavg()[0];
    const samples = { predict: [], status: [] };
    const counters = { sent: 0, errors: 0 };
    const until = { time: performance.now() + 1000 + 1000 * seconds, requests: Infinity, measuring: false };
    const loops = Array.from({ length: connections }, (_, k) =>
      connection(agent, server.port, k, until, counters, samples),
    );
    await sleep(1000); // warm-up: not measured
    until.measuring = true;
    until.requests = counters.sent + maxRequests;
    const t0 = performance.now();
    await Promise.all(loops);
    const elapsed = (performance.now() - t0) / 1000;
    const after = await status(agent, server.port);
    agent.destroy();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const clean = exit.code === 0 && /shut down cleanly/.test(server.output());
    const all = [...samples.predict, ...samples.status];
    return {
      config: config.name,
      threads: config.threads,
      seconds: elapsed,
      requests: all.length,
      errors: counters.errors,
      requestsPerSec: all.length / elapsed,
      predict: summarize(samples.predict),
      status: summarize(samples.status),
      trainingSamplesPerSec: config.threads === null ? null : (after.samples - before.samples) / elapsed,
      trainingState: after.state,
      cleanExit: clean,
      loadavg1m: [loadBefore, os.loadavg()[0]],
    };
  } finally {
    agent.destroy();
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

const runs = [];
for (let r = 0; r < repeat; r++) {
  for (const config of configs) {
    log(`run ${r + 1}/${repeat}: ${config.name}`);
    runs.push(await measure(config));
  }
}
const header = {
  date: new Date().toISOString(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cpus: os.availableParallelism(),
  node: process.version,
  loadavg: os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' '),
  command: `node bench/server_latency.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  model: opts.model,
  connections,
  rate,
  seconds,
  repeat,
};
if (opts.json) {
  console.log(JSON.stringify({ ...header, runs }, null, 2));
} else {
  const f = (x) => x.toFixed(x < 10 ? 2 : 1);
  const head = ['config', 'endpoint', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'req/s', 'train samples/s', 'errors'];
  const rows = [];
  for (const config of configs) {
    const mine = runs.filter((x) => x.config === config.name);
    for (const endpoint of ['predict', 'status']) {
      const m = (key) => median(mine.map((x) => x[endpoint][key]));
      rows.push([
        config.name,
        endpoint,
        f(m('p50')),
        f(m('p90')),
        f(m('p99')),
        f(m('max')),
        f(median(mine.map((x) => x.requestsPerSec))),
        config.threads === null ? '-' : f(median(mine.map((x) => x.trainingSamplesPerSec))),
        String(mine.reduce((s, x) => s + x.errors, 0)),
      ]);
    }
  }
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c) => c.map((s, i) => (i >= 2 ? s.padStart(width[i]) : s.padEnd(width[i]))).join(' | ');
  console.log(
    Object.entries(header)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', '),
  );
  console.log(
    `medians of ${repeat} run(s) per config; every server exited cleanly: ${runs.every((x) => x.cleanExit)}\n`,
  );
  console.log([line(head), width.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n'));
}
