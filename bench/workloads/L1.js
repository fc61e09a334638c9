// L1: physical limits of this machine: peak fp32 FMA throughput (register-only loop, at each
// vector ISA the CPU runs: AVX-512, AVX2, NEON) and STREAM-triad memory bandwidth on large
// arrays, at each thread count, measured by the package's utils.benchmark.limits().
import { runLimits } from '../lib/limits.js';
import { none } from '../lib/roof.js';

export const id = 'L1';
export const title = 'physical limits: FMA peak (GFLOP/s), STREAM triad 128 MiB arrays (GB/s)';

export function run({ threads }) {
  const r = runLimits(['--threads', threads.join(','), '--bytes', String(128 << 20), '--reps', '9']);
  const rows = [];
  for (const [isa, byThreads] of Object.entries(r.fma_gflops)) {
    for (const t of threads)
      rows.push({
        case: `fp32 FMA peak, ${isa}`,
        threads: t,
        value: byThreads[t].median,
        unit: 'GFLOP/s',
        roof: none('the roof itself'),
      });
  }
  for (const triad of r.triad_gbs) {
    for (const t of threads) {
      rows.push({
        case: `STREAM triad ${triad.bytes_per_array >> 20} MiB`,
        threads: t,
        value: triad[t].median,
        unit: 'GB/s',
        note: `best ${triad[t].best}`,
        roof: none('the roof itself'),
      });
    }
  }
  return rows;
}
