// The bad-input sweep's worker (run by bad_input.test.ts in a child process, so that a crash or
// a hang fails the test instead of killing the run):
//   node --import ./test/helpers/ts_loader.mjs test/api/bad_input_child.ts count
//   node --import ./test/helpers/ts_loader.mjs test/api/bad_input_child.ts run <progress> <result> <from> <to> [stride]
//   node --import ./test/helpers/ts_loader.mjs test/api/bad_input_child.ts describe <index>
// It makes the sweep's list of calls (every callable of the public API, one argument at a time
// replaced by a hostile value, the others plausible). `count` prints its length; `run` makes
// calls [from, to), writing the index of each to the progress file before making it (the parent
// reads the last one after a crash or a hang), then a JSON summary of the outcomes to the result
// file. Run it in a scratch directory: hostile strings are used as file paths.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Myelin from '../../lib/index.js';
import { type Callable, publicApi } from './public_api.js';

const [mode, progressPath, resultPath, fromArg, toArg, strideArg] = process.argv.slice(2);
// The package under test: this checkout's, or another (to measure a baseline) through SWEEP_LIB.
const m: typeof Myelin = await import(process.env.SWEEP_LIB ?? '../../lib/index.js');
const { nn, optim, data, tensor, randn } = m;

type Value = { label: string; make: () => unknown };
const v = (label: string, make: () => unknown): Value => ({ label, make });
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-sweep-'));

/** Tensors of every awkward kind: dtypes, ranks, empty, non-contiguous, NaN/Inf, out-of-range indices. */
const HOSTILE_TENSORS: Value[] = [
  v('float32 [2,3]', () => randn([2, 3])),
  v('float32 [2,3] requiring grad', () => randn([2, 3], { requiresGrad: true })),
  v('int32 [2,3]', () =>
    tensor(
      [
        [0, 1, 2],
        [2, 1, 0],
      ],
      { dtype: 'int32' },
    ),
  ),
  v('bool [2,3]', () =>
    tensor([
      [true, false, true],
      [false, true, false],
    ]),
  ),
  v('float32 scalar', () => tensor(1.5)),
  v('float32 [3]', () => randn([3])),
  v('float32 [0,3] (empty)', () => randn([0, 3])),
  v('float32 [3,2] transposed (non-contiguous)', () => randn([2, 3]).t()),
  v('float32 [2,3] of NaN', () => m.full([2, 3], Number.NaN)),
  v('float32 [2,3] of Infinity', () => m.full([2, 3], Number.POSITIVE_INFINITY)),
  v('float32 [1,1,1,2,3] (5-D)', () => randn([1, 1, 1, 2, 3])),
  v('float32 [2,3,4,5] (4-D)', () => randn([2, 3, 4, 5])),
  v('int32 [4] with out-of-range indices', () => tensor(new Int32Array([-7, 100, 2 ** 30, 0]))),
  v('qint8 [2,3] (quantized per tensor)', () => m.quantizePerTensor(randn([2, 3]), 0.1, 0, 'qint8')),
  v('uint8 [2,3]', () => m.quantizePerTensor(randn([2, 3]), 0.1, 128, 'quint8').intRepr()),
  v('bfloat16 [2,3]', () => randn([2, 3], { dtype: 'bfloat16' })),
];

/** Values of every wrong JavaScript type and every awkward number. */
const HOSTILE_VALUES: Value[] = [
  v('undefined', () => undefined),
  v('null', () => null),
  v('NaN', () => Number.NaN),
  v('Infinity', () => Number.POSITIVE_INFINITY),
  v('-Infinity', () => Number.NEGATIVE_INFINITY),
  v('-1', () => -1),
  v('0', () => 0),
  v('0.5', () => 0.5),
  v('2 ** 40', () => 2 ** 40),
  v("'abc'", () => 'abc'),
  v('true', () => true),
  v('{}', () => ({})),
  v('[]', () => []),
  v('[NaN]', () => [Number.NaN]),
  v('[-1, 2]', () => [-1, 2]),
  v('[2 ** 40]', () => [2 ** 40]),
  v('a function', () => () => 1),
  v('a symbol', () => Symbol('s')),
  v('1n', () => 1n),
  v('a Float64Array', () => new Float64Array(6)),
  v('a Map', () => new Map()),
  v('an object with a throwing getter', () =>
    Object.defineProperty({}, 'length', {
      get() {
        throw new Error('getter ran');
      },
    }),
  ),
];

const linear = () => new nn.Linear(3, 3);

/** A plausible value for a parameter, from its declared type and its name (one element of a rest parameter). */
function plausible(type: string, name: string, rest = false): unknown {
  const t = rest ? type.replace(/^\(?(readonly )?(.*?)\)?\[\]$/, '$2') : type;
  if (/^(readonly )?Tensor\[\]|Iterable<Tensor>|^\(Tensor \| Tensor\[\]\)\[\]/.test(t))
    return [randn([2, 3]), randn([2, 3])];
  if (/^(Tensor|TensorLike)\b/.test(t)) return randn([2, 3]);
  if (/^Module\b/.test(t)) return linear();
  if (/^Optimizer\b/.test(t)) return new optim.SGD(linear().parameters(), { lr: 0.1 });
  if (/^ParamsInput/.test(t)) return linear().parameters();
  if (/^Dataset|Iterable<Dataset/.test(t)) {
    const d = new data.TensorDataset(randn([4, 3]));
    return t.startsWith('Iterable') ? [d] : d;
  }
  if (/^Sampler/.test(t)) return new data.SequentialSampler(4);
  if (/^Generator\b/.test(t)) return new m.Generator();
  if (/^DType/.test(t)) return 'float32';
  if (/^QuantizedDType/.test(t)) return 'qint8';
  if (/^StateDict|^Record<string, Tensor>/.test(t)) return { w: randn([2]) };
  if (/^Uint8Array/.test(t)) return new Uint8Array(16);
  if (/^TypedArray/.test(t)) return new Float32Array(6);
  if (/^\(.*\) =>/.test(t)) return (...a: unknown[]) => a[0];
  if (/^(readonly )?(number\[\]|Shape\b|\[number)/.test(t)) return [2, 3];
  if (/^(number|Dims|AdaptiveSize|One|Pair)\b/.test(t)) {
    if (/^(dim\d?|startDim|endDim|axis|dims)$/i.test(name)) return 1;
    if (/features|size|channels|dim$|hidden|embed|classes|num/i.test(name)) return 3;
    if (name === 'p') return 0.5;
    return 1;
  }
  if (/^boolean/.test(t)) return false;
  if (/^string/.test(t) || /^"/.test(t)) {
    if (/path|dir|root/i.test(name)) return path.join(tmpDir, 'file');
    if (name === 'equation') return 'ij->ji';
    const literal = /^"([^"]*)"/.exec(t);
    return literal ? literal[1] : 'x';
  }
  return undefined;
}

const sink = { write: () => true } as unknown as NodeJS.WritableStream;

/** Instances for the methods of classes whose constructor the plausible arguments do not satisfy. */
const INSTANCES: Record<string, () => unknown> = {
  'nn.Module': linear,
  'nn.BatchNormBase': () => new nn.BatchNorm1d(3),
  'optim.Optimizer': () => new optim.SGD(linear().parameters(), { lr: 0.1 }),
  'optim.lrScheduler.LRScheduler': () =>
    new optim.lrScheduler.StepLR(new optim.SGD(linear().parameters(), { lr: 0.1 }), 1),
  'data.Dataset': () => new data.TensorDataset(randn([4, 3])),
  'data.Subset': () => new data.Subset(new data.TensorDataset(randn([4, 3])), [0, 2]),
  'nn.Upsample': () => new nn.Upsample({ scaleFactor: 2 }),
  'nn.TransformerEncoder': () =>
    new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 1),
  'nn.TransformerDecoder': () =>
    new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 }), 1),
  // The default Transformer (dModel 512, 6 + 6 layers) takes seconds to build: one per call was
  // most of the sweep's time.
  'nn.Transformer': () =>
    new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 }),
  'nn.Hardtanh': () => new nn.Hardtanh(-1, 1),
  'data.DistributedSampler': () => new data.DistributedSampler(4, { numReplicas: 2, rank: 0 }),
  'nn.ModelSummary': () => nn.summary(linear(), [1, 3]),
  'train.GradientReport': () => m.train.gradientStats(linear()),
  'train.Progress': () => new m.train.Progress({ total: 2, stream: sink }),
  'optim.lrScheduler.SequentialLR': () => {
    const opt = new optim.SGD(linear().parameters(), { lr: 0.1 });
    const s1 = new optim.lrScheduler.StepLR(opt, 1);
    return new optim.lrScheduler.SequentialLR(opt, [s1, new optim.lrScheduler.StepLR(opt, 1)], [1]);
  },
  Tensor: () => randn([2, 3]),
  // A fake clock (1 ms a call): the autoranges end after a few calls.
  'utils.benchmark.Timer': () => {
    let now = 0;
    return new m.utils.benchmark.Timer({ stmt: () => (now += 1e-3), timer: () => now });
  },
  'utils.benchmark.Measurement': () =>
    new m.utils.benchmark.Measurement(10, [1e-3, 2e-3, 1.5e-3, 1.2e-3], { stmt: 'f()', setup: '', numThreads: 1 }),
  'utils.benchmark.Compare': () =>
    new m.utils.benchmark.Compare([
      new m.utils.benchmark.Measurement(10, [1e-3, 2e-3], { stmt: 'f()', setup: '', description: 'd', numThreads: 1 }),
    ]),
};

/** Plausible arguments for callables the types alone would make slow (a default that loads 60,000 images). */
const ARGS: Record<string, () => unknown[]> = {
  'data.loadFashionMNIST': () => [{ source: 'embedded', train: false, limit: 4 }],
  'data.resolveFashionMNIST': () => [{ source: 'embedded' }, tmpDir],
};

/**
 * Hostile values that make a valid call too slow to repeat: loadFashionMNIST's default options
 * load Debian's 60,000 images where that package is installed; timeit(2 ** 40) makes that many calls.
 */
const SLOW: Record<string, string[]> = {
  'data.loadFashionMNIST': ['no arguments', 'undefined', '{}'],
  // 2 ** 40 calls of the statement, as asked (PyTorch's timeit sets no bound either).
  'utils.benchmark.Timer.timeit': ['2 ** 40'],
  // limits() with its defaults measures for a second or two (9 samples of each figure, 128 MiB arrays).
  'utils.benchmark.limits': ['no arguments', 'undefined', 'null', '{}', 'an object with a throwing getter'],
};

/** How to make an instance of a class for its methods: its entry above, or its constructor. */
function instanceMaker(className: string, ctor: Callable | undefined): (() => unknown) | null {
  if (INSTANCES[className]) return INSTANCES[className];
  if (!ctor) return null;
  const C = resolve(className) as new (...a: unknown[]) => unknown;
  return () => new C(...ctor.params.map((p) => plausible(p.type, p.name, p.rest)));
}

function resolve(name: string): unknown {
  let x: unknown = m;
  for (const part of name.split('.')) x = (x as Record<string, unknown> | undefined)?.[part];
  return x;
}

interface Call {
  callable: string;
  /** Which argument is hostile ('this' for the receiver), and the value's label. */
  position: string;
  value: string;
  run: () => unknown;
}

/** Every call of the sweep, in a fixed order (the parent and every child build the same list). */
function sweepCalls(): { calls: Call[]; noInstance: string[] } {
  const api = publicApi();
  const ctors = new Map(api.filter((c) => c.kind === 'constructor').map((c) => [c.name, c]));
  const calls: Call[] = [];
  const noInstance = new Set<string>();
  const makers = new Map<string, (() => unknown) | null>();
  const makerOf = (className: string) => {
    if (!makers.has(className)) {
      let make = instanceMaker(className, ctors.get(className));
      try {
        make?.();
      } catch {
        make = null;
      }
      makers.set(className, make);
    }
    return makers.get(className);
  };
  for (const c of api) {
    const className = c.kind === 'method' ? c.name.slice(0, c.name.lastIndexOf('.')) : '';
    const method = c.name.slice(c.name.lastIndexOf('.') + 1);
    const target = c.kind === 'method' ? null : resolve(c.name);
    if (c.kind !== 'method' && typeof target !== 'function') continue;
    const make = c.kind === 'method' ? makerOf(className) : null;
    if (c.kind === 'method' && !make) {
      noInstance.add(className);
      continue;
    }
    const args = ARGS[c.name] ?? (() => c.params.map((p) => plausible(p.type, p.name, p.rest)));
    const invoke = (self: unknown, a: unknown[]) => {
      if (c.kind === 'constructor') return new (target as new (...x: unknown[]) => unknown)(...a);
      if (c.kind === 'function') return (target as (...x: unknown[]) => unknown)(...a);
      return (self as Record<string, (...x: unknown[]) => unknown>)[method](...a);
    };
    const receiver = () => make?.();
    const positions = Math.max(c.params.length, 1);
    const values = [...HOSTILE_VALUES, ...HOSTILE_TENSORS];
    const slow = SLOW[c.name] ?? [];
    if (!slow.includes('no arguments'))
      calls.push({ callable: c.name, position: '-', value: 'no arguments', run: () => invoke(receiver(), []) });
    for (let i = 0; i < positions; i++) {
      for (const val of values) {
        if (slow.includes(val.label)) continue;
        calls.push({
          callable: c.name,
          position: String(i),
          value: val.label,
          run: () => {
            const self = receiver();
            const a = args();
            a[i] = val.make();
            return invoke(self, a);
          },
        });
      }
    }
    if (className === 'Tensor') {
      for (const val of HOSTILE_TENSORS) {
        calls.push({
          callable: c.name,
          position: 'this',
          value: val.label,
          run: () => invoke(val.make(), args()),
        });
      }
    }
  }
  return { calls, noInstance: [...noInstance].sort() };
}

/** The names an error may start with: every name of the API (and an op's 'XBackward' node). */
function knownNames(): Set<string> {
  const names = new Set<string>();
  for (const c of publicApi()) {
    const parts = c.name.split('.');
    for (let i = 0; i < parts.length; i++) names.add(parts.slice(i).join('.'));
    names.add(c.name);
    const fn = c.kind === 'method' ? undefined : resolve(c.name);
    if (typeof fn === 'function' && fn.name) names.add(fn.name);
  }
  return names;
}

/** Whether an error is the package's own: `name: message` with a name of the API. */
function isNamed(e: unknown, names: Set<string>): boolean {
  if (!(e instanceof Error)) return false;
  const match = /^([A-Za-z_$][\w$.]*)[^:\n]*?: /.exec(e.message);
  if (!match) return false;
  const token = match[1].replace(/Backward$/, '');
  if (names.has(token)) return true;
  // 'nn.Linear.forward', 'optim.SGD.zeroGrad', 'Linear.registerBuffer': any dotted suffix known.
  const parts = token.split('.');
  return (
    parts.some((_, i) => names.has(parts.slice(i).join('.'))) || names.has(token[0].toLowerCase() + token.slice(1))
  );
}

if (mode === 'describe') {
  // describe <index>: which call an index is (the parent names a call that crashed or hung).
  const call = sweepCalls().calls[Number(progressPath)];
  console.log(call ? `${call.callable} with argument ${call.position} = ${call.value}` : 'no such call');
  fs.rmSync(tmpDir, { recursive: true, force: true });
} else if (mode === 'count') {
  const { calls, noInstance } = sweepCalls();
  console.log(JSON.stringify({ count: calls.length, noInstance }));
  fs.rmSync(tmpDir, { recursive: true, force: true });
} else if (mode === 'run') {
  const { calls } = sweepCalls();
  const threads = m.getNumThreads();
  const names = knownNames();
  const from = Number(fromArg);
  const to = Math.min(Number(toArg), calls.length);
  const progress = fs.openSync(progressPath, 'w');
  const failures: { index: number; callable: string; position: string; value: string; error: string }[] = [];
  let returned = 0;
  let named = 0;
  const timing = new Map<string, number>();
  const stride = Math.max(1, Number(strideArg ?? 1));
  for (let i = from; i < to; i += stride) {
    fs.writeSync(progress, `${i}\n`);
    const call = calls[i];
    const t0 = performance.now();
    try {
      call.run();
      returned++;
    } catch (e) {
      // The user's own code throwing (a getter of an object it passed) propagates unchanged.
      if (isNamed(e, names) || (e instanceof Error && e.message === 'getter ran')) named++;
      else {
        const error = e instanceof Error ? `${e.constructor.name}: ${e.message}` : `a thrown ${typeof e}: ${String(e)}`;
        failures.push({ index: i, callable: call.callable, position: call.position, value: call.value, error });
      }
    } finally {
      // Calls that change global state put it back, so the next call starts from the same place.
      m.setGradEnabled(true);
      if (m.getNumThreads() !== threads) m.setNumThreads(threads);
      timing.set(call.callable, (timing.get(call.callable) ?? 0) + performance.now() - t0);
    }
  }
  if (process.env.SWEEP_TIMING)
    console.log(
      [...timing]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 40)
        .map(([k, t]) => `${t.toFixed(0)} ms ${k}`)
        .join('\n'),
    );
  fs.writeSync(progress, 'done\n');
  fs.writeFileSync(
    resultPath,
    JSON.stringify({ calls: returned + named + failures.length, returned, named, failures }),
  );
  fs.rmSync(tmpDir, { recursive: true, force: true });
}
