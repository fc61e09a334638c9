// Memory over time: RSS of long single-threaded training runs, and of worker_threads that load
// myelin and are terminated mid-step. Prints one line a case; --json prints JSON instead.
//
//   npm run build && node bench/memory.mjs [mlp] [cnn] [workers] [--steps 10000] [--warmup 1000]
//        [--rounds 30] [--workers 4] [--settle] [--node-flag F ...] [--gc MODE] [--json]
//
// --node-flag=F passes a flag to each case's node (V8's, e.g. --max-semi-space-size=16 or
// --no-concurrent-array-buffer-sweeping), to see what V8's collector does to the figures
// (bench/results/memory.md). --gc throughput runs each case with utils.setGcMode('throughput')
// (MYELIN_GC in its environment: V8's flag set at run time, as a script sets it).
//
// mlp: 784-128-10, batch 64, Adam (the M1 model); cnn: conv(1->16,3) relu maxpool conv(16->32,3)
// relu maxpool linear(800->10), batch 64 on 28x28, Adam. Each trains `warmup` steps, then
// `steps` more on the same batches; RSS is read 10 times over the 500 steps before the middle and
// before the end of those steps, between two steps, as a training process runs (no forced
// collection), and growth is (median at the end - median at the middle) / median at the middle.
// --settle reads it after two forced full collections instead (the memory held without the
// garbage of the last steps); those collections are not what a training process does, and they
// change V8's sizing: each promotes what is alive, and the bytes promoted make V8 double its young
// generation (16 -> 32 MiB) sooner, inside the measured steps. workers: `rounds` rounds of
// `workers` workers, each loading myelin, training and terminated mid-step; growth is RSS after
// the last round minus after the first. Peak RSS is the process's VmHWM. Each case runs in its
// own process, at 1 thread.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants as perf, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const here = path.dirname(fileURLToPath(import.meta.url));
const distUrl = pathToFileURL(process.env.MYELIN_DIST ?? path.join(here, '../dist/index.js')).href;

function status(field) {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m[1]) / 1024; // MiB
}
const rss = () => status('VmRSS');
const peak = () => status('VmHWM');

/**
 * What the process holds now: RSS, V8's heap (and of it the young generation), the live tensor
 * buffers and the malloc heap. With settle, read after two full collections (the pause lets V8
 * finish freeing the buffers): the memory held without the garbage of the last steps.
 */
async function memorySample(settle) {
  if (settle) {
    for (let i = 0; i < 2; i++) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  const usage = process.memoryUsage();
  return {
    rss: rss(),
    v8: usage.heapTotal / 2 ** 20,
    newSpace: (newSpace?.space_size ?? 0) / 2 ** 20,
    // The tensors' buffers that are alive (and, without settle, the dead ones V8 has not freed
    // yet), and the malloc heap that holds them with the free memory malloc keeps for the next
    // steps' buffers (Linux's [heap] mapping: glibc's main arena).
    liveBuffers: usage.arrayBuffers / 2 ** 20,
    mallocHeap: mallocHeapMiB(),
  };
}

/** Resident MiB of the process's [heap] mapping (the main malloc arena), or NaN where there is none. */
function mallocHeapMiB() {
  let maps;
  try {
    maps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return Number.NaN;
  }
  const at = maps.indexOf('[heap]');
  if (at < 0) return Number.NaN;
  const m = /\nRss:\s+(\d+) kB/.exec(maps.slice(at));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/**
 * Counts V8's collections from now on, apart from the forced ones of --settle. Mark-compacts
 * in a training loop decide when V8 grows its young generation (it grows once the bytes that
 * survived collections since its last growth exceed its size), which is a step of V8's heap.
 */
function countCollections() {
  const counts = { scavenges: 0, markCompacts: 0 };
  const add = (list) => {
    for (const e of list.getEntries?.() ?? list) {
      if (e.detail.flags & perf.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
      if (e.detail.kind === perf.NODE_PERFORMANCE_GC_MINOR) counts.scavenges++;
      else if (e.detail.kind === perf.NODE_PERFORMANCE_GC_MAJOR) counts.markCompacts++;
    }
  };
  const observer = new PerformanceObserver(add);
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    add(observer.takeRecords());
    observer.disconnect();
    return counts;
  };
}

function makeModel(m, kind) {
  const { nn } = m;
  if (kind === 'mlp') return new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(800, 10),
  );
}

/** Trains `kind`; calls onStep(step) after each step. */
function trainer(m, kind) {
  m.manualSeed(0);
  const model = makeModel(m, kind);
  const opt = new m.optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new m.nn.CrossEntropyLoss();
  const batches = Array.from({ length: 8 }, (_, i) => ({
    x: kind === 'mlp' ? m.randn([64, 784]) : m.randn([64, 1, 28, 28]),
    y: m.tensor(new Int32Array(64).map((_, j) => (i * 7 + j) % 10)),
  }));
  let step = 0;
  return () => {
    const { x, y } = batches[step++ % batches.length];
    const loss = lossFn.call(model.call(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

async function training(kind, warmup, steps, settle) {
  const m = await import(distUrl);
  m.setNumThreads(1);
  const step = trainer(m, kind);
  for (let i = 0; i < warmup; i++) step();
  // RSS is sampled every `every` steps over the last `window` steps before the middle and before
  // the end; each point is the median of its samples.
  const window = Math.min(500, steps / 2);
  const every = window / 10;
  const samples = { middle: [], end: [] };
  const collections = countCollections();
  let ms = 0;
  for (let i = 1; i <= steps; i++) {
    const t0 = performance.now();
    step();
    ms += performance.now() - t0;
    const half = i <= steps / 2 ? 'middle' : 'end';
    const toEnd = (half === 'middle' ? steps / 2 : steps) - i;
    if (toEnd < window && toEnd % every === 0) samples[half].push(await memorySample(settle));
  }
  ms /= steps;
  // The collections' entries reach the observer from the event loop.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const gcs = collections();
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const middle = median(samples.middle.map((x) => x.rss));
  const end = median(samples.end.map((x) => x.rss));
  // V8's own heap (JavaScript objects), apart from the rest (malloc: tensor buffers and scratch).
  const v8Middle = median(samples.middle.map((x) => x.v8));
  const v8End = median(samples.end.map((x) => x.v8));
  return {
    case: kind,
    sampling: settle ? 'after two forced full collections' : 'between steps',
    warmup,
    steps,
    msPerStep: ms,
    rssMiddleMiB: middle,
    rssEndMiB: end,
    rssSamplesMiB: { middle: samples.middle.map((x) => x.rss), end: samples.end.map((x) => x.rss) },
    v8HeapMiddleMiB: v8Middle,
    v8HeapEndMiB: v8End,
    v8NewSpaceMiB: {
      middle: median(samples.middle.map((x) => x.newSpace)),
      end: median(samples.end.map((x) => x.newSpace)),
    },
    liveBuffersMiB: {
      middle: median(samples.middle.map((x) => x.liveBuffers)),
      end: median(samples.end.map((x) => x.liveBuffers)),
    },
    mallocHeapMiB: {
      middle: median(samples.middle.map((x) => x.mallocHeap)),
      end: median(samples.end.map((x) => x.mallocHeap)),
    },
    collections: gcs,
    growthPct: ((end - middle) / middle) * 100,
    growthOutsideV8Pct: ((end - v8End - (middle - v8Middle)) / (middle - v8Middle)) * 100,
    peakMiB: peak(),
    gcMode: m.utils.getGcMode?.() ?? 'default',
  };
}

async function workers(rounds, perRound) {
  const after = [];
  for (let r = 0; r < rounds; r++) {
    const ws = Array.from(
      { length: perRound },
      () => new Worker(fileURLToPath(import.meta.url), { workerData: { distUrl } }),
    );
    // Terminate each once it has trained a few steps and is inside the next one.
    await Promise.all(
      ws.map(
        (w) =>
          new Promise((resolve, reject) => {
            w.once('error', reject);
            w.once('message', () => setTimeout(() => w.terminate().then(resolve, reject), 5));
          }),
      ),
    );
    if (globalThis.gc) globalThis.gc();
    after.push(rss());
  }
  return {
    case: 'workers',
    rounds,
    perRound,
    rssAfterFirstMiB: after[0],
    rssAfterLastMiB: after.at(-1),
    growthMiB: after.at(-1) - after[0],
    peakMiB: peak(),
  };
}

async function workerMain() {
  const m = await import(workerData.distUrl);
  const step = trainer(m, 'mlp');
  for (let i = 0; i < 5; i++) step();
  parentPort.postMessage('training');
  for (;;) step(); // until terminated
}

if (!isMainThread) {
  await workerMain();
} else if (process.env.MYELIN_MEMORY_CASE) {
  const [name, a, b, settle] = process.env.MYELIN_MEMORY_CASE.split(',');
  const out =
    name === 'workers'
      ? await workers(Number(a), Number(b))
      : await training(name, Number(a), Number(b), settle === 'settle');
  process.stdout.write(JSON.stringify(out));
} else {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      steps: { type: 'string', default: '10000' },
      warmup: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '30' },
      workers: { type: 'string', default: '4' },
      json: { type: 'boolean', default: false },
      settle: { type: 'boolean', default: false },
      'node-flag': { type: 'string', multiple: true, default: [] },
      gc: { type: 'string' },
    },
  });
  const cases = positionals.length ? positionals : ['mlp', 'cnn', 'workers'];
  const results = [];
  for (const c of cases) {
    const spec =
      c === 'workers'
        ? `workers,${values.rounds},${values.workers}`
        : `${c},${values.warmup},${values.steps},${values.settle ? 'settle' : 'steps'}`;
    const out = spawnSync(process.execPath, ['--expose-gc', ...values['node-flag'], fileURLToPath(import.meta.url)], {
      env: {
        ...process.env,
        MYELIN_MEMORY_CASE: spec,
        MYELIN_NUM_THREADS: '1',
        ...(values.gc === undefined ? {} : { MYELIN_GC: values.gc }),
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (out.status !== 0) throw new Error(`bench/memory.mjs: case ${c} failed (${out.status ?? out.signal})`);
    const r = JSON.parse(out.stdout);
    results.push(r);
    if (!values.json) {
      const f = (x) => x.toFixed(1);
      const pct = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;
      const range = (xs) => `${f(Math.min(...xs))}..${f(Math.max(...xs))}`;
      if (c === 'workers')
        console.log(
          `workers: ${r.rounds} rounds of ${r.perRound} terminated mid-step: RSS ${f(r.rssAfterFirstMiB)} -> ${f(r.rssAfterLastMiB)} MiB (+${f(r.growthMiB)} MiB), peak ${f(r.peakMiB)} MiB`,
        );
      else
        console.log(
          `${c}: ${r.steps} steps after ${r.warmup} warm-up, ${f(r.msPerStep * 1000)} us/step: RSS (${r.sampling}) at step ${r.steps / 2} ${f(r.rssMiddleMiB)} MiB (${range(r.rssSamplesMiB.middle)}), at ${r.steps} ${f(r.rssEndMiB)} MiB (${range(r.rssSamplesMiB.end)}) (${pct(r.growthPct)}; V8's heap ${f(r.v8HeapMiddleMiB)} -> ${f(r.v8HeapEndMiB)} MiB, of it new space ${f(r.v8NewSpaceMiB.middle)} -> ${f(r.v8NewSpaceMiB.end)}; the rest ${pct(r.growthOutsideV8Pct)}; malloc heap ${f(r.mallocHeapMiB.middle)} -> ${f(r.mallocHeapMiB.end)} MiB for ${f(r.liveBuffersMiB.middle)} -> ${f(r.liveBuffersMiB.end)} MiB of live tensor buffers), peak ${f(r.peakMiB)} MiB; GC mode ${r.gcMode}; V8 collected ${r.collections.scavenges} times young, ${r.collections.markCompacts} times in full`,
        );
    }
  }
  if (values.json) console.log(JSON.stringify(results, null, 1));
}
