// What a Timer measured and the statistics over it, following torch.utils.benchmark's common.py:
// linear-interpolated quantiles (torch.quantile's default), the interquartile-range warnings and
// the significant-figure estimate that Compare trims to.
import { roundHalfEven } from '../../ops/rounding.js';
import { checkOptions, describe, optionKeys, rangeError, typeError } from '../../errors.js';

const MAX_SIGNIFICANT_FIGURES = 4;
const MIN_CONFIDENCE_INTERVAL = 25e-9; // 25 ns
const IQR_WARN_THRESHOLD = 0.1;
const IQR_GROSS_WARN_THRESHOLD = 0.25;

/** What a Timer was asked to measure: the fields a Measurement shows and Compare groups by. */
export interface TaskSpec {
  /** The statement's source text (the function as JavaScript prints it). */
  readonly stmt: string;
  /** The setup's source text ('' without one). */
  readonly setup: string;
  /** What the statement is (Compare's table). */
  readonly label?: string;
  /** Which variant of it (Compare's row). */
  readonly subLabel?: string;
  /** Which input (Compare's column). */
  readonly description?: string;
  /** Where it ran (A/B runs). */
  readonly env?: string;
  /** The pool's thread count while timing. */
  readonly numThreads: number;
}

const TASK_SPEC_KEYS = optionKeys<TaskSpec>({
  stmt: 'string',
  setup: 'string',
  label: 'string',
  subLabel: 'string',
  description: 'string',
  env: 'string',
  numThreads: 'integer',
});

/** A time unit and its size in seconds. */
export interface TimeUnit {
  /** 'ns', 'us', 'ms' or 's'. */
  unit: 'ns' | 'us' | 'ms' | 's';
  /** Seconds in one unit. */
  scale: number;
}

/** A sample's q-quantile (0..1) by linear interpolation between the order statistics, as torch.quantile. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** A time unit and its scale in seconds for a time of t seconds (PyTorch's select_unit). */
export function selectUnit(t: number): TimeUnit {
  if (typeof t !== 'number' || !(t > 0) || !Number.isFinite(t))
    throw rangeError('utils.benchmark.selectUnit', `t must be a finite positive number of seconds, got ${describe(t)}`);
  const k = Math.floor(Math.log10(t) / 3);
  if (k === -3) return { unit: 'ns', scale: 1e-9 };
  if (k === -2) return { unit: 'us', scale: 1e-6 };
  if (k === -1) return { unit: 'ms', scale: 1e-3 };
  return { unit: 's', scale: 1 };
}

/** 'us' -> 'microsecond'. */
export function unitToEnglish(unit: string): string {
  return { ns: 'nanosecond', us: 'microsecond', ms: 'millisecond', s: 'second' }[unit] ?? unit;
}

/** x rounded to n significant figures (3.14159, 2 -> 3.1), as PyTorch's trim_sigfig. */
export function trimSigfig(x: number, n: number): number {
  const op = 'utils.benchmark.trimSigfig';
  if (typeof x !== 'number' || !Number.isFinite(x))
    throw rangeError(op, `x must be a finite number, got ${describe(x)}`);
  if (!Number.isInteger(n) || n < 1) throw rangeError(op, `n must be a positive integer, got ${describe(n)}`);
  if (x === 0) return 0;
  const magnitude = Math.ceil(Math.log10(Math.abs(x)));
  const scale = 10 ** (magnitude - n);
  return roundHalfEven(x / scale) * scale;
}

/** A function's source on one line when it is one line, else dedented (what a Measurement prints for stmt). */
export function sourceOf(fn: ((...args: never[]) => unknown) | undefined): string {
  if (fn === undefined) return '';
  const lines = String(fn).split('\n');
  const indents = lines
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = indents.length ? Math.min(...indents) : 0;
  return [lines[0], ...lines.slice(1).map((l) => l.slice(Math.min(cut, /^ */.exec(l)?.[0].length ?? 0)))].join('\n');
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');

/** The measurement's heading: its label, else its statement (PyTorch's TaskSpec.title). */
function title(spec: TaskSpec): string {
  const sub = spec.subLabel ? `: ${spec.subLabel}` : '';
  if (spec.label !== undefined) return spec.label + sub;
  if (!spec.stmt.includes('\n')) return spec.stmt + sub;
  return `stmt:${spec.subLabel ? ` (${spec.subLabel})` : ''}\n${indent(spec.stmt)}`;
}

function summarize(spec: TaskSpec): string {
  const setup = !spec.setup ? '' : spec.setup.includes('\n') ? `setup:\n${indent(spec.setup)}` : `setup: ${spec.setup}`;
  return [title(spec), spec.description ?? '', setup]
    .filter((s) => s)
    .map((s) => (s.includes('\n') ? `${s}\n` : s))
    .join('\n');
}

/**
 * The times of one statement: `numberPerRun` calls per timed run, `rawTimes` the seconds of each
 * run. PyTorch's `torch.utils.benchmark.Measurement`: per-call `times`, `median`, `mean`, `iqr`,
 * `significantFigures` (what Compare trims to), warnings when the interquartile range is 10%
 * (or 25%) of the median or more, and `toString()` printing as PyTorch's repr. Made by a
 * Timer; the constructor is public for measurements made elsewhere (merging, tests).
 */
export class Measurement {
  /** Calls of the statement in each timed run. */
  readonly numberPerRun: number;
  /** Seconds of each timed run (all `numberPerRun` calls). */
  readonly rawTimes: readonly number[];
  /** What was measured: statement, setup, labels, thread count. */
  readonly taskSpec: TaskSpec;
  /** The user's own payload (PyTorch's metadata); never read here. */
  readonly metadata?: Record<string, unknown>;
  private _sorted: number[] | null = null;

  /**
   * @param numberPerRun calls per run (a positive integer)
   * @param rawTimes seconds per run (finite, not negative; at least one)
   * @param taskSpec what was measured
   * @throws TypeError/RangeError naming `Measurement` on any other value
   */
  constructor(
    numberPerRun: number,
    rawTimes: readonly number[],
    taskSpec: TaskSpec,
    metadata?: Record<string, unknown>,
  ) {
    const op = 'Measurement';
    if (!Number.isInteger(numberPerRun) || numberPerRun < 1)
      throw rangeError(op, `numberPerRun must be a positive integer, got ${describe(numberPerRun)}`);
    if (!Array.isArray(rawTimes) || rawTimes.length === 0)
      throw typeError(op, 'rawTimes must be a non-empty array of seconds');
    for (const t of rawTimes) {
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
        throw rangeError(op, `rawTimes must hold finite non-negative numbers, got ${describe(t)}`);
    }
    if (taskSpec === undefined || taskSpec === null)
      throw typeError(op, 'taskSpec must be an object with a stmt string');
    checkOptions(op, taskSpec, TASK_SPEC_KEYS);
    if (typeof taskSpec.stmt !== 'string')
      throw typeError(op, `taskSpec.stmt must be a string, got ${describe(taskSpec.stmt)}`);
    this.numberPerRun = numberPerRun;
    this.rawTimes = [...rawTimes];
    this.taskSpec = { ...taskSpec, setup: taskSpec.setup ?? '', numThreads: taskSpec.numThreads ?? 1 };
    this.metadata = metadata;
  }

  /** Seconds per call of each run. */
  get times(): number[] {
    return this.rawTimes.map((t) => t / this.numberPerRun);
  }

  private _sortedTimes(): number[] {
    this._sorted ??= this.times.sort((a, b) => a - b);
    return this._sorted;
  }

  /** Median seconds per call. */
  get median(): number {
    return quantile(this._sortedTimes(), 0.5);
  }

  /** Mean seconds per call. */
  get mean(): number {
    const t = this._sortedTimes();
    return t.reduce((s, x) => s + x, 0) / t.length;
  }

  /** Interquartile range of the seconds per call (75th minus 25th percentile). */
  get iqr(): number {
    const t = this._sortedTimes();
    return quantile(t, 0.75) - quantile(t, 0.25);
  }

  /**
   * How many significant figures the median has (1..4): the 90% confidence interval of the
   * mean of the interquartile points (z = 1.645), at least 25 ns, against the median.
   */
  get significantFigures(): number {
    const t = this._sortedTimes();
    const points = t.slice(Math.floor(t.length / 4), Math.ceil((3 * t.length) / 4));
    const mean = points.reduce((s, x) => s + x, 0) / points.length;
    const std = Math.sqrt(points.reduce((s, x) => s + (x - mean) ** 2, 0) / points.length);
    const ci = Math.max((1.645 * std) / Math.sqrt(points.length), MIN_CONFIDENCE_INTERVAL);
    const figures = Math.floor(Math.log10(this.median / ci));
    return Math.min(Math.max(figures, 1), MAX_SIGNIFICANT_FIGURES);
  }

  /** Whether IQR / median is below `threshold` (default 0.1). */
  meetsConfidence(threshold = IQR_WARN_THRESHOLD): boolean {
    if (typeof threshold !== 'number' || Number.isNaN(threshold))
      throw typeError('Measurement.meetsConfidence', `threshold must be a number, got ${describe(threshold)}`);
    return this.iqr / this.median < threshold;
  }

  /** The interquartile-range warnings toString() prints (empty when the spread is small). */
  get warnings(): string[] {
    const message = !this.meetsConfidence(IQR_GROSS_WARN_THRESHOLD)
      ? 'This suggests significant environmental influence.'
      : !this.meetsConfidence(IQR_WARN_THRESHOLD)
        ? 'This could indicate system fluctuation.'
        : null;
    if (message === null) return [];
    const rel = ((this.iqr / this.median) * 100).toFixed(1);
    return [`  WARNING: Interquartile range is ${rel}% of the median measurement.\n           ${message}`];
  }

  /** Whether there is a warning. */
  get hasWarnings(): boolean {
    return this.warnings.length > 0;
  }

  /** The name of its row in a Compare table: subLabel, else the statement. */
  get asRowName(): string {
    return this.taskSpec.subLabel || this.taskSpec.stmt || '[Unknown]';
  }

  /** The measurement as PyTorch prints one: heading, median, IQR, counts, warnings. */
  toString(): string {
    const t = this._sortedTimes();
    const n = t.length;
    const median = this.median;
    const { unit, scale } = selectUnit(median);
    const num = (x: number) => (x / scale).toFixed(2);
    const f = (x: number) => `${num(x)} ${unit}`;
    const threads = this.taskSpec.numThreads;
    const lines = [
      '<utils.benchmark.Measurement>',
      summarize(this.taskSpec),
      `  ${n > 1 ? 'Median: ' : ''}${f(median)}`,
    ];
    if (n >= 4) lines.push(`  IQR:    ${f(this.iqr)} (${num(quantile(t, 0.25))} to ${num(quantile(t, 0.75))})`);
    lines.push(
      `  ${n} measurement${n > 1 ? 's' : ''}, ${this.numberPerRun} runs ${n > 1 ? 'per measurement,' : ','} ${threads} thread${threads > 1 ? 's' : ''}`,
    );
    lines.push(...this.warnings);
    return lines.join('\n').trim();
  }

  /**
   * Measurements of the same task (equal taskSpec) merged into one each, their per-call times
   * pooled with numberPerRun 1 (PyTorch's Measurement.merge); metadata is dropped.
   */
  static merge(measurements: Iterable<Measurement>): Measurement[] {
    const groups = new Map<string, { spec: TaskSpec; times: number[] }>();
    if (
      measurements === null ||
      typeof (measurements as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function'
    )
      throw typeError(
        'Measurement.merge',
        `measurements must be an iterable of Measurements, got ${describe(measurements)}`,
      );
    for (const m of measurements) {
      if (!(m instanceof Measurement))
        throw typeError('Measurement.merge', `expected Measurements, got ${describe(m)}`);
      const s = m.taskSpec;
      const key = JSON.stringify([s.stmt, s.setup, s.label, s.subLabel, s.description, s.env, s.numThreads]);
      const g = groups.get(key) ?? { spec: s, times: [] };
      g.times.push(...m.times);
      groups.set(key, g);
    }
    return [...groups.values()].map((g) => new Measurement(1, g.times, g.spec));
  }
}
