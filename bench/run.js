// Runs benchmark workloads by id (shared WORKLOADS.md ids; E1 is the elementwise and reduction bench)
// and prints a table. Each row's roof column is its figure as a percentage of the machine limit
// that bounds it (bench/lib/roof.js: the FMA peak, the STREAM triad, or the per-op overhead
// floor), measured once at the end of the run at its thread counts; 'mean of 200' is the mean
// over a loop of 200 calls of an op that allocates its output (PyTorch's after the slash).
//   npm run bench                      every workload
//   npm run bench -- E1 --threads 1,2  E1 only; --json prints the rows as JSON;
//                                      --rounds N: rounds of E1 (each kernel sample between two triad samples; default 9)
//   npm run bench -- N1 --gc throughput  with utils.setGcMode('throughput') (V8's heap grows 5x
//                                      between full collections: fewer of them, more memory)
// Plain JavaScript (Node 20 runs no TypeScript): the binding comes from dist/ (`npm run build`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyRoofs, checkRoofs, measureLimits, roofCell, roofsLine } from './lib/roof.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = fs
  .readdirSync(path.join(here, 'workloads'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3))
  .sort();

function parseArgs(argv) {
  const opts = { ids: [], threads: [1, 2], json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--threads') opts.threads = argv[++i].split(',').map(Number);
    else if (argv[i] === '--json') opts.json = true;
    else if (argv[i] === '--rounds') opts.rounds = Number(argv[++i]);
    else if (argv[i] === '--gc') opts.gc = argv[++i];
    else if (argv[i] === '--help' || argv[i] === '-h') opts.help = true;
    else opts.ids.push(argv[i].toUpperCase());
  }
  if (opts.ids.length === 0) opts.ids = available;
  return opts;
}

const fixed = (v) => v.toFixed(v < 10 ? 2 : 1);

function table(rows) {
  const cells = rows.map((r) => [
    r.workload,
    r.case,
    String(r.threads),
    fixed(r.value),
    r.unit,
    roofCell(r.roof),
    r.mean200 === undefined
      ? ''
      : `${fixed(r.mean200)}${r.torchMean200 === undefined ? '' : ` / ${fixed(r.torchMean200)}`}`,
    r.note ?? '',
  ]);
  const head = ['id', 'case', 'threads', 'value', 'unit', 'roof', 'mean of 200', 'note'];
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) =>
    c
      .map((s, i) => ([3, 5, 6].includes(i) ? s.padStart(width[i]) : s.padEnd(width[i])))
      .join(' | ')
      .trimEnd();
  return [line(head), width.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

const opts = parseArgs(process.argv.slice(2));
if (opts.help) {
  console.log(
    `usage: node bench/run.js [ID...] [--threads 1,2] [--rounds 9] [--gc default|throughput] [--json]\nworkloads: ${available.join(', ')}`,
  );
  process.exit(0);
}
const unknown = opts.ids.filter((id) => !available.includes(id));
if (unknown.length) {
  console.error(`bench: unknown workload ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

const { native } = await import('./lib/native.js');
if (opts.gc !== undefined) {
  const { myelin } = await import('./lib/myelin.js');
  myelin.utils.setGcMode(opts.gc);
}
const info = native.backendInfo();
const header = {
  date: new Date().toISOString(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cpus: os.availableParallelism(),
  node: process.version,
  myelin: info.version,
  isa: info.isa,
  threads: opts.threads,
  gc: opts.gc ?? 'default',
};
const rows = [];
for (const id of opts.ids) {
  const workload = await import(pathToFileURL(path.join(here, 'workloads', `${id}.js`)).href);
  if (!opts.json) console.error(`running ${id}: ${workload.title}`);
  for (const row of await workload.run(opts)) rows.push({ workload: id, ...row });
}
checkRoofs(rows);
if (!opts.json) console.error('measuring the roofs (utils.benchmark.limits, the overhead floor)');
const limits = measureLimits(rows, opts.threads);
applyRoofs(rows, limits);
if (opts.json) console.log(JSON.stringify({ ...header, roofs: limits, rows }, null, 2));
else
  console.log(
    `${Object.entries(header)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}\n${roofsLine(limits)}\n\n${table(rows)}`,
  );
