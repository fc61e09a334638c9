// limits(): this machine's roofs, measured by the addon's own loops on the dispatched ISA, so a
// user's figure can be read as a percentage of the FMA peak or of the memory bandwidth.
import { getNumThreads, withNumThreads } from '../../backend.js';
import { checkOptions, optionKeys, rangeError } from '../../errors.js';
import { type Isa, native } from '../../native.js';
import { quantile } from './common.js';

/** limits()'s options. */
export interface LimitsOptions {
  /** Measure the FMA peak (default true). */
  fma?: boolean;
  /** Measure the STREAM triad (default true). */
  triad?: boolean;
  /** Threads for the "all threads" figures (1..256); default the pool's current count. */
  threads?: number;
  /** Bytes of each of the triad's three arrays (default 128 MiB: far past the caches). */
  triadBytes?: number;
  /** Samples of each figure (1..100, default 9); medians and bests are over them. */
  reps?: number;
}

/** A rate's median and best over the samples. */
export interface Rate {
  /** The median sample. */
  median: number;
  /** The fastest sample. */
  best: number;
}

/** A figure on one thread and on all of them. */
export interface PerThreads {
  /** On one thread (one core). */
  perCore: Rate;
  /** On `threads` threads together. */
  threads: Rate;
}

/** The fields every limits() result has. */
export interface LimitsBase {
  /** The ISA whose loops ran (backendInfo().isa: the widest this CPU and MYELIN_ISA allow). */
  isa: Isa;
  /** The thread count of the `threads` figures. */
  threads: number;
}

/** limits({ triad: false })'s result: the FMA peak only. */
export interface FmaLimits extends LimitsBase {
  /** Peak fp32 multiply-add throughput in GFLOP/s. */
  fmaGflops: PerThreads;
}

/** limits({ fma: false })'s result: the triad only. */
export interface TriadLimits extends LimitsBase {
  /** STREAM triad bandwidth in GB/s (12 bytes an element: two reads, one write). */
  triadGBs: PerThreads;
  /** Bytes of each triad array. */
  triadBytes: number;
}

/** What limits() measured with both figures (the default). */
export interface MachineLimits extends FmaLimits, TriadLimits {}

const MAX_ITERS = 2 ** 26;

function rate(samples: number[]): Rate {
  const s = [...samples].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), best: s[s.length - 1] };
}

/** Iterations of the FMA loop that take about 80 ms on one thread (at most 2^26). */
function fmaIterations(): number {
  let iters = 1024;
  while (iters < MAX_ITERS && native.fmaPeakRun(1, iters).seconds < 0.02) iters *= 2;
  return Math.min(iters * 4, MAX_ITERS);
}

function fmaRate(threads: number, iters: number, reps: number): Rate {
  const g: number[] = [];
  for (let r = 0; r < reps; r++) {
    const { seconds, flops } = native.fmaPeakRun(threads, iters);
    g.push(flops / seconds / 1e9);
  }
  return rate(g);
}

function triadRate(threads: number, a: Float32Array, b: Float32Array, c: Float32Array, reps: number): Rate {
  native.triadRun(threads, a, b, c); // warm-up pass
  const g: number[] = [];
  for (let r = 0; r < reps; r++) g.push((12 * a.length) / native.triadRun(threads, a, b, c) / 1e9);
  return rate(g);
}

/** A figure on one thread and on `threads` (one measurement when `threads` is 1). */
function perThreads(threads: number, measure: (t: number) => Rate): PerThreads {
  const perCore = measure(1);
  return { perCore, threads: threads === 1 ? perCore : measure(threads) };
}

/**
 * Measures this machine's limits, the roofs a figure is read against (workload L1 of myelin's
 * benches): the peak fp32 multiply-add rate (register-only chains of the widest FMA the
 * dispatched ISA has: AVX-512, AVX2, NEON; a multiply and an add on the scalar path) and the
 * STREAM triad bandwidth `a[i] = b[i] + s * c[i]`, each on one thread and on `threads` (at
 * `threads` = 1 the two are the same measurement). `fma: false` or `triad: false` skips a figure
 * (its fields are then absent). Has no PyTorch counterpart. Takes a second or two; the pool is set to each thread count while it
 * measures and restored after. On a shared machine the figures move with the load: read
 * `best` beside `median`.
 *
 * ```ts
 * const roof = utils.benchmark.limits();
 * const m = new utils.benchmark.Timer({ stmt: () => a.matmul(b) }).blockedAutorange();
 * console.log(`${((2 * n ** 3) / m.median / 1e9 / roof.fmaGflops.perCore.median * 100).toFixed(0)}% of peak`);
 * ```
 * @throws TypeError/RangeError naming `utils.benchmark.limits` for a bad option, or when both
 *   figures are turned off
 */
export function limits(options: LimitsOptions & { fma: false }): TriadLimits;
export function limits(options: LimitsOptions & { triad: false }): FmaLimits;
export function limits(options?: LimitsOptions): MachineLimits;
export function limits(options?: LimitsOptions): FmaLimits | TriadLimits | MachineLimits {
  const op = 'utils.benchmark.limits';
  const o = checkOptions(
    op,
    options,
    optionKeys<LimitsOptions>({
      fma: 'boolean',
      triad: 'boolean',
      threads: 'integer',
      triadBytes: 'integer',
      reps: 'integer',
    }),
  );
  const fma = o.fma ?? true;
  const triad = o.triad ?? true;
  if (!fma && !triad) throw rangeError(op, 'fma and triad are both false: nothing to measure');
  const threads = o.threads ?? getNumThreads();
  if (threads < 1 || threads > 256) throw rangeError(op, `threads must be in 1..256, got ${threads}`);
  const triadBytes = o.triadBytes ?? 128 * 2 ** 20;
  if (triadBytes < 64 || triadBytes > 2 ** 32)
    throw rangeError(op, `triadBytes must be in 64..2^32, got ${triadBytes}`);
  const reps = o.reps ?? 9;
  if (reps < 1 || reps > 100) throw rangeError(op, `reps must be in 1..100, got ${reps}`);

  return withNumThreads(threads, () => {
    const base: LimitsBase = { isa: native.backendInfo().isa, threads };
    const iters = fma ? fmaIterations() : 0;
    const fmaPart = fma ? { fmaGflops: perThreads(threads, (t) => fmaRate(t, iters, reps)) } : {};
    if (!triad) return { ...base, ...fmaPart } as FmaLimits;
    const n = Math.floor(triadBytes / 4);
    const a = new Float32Array(n);
    const b = new Float32Array(n).fill(1);
    const c = new Float32Array(n).fill(2);
    const triadGBs = perThreads(threads, (t) => triadRate(t, a, b, c, reps));
    return { ...base, ...fmaPart, triadGBs, triadBytes: n * 4 };
  });
}
