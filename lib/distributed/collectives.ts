// Collectives on tensors over the default group (torch.distributed's, camelCase). Each runs in
// the order it was called (every rank must call the same collectives in the same order):
// synchronous by default (the call returns when it is done; it runs on the calling thread when
// no asynchronous work is in flight), or with { asyncOp: true } on the group's communication
// thread, returning a Work whose wait() blocks and whose getFuture() is a Promise, so the event
// loop stays free while the data moves. Tensors must be contiguous;
// outputs are written in place. Before any data moves, the ranks exchange what they are about
// to do (collective, dtype, shape, root, op): a disagreement fails on every rank with an
// error naming both sides, and leaves the group usable.
import { type DType, unsupportedDtype } from '../dtype.js';
import { checkOptions, describe, refuseStorageOnly } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Kind, type KindCode, ReduceOpCode, type Buffer } from './native.js';
import { type ActiveGroup, defaultGroup } from './process_group.js';

/** How a reduction combines the ranks' tensors. */
export type ReduceOpName = 'sum' | 'avg' | 'max' | 'min' | 'product';

/** torch.distributed.ReduceOp's names, for ported code: ReduceOp.SUM is 'sum'. */
export const ReduceOp = {
  /** The sum over the ranks. */
  SUM: 'sum',
  /** The mean over the ranks (float32 only). */
  AVG: 'avg',
  /** The elementwise maximum over the ranks. */
  MAX: 'max',
  /** The elementwise minimum over the ranks. */
  MIN: 'min',
  /** The product over the ranks. */
  PRODUCT: 'product',
} as const;

/** The option every collective takes (PyTorch's `async_op=`). */
export interface AsyncOption {
  /** Return a Work at once instead of waiting for the collective. */
  asyncOp?: boolean;
}
/** The options of allReduce, reduce and reduceScatter. */
export interface ReduceOptions extends AsyncOption {
  /** 'sum' (default), 'avg' (float32 only), 'max', 'min' or 'product'. */
  op?: ReduceOpName;
}

// The native collectives' element types (int8 and uint8 reduce wrapping, as torch's Gloo); float64
// has none yet (refused in submit).
const DTYPE_CODE: Partial<Record<DType, number>> = { float32: 0, int32: 1, bool: 2, int8: 3, uint8: 4 };

// Only the collectives construct a Work (as in PyTorch): the key proves the caller is one.
const workKey = Symbol('Work');

/**
 * A collective in flight (torch.distributed's Work). It keeps its tensors alive until it has
 * completed; wait() blocks until then and throws the collective's error.
 */
export class Work {
  private settled = false;
  private error: string | null = null;
  private future: Promise<Tensor[]> | null = null;
  private resolveFuture: ((t: Tensor[]) => void) | null = null;
  private rejectFuture: ((e: Error) => void) | null = null;

  /** @internal */
  constructor(
    key: symbol,
    private readonly group: ActiveGroup,
    private readonly id: number,
    private readonly tensors: Tensor[],
  ) {
    if (key !== workKey)
      throw new TypeError(
        'distributed.Work: not constructible; a collective called with { asyncOp: true } returns one',
      );
    group.onComplete.set(id, (error) => this.settle(error));
  }

  private settle(error: string | null): void {
    if (this.settled) return;
    this.settled = true;
    this.error = error;
    if (error !== null) this.rejectFuture?.(new Error(error));
    else this.resolveFuture?.(this.tensors);
  }

  /** Blocks until the collective has run; throws its error. Returns true, as PyTorch's. */
  wait(): true {
    if (!this.settled) {
      try {
        this.group.native.wait(this.id);
        this.settle(null);
      } catch (e) {
        this.settle((e as Error).message);
      }
    }
    if (this.error !== null) throw new Error(this.error);
    return true;
  }

  /** Whether the collective has finished, successfully or not (`Work.is_completed`). */
  isCompleted(): boolean {
    return this.settled || this.group.native.isCompleted(this.id);
  }

  /** A Promise of the collective's tensors (its outputs), rejected with its error. */
  getFuture(): Promise<Tensor[]> {
    if (!this.future) {
      if (this.settled) {
        this.future = this.error === null ? Promise.resolve(this.tensors) : Promise.reject(new Error(this.error));
      } else {
        this.future = new Promise<Tensor[]>((resolve, reject) => {
          this.resolveFuture = resolve;
          this.rejectFuture = reject;
        });
      }
    }
    return this.future;
  }
}

function checkTensor(op: string, what: string, t: unknown): Tensor {
  const x = t as Tensor;
  if (!x || typeof x !== 'object' || !('storage' in x) || !('shape' in x)) {
    throw new TypeError(`${op}: ${what} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  }
  refuseStorageOnly(op, x);
  if (!x.isContiguous()) {
    throw new RangeError(
      `${op}: ${what} must be contiguous (shape ${formatShape(x.shape)}, strides ${formatShape(x.strides)}); call .contiguous() first`,
    );
  }
  return x;
}

function checkList(op: string, what: string, list: unknown, like: Tensor, worldSize: number): Tensor[] {
  if (!Array.isArray(list))
    throw new TypeError(`${op}: ${what} must be an array of ${worldSize} tensors, got ${typeof list}`);
  if (list.length !== worldSize) {
    throw new RangeError(`${op}: ${what} must hold ${worldSize} tensors (the world size), got ${list.length}`);
  }
  return list.map((t, i) => {
    const x = checkTensor(op, `${what}[${i}]`, t);
    if (x.dtype !== like.dtype || formatShape(x.shape) !== formatShape(like.shape)) {
      throw new RangeError(
        `${op}: ${what}[${i}] is ${x.dtype} ${formatShape(x.shape)}, the tensor is ${like.dtype} ${formatShape(like.shape)}`,
      );
    }
    return x;
  });
}

function checkOp(op: string, name: unknown): number {
  const code = ReduceOpCode[name as ReduceOpName];
  if (code === undefined) {
    throw new RangeError(`${op}: op must be one of 'sum', 'avg', 'max', 'min', 'product', got ${describe(name)}`);
  }
  return code;
}

function checkRank(op: string, what: string, rank: unknown, worldSize: number): number {
  if (!Number.isInteger(rank) || (rank as number) < 0 || (rank as number) >= worldSize) {
    throw new RangeError(`${op}: ${what} must be a rank in [0, ${worldSize}), got ${String(rank)}`);
  }
  return rank as number;
}

function buffer(t: Tensor): Buffer {
  return t.data as Buffer;
}

interface Call {
  kind: KindCode;
  tensor: Tensor | null;
  list?: Tensor[] | null;
  op?: number;
  root?: number;
  /** Tensors the collective writes (their version counters move). */
  writes: Tensor[];
  asyncOp: boolean;
}

function submit(group: ActiveGroup, c: Call): Work | undefined {
  for (const t of [c.tensor, ...(c.list ?? [])])
    if (t && DTYPE_CODE[t.dtype] === undefined) throw unsupportedDtype('distributed collectives', t.dtype);
  for (const t of c.writes) t.storage.version++;
  const id = group.native.submit(
    c.kind,
    c.tensor ? DTYPE_CODE[c.tensor.dtype]! : 0,
    c.op ?? 0,
    c.root ?? 0,
    c.tensor ? c.tensor.shape : [],
    c.tensor ? buffer(c.tensor) : null,
    c.list ? c.list.map(buffer) : null,
    c.asyncOp,
  );
  if (!c.asyncOp) return undefined;
  return new Work(workKey, group, id as number, c.writes);
}

function asyncFlag(op: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${op}: asyncOp must be a boolean, got ${typeof value}`);
  return value;
}

/** Reduces `tensor` across every rank in place: every rank ends with the result. */
export function allReduce(tensor: Tensor, options?: ReduceOptions & { asyncOp?: false }): void;
export function allReduce(tensor: Tensor, options: ReduceOptions & { asyncOp: true }): Work;
export function allReduce(tensor: Tensor, options: ReduceOptions = {}): Work | undefined {
  const op = 'allReduce';
  checkOptions(op, options, ['op', 'asyncOp']);
  const g = defaultGroup(op);
  const t = checkTensor(op, 'tensor', tensor);
  const code = checkOp(op, options.op ?? 'sum');
  return submit(g, { kind: Kind.allReduce, tensor: t, op: code, writes: [t], asyncOp: asyncFlag(op, options.asyncOp) });
}

/** Copies rank `src`'s tensor into every other rank's tensor. */
export function broadcast(tensor: Tensor, src: number, options?: AsyncOption & { asyncOp?: false }): void;
export function broadcast(tensor: Tensor, src: number, options: AsyncOption & { asyncOp: true }): Work;
export function broadcast(tensor: Tensor, src: number, options: AsyncOption = {}): Work | undefined {
  const op = 'broadcast';
  checkOptions(op, options, ['asyncOp']);
  const g = defaultGroup(op);
  const t = checkTensor(op, 'tensor', tensor);
  const root = checkRank(op, 'src', src, g.native.worldSize);
  return submit(g, { kind: Kind.broadcast, tensor: t, root, writes: [t], asyncOp: asyncFlag(op, options.asyncOp) });
}

/** Every rank's tensor into tensorList[rank], on every rank. */
export function allGather(tensorList: Tensor[], tensor: Tensor, options?: AsyncOption & { asyncOp?: false }): void;
export function allGather(tensorList: Tensor[], tensor: Tensor, options: AsyncOption & { asyncOp: true }): Work;
export function allGather(tensorList: Tensor[], tensor: Tensor, options: AsyncOption = {}): Work | undefined {
  const op = 'allGather';
  checkOptions(op, options, ['asyncOp']);
  const g = defaultGroup(op);
  const t = checkTensor(op, 'tensor', tensor);
  const list = checkList(op, 'tensorList', tensorList, t, g.native.worldSize);
  return submit(g, { kind: Kind.allGather, tensor: t, list, writes: list, asyncOp: asyncFlag(op, options.asyncOp) });
}

/**
 * Reduces inputList[r] over every rank into rank r's `output`: each rank gets one reduced
 * block (PyTorch's reduce_scatter; Gloo's halving-doubling reduce-scatter).
 */
export function reduceScatter(output: Tensor, inputList: Tensor[], options?: ReduceOptions & { asyncOp?: false }): void;
export function reduceScatter(output: Tensor, inputList: Tensor[], options: ReduceOptions & { asyncOp: true }): Work;
export function reduceScatter(output: Tensor, inputList: Tensor[], options: ReduceOptions = {}): Work | undefined {
  const op = 'reduceScatter';
  checkOptions(op, options, ['op', 'asyncOp']);
  const g = defaultGroup(op);
  const t = checkTensor(op, 'output', output);
  const list = checkList(op, 'inputList', inputList, t, g.native.worldSize);
  const code = checkOp(op, options.op ?? 'sum');
  const asyncOp = asyncFlag(op, options.asyncOp);
  return submit(g, { kind: Kind.reduceScatter, tensor: t, list, op: code, writes: [t], asyncOp });
}

/** The options of gather. */
export interface GatherOptions extends AsyncOption {
  /** On rank dst: worldSize tensors like `tensor`, which receive every rank's. Omitted elsewhere. */
  gatherList?: Tensor[] | null;
  /** The rank that receives (0 by default). */
  dst?: number;
}

/** Every rank's tensor into gatherList[rank] on rank dst. */
export function gather(tensor: Tensor, options?: GatherOptions & { asyncOp?: false }): void;
export function gather(tensor: Tensor, options: GatherOptions & { asyncOp: true }): Work;
export function gather(tensor: Tensor, options: GatherOptions = {}): Work | undefined {
  const op = 'gather';
  checkOptions(op, options, ['gatherList', 'dst', 'asyncOp']);
  const g = defaultGroup(op);
  const t = checkTensor(op, 'tensor', tensor);
  const root = checkRank(op, 'dst', options.dst ?? 0, g.native.worldSize);
  const isRoot = root === g.native.rank;
  if (isRoot && !options.gatherList) throw new TypeError(`${op}: rank ${root} (dst) must pass gatherList`);
  if (!isRoot && options.gatherList) {
    throw new TypeError(`${op}: only rank ${root} (dst) passes gatherList; rank ${g.native.rank} must not`);
  }
  const list = isRoot ? checkList(op, 'gatherList', options.gatherList, t, g.native.worldSize) : null;
  const asyncOp = asyncFlag(op, options.asyncOp);
  return submit(g, { kind: Kind.gather, tensor: t, list, root, writes: list ?? [], asyncOp });
}

/** The options of scatter. */
export interface ScatterOptions extends AsyncOption {
  /** On rank src: worldSize tensors like `tensor`; rank r receives scatterList[r]. Omitted elsewhere. */
  scatterList?: Tensor[] | null;
  /** The rank that sends (0 by default). */
  src?: number;
}

/** scatterList[r] of rank src into rank r's tensor. */
export function scatter(tensor: Tensor, options?: ScatterOptions & { asyncOp?: false }): void;
export function scatter(tensor: Tensor, options: ScatterOptions & { asyncOp: true }): Work;
export function scatter(tensor: Tensor, options: ScatterOptions = {}): Work | undefined {
  const op = 'scatter';
  checkOptions(op, options, ['scatterList', 'src', 'asyncOp']);
  const g = defaultGroup(op);
  const t = checkTensor(op, 'tensor', tensor);
  const root = checkRank(op, 'src', options.src ?? 0, g.native.worldSize);
  const isRoot = root === g.native.rank;
  if (isRoot && !options.scatterList) throw new TypeError(`${op}: rank ${root} (src) must pass scatterList`);
  if (!isRoot && options.scatterList) {
    throw new TypeError(`${op}: only rank ${root} (src) passes scatterList; rank ${g.native.rank} must not`);
  }
  const list = isRoot ? checkList(op, 'scatterList', options.scatterList, t, g.native.worldSize) : null;
  const asyncOp = asyncFlag(op, options.asyncOp);
  return submit(g, { kind: Kind.scatter, tensor: t, list, root, writes: [t], asyncOp });
}

/** Reduces `tensor` across every rank into rank dst's tensor (the others keep theirs). */
export function reduce(tensor: Tensor, dst: number, options?: ReduceOptions & { asyncOp?: false }): void;
export function reduce(tensor: Tensor, dst: number, options: ReduceOptions & { asyncOp: true }): Work;
export function reduce(tensor: Tensor, dst: number, options: ReduceOptions = {}): Work | undefined {
  const op = 'reduce';
  checkOptions(op, options, ['op', 'asyncOp']);
  const g = defaultGroup(op);
  const t = checkTensor(op, 'tensor', tensor);
  const root = checkRank(op, 'dst', dst, g.native.worldSize);
  const code = checkOp(op, options.op ?? 'sum');
  const asyncOp = asyncFlag(op, options.asyncOp);
  return submit(g, {
    kind: Kind.reduce,
    tensor: t,
    op: code,
    root,
    writes: root === g.native.rank ? [t] : [],
    asyncOp,
  });
}

/** Returns once every rank has called barrier(). */
export function barrier(options?: AsyncOption & { asyncOp?: false }): void;
export function barrier(options: AsyncOption & { asyncOp: true }): Work;
export function barrier(options: AsyncOption = {}): Work | undefined {
  const op = 'barrier';
  checkOptions(op, options, ['asyncOp']);
  const g = defaultGroup(op);
  return submit(g, { kind: Kind.barrier, tensor: null, writes: [], asyncOp: asyncFlag(op, options.asyncOp) });
}
