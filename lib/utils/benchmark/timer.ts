// Timer: PyTorch's torch.utils.benchmark.Timer for a JavaScript function. The algorithms are
// PyTorch 1.13's: a block size grown by tens until the clock's overhead is at most 1e-4 of a
// block (blockedAutorange), blocks repeated until a minimum time has passed, and for
// adaptiveAutorange until the interquartile range is under a threshold of the median.
import { withNumThreads } from '../../backend.js';
import { checkOptions, describe, optionKeys, rangeError, typeError } from '../../errors.js';
import { Measurement, quantile, sourceOf, type TaskSpec } from './common.js';

/** The statement's and setup's argument: the `globals` object given to the Timer. */
export type Globals = Record<string, unknown>;

/** Timer's options: PyTorch's constructor arguments in camelCase. */
export interface TimerOptions {
  /**
   * The statement to time, called with `globals`. JavaScript has no exec strings, so where
   * PyTorch takes code as a string this is a function; it must be synchronous (a returned
   * Promise is refused: its work would not be timed).
   */
  stmt: (globals: Globals) => unknown;
  /** Run (untimed, with `globals`) before each timed block, as PyTorch's setup. */
  setup?: (globals: Globals) => unknown;
  /** The object passed to stmt and setup (PyTorch's globals). */
  globals?: Globals;
  /** The clock in seconds; default the monotonic process.hrtime. For tests and custom clocks. */
  timer?: () => number;
  /** What the statement is, for printing (PyTorch's label): groups Compare's tables. */
  label?: string;
  /** Tells apart measurements of one label: Compare's rows. */
  subLabel?: string;
  /** Tells apart measurements of one label and subLabel (an input size): Compare's columns. */
  description?: string;
  /** The environment a measurement ran in (A/B runs): Compare keeps each env on its own rows. */
  env?: string;
  /** The pool's thread count while timing (restored after); default 1, as PyTorch's. */
  numThreads?: number;
}

/** blockedAutorange's options. */
export interface BlockedAutorangeOptions {
  /** Seconds to keep timing blocks for (default 0.2). */
  minRunTime?: number;
  /** Called after each block with (calls in the block, seconds it took). */
  callback?: (number: number, seconds: number) => void;
}

/** adaptiveAutorange's options. */
export interface AdaptiveAutorangeOptions {
  /** Stop once IQR / median is under this (default 0.1). */
  threshold?: number;
  /** Time at least this many seconds (default 0.01). */
  minRunTime?: number;
  /** Stop after this many seconds even if the spread is still larger (default 10). */
  maxRunTime?: number;
  /** Called after each block with (calls in the block, seconds it took). */
  callback?: (number: number, seconds: number) => void;
}

const TIMER_KEYS = optionKeys<TimerOptions>({
  stmt: 'function',
  setup: 'function',
  globals: 'object',
  timer: 'function',
  label: 'string',
  subLabel: 'string',
  description: 'string',
  env: 'string',
  numThreads: 'integer',
});

const origin = process.hrtime.bigint();
/** Seconds on the monotonic clock since this module loaded (nanoseconds kept exact in a double). */
function monotonicSeconds(): number {
  return Number(process.hrtime.bigint() - origin) * 1e-9;
}

function checkSeconds(op: string, name: string, v: unknown, positive: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0))
    throw rangeError(
      op,
      `${name} must be a finite ${positive ? 'positive' : 'non-negative'} number, got ${describe(v)}`,
    );
  return v;
}

/**
 * Times a function as PyTorch's `torch.utils.benchmark.Timer` times a statement: warm-up, the
 * pool's thread count set for the run (`numThreads`, default 1) and restored after, times from
 * a monotonic clock, results as a {@link Measurement}. Where PyTorch takes `stmt` and `setup`
 * as strings of code, this takes functions (JavaScript has no exec strings); they receive
 * `globals`.
 *
 * ```ts
 * const x = randn([256, 256]);
 * const m = new utils.benchmark.Timer({ stmt: () => x.matmul(x), label: 'matmul', description: '256' })
 *   .blockedAutorange({ minRunTime: 1 });
 * console.log(m.toString());
 * ```
 * @throws TypeError naming `utils.benchmark.Timer` for a missing stmt, a wrong type or an unknown option;
 *   RangeError for numThreads outside 1..256
 */
export class Timer {
  /** What is measured, as each Measurement records it. */
  readonly taskSpec: TaskSpec;
  private readonly _stmt: (globals: Globals) => unknown;
  private readonly _setup: ((globals: Globals) => unknown) | undefined;
  private readonly _globals: Globals;
  private readonly _timer: () => number;

  constructor(options: TimerOptions) {
    const op = 'utils.benchmark.Timer';
    if (options === undefined || options === null)
      throw typeError(op, 'takes an options object with stmt (a function), got nothing');
    const o = checkOptions(op, options, TIMER_KEYS);
    if (typeof o.stmt !== 'function') throw typeError(op, `stmt must be a function, got ${describe(o.stmt)}`);
    const numThreads = o.numThreads ?? 1;
    if (numThreads < 1 || numThreads > 256) throw rangeError(op, `numThreads must be in 1..256, got ${numThreads}`);
    this._stmt = o.stmt;
    this._setup = o.setup ?? undefined;
    this._globals = o.globals ?? {};
    this._timer = o.timer ?? monotonicSeconds;
    this.taskSpec = {
      stmt: sourceOf(o.stmt),
      setup: sourceOf(o.setup ?? undefined),
      label: o.label ?? undefined,
      subLabel: o.subLabel ?? undefined,
      description: o.description ?? undefined,
      env: o.env ?? undefined,
      numThreads,
    };
  }

  /** Runs setup, then `number` calls of stmt; their seconds (at least 1 ns, as PyTorch). */
  private _timeOnce(number: number): number {
    const stmt = this._stmt;
    const globals = this._globals;
    this._setup?.(globals);
    const t0 = this._timer();
    for (let i = 0; i < number; i++) {
      const r = stmt(globals);
      if (i === 0 && r instanceof Promise) {
        r.catch(() => {});
        throw typeError('utils.benchmark.Timer', 'stmt returned a Promise: time synchronous work only');
      }
    }
    const seconds = this._timer() - t0;
    if (!Number.isFinite(seconds)) throw rangeError('utils.benchmark.Timer', `the timer gave ${seconds} seconds`);
    return Math.max(seconds, 1e-9);
  }

  /**
   * `number` calls of stmt timed as one run, after a warm-up of number / 100 calls (at least 2):
   * PyTorch's `Timer.timeit` (default 1,000,000).
   * @throws RangeError naming `Timer.timeit` unless number is a positive integer
   */
  timeit(number = 1_000_000): Measurement {
    if (!Number.isInteger(number) || number < 1)
      throw rangeError('utils.benchmark.Timer.timeit', `number must be a positive integer, got ${describe(number)}`);
    return withNumThreads(this.taskSpec.numThreads, () => {
      this._timeOnce(Math.max(Math.floor(number / 100), 2));
      return new Measurement(number, [this._timeOnce(number)], this.taskSpec);
    });
  }

  /**
   * The block size: grown by tens from 1 until the clock's overhead (the median of 5 empty
   * runs) is at most 1e-4 of a block and a block takes minRunTime / 1000, or a block alone
   * takes minRunTime. Its runs are the warm-up.
   */
  private _estimateBlockSize(minRunTime: number): number {
    const overheads = Array.from({ length: 5 }, () => this._timeOnce(0)).sort((a, b) => a - b);
    const overhead = quantile(overheads, 0.5);
    let number = 1;
    for (;;) {
      const taken = this._timeOnce(number);
      if (overhead / taken <= 1e-4 && taken >= minRunTime / 1000) break;
      if (taken > minRunTime || number * 10 > 2147483647) break;
      number *= 10;
    }
    return number;
  }

  /** Times blocks of `number` calls until minRunTime has passed and canStop says so, or maxRunTime has. */
  private _measure(
    number: number,
    canStop: (times: number[]) => boolean,
    minRunTime: number,
    maxRunTime: number | undefined,
    callback: ((number: number, seconds: number) => void) | undefined,
  ): number[] {
    const times: number[] = [];
    let total = 0;
    let stop = false;
    while (total < minRunTime || !stop) {
      const spent = this._timeOnce(number);
      times.push(spent);
      total += spent;
      callback?.(number, spent);
      stop = canStop(times);
      if (maxRunTime && total > maxRunTime) break;
    }
    return times;
  }

  /**
   * Blocks of calls timed until `minRunTime` seconds (default 0.2) have passed; the block size
   * makes the clock's overhead negligible (PyTorch's `Timer.blocked_autorange`).
   * @throws TypeError/RangeError naming `Timer.blockedAutorange` for a bad option
   */
  blockedAutorange(options?: BlockedAutorangeOptions): Measurement {
    const op = 'utils.benchmark.Timer.blockedAutorange';
    const o = checkOptions(
      op,
      options,
      optionKeys<BlockedAutorangeOptions>({ minRunTime: 'number', callback: 'function' }),
    );
    const minRunTime = checkSeconds(op, 'minRunTime', o.minRunTime ?? 0.2, true);
    return withNumThreads(this.taskSpec.numThreads, () => {
      const number = this._estimateBlockSize(minRunTime);
      const times = this._measure(number, () => true, minRunTime, undefined, o.callback ?? undefined);
      return new Measurement(number, times, this.taskSpec);
    });
  }

  /**
   * Blocks of calls timed until IQR / median is under `threshold` (default 0.1) with more than
   * 3 blocks and at least `minRunTime` seconds (default 0.01), or until `maxRunTime` seconds
   * (default 10) have passed; blocks sized as blockedAutorange's for 0.05 s (PyTorch's
   * `Timer.adaptive_autorange`).
   * @throws TypeError/RangeError naming `Timer.adaptiveAutorange` for a bad option
   */
  adaptiveAutorange(options?: AdaptiveAutorangeOptions): Measurement {
    const op = 'utils.benchmark.Timer.adaptiveAutorange';
    const o = checkOptions(
      op,
      options,
      optionKeys<AdaptiveAutorangeOptions>({
        threshold: 'number',
        minRunTime: 'number',
        maxRunTime: 'number',
        callback: 'function',
      }),
    );
    const threshold = checkSeconds(op, 'threshold', o.threshold ?? 0.1, true);
    const minRunTime = checkSeconds(op, 'minRunTime', o.minRunTime ?? 0.01, false);
    const maxRunTime = checkSeconds(op, 'maxRunTime', o.maxRunTime ?? 10, true);
    return withNumThreads(this.taskSpec.numThreads, () => {
      const number = this._estimateBlockSize(0.05);
      const times = this._measure(
        number,
        (t) => t.length > 3 && new Measurement(number, t, this.taskSpec).meetsConfidence(threshold),
        minRunTime,
        maxRunTime,
        o.callback ?? undefined,
      );
      return new Measurement(number, times, this.taskSpec);
    });
  }
}
