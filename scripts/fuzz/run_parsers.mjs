// Coverage-guided fuzzing of the file readers with Jazzer.js (libFuzzer for Node.js):
//
//   node scripts/fuzz/run_parsers.mjs TARGET SECONDS [OUT_DIR]      (after `npm run build`)
//   TARGET: idx | safetensors | checkpoint | torch   (the targets: scripts/fuzz/parsers.fuzz.mjs)
//   node scripts/fuzz/run_parsers.mjs --check    says whether Jazzer.js can run here (status 0),
//                                                or why not (status 1)
//
// The corpus starts from valid files the tests read (the Fashion-MNIST label slices, the
// safetensors and torch.save fixtures, a checkpoint saved as the tests save one) and lives in a
// temporary folder. libFuzzer stops the run at the first finding: an input that makes the target
// throw, takes over 5 s (-timeout) or takes the process past 2 GiB (-rss_limit_mb; the process
// alone is about 200 MiB). The input is written to OUT_DIR (default fuzz-findings/) and the exit
// status is not 0.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ensureLoadableFuzzer } from './jazzer_addon.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
if (process.argv[2] === '--check') {
  try {
    console.log(ensureLoadableFuzzer());
    process.exit(0);
  } catch (e) {
    console.log(`Jazzer.js's addon does not load: ${e.message.split('\n')[0]}`);
    process.exit(1);
  }
}
const [target, secondsArg, outArg] = process.argv.slice(2);
const TARGETS = ['idx', 'safetensors', 'checkpoint', 'torch'];
const seconds = Number(secondsArg);
if (!TARGETS.includes(target) || !(seconds > 0)) {
  console.error(`run_parsers: usage: run_parsers.mjs ${TARGETS.join('|')} SECONDS [OUT_DIR]`);
  process.exit(2);
}
if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('run_parsers: dist/ is not built (npm run build)');
  process.exit(2);
}
const outDir = join(outArg ?? join(root, 'fuzz-findings'), '/');
console.log(`fuzz ${target}: ${ensureLoadableFuzzer()}`);

const work = mkdtempSync(join(tmpdir(), `myelin-fuzz-${target}-`));
const corpus = join(work, 'corpus');
mkdirSync(corpus);
const copyFrom = (folder, keep) => {
  for (const f of readdirSync(join(root, folder)).filter(keep)) copyFileSync(join(root, folder, f), join(corpus, f));
};
// Tokens of the formats, for libFuzzer's dictionary.
let tokens = [];
const { io, Tensor } = await import('../../dist/index.js');
if (target === 'idx') {
  // The label slices (images are megabytes: too slow an input), compressed and plain, and a
  // small plain file of every IDX dtype.
  copyFrom('data/fashion-mnist-slice', (f) => f.includes('labels'));
  for (const f of readdirSync(corpus))
    writeFileSync(join(corpus, `${f}.raw`), gunzipSync(readFileSync(join(corpus, f))));
  const arrays = [Int8Array.of(-1, 2), Int16Array.of(-300, 7), Int32Array.of(1, -2), Float32Array.of(1.5, Number.NaN)];
  for (const data of [...arrays, Float64Array.of(Math.PI)]) {
    writeFileSync(join(corpus, data.constructor.name), io.encodeIdx({ shape: [data.length], data }));
  }
  tokens = ['\x00\x00\x08\x01', '\x00\x00\x08\x03', '\x00\x00\x0d\x02', '\x1f\x8b\x08\x00'];
} else if (target === 'safetensors' || target === 'checkpoint') {
  tokens = [
    '"dtype"',
    '"shape"',
    '"data_offsets"',
    '"__metadata__"',
    '"F16"',
    '"BF16"',
    '"F64"',
    '"I64"',
    '"U8"',
    '"BOOL"',
  ];
  if (target === 'safetensors') copyFrom('test/fixtures/safetensors', (f) => f.endsWith('.safetensors'));
  else {
    // A checkpoint as the tests save one: Adam with moments, a scheduler that stepped, a generator.
    const { checkpointState } = await import('./parsers.fuzz.mjs');
    const state = checkpointState();
    for (const p of state.model.parameters()) p.grad = Tensor.fromData(new Float32Array(p.numel()).fill(0.1), p.shape);
    state.optimizer.step();
    state.scheduler.step();
    io.saveCheckpoint(join(corpus, 'adam.ckpt'), { ...state, epoch: 2, step: 7, extra: { best: 0.5 } });
    tokens.push('"myelin.checkpoint"', '"lr"', '"betas"', '"rng"', '"lastEpoch"', '"$float"');
  }
} else {
  // The torch.save fixtures but the 380 KiB CNN (too slow an input).
  copyFrom('test/fixtures/torch', (f) => f.endsWith('.pt') && f !== 'simple_cnn.pt');
  tokens = [
    'PK\x03\x04',
    'PK\x01\x02',
    'PK\x05\x06',
    'data.pkl',
    '\x80\x02',
    'torch._utils',
    '_rebuild_tensor_v2',
    '_rebuild_qtensor',
    'per_channel_affine',
    'QInt8Storage',
  ];
}
// libFuzzer's dictionary: each token as a quoted string of \xNN escapes.
const dict = join(work, 'dict');
const hexEscaped = (t) => [...Buffer.from(t, 'latin1')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
writeFileSync(dict, tokens.map((t) => `"${hexEscaped(t)}"\n`).join(''));

mkdirSync(outDir, { recursive: true });
const cli = createRequire(import.meta.url).resolve('@jazzer.js/core/dist/cli.js');
// --sync: the readers are synchronous; -i dist/: coverage of the library's code only.
const args = [cli, join(root, 'scripts', 'fuzz', 'parsers.fuzz.mjs'), corpus, '--sync', `-f=${target}`];
args.push('-i=dist/', '--timeout=5000', '--', `-max_total_time=${seconds}`, '-rss_limit_mb=2048');
args.push(`-dict=${dict}`, `-artifact_prefix=${outDir}`, '-print_final_stats=1');
const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
rmSync(work, { recursive: true, force: true });
const log = `${run.stdout}${run.stderr}`;
// libFuzzer's summary: how many inputs ran, and (where its exit let it print them) its statistics.
const summary = log.split('\n').filter((l) => /^Done \d+ runs|^stat::(new_units_added|peak_rss_mb)/.test(l));
if (run.status !== 0) {
  console.log(log.split('\n').slice(-60).join('\n'));
  console.log(`fuzz ${target}: FAILED (status ${run.status ?? run.signal}; the input is in ${outDir})`);
  process.exit(1);
}
console.log(`fuzz ${target}: clean; ${summary.map((l) => l.replace('stat::', '').replace(/\s+/g, ' ')).join(', ')}`);
