// The default process group (torch.distributed's init_process_group and friends). One per
// process; its collectives run on Gloo over TCP (lib/distributed/collectives.ts).
import { checkOptions } from '../errors.js';
import { loadDistributed, type NativeProcessGroup } from './native.js';

/** The options of initProcessGroup (PyTorch's keyword arguments, in camelCase). */
export interface InitProcessGroupOptions {
  /** 'gloo', the only backend (CPU tensors over TCP). */
  backend?: 'gloo';
  /**
   * How the ranks find each other: 'env://' (the default: MASTER_ADDR, MASTER_PORT, RANK and
   * WORLD_SIZE from the environment, as torchrun and myelin-run set them), 'tcp://host:port'
   * (rank 0 listens there), or 'file:///path' (a file every rank can read: rank 0 writes the
   * address it listens on there).
   */
  initMethod?: string;
  /** This process's rank in [0, worldSize); RANK when absent. */
  rank?: number;
  /** The number of processes; WORLD_SIZE when absent. */
  worldSize?: number;
  /**
   * Milliseconds the rendezvous and every collective may take before they fail, naming the
   * rank that was lost or did not arrive (PyTorch's default: 30 minutes).
   */
  timeout?: number;
}

const OPTION_KEYS = ['backend', 'initMethod', 'rank', 'worldSize', 'timeout'];
/** The default timeout of the rendezvous and of every collective: 30 minutes, as PyTorch's. */
export const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

export interface ActiveGroup {
  native: NativeProcessGroup;
  /** Completion callbacks of asynchronous works, by id. */
  onComplete: Map<number, (error: string | null) => void>;
}

let active: ActiveGroup | null = null;

/** The default group, or an error naming `op` when there is none. */
export function defaultGroup(op: string): ActiveGroup {
  if (!active) {
    throw new Error(
      `${op}: the default process group has not been initialized; call distributed.initProcessGroup() first`,
    );
  }
  return active;
}

function intFrom(op: string, name: string, option: number | undefined, envName: string): number {
  if (option !== undefined) {
    if (!Number.isSafeInteger(option)) throw new TypeError(`${op}: ${name} must be an integer, got ${String(option)}`);
    return option;
  }
  const text = process.env[envName];
  if (text === undefined || text === '') {
    throw new Error(`${op}: ${name} is not given and ${envName} is not set`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new TypeError(`${op}: ${envName} must be an integer, got '${text}'`);
  return value;
}

function portFrom(op: string, text: string | undefined, where: string): number {
  const port = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(
      `${op}: ${where} must be a port number in [1, 65535], got ${text === undefined ? 'nothing' : `'${text}'`}`,
    );
  }
  return port;
}

/**
 * Joins this process to the default group: blocks until all `worldSize` ranks have joined and
 * connected (or throws after the timeout, naming the ranks that did not join). Rank 0 runs the
 * rendezvous store (a small TCP key-value server on a thread of its own).
 */
export function initProcessGroup(options: InitProcessGroupOptions = {}): void {
  const op = 'initProcessGroup';
  checkOptions(op, options, OPTION_KEYS);
  if (active) throw new Error(`${op}: the default process group is already initialized (destroyProcessGroup() first)`);
  const backend = options.backend ?? 'gloo';
  if (backend !== 'gloo')
    throw new RangeError(`${op}: backend must be 'gloo' (CPU tensors over TCP), got '${String(backend)}'`);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeout) || timeout <= 0) {
    throw new RangeError(`${op}: timeout must be a positive integer of milliseconds, got ${String(timeout)}`);
  }
  const rank = intFrom(op, 'rank', options.rank, 'RANK');
  const worldSize = intFrom(op, 'worldSize', options.worldSize, 'WORLD_SIZE');
  if (worldSize < 1) throw new RangeError(`${op}: worldSize must be at least 1, got ${worldSize}`);
  if (rank < 0 || rank >= worldSize)
    throw new RangeError(`${op}: rank ${rank} is out of range for worldSize ${worldSize}`);

  const method = options.initMethod ?? 'env://';
  const where: { storeHost?: string; storePort?: number; storeFile?: string } = {};
  if (method === 'env://') {
    const host = process.env.MASTER_ADDR;
    if (!host) throw new Error(`${op}: env:// needs MASTER_ADDR (the address of rank 0's machine); it is not set`);
    where.storeHost = host;
    where.storePort = portFrom(op, process.env.MASTER_PORT, 'MASTER_PORT');
  } else if (method.startsWith('tcp://')) {
    const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):([^/]*)\/?$/.exec(method);
    if (!m) throw new RangeError(`${op}: initMethod must be tcp://host:port, got '${method}'`);
    where.storeHost = m[1].replace(/^\[|\]$/g, '');
    where.storePort = portFrom(op, m[2], `the port of '${method}'`);
  } else if (method.startsWith('file://')) {
    const file = decodeURIComponent(method.slice('file://'.length));
    if (!file.startsWith('/')) throw new RangeError(`${op}: initMethod must be file:///absolute/path, got '${method}'`);
    where.storeFile = file;
  } else {
    throw new RangeError(`${op}: initMethod must be 'env://', 'tcp://host:port' or 'file:///path', got '${method}'`);
  }

  const { ProcessGroup } = loadDistributed();
  const onComplete = new Map<number, (error: string | null) => void>();
  const iface = process.env.GLOO_SOCKET_IFNAME || undefined;
  const native = new ProcessGroup({ rank, worldSize, timeout, iface, ...where }, (id, error) => {
    const settle = onComplete.get(id);
    onComplete.delete(id);
    settle?.(error);
  });
  active = { native, onComplete };
}

/** Whether the default process group is initialized. */
export function isInitialized(): boolean {
  return active !== null;
}

/** Whether this installation has the distributed module and can load it (Gloo present). */
export function isAvailable(): boolean {
  try {
    loadDistributed();
    return true;
  } catch {
    return false;
  }
}

/** This process's rank in the default group. */
export function getRank(): number {
  return defaultGroup('getRank').native.rank;
}

/** The number of processes in the default group. */
export function getWorldSize(): number {
  return defaultGroup('getWorldSize').native.worldSize;
}

/** The backend of the default group: 'gloo'. */
export function getBackend(): 'gloo' {
  defaultGroup('getBackend');
  return 'gloo';
}

/**
 * Leaves the default group: waits for the collectives already submitted, says goodbye to the
 * store (so the others do not count this rank as lost), and closes the connections. On rank 0
 * this stops the store: call it once the others are done with collectives.
 */
export function destroyProcessGroup(): void {
  const group = defaultGroup('destroyProcessGroup');
  active = null;
  group.native.destroy();
}
