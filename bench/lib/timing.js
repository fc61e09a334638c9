// Timing helpers: warm up, then the median of repeated samples (the machine is shared and
// noisy, so medians, and ratios measured side by side in the same run).
export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

/** This process's CPU seconds (user + system): unlike wall time, not counting time spent
 * preempted, so it holds up on a loaded machine for one-thread work. */
export function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e-6;
}

/** Wall-clock seconds (a monotonic clock). */
export function wallSeconds() {
  return Number(process.hrtime.bigint()) * 1e-9;
}

/** The clock a bench's `--clock cpu|wall` option names (bench names the script, for its error). */
export function clockNamed(kind, bench) {
  if (kind !== 'cpu' && kind !== 'wall') throw new Error(`${bench}: --clock must be cpu or wall, got ${kind}`);
  return kind === 'cpu' ? cpuSeconds : wallSeconds;
}

/**
 * Median seconds per call of fn: `samples` samples of `callsPerSample` calls, after warm-up;
 * wall time, or CPU time with `cpu: true` (one-thread figures on a loaded machine).
 */
export function secondsPerCall(fn, { warmup = 3, samples = 11, callsPerSample = 5, cpu = false } = {}) {
  const now = cpu ? cpuSeconds : wallSeconds;
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  for (let s = 0; s < samples; s++) {
    const t0 = now();
    for (let i = 0; i < callsPerSample; i++) fn();
    times.push((now() - t0) / callsPerSample);
  }
  return median(times);
}

/**
 * Mean seconds per call over `calls` calls back to back (run it after the median's samples,
 * which warm fn up). For ops that allocate their output: a user's loop pays the garbage
 * collector and first-touch page faults, which the median of short samples hides.
 */
export function meanOverLoop(fn, calls = 200) {
  const t0 = wallSeconds();
  for (let i = 0; i < calls; i++) fn();
  return (wallSeconds() - t0) / calls;
}
