// D1 and D2 (the shared workload list), myelin and PyTorch's torch.distributed on Gloo side by
// side, in rounds that alternate which side runs first:
//   node bench/distributed.mjs [d1] [d2] [--rounds 3] [--sizes 4096,1048576] [--torch-runner ../shared/tools/torch-python]
//                              [--no-single-threaded-gc] [--json] [--out file.json]
// D1: allreduce of 4 KiB, 1 MiB, 25 MiB, 100 MiB float32 between 2 ranks on loopback, algorithm
//     bandwidth (bytes / time). D2: a DDP training step of M1 (batch 256 a rank) and N1 (batch
//     32 a rank) on 2 ranks at 1 thread each, and the plain model in one process at 1 thread
//     (scaling = 2-rank steps/s over 1-process steps/s: each rank's batch is the same).
// Each figure: the median over rounds of each round's median (bench/distributed/rank.mjs and
// bench/peers/torch_distributed.py time the same way); the spread is the rounds' min..max.
// D1 launches each side twice a round (A B B A) and pools the two launches' samples.
// myelin's processes get the node flags myelin-run would give them (gcFlags: --single-threaded-gc
// when they fill the CPUs); --no-single-threaded-gc leaves it out, for comparison.
// The JavaScript comes from dist/ (`npx tsc -p tsconfig.build.json`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findPython } from './lib/torch_peer.js';
import { median } from './lib/timing.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// myelin-run's rule for node's flags (dist/, as bench/lib/myelin.js)
const { gcFlags } = await import(pathToFileURL(path.resolve(here, '../dist/distributed/launcher.js')).href);
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const rounds = Number(option('--rounds', '3'));
const json = argv.includes('--json');
const singleThreadedGc = !argv.includes('--no-single-threaded-gc');
const outFile = option('--out', null); // the summary and every round's figures, as JSON
const parts = argv.filter((a, i) => /^d[12]$/i.test(a) && !argv[i - 1]?.startsWith('--')).map((a) => a.toLowerCase());
const which = parts.length ? parts : ['d1', 'd2'];
// PyTorch through a runner like ../shared/tools/torch-python (its first argument: threads),
// else the python findPython() picks, with the same thread variables.
const defaultRunner = path.resolve(here, '../../shared/tools/torch-python');
const runner = option('--torch-runner', fs.existsSync(defaultRunner) ? defaultRunner : null);
// --sizes 4096,65536: D1's byte sizes (default 4 KiB, 1 MiB, 25 MiB, 100 MiB)
const SIZES = option('--sizes', `${[4096, 1 << 20, 25 << 20, 100 << 20]}`)
  .split(',')
  .map(Number);

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** myelin's node flags for `processes` processes of 1 thread on this machine, as myelin-run chooses them. */
const nodeFlags = (processes) => (singleThreadedGc ? gcFlags(processes, 1, os.availableParallelism(), []) : []);

/** Runs `world` ranks (or one plain process when world is 0) of a side; resolves with rank 0's JSON. */
async function runSide(side, world, args) {
  const port = await freePort();
  const n = Math.max(world, 1);
  const outputs = await Promise.all(
    Array.from({ length: n }, (_, rank) => {
      const env = {
        ...process.env,
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: String(port),
        RANK: String(rank),
        WORLD_SIZE: String(n),
        LOCAL_RANK: String(rank),
        MYELIN_NUM_THREADS: '1',
        OMP_NUM_THREADS: '1',
      };
      let cmd;
      if (side === 'myelin') {
        cmd = [process.execPath, ...nodeFlags(n), path.join(here, 'distributed', 'rank.mjs'), ...args];
      } else {
        const script = path.join(here, 'peers', 'torch_distributed.py');
        cmd = runner ? [runner, '1', script, ...args] : [findPython(), script, ...args];
      }
      return new Promise((resolve, reject) => {
        const child = spawn(cmd[0], cmd.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code) =>
          code === 0
            ? resolve(out)
            : reject(new Error(`${side} rank ${rank} (${cmd.join(' ')}) exited ${code}:\n${err}`)),
        );
      });
    }),
  );
  return JSON.parse(outputs[0].trim().split('\n').pop());
}

const results = { d1: [], d2: [] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['myelin', 'torch'] : ['torch', 'myelin'];
  if (which.includes('d1')) {
    // A B B A: each side is launched twice a round, so a change of the machine's state during
    // the round (load, where the scheduler puts the ranks' threads) weighs on both sides alike.
    for (const [launch, side] of [...order, ...[...order].reverse()].entries()) {
      for (const row of await runSide(side, 2, ['d1', JSON.stringify(SIZES)])) {
        results.d1.push({ side, round, launch, ...row });
      }
    }
  }
  if (which.includes('d2')) {
    for (const model of ['m1', 'n1']) {
      for (const side of order) {
        const [ddp] = await runSide(side, 2, ['d2', model]);
        const [one] = await runSide(side, 0, ['d2', model, '--no-ddp']);
        results.d2.push({ side, round, model, ranks2: ddp.stepsPerSecond, rank1: one.stepsPerSecond });
      }
    }
  }
  if (!json) console.error(`round ${round + 1}/${rounds} done`);
}

const spread = (v) => `${Math.min(...v).toFixed(2)}..${Math.max(...v).toFixed(2)}`;
const summary = {
  date: new Date().toISOString(),
  cpu: os.cpus()[0]?.model,
  cpus: os.availableParallelism(),
  load: os.loadavg(),
  rounds,
  // node's flags on myelin's 2 ranks and on its 1 process (D2's scaling baseline)
  myelinNodeFlags: { ranks2: nodeFlags(2), rank1: nodeFlags(1) },
  d1: [],
  d2: [],
};
for (const bytes of which.includes('d1') ? SIZES : []) {
  // a side's figure in a round: bytes / the median of its two launches' samples together
  const of = (side) =>
    Array.from({ length: rounds }, (_, round) => {
      const launches = results.d1.filter((r) => r.side === side && r.round === round && r.bytes === bytes);
      return bytes / median(launches.flatMap((r) => r.samples)) / 1e9;
    });
  const m = of('myelin');
  const t = of('torch');
  const ratios = m.map((v, i) => v / t[i]);
  summary.d1.push({
    bytes,
    myelin: median(m),
    torch: median(t),
    ratio: median(ratios),
    myelinSpread: spread(m),
    torchSpread: spread(t),
    ratioSpread: spread(ratios),
  });
}
for (const model of which.includes('d2') ? ['m1', 'n1'] : []) {
  const of = (side, key) => results.d2.filter((r) => r.side === side && r.model === model).map((r) => r[key]);
  const row = { model };
  for (const side of ['myelin', 'torch']) {
    const two = of(side, 'ranks2');
    const one = of(side, 'rank1');
    const scaling = two.map((v, i) => v / one[i]);
    row[side] = {
      ranks2: median(two),
      rank1: median(one),
      scaling: median(scaling),
      ranks2Spread: spread(two),
      rank1Spread: spread(one),
      scalingSpread: spread(scaling),
    };
  }
  const ratios = of('myelin', 'ranks2').map((v, i) => v / of('torch', 'ranks2')[i]);
  row.ratio = median(ratios);
  row.ratioSpread = spread(ratios);
  summary.d2.push(row);
}
if (outFile) fs.writeFileSync(outFile, `${JSON.stringify({ ...summary, raw: results }, null, 1)}\n`);
if (json) {
  console.log(JSON.stringify(summary, null, 1));
} else {
  console.log(
    `${summary.cpu}, ${summary.cpus} CPUs, load ${summary.load.map((l) => l.toFixed(1)).join(' ')}, ${rounds} rounds`,
  );
  const flags = (f) => (f.length ? `node ${f.join(' ')}` : 'node (no flags)');
  console.log(
    `myelin's 2 ranks: ${flags(summary.myelinNodeFlags.ranks2)}; its 1 process (D2): ${flags(summary.myelinNodeFlags.rank1)}` +
      (singleThreadedGc ? '' : ' (--no-single-threaded-gc)'),
  );
  if (summary.d1.length) {
    console.log('D1 allreduce, 2 ranks, loopback: GB/s (median; rounds min..max)');
    console.log('| size | myelin | PyTorch | myelin / PyTorch |');
    console.log('|---|---|---|---|');
    for (const r of summary.d1) {
      const size = r.bytes >= 1 << 20 ? `${r.bytes / (1 << 20)} MiB` : `${r.bytes / 1024} KiB`;
      console.log(
        `| ${size} | ${r.myelin.toFixed(3)} (${r.myelinSpread}) | ${r.torch.toFixed(3)} (${r.torchSpread}) | ${r.ratio.toFixed(2)}x (${r.ratioSpread}) |`,
      );
    }
  }
  if (summary.d2.length) {
    console.log('D2 DDP step, 1 thread a rank: steps/s (median; rounds min..max); scaling = 2 ranks / 1 process');
    console.log(
      '| model | myelin 2 ranks | myelin 1 process | myelin scaling | PyTorch 2 ranks | PyTorch 1 process | PyTorch scaling | myelin / PyTorch (2 ranks) |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of summary.d2) {
      const s = (x) =>
        `${x.ranks2.toFixed(1)} (${x.ranks2Spread}) | ${x.rank1.toFixed(1)} (${x.rank1Spread}) | ${x.scaling.toFixed(2)} (${x.scalingSpread})`;
      console.log(
        `| ${r.model.toUpperCase()} | ${s(r.myelin)} | ${s(r.torch)} | ${r.ratio.toFixed(2)}x (${r.ratioSpread}) |`,
      );
    }
  }
}
