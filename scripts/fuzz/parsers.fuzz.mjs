// Jazzer.js (libFuzzer) targets for the file readers, through the functions a user calls on a
// path: io.readIdx, io.loadSafetensors, io.loadCheckpoint and io.loadTorch of the built package.
// Run them with scripts/fuzz/run_parsers.mjs (it seeds the corpus and sets the limits).
//
// Each input is written to a file and read back. A target passes when the call returns or
// throws an Error whose message starts with a name of the function (a clear error); any other
// throw is a finding, and so are a crash, a call over the time limit and runaway memory
// (libFuzzer's -timeout and -rss_limit_mb). For checkpoints a failed load must leave the model,
// optimizer, scheduler and generator as they were, and a load that succeeds must leave them
// usable for the next step.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, Tensor, io, manualSeed, nn, optim } from '../../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'myelin-fuzz-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'input');

/** Throws (a finding) unless `e` is an Error that one of `names` raised on purpose. */
function judge(e, names) {
  if (!(e instanceof Error)) throw new Error(`threw a non-Error: ${String(e)}`);
  if (!names.some((n) => e.message.startsWith(`${n}:`))) {
    throw new Error(`unclear error: ${e.constructor.name}: ${e.message}`, { cause: e });
  }
}

function readWith(read, names) {
  return (data) => {
    writeFileSync(path, data);
    try {
      read(path);
    } catch (e) {
      judge(e, names);
    }
  };
}

export const idx = readWith(io.readIdx, ['readIdx']);
export const safetensors = readWith(io.loadSafetensors, ['loadSafetensors']);
export const torch = readWith(io.loadTorch, ['loadTorch', 'io.loadTorch']);

/** What a checkpoint restores: a small model, Adam with moments, a scheduler and a generator. */
export function checkpointState() {
  manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.Linear(2, 1));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, 2);
  const rng = new Generator().manualSeed(9);
  return { model, optimizer, scheduler, rng };
}

let target;
let restore;
function snapshot() {
  return JSON.stringify({
    model: Object.entries(target.model.stateDict()).map(([k, t]) => [k, [...t.data]]),
    groups: target.optimizer.paramGroups.map(({ params: _p, ...g }) => g),
    state: [...target.optimizer.state.values()].map((s) =>
      Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? [...v.data] : v]),
    ),
    scheduler: target.scheduler.stateDict(),
    rng: target.rng.getState(),
  });
}

export function checkpoint(data) {
  if (!target) {
    target = checkpointState();
    restore = join(dir, 'restore.ckpt');
    io.saveCheckpoint(restore, target);
  }
  writeFileSync(path, data);
  const before = snapshot();
  try {
    io.loadCheckpoint(path, target);
  } catch (e) {
    judge(e, ['loadCheckpoint', 'io.loadCheckpoint']);
    if (snapshot() !== before) throw new Error(`a failed load changed the state: ${e.message}`);
    return;
  }
  try {
    target.optimizer.step();
    target.scheduler.step();
    target.rng.nextNormal();
  } catch (e) {
    throw new Error(`a loaded checkpoint breaks the next step: ${e.message}`, { cause: e });
  }
  io.loadCheckpoint(restore, target);
}
