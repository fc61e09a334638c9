// Debugging tools for training: activation statistics and dead ReLUs
// through forward hooks, NaN/Inf detection that names the module or parameter, and gradient
// statistics per parameter. The single-batch overfit check and the LR range test live in
// debug_training.ts.
import { checkFunction, checkOptions, optionKeys } from '../errors.js';
import '../autograd/backward.js';
import { isGradEnabled, noGrad } from '../autograd/grad_mode.js';
import { checkModule, type Module, type RemovableHandle } from '../nn/module.js';
import { ReLU } from '../nn/modules/activation.js';
import { Tensor } from '../tensor.js';

// ---- shared helpers ----

type ModuleClass = abstract new (...args: never[]) => Module;

/** Which modules to hook: a predicate, or a list of dotted names and/or module classes. */
export type ModuleFilter = ((name: string, module: Module) => boolean) | readonly (string | ModuleClass)[];

function matches(filter: ModuleFilter, name: string, m: Module): boolean {
  if (typeof filter === 'function') return filter(name, m);
  return filter.some((f) => (typeof f === 'string' ? f === name : m instanceof f));
}

const isLeafModule = (_: string, m: Module) => m.children().next().done === true;

/** 'layers.2 (Linear)', or 'the model (MLP)' for the root. */
export function describeModule(name: string, m: Module): string {
  return name ? `${name} (${m.constructor.name})` : `the model (${m.constructor.name})`;
}

/** Every tensor in a module output (a tensor, or nested arrays of tensors), with a label. */
function tensorsIn(value: unknown, label: string, out: [string, Tensor][] = []): [string, Tensor][] {
  if (value instanceof Tensor) out.push([label, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => tensorsIn(v, `${label}[${i}]`, out));
  return out;
}

function firstTensor(value: unknown): Tensor | null {
  return tensorsIn(value, '')[0]?.[1] ?? null;
}

/** The row-major index of flat position i in shape. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/** The first NaN/Inf element of a float tensor: its kind and index, or null. */
function firstNonFinite(t: Tensor): { kind: 'NaN' | 'Inf' | '-Inf'; index: number[] } | null {
  if (t.dtype !== 'float32') return null;
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v - v !== 0) return { kind: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Inf' : '-Inf', index: unravel(i, t.shape) };
  }
  return null;
}

const fmtIndex = (index: number[]) => `[${index.join(', ')}]`;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? v.toFixed(4) : v.toExponential(2);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Mean and unbiased std, min, max, zero and non-finite counts of a typed array (float64 sums). */
function moments(d: ArrayLike<number>): {
  n: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
  zeros: number;
  nonFinite: number;
} {
  const n = d.length;
  let sum = 0,
    min = Infinity,
    max = -Infinity,
    zeros = 0,
    nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const v = d[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
    if (v - v !== 0) nonFinite++;
  }
  const mean = n ? sum / n : NaN;
  let m2 = 0;
  for (let i = 0; i < n; i++) m2 += (d[i] - mean) ** 2;
  return { n, mean, m2, min, max, zeros, nonFinite };
}

// ---- 1. activation statistics ----

/** One module's output statistics (`ActivationRecorder.stats`). */
export interface ActivationStats {
  /** Dotted module path ('' for the model itself). */
  name: string;
  /** The module's class name. */
  type: string;
  /** Output shape of the latest call. */
  shape: number[];
  /** Forward calls recorded since the last reset. */
  calls: number;
  /** Output elements seen, over all recorded calls. */
  count: number;
  /** Mean of the output elements. */
  mean: number;
  /** Unbiased standard deviation (torch's std()). */
  std: number;
  /** Smallest output element. */
  min: number;
  /** Largest output element. */
  max: number;
  /** Fraction of output elements that are exactly zero. */
  zeroFraction: number;
  /**
   * Fraction of units (positions of the output without the batch dim 0: features, or
   * channel x pixel for conv maps) that were zero for every recorded sample: dead ReLUs.
   */
  deadRatio: number;
  /** NaN/Inf elements seen. */
  nonFinite: number;
}

interface Accumulator {
  stats: ActivationStats;
  m2: number;
  /** Per unit: 1 once it was non-zero for some sample. */
  alive: Uint8Array;
}

/** The options of recordActivations. */
export interface RecordOptions {
  /** Modules to hook (default: every leaf module, i.e. every module without children). */
  modules?: ModuleFilter;
  /** Keep each module's latest output (detached) in `outputs`, as a forward hook storing them would. */
  keepOutputs?: boolean;
}

/** Forward hooks that accumulate output statistics per module; see recordActivations. */
export class ActivationRecorder implements RemovableHandle {
  private readonly acc = new Map<string, Accumulator>();
  private readonly handles: RemovableHandle[] = [];
  /** Latest output of each hooked module (with keepOutputs). */
  readonly outputs = new Map<string, Tensor>();

  constructor(model: Module, options: RecordOptions = {}) {
    checkModule('train.ActivationRecorder', 'model', model);
    checkOptions('train.ActivationRecorder', options, { modules: true, keepOutputs: 'boolean' });
    const filter = options.modules ?? isLeafModule;
    for (const [name, m] of model.namedModules()) {
      if (!matches(filter, name, m)) continue;
      this.handles.push(
        m.registerForwardHook((mod, _inputs, output) => {
          const t = firstTensor(output);
          if (!t || t.dtype === 'bool') return;
          this.add(name, mod, t);
          if (options.keepOutputs) this.outputs.set(name, t.detach());
        }),
      );
    }
  }

  private add(name: string, m: Module, t: Tensor): void {
    const d = t.data;
    const c = moments(d);
    const units = t.ndim >= 2 ? d.length / t.shape[0] : d.length;
    let a = this.acc.get(name);
    // A change of the per-sample shape (another sequence length) restarts the dead-unit count.
    if (!a || a.alive.length !== units) {
      const alive = new Uint8Array(units);
      if (a) a.alive = alive;
      else
        this.acc.set(
          name,
          (a = {
            stats: {
              name,
              type: m.constructor.name,
              shape: [],
              calls: 0,
              count: 0,
              mean: 0,
              std: 0,
              min: Infinity,
              max: -Infinity,
              zeroFraction: 0,
              deadRatio: 1,
              nonFinite: 0,
            },
            m2: 0,
            alive,
          }),
        );
    }
    const s = a.stats;
    // Chan et al.'s merge of (count, mean, M2) pairs.
    const n = s.count + c.n;
    const delta = c.mean - s.mean;
    const mean = s.count ? s.mean + (delta * c.n) / n : c.mean;
    a.m2 = s.count ? a.m2 + c.m2 + (delta * delta * s.count * c.n) / n : c.m2;
    s.zeroFraction = (s.zeroFraction * s.count + c.zeros) / n;
    s.count = n;
    s.mean = mean;
    s.std = n > 1 ? Math.sqrt(a.m2 / (n - 1)) : 0;
    s.min = Math.min(s.min, c.min);
    s.max = Math.max(s.max, c.max);
    s.nonFinite += c.nonFinite;
    s.calls++;
    s.shape = [...t.shape];
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) a.alive[i % units] = 1;
    let dead = 0;
    for (let u = 0; u < units; u++) dead += 1 - a.alive[u];
    s.deadRatio = units ? dead / units : 0;
  }

  /** Statistics of one module by dotted name (undefined until it ran). */
  get(name: string): ActivationStats | undefined {
    return this.acc.get(name)?.stats;
  }

  /** Statistics of every module that ran, in the order they first ran. */
  get stats(): ActivationStats[] {
    return [...this.acc.values()].map((a) => a.stats);
  }

  /** Dead-unit ratio of every ReLU module that ran, by name (units zero for every recorded sample). */
  deadReluRatios(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.stats) if (s.type === ReLU.name) out[s.name] = s.deadRatio;
    return out;
  }

  /** Forgets what was recorded (the hooks stay). */
  reset(): void {
    this.acc.clear();
    this.outputs.clear();
  }

  /** Removes the hooks. */
  remove(): void {
    for (const h of this.handles.splice(0)) h.remove();
  }

  /** The statistics as a text table, one row per module. */
  table(): string {
    return table(
      ['module', 'type', 'shape', 'mean', 'std', 'min', 'max', 'zeros %', 'dead %'],
      this.stats.map((s) => [
        s.name || '(model)',
        s.type,
        `[${s.shape.join(', ')}]`,
        fmt(s.mean),
        fmt(s.std),
        fmt(s.min),
        fmt(s.max),
        (100 * s.zeroFraction).toFixed(1),
        (100 * s.deadRatio).toFixed(1),
      ]),
    );
  }

  /** The table. */
  toString(): string {
    return this.table();
  }
}

/**
 * Records output statistics (mean, std, min, max, zero fraction, dead-unit ratio, shape) of
 * the model's modules over the forward passes that follow; `remove()` takes the hooks out.
 */
export function recordActivations(model: Module, options: RecordOptions = {}): ActivationRecorder {
  checkModule('train.recordActivations', 'model', model);
  checkOptions('train.recordActivations', options, { modules: true, keepOutputs: 'boolean' });
  return new ActivationRecorder(model, options);
}

/**
 * The dead-unit ratio of every ReLU module over one forward of `inputs` (no grad): units
 * (output positions without the batch dim) that are zero for every sample of the batch.
 */
export function deadReluRatio(model: Module, ...inputs: unknown[]): Record<string, number> {
  checkModule('train.deadReluRatio', 'model', model);
  const rec = recordActivations(model, { modules: [ReLU] });
  try {
    noGrad(() => model.call(...inputs));
    return rec.deadReluRatios();
  } finally {
    rec.remove();
  }
}

// ---- 2. NaN/Inf detection ----

/** A non-finite value found by detectAnomaly: where it appeared. */
export class AnomalyError extends Error {
  constructor(
    message: string,
    /** The module path ('' for the model itself) or the parameter name. */
    readonly where: string,
    /** Whether the value appeared in the forward or the backward. */
    readonly phase: 'forward' | 'backward',
    /** The index of the first non-finite element. */
    readonly index: number[],
  ) {
    super(String(message));
    this.name = 'AnomalyError';
  }
}

/** The options of detectAnomaly. */
export interface AnomalyOptions {
  /** Check module outputs in the forward (default true). */
  forward?: boolean;
  /** Check gradients in the backward: module input gradients and parameter gradients (default true). */
  backward?: boolean;
}

const ANOMALY_OPTIONS = optionKeys<AnomalyOptions>({ forward: 'boolean', backward: 'boolean' });

type Found = NonNullable<ReturnType<typeof firstNonFinite>>;

// Leaf inputs that require grad keep their gradient hook until remove(); past this many, the
// oldest are dropped (a loop making a new such leaf every step would otherwise pile them up).
const MAX_LEAF_HOOKS = 10_000;

/**
 * NaN/Inf detection that names where it started (torch.autograd.detect_anomaly plus a forward
 * hook per module that checks for NaN): every module's output is checked after its forward, innermost module first, and
 * an AnomalyError names the first module whose output holds a non-finite value, the index and
 * whether its inputs were finite. In the backward, the gradient of each module's inputs is
 * checked (naming the module whose backward produced it), as are the gradient arriving at the
 * model's output (from the loss) and every parameter's gradient. Returns a handle to remove.
 */
export function detectAnomaly(model: Module, options: AnomalyOptions = {}): RemovableHandle {
  checkModule('train.detectAnomaly', 'model', model);
  checkOptions('train.detectAnomaly', options, ANOMALY_OPTIONS);
  const checkForward = options.forward ?? true;
  const checkBackward = options.backward ?? true;
  const handles: RemovableHandle[] = [];
  let active = true;
  // One gradient hook per watched tensor, running the checks of the modules that read it in
  // registration order (innermost module first). Engines iterate hook lists while running them,
  // so the hooks never remove themselves; they die with their graph (non-leaves) or on remove().
  const checks = new WeakMap<Tensor, ((f: Found) => AnomalyError)[]>();
  const leafHooks = new Set<() => void>();
  const watchGrad = (t: Tensor, fail: (f: Found) => AnomalyError) => {
    let list = checks.get(t);
    if (!list) {
      const own: ((f: Found) => AnomalyError)[] = (list = []);
      checks.set(t, own);
      const leaf = t.isLeaf;
      const remove = t.registerHook((g) => {
        // A leaf input is read again by later forwards: its checks are for this backward only.
        const run = leaf ? own.splice(0) : own;
        if (!active || run.length === 0) return;
        const found = firstNonFinite(g);
        if (found) throw run[0](found);
      });
      if (leaf) {
        leafHooks.add(remove);
        if (leafHooks.size > MAX_LEAF_HOOKS) {
          const oldest = leafHooks.values().next().value as () => void;
          oldest();
          leafHooks.delete(oldest);
        }
      }
    }
    list.push(fail);
  };

  const root = describeModule('', model);
  handles.push(
    model.registerForwardPreHook((_m, inputs) => {
      if (!checkForward) return;
      for (const [label, t] of tensorsIn(inputs, 'input')) {
        const found = firstNonFinite(t);
        if (found) {
          throw new AnomalyError(
            `detectAnomaly: ${label.replace(/^input\[(\d+)\]/, 'input $1')} of ${root} has ${found.kind} at index ${fmtIndex(found.index)}`,
            '',
            'forward',
            found.index,
          );
        }
      }
    }),
  );

  for (const [name, m] of model.namedModules()) {
    const who = describeModule(name, m);
    handles.push(
      m.registerForwardHook((_m, inputs, output) => {
        if (checkForward) {
          for (const [label, t] of tensorsIn(output, 'output')) {
            const found = firstNonFinite(t);
            if (!found) continue;
            const bad = tensorsIn(inputs, 'input')
              .map(([l, x]) => [l, firstNonFinite(x)] as const)
              .find(([, f]) => f);
            const cause = bad
              ? `its ${bad[0].replace(/^input\[(\d+)\]/, 'input $1')} already had ${bad[1]!.kind} at index ${fmtIndex(bad[1]!.index)}`
              : 'its inputs were finite';
            throw new AnomalyError(
              `detectAnomaly: ${who} produced ${found.kind} in its ${label} at index ${fmtIndex(found.index)} (${cause})`,
              name,
              'forward',
              found.index,
            );
          }
        }
        if (!checkBackward || !isGradEnabled()) return;
        tensorsIn(inputs, 'input').forEach(([label, t]) => {
          if (!t.requiresGrad || t.dtype !== 'float32') return;
          const input = label.replace(/^input\[(\d+)\]/, 'input $1');
          watchGrad(
            t,
            (f) =>
              new AnomalyError(
                `detectAnomaly: the backward of ${who} produced ${f.kind} in the gradient of its ${input} at index ${fmtIndex(f.index)}`,
                name,
                'backward',
                f.index,
              ),
          );
        });
        if (m === model) {
          for (const [label, t] of tensorsIn(output, 'output')) {
            if (!t.requiresGrad || t.dtype !== 'float32') continue;
            watchGrad(
              t,
              (f) =>
                new AnomalyError(
                  `detectAnomaly: the gradient arriving at the ${label} of ${root} from the loss has ${f.kind} at index ${fmtIndex(f.index)}`,
                  '',
                  'backward',
                  f.index,
                ),
            );
          }
        }
      }),
    );
  }

  if (checkBackward) {
    for (const [name, p] of model.namedParameters()) {
      const remove = p.registerHook((g) => {
        const found = firstNonFinite(g);
        if (found)
          throw new AnomalyError(
            `detectAnomaly: the gradient of parameter ${name} has ${found.kind} at index ${fmtIndex(found.index)}`,
            name,
            'backward',
            found.index,
          );
      });
      handles.push({ remove });
    }
  }

  return {
    remove: () => {
      active = false;
      for (const h of handles.splice(0)) h.remove();
      for (const r of leafHooks) r();
      leafHooks.clear();
    },
  };
}

/** Runs fn with detectAnomaly hooks on the model, then removes them (even when fn throws). */
export function withAnomalyDetection<T>(model: Module, fn: () => T, options: AnomalyOptions = {}): T {
  checkModule('train.withAnomalyDetection', 'model', model);
  checkOptions('train.withAnomalyDetection', options, ANOMALY_OPTIONS);
  checkFunction('train.withAnomalyDetection', 'fn', fn);
  const handle = detectAnomaly(model, options);
  try {
    return fn();
  } finally {
    handle.remove();
  }
}

// ---- 3. gradient statistics ----

/** One parameter's gradient statistics (`GradientReport.params`). */
export interface GradientStat {
  /** The parameter's dotted name. */
  name: string;
  /** The parameter's shape. */
  shape: number[];
  /** L2 norm of the gradient. */
  norm: number;
  /** Mean of the gradient. */
  mean: number;
  /** Unbiased standard deviation (torch's std(); 0 for a single element). */
  std: number;
  /** Largest magnitude in the gradient. */
  maxAbs: number;
  /** L2 norm of the parameter itself. */
  paramNorm: number;
  /** norm / paramNorm (Infinity when the parameter is all zeros and the gradient is not). */
  ratio: number;
  /** The norm is below the vanishing threshold. */
  vanishing: boolean;
  /** The norm is above the exploding threshold. */
  exploding: boolean;
  /** NaN/Inf elements in the gradient. */
  nonFinite: number;
}

/** The options of gradientStats. */
export interface GradientStatsOptions {
  /** A gradient norm below this is flagged vanishing (default 1e-7). */
  vanishing?: number;
  /** A gradient norm above this is flagged exploding (default 1e3). */
  exploding?: number;
}

/** What gradientStats returns: each parameter's statistics and the flagged ones. */
export class GradientReport {
  constructor(
    /** Each parameter that has a gradient, in model order. */
    readonly params: GradientStat[],
    /** Parameters that require grad but have none (unused in the forward, or no backward yet). */
    readonly withoutGrad: string[],
  ) {}

  /** The norm of all gradients together (what clipGradNorm_ measures). */
  get totalNorm(): number {
    return Math.sqrt(this.params.reduce((s, p) => s + p.norm * p.norm, 0));
  }
  /** Names of the parameters whose gradient vanishes. */
  get vanishing(): string[] {
    return this.params.filter((p) => p.vanishing).map((p) => p.name);
  }
  /** Names of the parameters whose gradient explodes. */
  get exploding(): string[] {
    return this.params.filter((p) => p.exploding).map((p) => p.name);
  }
  /** Names of the parameters whose gradient holds NaN or Inf. */
  get nonFinite(): string[] {
    return this.params.filter((p) => p.nonFinite > 0).map((p) => p.name);
  }
  /** One parameter's statistics by dotted name (undefined if it has no gradient). */
  get(name: string): GradientStat | undefined {
    return this.params.find((p) => p.name === name);
  }

  /** The statistics as a text table, one row per module. */
  table(): string {
    const rows = this.params.map((p) => [
      p.name,
      `[${p.shape.join(', ')}]`,
      fmt(p.norm),
      fmt(p.mean),
      fmt(p.std),
      fmt(p.maxAbs),
      fmt(p.ratio),
      [p.nonFinite ? 'NON-FINITE' : '', p.vanishing ? 'VANISHING' : '', p.exploding ? 'EXPLODING' : '']
        .filter(Boolean)
        .join(' '),
    ]);
    const lines = [table(['parameter', 'shape', 'grad norm', 'mean', 'std', 'max |g|', 'norm ratio', 'flags'], rows)];
    lines.push(`total gradient norm ${fmt(this.totalNorm)}`);
    if (this.withoutGrad.length) lines.push(`no gradient: ${this.withoutGrad.join(', ')}`);
    return lines.join('\n');
  }

  /** The table. */
  toString(): string {
    return this.table();
  }
}

/** Per-parameter gradient statistics after a backward: vanishing, exploding and non-finite gradients. */
export function gradientStats(model: Module, options: GradientStatsOptions = {}): GradientReport {
  checkModule('train.gradientStats', 'model', model);
  checkOptions('train.gradientStats', options, { vanishing: 'number', exploding: 'number' });
  const low = options.vanishing ?? 1e-7;
  const high = options.exploding ?? 1e3;
  const params: GradientStat[] = [];
  const withoutGrad: string[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (!p.grad) {
      if (p.requiresGrad) withoutGrad.push(name);
      continue;
    }
    const g = moments(p.grad.data);
    const gd = p.grad.data;
    let sq = 0,
      maxAbs = 0;
    for (let i = 0; i < gd.length; i++) {
      sq += gd[i] * gd[i];
      const a = Math.abs(gd[i]);
      if (a > maxAbs || Number.isNaN(a)) maxAbs = a;
    }
    const pd = p.data;
    let psq = 0;
    for (let i = 0; i < pd.length; i++) psq += pd[i] * pd[i];
    const norm = Math.sqrt(sq);
    const paramNorm = Math.sqrt(psq);
    params.push({
      name,
      shape: [...p.shape],
      norm,
      mean: g.mean,
      std: g.n > 1 ? Math.sqrt(g.m2 / (g.n - 1)) : 0,
      maxAbs,
      paramNorm,
      ratio: paramNorm > 0 ? norm / paramNorm : norm > 0 ? Infinity : 0,
      vanishing: norm < low,
      exploding: norm > high,
      nonFinite: g.nonFinite,
    });
  }
  return new GradientReport(params, withoutGrad);
}
