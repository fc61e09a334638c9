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

/**
 * Starts `limits --serve`: triad arrays of maxBytes stay allocated, and
 * triad(threads, bytes, reps) resolves to that many GB/s samples. close() ends it.
 */
export async function startTriadServer(maxBytes) {
  const { spawn } = await import('node:child_process');
  const child = spawn(limitsBinary(), ['--serve', '--bytes', String(maxBytes)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      const next = waiting.shift();
      if (line.error) next?.reject(new Error(`limits --serve: ${line.error}`));
      else next?.resolve(line);
    }
  });
  const request = (text) =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (text) child.stdin.write(text);
    });
  await request(null); // {"ready": true}
  return {
    triad: async (threads, bytes, reps) => (await request(`${threads} ${bytes} ${reps}\n`)).gbs,
    close: () => child.stdin.end(),
  };
}
