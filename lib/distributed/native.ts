// The distributed module (myelin_distributed.node): a second addon over Gloo, loaded the first
// time the distributed API is used, so `import 'myelin'` never needs Gloo.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Collective kinds, in the native order. */
export const Kind = {
  allReduce: 0,
  broadcast: 1,
  allGather: 2,
  gather: 3,
  scatter: 4,
  reduceScatter: 5,
  reduce: 6,
  barrier: 7,
} as const;
export type KindCode = (typeof Kind)[keyof typeof Kind];

/** Reductions, in the native order. */
export const ReduceOpCode = { sum: 0, avg: 1, max: 2, min: 3, product: 4 } as const;

export interface NativeGroupOptions {
  rank: number;
  worldSize: number;
  /** Milliseconds, for the rendezvous and every collective. */
  timeout: number;
  storeHost?: string;
  storePort?: number;
  /** file://: rank 0 publishes the store's address in this file. */
  storeFile?: string;
  /** GLOO_SOCKET_IFNAME: the interface Gloo binds to. */
  iface?: string;
}

export type Buffer = Float32Array | Int32Array | Int8Array | Uint8Array;

export interface NativeProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly timeout: number;
  /**
   * Runs a collective on the group's communication thread. async false: waits for it and
   * throws its error. async true: returns the work's id; onComplete(id, error) follows on this
   * thread once it has run. `list`: the per-rank tensors (allGather, reduceScatter; gather and
   * scatter on the root), null otherwise.
   */
  submit(
    kind: KindCode,
    dtype: number,
    op: number,
    root: number,
    shape: readonly number[],
    data: Buffer | null,
    list: Buffer[] | null,
    async: boolean,
  ): number | undefined;
  /** Blocks until the asynchronous work has run; throws its error. */
  wait(id: number): void;
  isCompleted(id: number): boolean;
  /** Waits for every submitted work, leaves the store, closes the connections. */
  destroy(): void;
}

interface DistributedBinding {
  ProcessGroup: new (
    options: NativeGroupOptions,
    onComplete: (id: number, error: string | null) => void,
  ) => NativeProcessGroup;
  version: string;
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILE = 'myelin_distributed.node';

/** Where the module may be, in the order they are tried (as node-gyp-build: a local build first). */
function candidates(): string[] {
  const override = process.env.MYELIN_DISTRIBUTED_ADDON;
  if (override) return [path.resolve(override)];
  const list = [path.join(packageRoot, 'build', 'Release', FILE)];
  // A development build loaded through MYELIN_ADDON keeps its distributed module beside it.
  if (process.env.MYELIN_ADDON) list.unshift(path.join(path.dirname(path.resolve(process.env.MYELIN_ADDON)), FILE));
  list.push(path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, 'distributed', FILE));
  return list;
}

let binding: DistributedBinding | null = null;

export function loadDistributed(): DistributedBinding {
  if (binding) return binding;
  const found = candidates().find((f) => fs.existsSync(f));
  if (!found) {
    throw new Error(
      `distributed: this installation of myelin has no distributed module (${FILE}; looked in ${candidates().join(', ')}). ` +
        'It is built where Gloo is installed: install it (Debian/Ubuntu: sudo apt-get install libgloo-dev) and rebuild (npm rebuild myelin)',
    );
  }
  try {
    binding = createRequire(import.meta.url)(found) as DistributedBinding;
  } catch (e) {
    throw new Error(loadErrorMessage(found, (e as Error).message));
  }
  return binding;
}

/** What to tell the user when the module is there but the dynamic loader refuses it. */
export function loadErrorMessage(file: string, message: string): string {
  const missing = /(lib[\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(message);
  if (missing) {
    // libgloo0 brings its own dependencies (libhiredis, libibverbs) with it.
    return (
      `distributed: a run-time library of Gloo is missing (${missing[1]}, needed by ${file}): ` +
      'install it (Debian/Ubuntu: sudo apt-get install libgloo0)'
    );
  }
  return `distributed: cannot load ${file}: ${message}`;
}
