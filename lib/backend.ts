// Facts about the native backend and the thread pool.
import { native, type BackendInfo } from './native.js';

export type { BackendInfo, Isa } from './native.js';

/** Version, ISA in use, ISAs this CPU supports, threads and N-API version. */
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
