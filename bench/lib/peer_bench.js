// The command line and the PyTorch round that the side-by-side model benches share
// (bench/quantized.mjs, bench/autocast.mjs):
//   [--batch 256] [--rounds 3] [--threads 1] [--clock cpu|wall] [--torch-runner ../shared/tools/torch-python]
// --clock cpu (the default) times CPU seconds of the process, both sides: on a machine shared
// with other work wall time counts the others' time too.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clockNamed } from './timing.js';
import { findPython, peerEnv } from './torch_peer.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const defaultRunner = path.resolve(benchDir, '../../shared/tools/torch-python');

/**
 * Reads the shared options for the bench named `bench` (its errors say it), and `extraOptions`
 * (parseArgs' form) of that bench's own. Returns `values` (every option as given), batch,
 * rounds, threads, clock, `now` (that clock), `peer` (what runs PyTorch, in words) and
 * `torchRound(script, clockEnv, args)`: one run of bench/peers/<script> with `args` (default: the
 * batch and 200 warm-up iterations), at `threads` threads, told the clock through the
 * environment variable `clockEnv`; its last stdout line parsed as JSON, or null when no PyTorch
 * is found. PyTorch runs through the project's torch-python (../shared/tools/torch-python beside
 * the repository, or --torch-runner); without it, through the python findPython picks, in the
 * environment torch-python would give it (threads, OpenBLAS, malloc), and stderr says so.
 */
export function peerBenchOptions(bench, extraOptions = {}) {
  const { values } = parseArgs({
    options: {
      ...extraOptions,
      batch: { type: 'string', default: '256' },
      rounds: { type: 'string', default: '3' },
      threads: { type: 'string', default: '1' },
      clock: { type: 'string', default: 'cpu' },
      'torch-runner': { type: 'string', default: fs.existsSync(defaultRunner) ? defaultRunner : '' },
    },
  });
  const count = (name) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`${bench}: --${name} must be a positive integer, got ${values[name]}`);
    return v;
  };
  const [batch, rounds, threads] = ['batch', 'rounds', 'threads'].map(count);
  const runner = values['torch-runner'];
  if (!runner)
    console.error(
      `${bench}: no ../shared/tools/torch-python beside the repository (pass --torch-runner): PyTorch runs through findPython's python with torch-python's environment`,
    );
  // One python for every round and the label.
  const python = runner ? null : findPython();
  const torchRound = (script, clockEnv, args = [String(batch), '200']) => {
    const file = path.join(benchDir, 'peers', script);
    const cmd = runner || python;
    if (!cmd) return null;
    const argv = runner ? [String(threads), file] : [file];
    const env = {
      ...(runner ? process.env : peerEnv(threads)),
      OMP_NUM_THREADS: String(threads),
      [clockEnv]: values.clock,
    };
    const r = spawnSync(cmd, [...argv, ...args], { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`${bench}: ${cmd} ${file} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop());
  };
  const peer = runner ? path.basename(runner) : `${python ?? 'no python with torch'} in torch-python's environment`;
  return {
    batch,
    rounds,
    threads,
    clock: values.clock,
    now: clockNamed(values.clock, bench),
    peer,
    torchRound,
    values,
  };
}
