// E1: the elementwise and reduction kernels on 16 MiB fp32 arrays, in GB/s at each
// thread count, next to the STREAM-triad bandwidth measured in the same run. Bytes counted as
// STREAM does: every array read or written once, no write-allocate traffic (add: 12 B/element,
// unary: 8, reductions: 4). Target: a large add reaches >= 80% of triad bandwidth.
import { startTriadServer } from '../lib/limits.js';
import { BinaryOp, ReduceOp, UnaryOp, native } from '../lib/native.js';
import { triad as triadRoof } from '../lib/roof.js';
import { median, secondsPerCall } from '../lib/timing.js';

export const id = 'E1';
export const title = 'elementwise and reduction kernels, fp32, GB/s next to STREAM triad';

const MiB = 1 << 20;
const SMALL = 16 * MiB; // the 16 MiB array
const LARGE = 128 * MiB; // STREAM-sized (4x the 32 MiB L3 of the reference machine)

function filled(n, seed) {
  const a = new Float32Array(n); // fill() touches every page: no lazily mapped zero pages
  for (let i = 0; i < n; i++) a[i] = ((i * 2654435761 + seed) % 1000) / 500 - 1;
  return a;
}

/** The cases: [name, bytes per array, bytes moved, fn] for the kernels this addon exports. */
function cases() {
  const list = [];
  for (const bytes of [SMALL, LARGE]) {
    const n = bytes / 4;
    const a = filled(n, 1),
      b = filled(n, 2),
      out = filled(n, 3);
    for (const op of bytes === SMALL ? ['add', 'mul'] : ['add']) {
      list.push({
        name: `${op} ${bytes / MiB} MiB`,
        bytes,
        moved: 12 * n,
        fn: () => native.binary(BinaryOp[op], [n], out, 0, [1], a, 0, [1], b, 0, [1]),
        check: () => {
          native.binary(BinaryOp[op], [n], out, 0, [1], a, 0, [1], b, 0, [1]);
          const i = n - 3,
            want = op === 'add' ? Math.fround(a[i] + b[i]) : Math.fround(a[i] * b[i]);
          if (out[i] !== want) throw new Error(`E1: ${op} gave ${out[i]} at ${i}, want ${want}`);
        },
      });
    }
  }
  const n = SMALL / 4;
  const x = filled(n, 4),
    y = filled(n, 5);
  if (typeof native.unary === 'function') {
    for (const op of ['neg', 'relu', 'exp', 'tanh', 'sigmoid']) {
      list.push({
        name: `unary ${op} 16 MiB`,
        bytes: SMALL,
        moved: 8 * n,
        fn: () => native.unary(UnaryOp[op], [n], y, 0, [1], x, 0, [1]),
      });
    }
  }
  if (typeof native.reduce === 'function') {
    const one = new Float32Array(1),
      rows = new Float32Array(4096);
    for (const op of ['sum', 'max']) {
      list.push({
        name: `reduce ${op} all 16 MiB`,
        bytes: SMALL,
        moved: 4 * n,
        fn: () => native.reduce(ReduceOp[op], [n], x, 0, [1], [0], one),
      });
    }
    list.push({
      name: 'reduce sum rows [4096,1024]',
      bytes: SMALL,
      moved: 4 * n,
      fn: () => native.reduce(ReduceOp.sum, [4096, 1024], x, 0, [1024, 1], [1], rows),
    });
    list.push({
      name: 'reduce sum cols [4096,1024]',
      bytes: SMALL,
      moved: 4 * n,
      fn: () => native.reduce(ReduceOp.sum, [4096, 1024], x, 0, [1024, 1], [0], rows.subarray(0, 1024)),
    });
  }
  if (typeof native.argReduce === 'function') {
    const idx = new Int32Array(4096);
    list.push({
      name: 'argmax rows [4096,1024]',
      bytes: SMALL,
      moved: 4 * n,
      fn: () => native.argReduce(0, [4096, 1024], x, 0, [1024, 1], 1, null, idx),
    });
  }
  return list;
}

// Each kernel sample is bracketed by two triad samples (limits --serve keeps the triad arrays
// allocated), and its ratio is taken against their mean: on a shared machine the load drifts,
// and both then see the same. Values are medians over the rounds.
export async function run({ threads, rounds = 9 }) {
  const list = cases();
  const server = await startTriadServer(LARGE);
  const triadSamples = new Map(); // "bytes|threads" -> GB/s samples
  const figures = []; // { name, t, bytes, gbs: [], ratio: [] } in table order
  const figure = (name, t, bytes, moved) => {
    let f = figures.find((x) => x.name === name && x.t === t);
    if (!f) figures.push((f = { name, t, bytes, moved, gbs: [], ratio: [] }));
    return f;
  };
  const triad = async (t, bytes) => {
    const v = median(await server.triad(t, bytes, 3));
    const key = `${bytes}|${t}`;
    triadSamples.set(key, [...(triadSamples.get(key) ?? []), v]);
    return v;
  };
  const before = native.getNumThreads();
  try {
    for (const t of threads)
      for (const bytes of [SMALL, LARGE]) figure(`STREAM triad ${bytes / MiB} MiB`, t, bytes, 3 * bytes);
    for (let r = 0; r < rounds; r++) {
      for (const t of threads) {
        native.setNumThreads(t);
        for (const c of list) {
          if (r === 0) c.check?.();
          const t0 = await triad(t, c.bytes);
          const gbs = (c.moved / secondsPerCall(c.fn, { warmup: 2, samples: 3, callsPerSample: 4 })) * 1e-9;
          const t1 = await triad(t, c.bytes);
          const f = figure(c.name, t, c.bytes, c.moved);
          f.gbs.push(gbs);
          f.ratio.push(gbs / (0.5 * (t0 + t1)));
        }
      }
    }
  } finally {
    native.setNumThreads(before);
    server.close();
  }
  for (const f of figures) if (f.name.startsWith('STREAM')) f.gbs = triadSamples.get(`${f.bytes}|${f.t}`);
  return figures.map((f) => ({
    case: f.name,
    threads: f.t,
    value: median(f.gbs),
    unit: 'GB/s',
    roof: triadRoof(f.moved),
    note: f.ratio.length
      ? `${(100 * median(f.ratio)).toFixed(0)}% of triad ${f.bytes / MiB} MiB`
      : `${f.gbs.length} samples`,
  }));
}
