// Timing helpers: warm up, then the median of repeated samples (the machine is shared and
// noisy, so medians, and ratios measured side by side in the same run).
export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

/** Median seconds per call of fn: `samples` samples of `callsPerSample` calls, after warm-up. */
export function secondsPerCall(fn, { warmup = 3, samples = 11, callsPerSample = 5 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < callsPerSample; i++) fn();
    times.push((Number(process.hrtime.bigint() - t0) * 1e-9) / callsPerSample);
  }
  return median(times);
}
