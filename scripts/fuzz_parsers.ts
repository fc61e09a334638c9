// Coverage-guided fuzzing of the file parsers (IDX, safetensors, checkpoints).
//
//   node --import ./test/helpers/ts_loader.mjs scripts/fuzz_parsers.ts TARGET SECONDS [OUT_DIR]
//   TARGET: idx | safetensors | checkpoint
//
// Jazzer.js, the coverage-guided fuzzer for JavaScript on npm, cannot run here: its only Linux
// x64 binary needs glibc 2.38 (Debian 12 has 2.36) and the package ships no sources to rebuild
// it. This is the same loop in plain Node: V8's own block coverage (the inspector's precise
// coverage, reset at every take) says which blocks an input ran; an input that runs a block no
// earlier input ran joins the corpus; inputs are mutated corpus entries (bit flips, interesting
// bytes and numbers, inserted and deleted runs, splices, format tokens), with the length
// fields fixed up half the time so mutations reach past the first check.
//
// The oracle: each call returns, or throws an Error whose message starts with the function's
// name (a clear error); anything else (a TypeError from inside the parser, a RangeError from
// V8, a message that does not name the function), a call slower than 2 s, or, for checkpoints,
// a failed load that changed the model, optimizer, scheduler or generator, is a finding: the
// input is written to OUT_DIR/crash-<target>-<n> and the run exits with status 1.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Block coverage counts only code compiled after it starts: the library is imported after.
const session = new Session();
session.connect();
function post<T>(method: string, params?: object): T {
  let out: T | undefined;
  session.post(method, params, (err, res) => {
    if (err) throw err;
    out = res as T;
  });
  return out as T;
}
post('Profiler.enable');
post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });

const { loadCheckpoint, saveCheckpoint } = await import('../lib/io/checkpoint.js');
const { encodeIdx, parseIdx } = await import('../lib/io/idx.js');
const { deserialize, serialize } = await import('../lib/io/safetensors.js');
const { Sequential } = await import('../lib/nn/modules/container.js');
const { Linear } = await import('../lib/nn/modules/linear.js');
const { Adam } = await import('../lib/optim/adam.js');
const { StepLR } = await import('../lib/optim/lr_scheduler.js');
const { Generator, manualSeed } = await import('../lib/random.js');
const { Tensor } = await import('../lib/tensor.js');

interface Target {
  seeds: Uint8Array[];
  /** Runs one input; returns a finding's description, or null. */
  run(input: Uint8Array): string | null;
  /** Repairs length fields so a mutated input gets past the first checks. */
  fixup(input: Uint8Array): Uint8Array;
  tokens: string[];
}

const [targetName, secondsArg, outArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 60);
const outDir = outArg ?? 'fuzz-findings';

/** null if `e` is a clear error from `names`, else what is wrong with it. */
function judge(e: unknown, names: string[]): string | null {
  if (!(e instanceof Error)) return `threw a non-Error: ${String(e)}`;
  if (!names.some((n) => e.message.startsWith(`${n}:`))) return `unclear error: ${e.constructor.name}: ${e.message}`;
  return null;
}

function idxTarget(): Target {
  const seeds: Uint8Array[] = [];
  for (const data of [
    Uint8Array.from([1, 2, 3, 4, 5, 6]),
    Int8Array.from([-1, 2, -3]),
    Int16Array.from([-300, 7]),
    Int32Array.from([1, -2, 3, -4]),
    Float32Array.from([1.5, -2, Infinity, Number.NaN]),
    Float64Array.from([Math.PI, -0]),
  ]) {
    for (const gzip of [false, true]) seeds.push(encodeIdx({ shape: [data.length], data }, { gzip }));
  }
  seeds.push(encodeIdx({ shape: [2, 1, 3], data: new Uint8Array(6) }));
  return {
    seeds,
    tokens: ['\x00\x00\x08\x01', '\x00\x00\x0d\x03', '\x1f\x8b\x08\x00', '\xff\xff\xff\xff', '\x00\x00\x00\x00'],
    run(input) {
      try {
        parseIdx(input, 'fuzz');
      } catch (e) {
        return judge(e, ['parseIdx']);
      }
      return null;
    },
    fixup(input) {
      // Make the dimensions' product match the payload (plain files only).
      if (input.length < 8 || input[0] !== 0 || input[1] !== 0 || input[3] === 0) return input;
      const ndim = input[3];
      const header = 4 + 4 * ndim;
      const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[input[2]];
      if (!size || input.length < header) return input;
      const out = Uint8Array.from(input);
      const view = new DataView(out.buffer);
      for (let d = 1; d < ndim; d++) view.setUint32(4 + 4 * d, 1, false);
      view.setUint32(4, Math.floor((out.length - header) / size), false);
      return out;
    },
  };
}

function safetensorsTarget(): Target {
  const seeds = [
    serialize({ a: Tensor.fromData(Float32Array.from([1, 2, 3, 4]), [2, 2]) }, { framework: 'pt' }),
    serialize({
      w: Tensor.fromData(Int32Array.from([1, -2]), [2]),
      m: Tensor.fromData(Uint8Array.from([1, 0, 1]), [3]),
      e: Tensor.fromData(new Float32Array(0), [0, 3]),
    }),
  ];
  return {
    seeds,
    tokens: [
      '"dtype"',
      '"shape"',
      '"data_offsets"',
      '"__metadata__"',
      '"F16"',
      '"BF16"',
      '"I64"',
      '"U32"',
      '"BOOL"',
      '"F64"',
      '[',
      ']',
      '{',
      '}',
      ',',
      ':',
      'null',
      'true',
      '"\\u00e9"',
      '1e3',
      '-1',
      '9007199254740993',
    ],
    run(input) {
      try {
        deserialize(input, 'fuzz');
      } catch (e) {
        return judge(e, ['safetensors', 'deserialize']);
      }
      return null;
    },
    fixup(input) {
      // The 8-byte header length set to where the JSON object seems to end.
      if (input.length < 10) return input;
      const close = input.lastIndexOf(0x7d);
      if (close < 8) return input;
      const out = Uint8Array.from(input);
      new DataView(out.buffer).setBigUint64(0, BigInt(close - 7), true);
      return out;
    },
  };
}

function checkpointTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'myelin-fuzz-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const make = () => {
    manualSeed(3);
    const model = new Sequential(new Linear(3, 2), new Linear(2, 1));
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const scheduler = new StepLR(optimizer, 2);
    const rng = new Generator().manualSeed(9);
    return { model, optimizer, scheduler, rng };
  };
  const saved = make();
  for (const p of saved.model.parameters()) p.grad = Tensor.fromData(new Float32Array(p.numel()).fill(0.1), p.shape);
  saved.optimizer.step();
  saved.scheduler.step();
  const seedPath = join(dir, 'seed.ckpt');
  saveCheckpoint(seedPath, { ...saved, epoch: 2, step: 7, extra: { best: 0.5 } });
  const path = join(dir, 'fuzz.ckpt');
  const target = make();
  const snapshot = () =>
    JSON.stringify({
      model: Object.entries(target.model.stateDict()).map(([k, t]) => [k, [...t.data]]),
      groups: target.optimizer.paramGroups.map(({ params: _p, ...g }) => g),
      state: [...target.optimizer.state.values()].map((s) =>
        Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? [...v.data] : v]),
      ),
      scheduler: target.scheduler.stateDict(),
      rng: target.rng.getState(),
    });
  const st = safetensorsTarget();
  return {
    seeds: [readFileSync(seedPath)],
    tokens: [...st.tokens, '"lr"', '"betas"', '"rng"', '"offset"', '"lastEpoch"', '"abc"', '"$float"', '"NaN"'],
    fixup: st.fixup,
    run(input) {
      writeFileSync(path, input);
      const before = snapshot();
      try {
        loadCheckpoint(path, target);
      } catch (e) {
        const verdict = judge(e, ['loadCheckpoint', 'safetensors', 'loadSafetensors']);
        if (verdict) return verdict;
        if (snapshot() !== before) return `a failed load changed state: ${(e as Error).message}`;
        return null;
      }
      // A load that succeeded leaves a state the next step can use.
      try {
        target.optimizer.step();
        target.scheduler.step();
        target.rng.nextNormal();
      } catch (e) {
        return `a loaded checkpoint breaks the next step: ${(e as Error).message}`;
      }
      // Back to the seed state for the next input.
      loadCheckpoint(seedPath, target);
      return null;
    },
  };
}

// ---- the coverage-guided loop ----

interface Coverage {
  result: { scriptId: string; url: string; functions: { ranges: { startOffset: number; count: number }[] }[] }[];
}
// V8 reports a function's blocks as nested ranges: a block that ran has its function's count
// and is not listed; the ranges listed with count 0 are the blocks that did not run. So the
// blocks an input ran are the function's known blocks (every range ever listed) minus those
// listed as 0 this time.
const seen = new Set<string>();
const knownBlocks = new Map<string, Set<number>>();
/** Blocks of lib/ run since the last call that no earlier input ran. */
function newBlocks(): number {
  const cov = post<Coverage>('Profiler.takePreciseCoverage');
  let fresh = 0;
  const cover = (key: string) => {
    if (!seen.has(key)) {
      seen.add(key);
      fresh++;
    }
  };
  for (const script of cov.result) {
    if (!script.url.includes('/lib/')) continue;
    for (const fn of script.functions) {
      const [whole, ...blocks] = fn.ranges;
      if (!whole || whole.count === 0) continue;
      const fnKey = `${script.url}:${whole.startOffset}`;
      cover(fnKey);
      let known = knownBlocks.get(fnKey);
      if (!known) knownBlocks.set(fnKey, (known = new Set()));
      const missed = new Set<number>();
      for (const r of blocks) {
        known.add(r.startOffset);
        if (r.count === 0) missed.add(r.startOffset);
      }
      for (const b of known) if (!missed.has(b)) cover(`${fnKey}:${b}`);
    }
  }
  return fresh;
}

let state = 0x9e3779b9;
function rand(n: number): number {
  // xorshift32: the run is reproducible from its seed
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x20, 0x22, 0x30, 0x39, 0x5b, 0x7b, 0x7d];
const NUMBERS = ['0', '1', '2', '8', '64', '65', '255', '4294967295', '2147483648', '9007199254740991', '1e308'];

function mutate(input: Uint8Array, corpus: Uint8Array[], tokens: string[]): Uint8Array {
  let out = Uint8Array.from(input);
  const rounds = 1 + rand(4);
  for (let r = 0; r < rounds; r++) {
    const at = out.length ? rand(out.length) : 0;
    switch (rand(8)) {
      case 0:
        if (out.length) out[at] ^= 1 << rand(8);
        break;
      case 1:
        if (out.length) out[at] = INTERESTING[rand(INTERESTING.length)];
        break;
      case 2: {
        const n = 1 + rand(Math.min(16, out.length + 1));
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + n)]);
        break;
      }
      case 3: {
        const bytes = Array.from({ length: 1 + rand(8) }, () => rand(256));
        out = Uint8Array.from([...out.subarray(0, at), ...bytes, ...out.subarray(at)]);
        break;
      }
      case 4: {
        const t = Buffer.from(tokens[rand(tokens.length)], 'latin1');
        out = Uint8Array.from([...out.subarray(0, at), ...t, ...out.subarray(at)]);
        break;
      }
      case 5: {
        // Replace a run of digits with an interesting number.
        let s = at;
        while (s < out.length && !(out[s] >= 0x30 && out[s] <= 0x39)) s++;
        let e = s;
        while (e < out.length && out[e] >= 0x30 && out[e] <= 0x39) e++;
        if (s < e) {
          const num = Buffer.from(NUMBERS[rand(NUMBERS.length)]);
          out = Uint8Array.from([...out.subarray(0, s), ...num, ...out.subarray(e)]);
        }
        break;
      }
      case 6: {
        const other = corpus[rand(corpus.length)];
        const cut = rand(other.length + 1);
        out = Uint8Array.from([...out.subarray(0, at), ...other.subarray(cut)]);
        break;
      }
      default: {
        // A 32-bit big-endian or little-endian field set to an edge value.
        if (out.length >= 4) {
          const p = rand(out.length - 3);
          const v = [0, 1, 0xffffffff, 0x7fffffff, 0x10000, out.length][rand(6)];
          new DataView(out.buffer).setUint32(p, v >>> 0, rand(2) === 0);
        }
      }
    }
  }
  return out.length > 1 << 16 ? out.subarray(0, 1 << 16) : out;
}

const target = { idx: idxTarget, safetensors: safetensorsTarget, checkpoint: checkpointTarget }[
  targetName as 'idx' | 'safetensors' | 'checkpoint'
];
if (!target) {
  console.error(`fuzz_parsers: TARGET must be idx, safetensors or checkpoint, got ${targetName}`);
  process.exit(2);
}
const t = target();
const corpus: Uint8Array[] = [];
let findings = 0;
function execute(input: Uint8Array): void {
  const start = Date.now();
  let verdict = t.run(input);
  const ms = Date.now() - start;
  if (!verdict && ms > 2000) verdict = `took ${ms} ms`;
  if (verdict) {
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `crash-${targetName}-${findings++}`);
    writeFileSync(file, input);
    console.error(`FINDING (${file}): ${verdict}`);
  }
  if (newBlocks() > 0) corpus.push(input);
}
for (const s of t.seeds) execute(s);
const deadline = Date.now() + seconds * 1000;
let execs = 0;
while (Date.now() < deadline && findings === 0) {
  const parent = corpus[rand(corpus.length)];
  let input = mutate(parent, corpus, t.tokens);
  if (rand(2) === 0) input = t.fixup(input);
  execute(input);
  execs++;
}
console.log(
  `fuzz_parsers ${targetName}: ${execs} inputs in ${seconds} s, corpus ${corpus.length}, ${seen.size} blocks covered, ${findings} findings`,
);
process.exit(findings ? 1 : 0);
