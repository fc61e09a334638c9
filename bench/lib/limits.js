// Runs bench/native/limits (workload L1: FMA peak, STREAM triad), building it first when the
// binary is missing or older than its source. Returns the parsed JSON it prints.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native');
const source = path.join(nativeDir, 'limits.c');
const binary = path.join(nativeDir, 'build', 'limits');

export function limitsBinary() {
  const stale = !fs.existsSync(binary) || fs.statSync(binary).mtimeMs < fs.statSync(source).mtimeMs;
  if (stale) execFileSync('sh', [path.join(nativeDir, 'build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return binary;
}

/** args: e.g. ['--triad', '--threads', '1,2', '--bytes', '16777216']. */
export function runLimits(args) {
  const out = execFileSync(limitsBinary(), args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(out);
}
