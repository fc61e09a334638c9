// The roof of each benchmark row: which machine limit bounds it, and its work per call, so
// `npm run bench` can print the row's figure as a percentage of that limit. Every row a workload
// returns carries `roof`, made here next to the case that it describes; run.js refuses a row
// without one.
//   fma(flops)     compute-bound: fp32 FLOPs of one call (one step, one run) against the FMA
//                  peak at the row's thread count
//   triad(bytes)   bandwidth-bound: bytes read and written by one call (STREAM's counting: each
//                  array once, no write-allocate traffic) against the STREAM triad
//   overhead(ops)  per-op overhead: native calls an op needs at least (per the row's us/op
//                  figure) against the overhead floor: the median time of the cheapest call into
//                  the addon, native.getNumThreads() (one N-API crossing, no work). Not a
//                  1-element add: the binding's binary entry checks eleven arguments and takes
//                  longer than a whole small tensor op, which runs tiny tensors in TypeScript.
//   none(why)      no roof (L1's rows are the roofs themselves)
import { myelin } from './myelin.js';
import { native } from './native.js';
import { secondsPerCall } from './timing.js';

export const fma = (flops) => ({ kind: 'fma', flops });
export const triad = (bytes) => ({ kind: 'triad', bytes });
export const overhead = (ops = 1) => ({ kind: 'overhead', ops });
export const none = (why) => ({ kind: 'none', why });

/** FLOPs of a linear layer's forward on `batch` rows (2 a multiply-add). */
export const linearFlops = (batch, inF, outF) => 2 * batch * inF * outF;

/** FLOPs of a stride-1 'same' conv2d's forward: n images, c -> oc channels, h x w output, k x k. */
export const convFlops = (n, c, oc, h, w, k) => 2 * n * oc * h * w * c * k * k;

/**
 * FLOPs of a training step over layers [{ flops, inputGrad }] (forward FLOPs each): forward,
 * then the weight gradient (as many again) and, where the layer's input needs a gradient, the
 * input gradient (as many again). The elementwise work (activations, loss, optimizer) is left
 * out: it is bandwidth work, a few percent of these layers' FLOPs.
 */
export function trainFlops(layers) {
  return layers.reduce((sum, l) => sum + l.flops * (l.inputGrad ? 3 : 2), 0);
}

/** Seconds of one call (of `roof`'s work) from a row's value and unit. */
function secondsPerUnit(row) {
  switch (row.unit) {
    case 'ms':
      return row.value * 1e-3;
    case 's':
      return row.value;
    case 'us/op':
      return row.value * 1e-6;
    case 'steps/s':
      return 1 / row.value;
    case 'GB/s':
      return row.roof.bytes / (row.value * 1e9);
    default:
      throw new Error(`bench: ${row.workload} '${row.case}': no time in unit ${row.unit}`);
  }
}

/** The median seconds of the cheapest call into the addon (getNumThreads) at `threads` threads. */
export function overheadFloor(threads) {
  const before = native.getNumThreads();
  native.setNumThreads(threads);
  try {
    return secondsPerCall(() => native.getNumThreads(), { warmup: 1000, samples: 11, callsPerSample: 1000 });
  } finally {
    native.setNumThreads(before);
  }
}

/** Throws unless every row declares a roof (a new workload cannot skip it). */
export function checkRoofs(rows) {
  for (const r of rows) {
    if (!r.roof || !['fma', 'triad', 'overhead', 'none'].includes(r.roof.kind))
      throw new Error(
        `bench: ${r.workload} '${r.case}' declares no roof: give the row roof: fma(flops), triad(bytes), overhead(ops) or none(why) (bench/lib/roof.js)`,
      );
  }
}

/**
 * The machine's limits for the rows' roofs, measured once at each thread count the run used
 * (the FMA peak and the triad only when some row needs them): { fma: {t: GFLOP/s},
 * triad: {t: GB/s}, overheadSeconds: {t: s} }, medians.
 */
export function measureLimits(rows, threads) {
  const kinds = new Set(rows.map((r) => r.roof.kind));
  const want = { fma: kinds.has('fma'), triad: kinds.has('triad') };
  const out = { fma: {}, triad: {}, overheadSeconds: {} };
  if (want.fma || want.triad) {
    // One call at the largest count also gives the 1-thread figures (perCore).
    const max = Math.max(...threads);
    const at = (t) => myelin.utils.benchmark.limits({ ...want, threads: t });
    const top = at(max);
    for (const t of threads) {
      const [r, which] = t === max ? [top, 'threads'] : t === 1 ? [top, 'perCore'] : [at(t), 'threads'];
      if (want.fma) out.fma[t] = r.fmaGflops[which].median;
      if (want.triad) out.triad[t] = r.triadGBs[which].median;
    }
  }
  if (kinds.has('overhead')) for (const t of threads) out.overheadSeconds[t] = overheadFloor(t);
  return out;
}

/** Adds roof.limit (GFLOP/s, GB/s or seconds) and roof.percent to each row. */
export function applyRoofs(rows, limits) {
  for (const r of rows) {
    const roof = r.roof;
    if (roof.kind === 'none') continue;
    const s = secondsPerUnit(r);
    if (roof.kind === 'fma') {
      roof.limit = limits.fma[r.threads];
      roof.percent = (100 * roof.flops) / s / 1e9 / roof.limit;
    } else if (roof.kind === 'triad') {
      roof.limit = limits.triad[r.threads];
      roof.percent = (100 * roof.bytes) / s / 1e9 / roof.limit;
    } else {
      roof.limit = limits.overheadSeconds[r.threads];
      roof.percent = (100 * roof.limit * roof.ops) / s;
    }
  }
}

/** The table cell: "62% FMA", "71% triad", "35% floor", "-". */
export function roofCell(roof) {
  if (roof.percent === undefined) return '-';
  const name = { fma: 'FMA', triad: 'triad', overhead: 'floor' }[roof.kind];
  return `${roof.percent.toFixed(roof.percent < 10 ? 1 : 0)}% ${name}`;
}

/** The measured limits in one line: "roofs: FMA peak 99.9 (1 thread), 190.0 (2) GFLOP/s; ...". */
export function roofsLine(limits) {
  const list = (byThreads, digits) =>
    Object.entries(byThreads)
      .map(([t, v], i) => `${v.toFixed(digits)} (${t}${i === 0 ? (t === '1' ? ' thread' : ' threads') : ''})`)
      .join(', ');
  const parts = [];
  if (Object.keys(limits.fma).length) parts.push(`FMA peak ${list(limits.fma, 1)} GFLOP/s`);
  if (Object.keys(limits.triad).length) parts.push(`STREAM triad 128 MiB ${list(limits.triad, 1)} GB/s`);
  const floor = Object.fromEntries(Object.entries(limits.overheadSeconds).map(([t, s]) => [t, s * 1e9]));
  if (Object.keys(floor).length) parts.push(`overhead floor (a bare native call) ${list(floor, 0)} ns`);
  return `roofs (medians): ${parts.join('; ') || 'none'}`;
}
