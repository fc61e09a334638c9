// Facts about the native backend and the thread pool.
import { checkOptions, typeError } from './errors.js';
import { native, type BackendInfo } from './native.js';

export type { BackendInfo, CpuCaches, CpuInfo, GemmInfo, Isa, LowpGemmKernels } from './native.js';

/** Version, ISA in use, ISAs this CPU supports, threads, N-API version, the CPU and its caches, and the fp32 GEMM's blocking. */
export function backendInfo(): BackendInfo {
  return native.backendInfo();
}

/** Threads of the process-wide pool shared by every worker_thread. */
export function getNumThreads(): number {
  return native.getNumThreads();
}

/** Sets the pool's thread count (1..256). Results are deterministic for a fixed count. */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}

/** Runs f with the pool at n threads, restoring the previous count after (also when f throws). */
export function withNumThreads<T>(n: number, f: () => T): T {
  const prior = getNumThreads();
  setNumThreads(n);
  try {
    return f();
  } finally {
    setNumThreads(prior);
  }
}

/**
 * PyTorch's `use_deterministic_algorithms`. With `mode` true, every op gives the same bits
 * whatever the thread count (on one ISA): each kernel splits its work into shares planned for a
 * fixed 8 threads rather than the pool's size (where partial sums begin and end, which path a
 * convolution takes), and the pool runs those shares on the threads it has, at most 8 at once.
 * Off (the default), results are deterministic for a fixed thread count only. Process-wide.
 * Every op here has a deterministic implementation, so `warnOnly` (accepted for ported code)
 * has nothing to relax.
 */
export function useDeterministicAlgorithms(mode: boolean, options?: { warnOnly?: boolean }): void {
  const op = 'useDeterministicAlgorithms';
  if (typeof mode !== 'boolean')
    throw typeError(op, `mode must be a boolean, got ${mode === null ? 'null' : typeof mode}`);
  checkOptions(op, options, ['warnOnly']);
  if (options?.warnOnly !== undefined && typeof options.warnOnly !== 'boolean') {
    throw typeError(op, `option 'warnOnly' must be a boolean, got ${typeof options.warnOnly}`);
  }
  native.setDeterministicAlgorithms(mode);
}

/** Whether useDeterministicAlgorithms(true) is in effect (PyTorch's are_deterministic_algorithms_enabled). */
export function areDeterministicAlgorithmsEnabled(): boolean {
  return native.getDeterministicAlgorithms();
}
