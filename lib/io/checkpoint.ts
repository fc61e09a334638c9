// Training checkpoints in one safetensors file, written atomically (see atomic.ts):
//   tensors   'model.<key>'                 the model's state dict
//             'optimizer.state.<i>.<name>'  tensor entries of the optimizer's per-parameter state
//   metadata  'format': 'myelin.checkpoint'
//             'myelin.checkpoint': JSON of { version, epoch, step, rng, extra, optimizer (param
//             groups and non-tensor state), scheduler (its state dict), class names }
// Non-finite numbers (Infinity in a scheduler's state, NaN in extra) survive the JSON as
// {"$float": "Infinity"}. The file is a plain safetensors file: Python's safetensors reads it too.
import { checkOptions, checkPath } from '../errors.js';
import type { Module, StateDict } from '../nn/module.js';
import type { Optimizer, OptimizerState, OptimizerStateDict } from '../optim/optimizer.js';
import { checkSameStructure } from '../optim/state_check.js';
import { checkGeneratorState, type Generator, type GeneratorState } from '../random.js';
import { isFloatingDType } from '../dtype.js';
import { formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { removeStaleTemporaries } from './atomic.js';
import { readSafetensorsFor, saveSafetensors } from './safetensors.js';

/** The safetensors metadata key (and `format` value) that marks a file as a myelin checkpoint. */
export const CHECKPOINT_FORMAT = 'myelin.checkpoint';
const VERSION = 1;
/**
 * The checkpoint's JSON (counters, hyper-parameters, scheduler, extras) is at most 16 MiB:
 * JSON.parse builds objects many times the text's size, so a larger one is refused when saved
 * and when loaded. Large data belongs in tensors.
 */
const MAX_HEADER_JSON = 16 << 20;

/** Anything with PyTorch's scheduler state-dict pair (every LRScheduler). */
export interface Stateful {
  /** The state, as plain JSON-serialisable values. */
  stateDict(): Record<string, unknown>;
  /** Restores a state from stateDict. */
  loadStateDict(state: Record<string, unknown>): void;
}

/** What saveCheckpoint saves. */
export interface SaveCheckpointOptions {
  /** The model: its state dict. */
  model: Module;
  /** The optimizer: its state dict (moment estimates, step counts, hyper-parameters). */
  optimizer?: Optimizer;
  /** The lr scheduler: its state dict. */
  scheduler?: Stateful;
  /** The epoch reached (a non-negative integer). */
  epoch?: number;
  /** The global step reached (a non-negative integer). */
  step?: number;
  /** A generator (its state is saved) or a saved state, e.g. defaultGenerator.getState(). */
  rng?: Generator | GeneratorState;
  /** Any JSON-serialisable values (no tensors). */
  extra?: Record<string, unknown>;
}

/** What loadCheckpoint restores into. */
export interface LoadCheckpointOptions {
  /** The model to load the saved state dict into. */
  model?: Module;
  /** The optimizer to load the saved state into (built over the same parameters). */
  optimizer?: Optimizer;
  /** The scheduler to load the saved state into. */
  scheduler?: Stateful;
  /** Restores the saved RNG state into this generator (pass defaultGenerator to restore the global one). */
  rng?: Generator;
  /** Passed to model.loadStateDict: false tolerates missing and unexpected keys and reports them. */
  strict?: boolean;
}

/** What loadCheckpoint returns: the saved counters and extras. */
export interface CheckpointInfo {
  /** The saved epoch, or null. */
  epoch: number | null;
  /** The saved step, or null. */
  step: number | null;
  /** The saved generator state, or null. */
  rng: GeneratorState | null;
  /** The saved extra values. */
  extra: Record<string, unknown>;
  /** Model keys the file lacks / keys the model lacks (only non-empty with strict: false). */
  missingKeys: string[];
  /** Keys of the file that the model lacks (only non-empty with strict: false). */
  unexpectedKeys: string[];
}

/** A checkpoint's whole contents, as readCheckpoint returns them without applying them. */
export interface CheckpointContents {
  /** The model's state dict. */
  model: StateDict;
  /** The optimizer's state dict, or null. */
  optimizer: OptimizerStateDict | null;
  /** The scheduler's state dict, or null. */
  scheduler: Record<string, unknown> | null;
  /** The saved epoch, or null. */
  epoch: number | null;
  /** The saved step, or null. */
  step: number | null;
  /** The saved generator state, or null. */
  rng: GeneratorState | null;
  /** The saved extra values. */
  extra: Record<string, unknown>;
  /** The class names of what was saved, checked against what it is loaded into. */
  classes: {
    /** The model's class name. */
    model: string;
    /** The optimizer's class name, or null. */
    optimizer: string | null;
    /** The scheduler's class name, or null. */
    scheduler: string | null;
  };
}

interface Header {
  version: number;
  epoch: number | null;
  step: number | null;
  rng: GeneratorState | null;
  extra: Record<string, unknown>;
  optimizer: { paramGroups: OptimizerStateDict['paramGroups']; state: Record<string, Record<string, unknown>> } | null;
  scheduler: Record<string, unknown> | null;
  classes: CheckpointContents['classes'];
}

function encodeJson(op: string, value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (v instanceof Tensor)
      throw new TypeError(
        `${op}: '${key}' is a Tensor; checkpoint extras and scheduler state must be plain JSON values`,
      );
    if (typeof v === 'number' && !Number.isFinite(v)) return { $float: String(v) };
    if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol')
      throw new TypeError(`${op}: '${key}' is a ${typeof v}, which cannot be saved in a checkpoint`);
    return v;
  });
}

function decodeJson(text: string): unknown {
  return JSON.parse(text, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$float === 'string'
      ? Number(v.$float)
      : v,
  );
}

function checkCount(op: string, name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (!Number.isSafeInteger(v) || (v as number) < 0)
    throw new RangeError(`${op}: ${name} must be a non-negative integer, got ${String(v)}`);
  return v as number;
}

function isGenerator(x: unknown): x is Generator {
  return typeof (x as Generator)?.getState === 'function';
}

/** Saves model, optimizer, scheduler, counters and RNG state to one file, atomically. */
export function saveCheckpoint(path: string, options: SaveCheckpointOptions): void {
  checkPath('io.saveCheckpoint', path);
  const op = 'saveCheckpoint';
  checkOptions('io.saveCheckpoint', options, {
    model: 'object',
    optimizer: 'object',
    scheduler: 'object',
    epoch: 'integer',
    step: 'integer',
    rng: 'object',
    extra: 'object',
  });
  const { model, optimizer, scheduler, extra = {} } = options ?? ({} as SaveCheckpointOptions);
  if (!model || typeof model.stateDict !== 'function') throw new TypeError(`${op}: options.model must be an nn.Module`);
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) tensors[`model.${k}`] = t;

  let optHeader: Header['optimizer'] = null;
  if (optimizer) {
    if (typeof optimizer.stateDict !== 'function') throw new TypeError(`${op}: options.optimizer must be an Optimizer`);
    const sd = optimizer.stateDict();
    const scalars: Record<string, Record<string, unknown>> = {};
    for (const [i, s] of Object.entries(sd.state)) {
      scalars[i] = {};
      for (const [name, v] of Object.entries(s)) {
        if (v instanceof Tensor) tensors[`optimizer.state.${i}.${name}`] = v;
        else scalars[i][name] = v;
      }
    }
    optHeader = { paramGroups: sd.paramGroups, state: scalars };
  }
  if (scheduler && typeof scheduler.stateDict !== 'function')
    throw new TypeError(`${op}: options.scheduler must have stateDict()`);
  const rng = options.rng === undefined ? null : isGenerator(options.rng) ? options.rng.getState() : options.rng;
  const header: Header = {
    version: VERSION,
    epoch: checkCount(op, 'epoch', options.epoch),
    step: checkCount(op, 'step', options.step),
    rng,
    extra,
    optimizer: optHeader,
    scheduler: scheduler ? scheduler.stateDict() : null,
    classes: {
      model: model.constructor.name,
      optimizer: optimizer?.constructor.name ?? null,
      scheduler: scheduler?.constructor.name ?? null,
    },
  };
  const json = encodeJson(op, header);
  if (json.length > MAX_HEADER_JSON)
    throw new RangeError(
      `${op}: the checkpoint's JSON (extras, scheduler, optimizer settings) is ${json.length} characters, more than ${MAX_HEADER_JSON}; keep large data in tensors`,
    );
  saveSafetensors(path, tensors, { format: CHECKPOINT_FORMAT, [CHECKPOINT_FORMAT]: json });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** Checks the decoded header's structure: every field of the kind the loader will use. */
function checkHeader(fail: (msg: string) => never, header: unknown): asserts header is Header {
  if (!isRecord(header)) return fail('corrupt checkpoint metadata (not a JSON object)');
  if (header.version !== VERSION)
    fail(`unsupported checkpoint version ${String(header.version)} (this myelin reads version ${VERSION})`);
  for (const key of ['epoch', 'step'] as const) {
    const v = header[key];
    if (v !== null && (!Number.isSafeInteger(v) || (v as number) < 0))
      fail(`corrupt checkpoint metadata: ${key} must be null or a non-negative integer, got ${JSON.stringify(v)}`);
  }
  if (header.rng !== null) {
    try {
      checkGeneratorState('RNG state', header.rng);
    } catch (e) {
      fail(`corrupt checkpoint metadata: ${(e as Error).message}`);
    }
  }
  if (header.extra !== undefined && !isRecord(header.extra))
    fail('corrupt checkpoint metadata: extra must be an object');
  if (header.scheduler !== null && !isRecord(header.scheduler))
    fail('corrupt checkpoint metadata: scheduler must be null or an object');
  const classes = header.classes;
  if (
    !isRecord(classes) ||
    typeof classes.model !== 'string' ||
    (classes.optimizer !== null && typeof classes.optimizer !== 'string') ||
    (classes.scheduler !== null && typeof classes.scheduler !== 'string')
  )
    fail('corrupt checkpoint metadata: classes must name the model, optimizer and scheduler');
  const opt = header.optimizer;
  if (opt === null) return;
  if (!isRecord(opt) || !Array.isArray(opt.paramGroups) || !isRecord(opt.state))
    fail('corrupt checkpoint metadata: optimizer must be null or { paramGroups, state }');
  const o = opt as { paramGroups: unknown[]; state: Record<string, unknown> };
  o.paramGroups.forEach((g, i) => {
    if (!isRecord(g) || !Array.isArray(g.params) || !g.params.every((p) => Number.isSafeInteger(p) && p >= 0))
      fail(`corrupt checkpoint metadata: optimizer group ${i} must list its parameters by index`);
  });
  for (const [i, st] of Object.entries(o.state)) {
    if (!/^\d+$/.test(i) || !isRecord(st))
      fail(`corrupt checkpoint metadata: optimizer state '${i}' must be an object under a parameter index`);
  }
}

/** Reads a checkpoint without applying it to anything. */
export function readCheckpoint(path: string): CheckpointContents {
  checkPath('io.readCheckpoint', path);
  removeStaleTemporaries(path);
  const { tensors, metadata } = readSafetensorsFor('loadCheckpoint', path);
  const fail = (msg: string): never => {
    throw new Error(`loadCheckpoint: ${path}: ${msg}`);
  };
  if (metadata.format !== CHECKPOINT_FORMAT || typeof metadata[CHECKPOINT_FORMAT] !== 'string') {
    fail(
      `not a myelin checkpoint (a safetensors file without '${CHECKPOINT_FORMAT}' metadata; use io.loadSafetensors for plain state dicts)`,
    );
  }
  const text = metadata[CHECKPOINT_FORMAT];
  if (text.length > MAX_HEADER_JSON)
    fail(`the checkpoint's metadata is ${text.length} characters, more than the ${MAX_HEADER_JSON} this reader takes`);
  let header: unknown;
  try {
    header = decodeJson(text);
  } catch (e) {
    return fail(`corrupt checkpoint metadata (${(e as Error).message})`);
  }
  checkHeader(fail, header);

  const model: StateDict = {};
  const optTensors = new Map<string, Record<string, Tensor>>();
  for (const [key, t] of Object.entries(tensors)) {
    if (key.startsWith('model.')) {
      model[key.slice(6)] = t;
      continue;
    }
    const m = /^optimizer\.state\.(\d+)\.(.+)$/.exec(key);
    if (!m || !header.optimizer) return fail(`unexpected tensor '${key}'`);
    if (!optTensors.has(m[1])) optTensors.set(m[1], {});
    optTensors.get(m[1])![m[2]] = t;
  }
  let optimizer: OptimizerStateDict | null = null;
  if (header.optimizer) {
    const state: Record<number, OptimizerState> = {};
    for (const [i, s] of Object.entries(header.optimizer.state)) state[Number(i)] = { ...(s as OptimizerState) };
    for (const [i, ts] of optTensors) state[Number(i)] = { ...(state[Number(i)] ?? {}), ...ts };
    optimizer = { state, paramGroups: header.optimizer.paramGroups };
  }
  return {
    model,
    optimizer,
    scheduler: header.scheduler,
    epoch: header.epoch,
    step: header.step,
    rng: header.rng,
    extra: header.extra ?? {},
    classes: header.classes,
  };
}

/** Checks a saved model state against the model before anything is copied, naming the key. */
function checkModel(fail: (msg: string) => never, model: Module, saved: StateDict, strict: boolean): void {
  const own = model.stateDict();
  const missing = Object.keys(own).filter((k) => !(k in saved));
  const unexpected = Object.keys(saved).filter((k) => !(k in own));
  if (strict && (missing.length || unexpected.length)) {
    const parts = [];
    if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
    if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
    fail(
      `the model does not match the checkpoint (${parts.join('; ')}); pass strict: false to load the keys that match`,
    );
  }
  for (const [k, t] of Object.entries(own)) {
    const s = saved[k];
    if (!s) continue;
    if (!sameShape(s.shape, t.shape))
      fail(
        `size mismatch for '${k}': the checkpoint has shape ${formatShape(s.shape)}, the model has ${formatShape(t.shape)}`,
      );
    // Floating tensors load into the model's floating dtype, as loadStateDict converts them.
    if (s.dtype !== t.dtype && !(isFloatingDType(s.dtype) && isFloatingDType(t.dtype)))
      fail(`dtype mismatch for '${k}': the checkpoint has ${s.dtype}, the model has ${t.dtype}`);
  }
}

function checkOptimizer(fail: (msg: string) => never, optimizer: Optimizer, saved: OptimizerStateDict): void {
  if (saved.paramGroups.length !== optimizer.paramGroups.length) {
    fail(
      `the checkpoint's optimizer has ${saved.paramGroups.length} parameter groups, the optimizer has ${optimizer.paramGroups.length}`,
    );
  }
  const params: Tensor[] = [];
  saved.paramGroups.forEach((g, gi) => {
    const own = optimizer.paramGroups[gi].params;
    if (g.params.length !== own.length)
      fail(`optimizer group ${gi} has ${g.params.length} parameters in the checkpoint, ${own.length} in the optimizer`);
    g.params.forEach((idx, j) => {
      if (params[idx] !== undefined) fail(`optimizer group ${gi} lists parameter index ${idx} twice`);
      params[idx] = own[j];
    });
  });
  for (const [i, s] of Object.entries(saved.state)) {
    const p = params[Number(i)];
    if (!p) fail(`optimizer state for parameter ${i}, which no parameter group lists`);
    for (const [name, v] of Object.entries(s)) {
      if (v instanceof Tensor && v.numel() !== 1 && !sameShape(v.shape, p.shape)) {
        fail(
          `size mismatch for 'optimizer.state.${i}.${name}': the checkpoint has shape ${formatShape(v.shape)}, the parameter has ${formatShape(p.shape)}`,
        );
      }
    }
  }
  // Then everything loadStateDict checks: hyper-parameters of the right kinds and values.
  try {
    optimizer.checkStateDict(saved);
  } catch (e) {
    fail((e as Error).message);
  }
}

/** Runs `check` and turns its error into one that names the checkpoint. */
function checked(fail: (msg: string) => never, check: () => void): void {
  try {
    check();
  } catch (e) {
    fail((e as Error).message);
  }
}

/**
 * Restores a checkpoint into the given model, optimizer, scheduler and generator, all or
 * nothing: the whole file is read and checked first (the model's names, shapes and dtypes, the
 * optimizer's state and hyper-parameters, the scheduler's state, the RNG state), and only then
 * is anything changed. Should applying still fail, what was already applied is restored.
 */
export function loadCheckpoint(path: string, options: LoadCheckpointOptions = {}): CheckpointInfo {
  checkPath('io.loadCheckpoint', path);
  checkOptions('io.loadCheckpoint', options, {
    model: 'object',
    optimizer: 'object',
    scheduler: 'object',
    rng: 'object',
    strict: 'boolean',
  });
  const { model, optimizer, scheduler, rng, strict = true } = options;
  const ck = readCheckpoint(path);
  const fail = (msg: string): never => {
    throw new Error(`loadCheckpoint: ${path}: ${msg}`);
  };
  if (model) checkModel(fail, model, ck.model, strict);
  if (optimizer) {
    if (!ck.optimizer) fail('the checkpoint has no optimizer state');
    if (ck.classes.optimizer && ck.classes.optimizer !== optimizer.constructor.name) {
      fail(`the checkpoint holds ${ck.classes.optimizer} state, the optimizer is ${optimizer.constructor.name}`);
    }
    checkOptimizer(fail, optimizer, ck.optimizer!);
  }
  if (scheduler) {
    if (!ck.scheduler) fail('the checkpoint has no scheduler state');
    checked(fail, () => {
      if (typeof (scheduler as { checkStateDict?: unknown }).checkStateDict === 'function')
        (scheduler as unknown as { checkStateDict(s: unknown): void }).checkStateDict(ck.scheduler);
      else checkSameStructure('scheduler.loadStateDict', scheduler.stateDict(), ck.scheduler);
    });
  }
  if (rng) {
    if (!ck.rng) fail('the checkpoint has no RNG state');
    checked(fail, () => checkGeneratorState('RNG state', ck.rng));
  }

  // Apply: the small states first, each with a copy to restore; the model last.
  const undo: (() => void)[] = [];
  let result = { missingKeys: [] as string[], unexpectedKeys: [] as string[] };
  try {
    if (rng) {
      const before = rng.getState();
      undo.push(() => rng.setState(before));
      rng.setState(ck.rng!);
    }
    if (scheduler) {
      const before = scheduler.stateDict();
      undo.push(() => scheduler.loadStateDict(before));
      scheduler.loadStateDict(ck.scheduler!);
    }
    if (optimizer) {
      const before = optimizer.stateDict();
      undo.push(() => optimizer.loadStateDict(before));
      optimizer.loadStateDict(ck.optimizer!);
    }
    if (model) result = model.loadStateDict(ck.model, { strict });
  } catch (e) {
    for (const restore of undo.reverse()) restore();
    fail(`applying the checkpoint failed, nothing was changed (${(e as Error).message})`);
  }
  return { epoch: ck.epoch, step: ck.step, rng: ck.rng, extra: ck.extra, ...result };
}
