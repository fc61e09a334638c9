// Recording one forward: the Tracer installed in the op layer (lib/trace.ts) keeps every top-level
// op call (ops inside an op, and inside a module the exporter maps as a whole, are not
// recorded) with its arguments, its result and the path of the module it ran in.
import { noGrad } from '../autograd/grad_mode.js';
import { checkString } from '../errors.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor.js';
import { type Tracer, withTracer } from '../trace.js';

/** Thrown for anything that cannot be exported; names the op and the module path. */
export class ExportError extends Error {
  /** 'ExportError', as the class's name (error.name survives minification and realms). */
  override name = 'ExportError';
  constructor(message: string) {
    super(checkString('onnx.ExportError', 'message', message));
  }
}

export interface OpRecord {
  kind: 'op';
  name: string;
  args: readonly unknown[];
  /** A tensor, or an array of them (ops with several results). */
  out: unknown;
  path: string;
  /** Storage versions of the tensor arguments when the op ran, and of its result after. */
  versions: Map<Tensor, number>;
}

export interface ModuleRecord {
  kind: 'module';
  name: string;
  module: Module;
  args: readonly unknown[];
  out: unknown;
  path: string;
  versions: Map<Tensor, number>;
}

/** An in-place op wrote `source` (an op's result) into `target`. */
export interface AliasRecord {
  kind: 'alias';
  name: string;
  target: Tensor;
  source: Tensor;
  path: string;
  args: readonly unknown[];
  out: Tensor;
  versions: Map<Tensor, number>;
}

export type TraceRecord = OpRecord | ModuleRecord | AliasRecord;

function versionsOf(out: unknown, before: Map<Tensor, number>): Map<Tensor, number> {
  for (const t of tensorsIn(out)) before.set(t, t.storage.version);
  return before;
}

function tensorsIn(v: unknown, out: Tensor[] = []): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) tensorsIn(x, out);
  else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    for (const x of Object.values(v)) tensorsIn(x, out);
  return out;
}

function argVersions(args: readonly unknown[]): Map<Tensor, number> {
  return new Map(tensorsIn(args).map((t) => [t, t.storage.version]));
}

export interface Trace {
  records: TraceRecord[];
  output: unknown;
  /** Where tensors made outside recorded ops came from (a stack trace, a module), for error messages. */
  origins: WeakMap<Tensor, { stack: string; where: string }>;
  /** Tensors an op made from the inputs besides its results (kept in a plan, say): which op. */
  hidden: WeakMap<Tensor, string>;
}

class Recorder implements Tracer {
  readonly records: TraceRecord[] = [];
  readonly origins = new WeakMap<Tensor, { stack: string; where: string }>();
  readonly hidden = new WeakMap<Tensor, string>();
  private depth = 0;
  /** The top-level op running, when its arguments depend on the inputs (else null). */
  private runningOp: string | null = null;
  private readonly paths: string[] = [];
  /** Tensors computed from the inputs by recorded ops. */
  private readonly derived: Set<Tensor>;

  constructor(
    private readonly moduleNames: Map<object, string>,
    private readonly isLeafModule: (m: object) => boolean,
    inputs: Tensor[],
  ) {
    this.derived = new Set(inputs);
  }

  private markDerived(args: readonly unknown[], out: unknown): void {
    if (tensorsIn(args).some((t) => this.derived.has(t))) for (const t of tensorsIn(out)) this.derived.add(t);
  }

  private get path(): string {
    return this.paths.length ? this.paths[this.paths.length - 1] : '';
  }

  op<T>(name: string, args: readonly unknown[], run: () => T): T {
    if (this.depth > 0) return run();
    const before = argVersions(args);
    this.depth++;
    this.runningOp = tensorsIn(args).some((t) => this.derived.has(t)) ? `${name}${this.where()}` : null;
    let out: T;
    try {
      out = run();
    } finally {
      this.depth--;
      this.runningOp = null;
    }
    this.records.push({ kind: 'op', name, args, out, path: this.path, versions: versionsOf(out, before) });
    this.markDerived(args, out);
    return out;
  }

  module(module: object, args: readonly unknown[], run: () => unknown): unknown {
    const path = this.moduleNames.get(module) ?? `(a ${module.constructor.name} outside the model)`;
    this.paths.push(path);
    try {
      if (this.depth > 0 || !this.isLeafModule(module)) return run();
      const before = argVersions(args);
      const name = module.constructor.name;
      this.depth++;
      this.runningOp = tensorsIn(args).some((t) => this.derived.has(t)) ? `${name}${this.where()}` : null;
      let out: unknown;
      try {
        out = run();
      } finally {
        this.depth--;
        this.runningOp = null;
      }
      this.records.push({
        kind: 'module',
        name,
        module: module as Module,
        args,
        out,
        path,
        versions: versionsOf(out, before),
      });
      this.markDerived(args, out);
      return out;
    } finally {
      this.paths.pop();
    }
  }

  private where(): string {
    return this.path ? ` in module '${this.path}'` : '';
  }

  created(t: Tensor): void {
    if (this.depth === 0) this.origins.set(t, { stack: new Error().stack ?? '', where: this.where() });
    else if (this.runningOp !== null) {
      // Made inside an op from the inputs: its result (mapped) or a side value the graph lacks.
      this.hidden.set(t, this.runningOp);
      this.derived.add(t);
    }
  }

  read(t: Tensor, how: string): void {
    if (this.depth > 0 || !this.derived.has(t)) return;
    const origin = originOf(new Error().stack);
    throw new ExportError(
      `onnx.export: ${origin || 'the forward'}${this.path ? ` in module '${this.path}'` : ''} reads the values ` +
        `of a tensor computed from the inputs in JavaScript (${how}): the graph cannot follow code that depends ` +
        'on input values (an op the exporter cannot record yet, or data-dependent code in forward)',
    );
  }

  rebind(target: Tensor, source: Tensor): void {
    if (this.depth > 0) return;
    if (this.derived.has(source)) this.derived.add(target);
    const versions = new Map([[target, target.storage.version]]);
    this.records.push({
      kind: 'alias',
      name: 'in-place',
      target,
      source,
      path: this.path,
      args: [],
      out: target,
      versions,
    });
  }
}

/** Runs model.call(...args) once without autograd, recording its ops. */
export function trace(model: Module, args: readonly unknown[], isLeafModule: (m: object) => boolean): Trace {
  const names = new Map<object, string>();
  for (const [name, m] of model.namedModules()) names.set(m, name);
  const recorder = new Recorder(names, isLeafModule, tensorsIn(args));
  const output = withTracer(recorder, () => noGrad(() => model.call(...args)));
  return { records: recorder.records, output, origins: recorder.origins, hidden: recorder.hidden };
}

/** The lib function that made a tensor, from its creation stack ('' when unknown). */
export function originOf(stack: string | undefined): string {
  if (!stack) return '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /at (?:new )?([\w.$<>]+) \((.*?):\d+:\d+\)/.exec(line);
    if (!m) continue;
    const [, fn, file] = m;
    if (/[/\\](tensor|trace|onnx[/\\]trace)\.[jt]s$/.test(file) || fn.startsWith('Recorder.')) continue;
    if (/[/\\]lib[/\\]|[/\\]dist[/\\]/.test(file)) {
      const short = file.replace(/^.*[/\\](lib|dist)[/\\]/, '$1/');
      return `${fn} (${short})`;
    }
    return `${fn} (${file.replace(/^.*[/\\]/, '')})`;
  }
  return '';
}
