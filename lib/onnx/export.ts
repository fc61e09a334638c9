// onnx.export(model, sampleArgs, path, options), as torch.onnx.export: trace the forward through
// the op layer and map each recorded op to ONNX opset-17 nodes (handlers.ts and the files it
// gathers), then write the ModelProto.
//
// The forward is traced twice: on the sample inputs, and on inputs whose values differ (floats
// rescaled, ints and bools permuted) and whose dynamic axes are longer (the sample tiled along
// them, each named axis by its own factor). The two traces must agree op for op. A tensor that
// no recorded op produced is a constant of the graph, and must be the same in both traces: a
// value computed from the inputs by code the trace does not see (an op the exporter does not
// record, JavaScript reading tensor values) differs between them and is an error naming the op
// that used it, its module, and the function that made it. Integer arguments that differ
// between the traces (reshape targets, slice ends) are what depends on the dynamic axes: the
// handlers express them through ONNX's shape semantics or refuse. So an export either matches
// the model for every input the dynamic axes allow, or fails; it never writes a wrong graph.
import { readFileSync } from 'node:fs';
import { checkOptions } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { Module } from '../nn/module.js';
import { formatShape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { bfloat16ExportError, Graph, type TensorValue, type ValueInfo, tensorValue } from './graph.js';
import { moduleHandlers, opHandlers } from './handlers.js';
import { type AliasRecord, ExportError, originOf, type Trace, type TraceRecord, trace } from './trace.js';

export { ExportError };

/**
 * The `dynamicAxes` option of `onnx.export`, as torch.onnx.export's `dynamic_axes`: by graph
 * input or output name, the axes whose size may vary, either named (`{ 0: 'batch' }`) or listed
 * (`[0]`, named after the value and the axis).
 */
export type DynamicAxes = Record<string, Record<number, string> | number[]>;

/**
 * Options of `onnx.export` and `onnx.exportModel`, as torch.onnx.export's keyword arguments
 * (opset_version, input_names, output_names, dynamic_axes, do_constant_folding). An unknown key
 * is an error, and so is an opsetVersion other than 17 (RangeError).
 */
export interface ExportOptions {
  /** Only 17 (the default). */
  opsetVersion?: number;
  /** Names of the graph inputs, in the order of the tensors in sampleArgs. */
  inputNames?: string[];
  /** Names of the graph outputs, in the order of the tensors forward returns. */
  outputNames?: string[];
  /** { inputOrOutputName: { axis: 'axisName' } } or { name: [axis, ...] }: axes whose size may vary. */
  dynamicAxes?: DynamicAxes;
  /** Default true: ops whose inputs are all constants become initializers holding their result. */
  doConstantFolding?: boolean;
}

const OPTION_KEYS = ['opsetVersion', 'inputNames', 'outputNames', 'dynamicAxes', 'doConstantFolding'];

/** What a handler sees of one recorded op: both traces' arguments and the graph's value names. */
export class OpContext {
  constructor(
    readonly g: Graph,
    readonly r: TraceRecord,
    readonly r2: TraceRecord,
    private readonly exporter: Exporter,
  ) {}

  get args(): readonly unknown[] {
    return this.r.args;
  }
  /** The module a module handler maps. */
  module<T>(): T {
    return (this.r as { module?: unknown }).module as T;
  }
  get args2(): readonly unknown[] {
    return this.r2.args;
  }

  fail(message: string): never {
    throw new ExportError(`onnx.export: ${this.r.name}${where(this.r.path)}: ${message}`);
  }

  /** The value name of a tensor argument (trace 1's tensor t1, trace 2's t2). */
  value(t1: Tensor, t2: Tensor): string {
    return this.exporter.resolve(t1, t2, this);
  }

  /** The value name of argument k (a tensor). */
  input(k: number): string {
    return this.value(this.r.args[k] as Tensor, this.r2.args[k] as Tensor);
  }

  /** Argument k's value, which must be the same in both traces (else it depends on a dynamic axis). */
  static(k: number, what = `argument ${k}`): unknown {
    return this.same(this.r.args[k], this.r2.args[k], what);
  }

  /** `a` (trace 1), checked equal to `b` (trace 2). */
  same<T>(a: T, b: T, what: string): T {
    if (JSON.stringify(a) !== JSON.stringify(b))
      this.fail(
        `${what} is ${JSON.stringify(a)} here and ${JSON.stringify(b)} with other sizes of the dynamic axes; ` +
          'this op cannot take sizes that follow the dynamic axes',
      );
    return a;
  }

  /** Which dims of tensor argument t differ between the traces. */
  dynamicDims(t1: Tensor, t2: Tensor): boolean[] {
    return t1.shape.map((s, i) => s !== t2.shape[i]);
  }
}

function where(path: string): string {
  return path ? ` in module '${path}'` : ' in the top-level module';
}

export type OpHandler = (c: OpContext) => string | string[];

class Exporter {
  readonly g = new Graph();
  private readonly map1 = new Map<Tensor, string>();
  private readonly map2 = new Map<Tensor, string>();
  /** The storage version each graph value had when it got its name (trace 1). */
  private readonly bound = new Map<Tensor, number>();
  /** Tensors an in-place op overwrote with a constant (a folded result), per trace. */
  private readonly constAlias1 = new Map<Tensor, Tensor>();
  private readonly constAlias2 = new Map<Tensor, Tensor>();
  private readonly constants = new Map<Tensor, string>();
  private readonly stateNames = new Map<Tensor, string>();
  private readonly stateByStorage = new Map<Storage, [Tensor, string][]>();

  constructor(
    model: Module,
    private readonly t1: Trace,
    private readonly t2: Trace,
    private readonly fold: boolean,
  ) {
    for (const [name, p] of model.namedParameters()) this.addState(p, name);
    for (const [name, b] of model.namedBuffers()) this.addState(b, name);
  }

  private addState(t: Tensor, name: string): void {
    this.stateNames.set(t, name);
    const list = this.stateByStorage.get(t.storage) ?? [];
    list.push([t, name]);
    this.stateByStorage.set(t.storage, list);
  }

  bindInput(t1: Tensor, t2: Tensor, name: string): void {
    this.map1.set(t1, name);
    this.map2.set(t2, name);
    this.bound.set(t1, t1.storage.version);
  }

  isGraphValue(t: Tensor): boolean {
    return this.map1.has(t);
  }

  /** A tensor argument's value name: a graph value, a parameter/buffer, or a constant. */
  resolve(a0: Tensor, b0: Tensor, c: OpContext): string {
    if (!(a0 instanceof Tensor) || !(b0 instanceof Tensor)) c.fail(`expected tensors, got ${typeof a0}`);
    const n1 = this.map1.get(a0);
    const n2 = this.map2.get(b0);
    if (n1 !== undefined || n2 !== undefined) {
      if (n1 !== n2) c.fail('the two traces connect this op to different values (data-dependent control flow?)');
      const used = c.r.versions?.get(a0);
      const made = this.bound.get(a0);
      if (used !== undefined && made !== undefined && used !== made)
        c.fail(
          `an input (shape ${formatShape(a0.shape)}) was modified in place after it was computed, by code the ` +
            'exporter does not record (an in-place write to a view, or to storage it shares)',
        );
      return n1 as string;
    }
    const a = this.constAlias1.get(a0) ?? a0;
    const b = this.constAlias2.get(b0) ?? b0;
    const known = this.constants.get(a);
    if (known !== undefined) return known;
    const state = this.stateNames.get(a);
    if (state !== undefined) return this.stateConstant(a, state);
    // A constant: the same in both traces, or it was computed from the inputs out of sight.
    const inside = this.t1.hidden.get(a);
    if (inside !== undefined) {
      const what = c.r.name === 'output' ? 'the output' : 'an input';
      c.fail(
        `${what} (shape ${formatShape(a.shape)}) is a value that ${inside} computed from the model's inputs ` +
          'besides its result, which the exporter does not map to the graph (an op result it cannot export yet)',
      );
    }
    if (!sameValues(a, b)) {
      const made = this.t1.origins.get(a);
      const origin = originOf(made?.stack);
      const what = c.r.name === 'output' ? 'the output' : 'an input';
      c.fail(
        `${what} (shape ${formatShape(a.shape)}) depends on the model's inputs but was computed ` +
          `${origin ? `by ${origin}${made?.where ?? ''}, ` : ''}outside the ops the exporter records ` +
          '(an op it cannot export yet, or code reading tensor values in JavaScript)',
      );
    }
    const alias = (this.stateByStorage.get(a.storage) ?? []).find(
      ([t]) => t.offset === a.offset && sameList(t.shape, a.shape) && sameList(t.strides, a.strides),
    );
    if (alias) return this.stateConstant(a, alias[1]);
    const name = this.g.constant(tensorValue(a), 'const');
    this.constants.set(a, name);
    return name;
  }

  private stateConstant(t: Tensor, name: string): string {
    let n = this.constants.get(t);
    if (n === undefined) {
      n = this.g.fresh(name);
      this.g.initializers.set(n, tensorValue(t));
      this.constants.set(t, n);
    }
    return n;
  }

  run(): void {
    const { records } = this.t1;
    const rec2 = this.t2.records;
    if (records.length !== rec2.length)
      throw new ExportError(
        `onnx.export: the forward ran ${records.length} ops on the sample inputs and ${rec2.length} on other ` +
          'values or sizes: its control flow depends on the inputs (data-dependent code cannot be traced)',
      );
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const r2 = rec2[i];
      if (r.name !== r2.name || r.path !== r2.path)
        throw new ExportError(
          `onnx.export: op ${i} is ${r.name}${where(r.path)} on the sample inputs but ${r2.name}${where(r2.path)} ` +
            'on other values or sizes: the control flow depends on the inputs',
        );
      this.record(r, r2);
    }
  }

  private record(r: TraceRecord, r2: TraceRecord): void {
    const c = new OpContext(this.g, r, r2, this);
    if (r.kind === 'alias') {
      const a2 = r2 as AliasRecord;
      const name = this.map1.get(r.source);
      if (name !== undefined) {
        if (this.map2.get(a2.source) !== name) c.fail('the two traces write different values in place');
        this.map1.set(r.target, name);
        this.map2.set(a2.target, name);
        this.bound.set(r.target, r.versions.get(r.target) as number);
        this.constAlias1.delete(r.target);
        this.constAlias2.delete(a2.target);
      } else {
        this.map1.delete(r.target);
        this.map2.delete(a2.target);
        this.constAlias1.set(r.target, r.source);
        this.constAlias2.set(a2.target, a2.source);
      }
      return;
    }
    const outs1 = flattenTensors(r.out);
    const outs2 = flattenTensors(r2.out);
    if (outs1.length !== outs2.length)
      c.fail(
        `returns ${outs1.length} tensors here and ${outs2.length} with other sizes of the dynamic axes; a graph has a ` +
          'fixed number of values, so the count cannot follow them (split or unbind along a fixed-size dim instead)',
      );
    if (this.fold && r.kind === 'op' && !flattenTensors(r.args).some((t) => this.isGraphValue(t))) {
      // Constant folding: the traced result is the value (checked equal across traces when used).
      return;
    }
    const handler = r.kind === 'op' ? opHandlers.get(r.name) : moduleHandlers.get(r.name);
    if (!handler)
      c.fail(
        r.kind === 'op'
          ? `the op '${r.name}' cannot be exported to ONNX yet`
          : `the module ${r.name} cannot be exported to ONNX yet`,
      );
    const names = (handler as OpHandler)(c);
    const list = typeof names === 'string' ? [names] : names;
    if (list.length !== outs1.length) c.fail(`internal error: ${list.length} ONNX outputs for ${outs1.length} tensors`);
    list.forEach((name, k) => {
      if (name === '') return; // an output the handler does not produce (it must not be used)
      this.map1.set(outs1[k], name);
      this.map2.set(outs2[k], name);
      this.bound.set(outs1[k], r.versions.get(outs1[k]) ?? outs1[k].storage.version);
    });
  }

  /** Graph outputs: each output tensor's value, renamed (or copied by Identity) to its name. */
  outputs(names: string[]): string[] {
    const o1 = flattenTensors(this.t1.output);
    const o2 = flattenTensors(this.t2.output);
    const seen = new Set<string>();
    return o1.map((t, i) => {
      const c = new OpContext(this.g, outRecord(t), outRecord(o2[i]), this);
      const v = this.resolve(t, o2[i], c);
      const name = names[i];
      const produced = this.g.nodes.some((n) => n.outputs.includes(v));
      if (produced && !seen.has(v) && !this.isGraphInput(v)) this.g.rename(v, name);
      else this.g.node('Identity', [v], {}, [name]);
      seen.add(v);
      return name;
    });
  }

  private isGraphInput(name: string): boolean {
    return [...this.map1.entries()].some(([t, n]) => n === name && this.inputsSet.has(t));
  }

  readonly inputsSet = new Set<Tensor>();
}

function outRecord(t: Tensor): TraceRecord {
  return { kind: 'op', name: 'output', args: [], out: t, path: '', versions: new Map([[t, t.storage.version]]) };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (a === b) return true;
  if (a.dtype !== b.dtype || !sameList(a.shape, b.shape)) return false;
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

/** The tensors in a value (nested arrays and plain objects), depth first. */
export function flattenTensors(v: unknown, out: Tensor[] = []): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) flattenTensors(x, out);
  else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    for (const x of Object.values(v)) flattenTensors(x, out);
  return out;
}

// ---- the second trace's inputs ----

/** A small deterministic generator (the exporter must not consume the model's random state). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** t tiled along each axis in `factors` (axis → factor), values changed but of the same kind. */
function perturb(t: Tensor, factors: Map<number, number>, rand: () => number): Tensor {
  const shape = t.shape.map((s, d) => s * (factors.get(d) ?? 1));
  const src = t.toTypedArray();
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new (src.constructor as new (n: number) => typeof src)(n);
  const inStrides = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) off += (idx[d] % t.shape[d]) * inStrides[d];
    out[i] = src[off];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  if (t.dtype === 'float32') {
    for (let i = 0; i < n; i++) out[i] = out[i] * (0.5 + rand()) + (rand() - 0.5) * 0.1;
  } else {
    // Indices and masks: a shuffle keeps every value valid (in range, as often true).
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
  }
  return new Tensor(new Storage(out), shape);
}

/** sampleArgs with every tensor (nested in arrays and plain objects too) replaced by f(tensor, k). */
function mapTensors(v: unknown, f: (t: Tensor, k: number) => Tensor, counter = { k: 0 }): unknown {
  if (v instanceof Tensor) return f(v, counter.k++);
  if (Array.isArray(v)) return v.map((x) => mapTensors(x, f, counter));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapTensors(x, f, counter)]));
  return v;
}

// ---- the entry point ----

function exportOptions(op: string, options: unknown): ExportOptions {
  checkOptions(op, options, OPTION_KEYS);
  return (options ?? {}) as ExportOptions;
}

function axesOf(name: string, spec: Record<number, string> | number[]): Map<number, string> {
  const m = new Map<number, string>();
  if (Array.isArray(spec)) for (const a of spec) m.set(a, `${name}_dynamic_axis_${a}`);
  else for (const [a, n] of Object.entries(spec)) m.set(Number(a), n);
  for (const a of m.keys()) {
    if (!Number.isInteger(a) || a < 0)
      throw new RangeError(`onnx.export: dynamicAxes['${name}'] axis ${a} must be a non-negative integer`);
  }
  return m;
}

/** The ONNX model bytes for model(...sampleArgs), as torch.onnx.export builds them. */
export function exportModel(model: Module, sampleArgs: unknown, options: ExportOptions = {}): Uint8Array {
  if (!(model instanceof Module)) throw new TypeError('onnx.export: model must be an nn.Module');
  const opts = exportOptions('onnx.exportModel', options);
  const opset = opts.opsetVersion ?? 17;
  if (opset !== 17) throw new RangeError(`onnx.export: opsetVersion ${opset} is not supported (17 is)`);
  const args = Array.isArray(sampleArgs) ? sampleArgs : [sampleArgs];
  const inputs = flattenTensors(args);
  for (const [k, t] of [...model.namedParameters(), ...model.namedBuffers()])
    if (t.dtype === 'bfloat16') throw bfloat16ExportError(`the model's '${k}'`);
  inputs.forEach((t, i) => {
    if (t.dtype === 'bfloat16') throw bfloat16ExportError(`sample input ${i}`);
  });
  const inputNames = opts.inputNames ?? (inputs.length === 1 ? ['input'] : inputs.map((_, i) => `input_${i}`));
  if (inputNames.length !== inputs.length)
    throw new RangeError(`onnx.export: ${inputNames.length} inputNames for ${inputs.length} input tensors`);
  const dynamic = opts.dynamicAxes ?? {};
  const axisFactor = new Map<string, number>();
  const primes = [2, 3, 5, 7, 11, 13];
  const factorOf = (axisName: string) => {
    if (!axisFactor.has(axisName)) axisFactor.set(axisName, primes[axisFactor.size % primes.length]);
    return axisFactor.get(axisName) as number;
  };
  const dynIn = inputNames.map((n) => axesOf(n, dynamic[n] ?? {}));
  inputs.forEach((t, i) => {
    for (const a of dynIn[i].keys())
      if (a >= t.ndim)
        throw new RangeError(
          `onnx.export: dynamicAxes['${inputNames[i]}'] names axis ${a} of a ${t.ndim}-D input ${formatShape(t.shape)}`,
        );
  });
  const rand = lcg(0x5eed);
  const args2 = mapTensors(args, (t, k) => {
    const factors = new Map([...dynIn[k]].map(([a, n]) => [a, factorOf(n)]));
    return perturb(t, factors, rand);
  }) as unknown[];
  const inputs2 = flattenTensors(args2);

  const wasTraining = model.training;
  const leaf = (m: object) => moduleHandlers.has(m.constructor.name) && m instanceof Module;
  let t1: Trace;
  let t2: Trace;
  model.eval();
  try {
    t1 = trace(model, args, leaf);
    try {
      t2 = trace(model, args2, leaf);
    } catch (e) {
      if (e instanceof ExportError) throw e;
      throw new ExportError(
        `onnx.export: the forward fails on inputs of other sizes along the dynamic axes (${(e as Error).message})`,
      );
    }
  } finally {
    model.train(wasTraining);
  }

  const ex = new Exporter(model, t1, t2, opts.doConstantFolding ?? true);
  inputNames.forEach((name, i) => {
    ex.g.reserve(name);
    ex.bindInput(inputs[i], inputs2[i], name);
    ex.inputsSet.add(inputs[i]);
  });
  ex.run();
  const outs = flattenTensors(t1.output);
  const outs2 = flattenTensors(t2.output);
  if (outs.length === 0) throw new ExportError('onnx.export: the forward returned no tensors');
  const outputNames = opts.outputNames ?? (outs.length === 1 ? ['output'] : outs.map((_, i) => `output_${i}`));
  if (outputNames.length !== outs.length)
    throw new RangeError(`onnx.export: ${outputNames.length} outputNames for ${outs.length} output tensors`);
  for (const n of outputNames) ex.g.reserve(n);
  for (const k of Object.keys(dynamic)) {
    if (!inputNames.includes(k) && !outputNames.includes(k))
      throw new RangeError(`onnx.export: dynamicAxes names '${k}', which is neither an input nor an output`);
  }
  ex.outputs(outputNames);
  const info = (name: string, a: Tensor, b: Tensor): ValueInfo => {
    const named = axesOf(name, dynamic[name] ?? {});
    return {
      name,
      dtype: a.dtype,
      shape: a.shape.map((s, d) => named.get(d) ?? (s !== b.shape[d] ? `${name}_dim_${d}` : s)),
    };
  };
  return ex.g.encode(
    inputNames.map((n, i) => info(n, inputs[i], inputs2[i])),
    outputNames.map((n, i) => info(n, outs[i], outs2[i])),
    opset,
    packageVersion(),
  );
}

/** Writes model's ONNX file to path (atomically); see exportModel. */
export function exportOnnx(model: Module, sampleArgs: unknown, path: string, options: ExportOptions = {}): void {
  if (typeof path !== 'string' || path === '') throw new TypeError('onnx.export: path must be a file path');
  exportOptions('onnx.export', options);
  writeFileAtomic(path, exportModel(model, sampleArgs, options));
}

let version: string | null = null;
function packageVersion(): string {
  if (version === null) {
    try {
      version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
    } catch {
      version = '';
    }
  }
  return version;
}

export type { TensorValue };
