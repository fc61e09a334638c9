// The scaling model of bench/results/distributed.md, from a run of bench/distributed.mjs:
//   node bench/distributed.mjs --rounds 3 --out run.json && node bench/distributed_model.mjs run.json [myelin|torch]
// M machines, one rank each, a network of B GB/s (each direction of each link), Gloo's ring
// allreduce (2(M - 1) steps; every rank sends and receives 2(M - 1)/M of the gradient bytes):
//   allreduce(S, M, B) = 2(M - 1) * alpha + 2(M - 1)/M * S * (1/B + 1/beta)
// beta (the host's own rate: copies through the kernel and the reduction, without any wire)
// comes from D1's loopback line between 2 ranks, where 2(M - 1) = 2 and 2(M - 1)/M = 1:
// t(S) = 2 alpha + S / beta, through the 4 KiB and 100 MiB medians; alpha is the fixed cost of
// one ring step (on a loaded machine, mostly the wake-ups of the threads that move the data).
// Compute is D2's one-process step at 1 thread (weak scaling: every rank keeps its batch, so a
// step's compute does not shrink with M); the 100M-parameter MLP's is its FLOPs at M1's
// measured FLOP/s. M1 and N1 fit DDP's first bucket (1 MiB), so their allreduce starts after
// backward and adds to the step; allreduce overtakes compute where allreduce(S, M, B) > compute.
import fs from 'node:fs';

if (!process.argv[2]) {
  console.error(
    'usage: node bench/distributed_model.mjs RUN.json [myelin|torch] (RUN.json: bench/distributed.mjs --out)',
  );
  process.exit(2);
}
const run = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const side = process.argv[3] ?? 'myelin';
if (side !== 'myelin' && side !== 'torch')
  throw new Error(`distributed_model: side must be myelin or torch, got ${side}`);

// Gradient bytes (float32 parameters, the buckets DDP allreduces).
const linear = (i, o) => i * o + o;
const conv = (i, o) => i * o * 9 + o;
const M1_PARAMS = linear(784, 256) + linear(256, 128) + linear(128, 10);
const N1_PARAMS = conv(3, 32) + 64 + conv(32, 64) + 128 + conv(64, 128) + 256 + linear(128, 10);
const BIG_PARAMS = 100e6;
// A training step of an MLP: forward 2 FLOP per weight and sample, backward 4 (input and weight
// gradients; M1's first layer needs no input gradient).
const M1_FLOP = 256 * (6 * M1_PARAMS - 2 * linear(784, 256));
const BIG_FLOP = 256 * 6 * BIG_PARAMS;

const d1 = (bytes) => {
  const row = run.d1.find((r) => r.bytes === bytes);
  if (!row) throw new Error(`distributed_model: the run has no D1 row for ${bytes} bytes`);
  return bytes / (row[side] * 1e9); // seconds per allreduce
};
const small = 4096;
const large = 100 << 20;
const beta = (large - small) / (d1(large) - d1(small)); // bytes/s
const d2 = Object.fromEntries(run.d2.map((r) => [r.model, r[side]]));
const alpha = (d1(small) - small / beta) / 2;
const m1Rate = M1_FLOP * d2.m1.rank1; // FLOP/s of M1's step at 1 thread
const models = [
  { name: 'M1 (batch 256)', bytes: 4 * M1_PARAMS, compute: 1 / d2.m1.rank1 },
  { name: 'N1 (batch 32)', bytes: 4 * N1_PARAMS, compute: 1 / d2.n1.rank1 },
  { name: '100M-param MLP (batch 256)', bytes: 4 * BIG_PARAMS, compute: BIG_FLOP / m1Rate },
];
const allreduce = (S, M, B) => 2 * (M - 1) * alpha + ((2 * (M - 1)) / M) * S * (1 / B + 1 / beta);
// The network bandwidth below which allreduce takes longer than compute (Infinity: at any).
const crossover = (S, M, compute) => {
  const wire = compute - 2 * (M - 1) * alpha - ((2 * (M - 1)) / M) * (S / beta);
  return wire <= 0 ? Number.POSITIVE_INFINITY : ((2 * (M - 1)) / M) * (S / wire);
};

const ms = (s) => (s * 1e3 >= 100 ? (s * 1e3).toFixed(0) : (s * 1e3).toPrecision(3));
const gbps = (b) => (b === Number.POSITIVE_INFINITY ? 'at any B (latency)' : `B < ${(b / 1e9).toPrecision(2)}`);
console.log(`${side}: alpha = ${(alpha * 1e6).toFixed(0)} us a ring step, beta = ${(beta / 1e9).toFixed(3)} GB/s`);
console.log(`M1 step: ${(M1_FLOP / 1e6).toFixed(1)} MFLOP, ${(m1Rate / 1e9).toFixed(1)} GFLOP/s at 1 thread`);
console.log('');
console.log(
  '| model | gradient | compute a step | M | allreduce at B = 1.25 GB/s | at 12.5 GB/s | allreduce > compute |',
);
console.log('|---|---|---|---|---|---|---|');
for (const m of models) {
  for (const M of [2, 4, 8, 16, 64]) {
    const at = (B) => `${ms(allreduce(m.bytes, M, B))} ms`;
    console.log(
      `| ${m.name} | ${(m.bytes / 1e6).toFixed(2)} MB | ${ms(m.compute)} ms | ${M} | ${at(1.25e9)} | ${at(12.5e9)} | ${gbps(crossover(m.bytes, M, m.compute))} |`,
    );
  }
}
