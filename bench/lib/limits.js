// Workload L1's measurements: the FMA peak and the STREAM triad through the package's own
// utils.benchmark.limits() (the addon's loops, on each vector ISA this CPU runs), in the JSON
// shape bench/native/limits.c prints. limits.c stays as the independent reference (built with
// the system compiler on first use: runLimitsC) and as E1's triad server.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { myelin } from './myelin.js';
import { native } from './native.js';

const nativeDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native');
const source = path.join(nativeDir, 'limits.c');
const binary = path.join(nativeDir, 'build', 'limits');

export function limitsBinary() {
  const stale = !fs.existsSync(binary) || fs.statSync(binary).mtimeMs < fs.statSync(source).mtimeMs;
  if (stale) execFileSync('sh', [path.join(nativeDir, 'build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return binary;
}

/** bench/native/limits.c's figures (args as its command line): the reference the package's are checked against. */
export function runLimitsC(args) {
  const out = execFileSync(limitsBinary(), args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(out);
}

const rate = (r) => ({ median: Number(r.median.toFixed(2)), best: Number(r.best.toFixed(2)) });

/**
 * args: e.g. ['--triad', '--threads', '1,2', '--bytes', '16777216', '--reps', '9'] (limits.c's
 * options; no --fma/--triad: both). FMA peaks per vector ISA this CPU runs (widest first), the
 * triad on the dispatched one.
 */
export function runLimits(args) {
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  let doFma = args.includes('--fma');
  let doTriad = args.includes('--triad');
  if (!doFma && !doTriad) doFma = doTriad = true;
  const threads = opt('--threads', '1,2').split(',').map(Number);
  const reps = Number(opt('--reps', '9'));
  const bytesList = opt('--bytes', String(128 << 20))
    .split(',')
    .map(Number);
  const { limits } = myelin.utils.benchmark;
  const out = { threads, reps };
  if (doFma) {
    out.fma_gflops = {};
    const isas = myelin
      .backendInfo()
      .supportedIsas.filter((isa) => ['avx512', 'avx2', 'neon'].includes(isa))
      .reverse();
    for (const isa of isas) {
      native.setIsaForTesting(isa);
      try {
        const byThreads = {};
        for (const t of threads) {
          const r = limits({ triad: false, threads: t, reps });
          byThreads[t] = rate(t === 1 ? r.fmaGflops.perCore : r.fmaGflops.threads);
        }
        out.fma_gflops[isa] = byThreads;
      } finally {
        native.setIsaForTesting(null);
      }
    }
  }
  if (doTriad) {
    out.triad_gbs = bytesList.map((bytes) => {
      const row = { bytes_per_array: bytes };
      for (const t of threads) {
        const r = limits({ fma: false, threads: t, reps, triadBytes: bytes });
        row[t] = rate(t === 1 ? r.triadGBs.perCore : r.triadGBs.threads);
      }
      return row;
    });
  }
  return out;
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
