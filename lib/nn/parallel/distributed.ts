// DistributedDataParallel (torch.nn.parallel.DistributedDataParallel): every rank holds a
// replica of the module and trains on its own part of the batch; gradients are averaged over
// the ranks during backward, so every replica takes the same optimizer step.
//
// Gradients are averaged in buckets (flat Float32Arrays of about bucketCapMb MiB, parameters in
// reverse order, the first bucket 1 MiB): a hook on each parameter's gradient accumulation
// copies the gradient into its bucket, and when a bucket is complete its allreduce starts on
// the group's communication thread while backward goes on computing the earlier layers'
// gradients. Buckets start in order (every rank must issue the same collectives in the same
// order); a callback at the end of backward waits for them and writes the averages back.
import { queueCallback } from '../../autograd/engine.js';
import { AccumulateGrad, type Node } from '../../autograd/node.js';
import { noGrad } from '../../autograd/grad_mode.js';
import { allGather, allReduce, broadcast, type Work } from '../../distributed/collectives.js';
import { getRank, getWorldSize } from '../../distributed/process_group.js';
import { allocate, DTYPES, type DType, type TypedArray } from '../../dtype.js';
import { checkOptions } from '../../errors.js';
import { writeInto } from '../../raw/strided.js';
import { Tensor, type Storage } from '../../tensor.js';
import { type CallInputs, type CallOutput, Module } from '../module.js';
import type { Parameter } from '../parameter.js';

/** The options of DistributedDataParallel (PyTorch's keyword arguments, in camelCase). */
export interface DistributedDataParallelOptions {
  /** Bucket size in MiB (25 by default); the first bucket (the last layers' gradients) is 1 MiB. */
  bucketCapMb?: number;
  /** Broadcast rank 0's buffers (BatchNorm's running statistics) before every forward in training mode. */
  broadcastBuffers?: boolean;
  /**
   * Find, after every forward, the parameters the output does not depend on, so their buckets
   * need not wait for gradients that never come. Costs a walk of the graph per forward.
   */
  findUnusedParameters?: boolean;
  /** After backward, parameters' .grad are views into the buckets (no copy back; less memory). */
  gradientAsBucketView?: boolean;
}

const OPTION_KEYS = ['bucketCapMb', 'broadcastBuffers', 'findUnusedParameters', 'gradientAsBucketView'];
const FIRST_BUCKET_BYTES = 1 << 20;
const MiB = 1 << 20;

interface Slot {
  param: Parameter;
  name: string;
  index: number; // in this.slots
  bucket: number;
  offset: number; // in the bucket's flat array
}

interface Bucket {
  flat: Tensor; // 1-d float32
  slots: Slot[];
  pending: number; // gradients still to arrive in this backward
  work: Work | null;
}

/** Tensors reachable in a (nested) forward output. */
function outputTensors(out: unknown, found: Tensor[] = [], depth = 0): Tensor[] {
  if (out instanceof Tensor) found.push(out);
  else if (depth < 8 && Array.isArray(out)) for (const o of out) outputTensors(o, found, depth + 1);
  else if (depth < 8 && out && typeof out === 'object' && Object.getPrototypeOf(out) === Object.prototype)
    for (const o of Object.values(out)) outputTensors(o, found, depth + 1);
  return found;
}

/** The leaves whose gradient the graph behind `outputs` reaches. */
function reachableLeaves(outputs: Tensor[]): Set<Tensor> {
  const leaves = new Set<Tensor>();
  const seen = new Set<Node>();
  const stack: Node[] = [];
  for (const t of outputs) if (t.gradFn) stack.push(t.gradFn);
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node instanceof AccumulateGrad) leaves.add(node.variable);
    for (const next of node.next) if (next && !seen.has(next)) stack.push(next);
  }
  return leaves;
}

/** Copies a tensor's elements into flat[offset...]. */
function pack(flat: TypedArray, offset: number, t: Tensor): void {
  flat.set(t.isContiguous() ? t.data : t.toTypedArray(), offset);
}

/** Writes flat[offset ... offset + numel) into t, in place. */
function unpack(flat: TypedArray, offset: number, t: Tensor): void {
  const values = flat.subarray(offset, offset + t.numel()) as TypedArray;
  if (t.isContiguous()) (t.data as TypedArray).set(values);
  else writeInto(t, Tensor.fromData(values.slice() as TypedArray, t.shape, { dtype: t.dtype }));
  t.storage.version++;
}

export class DistributedDataParallel<M extends Module = Module> extends Module {
  /** The wrapped model (PyTorch's `ddp.module`). */
  readonly module: M;
  /** @internal */
  readonly _ddp: DdpState;

  constructor(module: M, options: DistributedDataParallelOptions = {}) {
    super();
    const op = 'DistributedDataParallel';
    checkOptions(op, options, OPTION_KEYS);
    if (!(module instanceof Module)) throw new TypeError(`${op}: expected an nn.Module, got ${typeof module}`);
    const bucketCapMb = options.bucketCapMb ?? 25;
    if (!(typeof bucketCapMb === 'number' && bucketCapMb > 0 && Number.isFinite(bucketCapMb))) {
      throw new RangeError(`${op}: bucketCapMb must be a positive number, got ${String(bucketCapMb)}`);
    }
    for (const key of ['broadcastBuffers', 'findUnusedParameters', 'gradientAsBucketView'] as const) {
      const v = options[key];
      if (v !== undefined && typeof v !== 'boolean')
        throw new TypeError(`${op}: ${key} must be a boolean, got ${typeof v}`);
    }
    // The buckets are float32: a bfloat16 gradient would go in as its bit patterns, a float64 one
    // rounded. Refused before any collective, so every rank fails alike and at once.
    for (const [name, p] of module.namedParameters()) {
      if (p.requiresGrad && p.dtype !== 'float32')
        throw new TypeError(
          `${op}: parameter ${name} is ${p.dtype}; gradients are averaged in float32 buckets, for float32 parameters only ` +
            '(convert the model with .float(); autocast runs its products in bfloat16)',
        );
    }
    this.module = module;
    this._ddp = new DdpState(module, {
      bucketCapBytes: bucketCapMb * MiB,
      broadcastBuffers: options.broadcastBuffers ?? true,
      findUnusedParameters: options.findUnusedParameters ?? false,
      gradientAsBucketView: options.gradientAsBucketView ?? false,
    });
  }

  forward(...inputs: CallInputs<M>): CallOutput<M> {
    const s = this._ddp;
    s.beforeForward(this.training);
    const output = this.module.call(...inputs);
    s.afterForward(output);
    return output;
  }

  /**
   * Runs fn with gradient synchronisation off (PyTorch's no_sync()): backward passes of
   * forwards run inside fn accumulate gradients locally; the first backward outside it
   * averages the accumulated sums. fn may return a Promise: synchronisation is restored once it settles.
   */
  noSync<T>(fn: () => T): T {
    const s = this._ddp;
    const previous = s.requireBackwardGradSync;
    s.requireBackwardGradSync = false;
    let result: T;
    try {
      result = fn();
    } catch (e) {
      s.requireBackwardGradSync = previous;
      throw e;
    }
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      return (result as unknown as Promise<unknown>).finally(() => {
        s.requireBackwardGradSync = previous;
      }) as T;
    }
    s.requireBackwardGradSync = previous;
    return result;
  }

  /** The buckets' parameter names, first bucket first (for inspection and tests). */
  bucketParameterNames(): string[][] {
    return this._ddp.buckets.map((b) => b.slots.map((s) => s.name));
  }

  override extraRepr(): string {
    const s = this._ddp;
    return `worldSize=${s.worldSize}, buckets=${s.buckets.length}`;
  }
}

interface DdpConfig {
  bucketCapBytes: number;
  broadcastBuffers: boolean;
  findUnusedParameters: boolean;
  gradientAsBucketView: boolean;
}

/** @internal the reducer: buckets, hooks and the per-iteration state. */
class DdpState {
  readonly worldSize: number;
  readonly rank: number;
  readonly slots: Slot[] = [];
  readonly buckets: Bucket[] = [];
  requireBackwardGradSync = true;
  /** Buckets started in this backward (the next one to start is buckets[launched]). */
  launched = 0;
  private syncThisBackward = true;
  private active = false; // a synchronised backward is running
  private ready: Uint8Array;
  private unused: Set<Tensor> | null = null;

  constructor(
    readonly module: Module,
    readonly config: DdpConfig,
  ) {
    const op = 'DistributedDataParallel';
    this.worldSize = getWorldSize();
    this.rank = getRank();
    const named = [...module.namedParameters()].filter(([, p]) => p.requiresGrad);
    this.syncModuleStates(op, named);
    // Buckets over the parameters in reverse order (about the order backward produces their
    // gradients); a bucket closes once it holds its byte budget.
    let bucketParams: [string, Parameter][] = [];
    let bytes = 0;
    const close = () => {
      if (!bucketParams.length) return;
      const bucket = this.buckets.length;
      let offset = 0;
      const slots = bucketParams.map(([name, param]) => {
        const slot: Slot = { param, name: `module.${name}`, index: this.slots.length, bucket, offset };
        this.slots.push(slot);
        offset += param.numel();
        return slot;
      });
      this.buckets.push({ flat: Tensor.fromData(new Float32Array(offset), [offset]), slots, pending: 0, work: null });
      bucketParams = [];
      bytes = 0;
    };
    for (let i = named.length - 1; i >= 0; i--) {
      bucketParams.push(named[i]);
      bytes += named[i][1].numel() * 4;
      if (bytes >= (this.buckets.length === 0 ? FIRST_BUCKET_BYTES : this.config.bucketCapBytes)) close();
    }
    close();
    this.ready = new Uint8Array(this.slots.length);
    for (const slot of this.slots) slot.param.registerPostAccumulateGradHook(() => this.markReady(slot));
  }

  /** Checks every rank wraps the same parameters, then copies rank 0's parameters and buffers to all. */
  private syncModuleStates(op: string, named: [string, Parameter][]): void {
    if (this.worldSize === 1) return;
    // Every parameter's shape in one signature: a rank with another model fails here, naming it.
    let hash = 0x811c9dc5;
    const mix = (v: number) => {
      hash = Math.imul(hash ^ v, 0x01000193) >>> 0;
    };
    for (const [, p] of named) {
      mix(p.ndim);
      for (const d of p.shape) mix(d);
    }
    const mine = Tensor.fromData(new Int32Array([named.length, hash | 0]), [2]);
    const all = Array.from({ length: this.worldSize }, () => Tensor.fromData(new Int32Array(2), [2]));
    allGather(all, mine);
    all.forEach((t, r) => {
      const [count, h] = t.data as Int32Array;
      if (count !== named.length || h !== (hash | 0)) {
        throw new Error(
          `${op}: the model differs across ranks: rank ${r} has ${count} parameters requiring grad` +
            `${count === named.length ? ' of other shapes' : ''}, rank ${this.rank} (this process) has ${named.length}`,
        );
      }
    });
    this.broadcastTensors(named.map(([, p]) => p));
    this.broadcastTensors([...this.module.buffers()]);
  }

  /**
   * Rank 0's values of `tensors` on every rank: one broadcast per dtype, through a flat copy. The
   * collectives carry float32, int32, int8, uint8 and bool; a broadcast only copies, so any other
   * dtype (float64 running statistics, bfloat16) goes as its bytes in int32 words, exactly.
   */
  broadcastTensors(tensors: Tensor[]): void {
    const byType = new Map<DType, Tensor[]>();
    for (const t of tensors) byType.set(t.dtype, [...(byType.get(t.dtype) ?? []), t]);
    for (const [dtype, list] of byType) {
      const total = list.reduce((n, t) => n + t.numel(), 0);
      if (total === 0) continue;
      const carried = ['float32', 'int32', 'int8', 'uint8', 'bool'].includes(dtype);
      const { array, bits } = DTYPES[dtype];
      const words = carried ? null : new Int32Array(Math.ceil((total * bits) / 32));
      const flat = words ? new array(words.buffer, 0, total) : allocate(dtype, total);
      let offset = 0;
      if (this.rank === 0) {
        for (const t of list) {
          pack(flat, offset, t);
          offset += t.numel();
        }
      }
      broadcast(words ? Tensor.fromData(words, [words.length]) : Tensor.fromData(flat, [total], { dtype }), 0);
      offset = 0;
      noGrad(() => {
        for (const t of list) {
          unpack(flat, offset, t);
          offset += t.numel();
        }
      });
    }
  }

  beforeForward(training: boolean): void {
    if (this.active) {
      throw new Error(
        'DistributedDataParallel: forward called while the previous backward is still synchronising gradients',
      );
    }
    if (training && this.config.broadcastBuffers && this.worldSize > 1)
      this.broadcastTensors([...this.module.buffers()]);
    this.syncThisBackward = this.requireBackwardGradSync;
  }

  afterForward(output: unknown): void {
    this.unused = null;
    if (!this.syncThisBackward || !this.config.findUnusedParameters) return;
    const reached = reachableLeaves(outputTensors(output));
    this.unused = new Set(this.slots.filter((s) => !reached.has(s.param)).map((s) => s.param));
  }

  /** A parameter's gradient has been accumulated (a hook during backward). */
  private markReady(slot: Slot): void {
    if (!this.syncThisBackward) return;
    if (!this.active) this.startBackward();
    if (this.ready[slot.index]) {
      throw new Error(
        `DistributedDataParallel: the gradient of ${slot.name} arrived twice in one synchronised backward ` +
          '(a second backward through the same forward, or a parameter used in two graphs): run forward again first, or wrap one backward in noSync()',
      );
    }
    const grad = slot.param.grad!;
    const flat = this.buckets[slot.bucket].flat.storage.data as Float32Array;
    if (grad.storage.data !== flat || grad.offset !== slot.offset) pack(flat, slot.offset, grad);
    this.arrive(slot);
  }

  private startBackward(): void {
    this.active = true;
    this.launched = 0;
    this.ready.fill(0);
    for (const b of this.buckets) {
      b.pending = b.slots.length;
      b.work = null;
    }
    queueCallback(() => this.finishBackward());
    // Parameters the forward did not use get no gradient: count them in now, as zeros.
    if (this.unused) {
      for (const slot of this.slots) {
        if (!this.unused.has(slot.param)) continue;
        const flat = this.buckets[slot.bucket].flat.storage.data as Float32Array;
        flat.fill(0, slot.offset, slot.offset + slot.param.numel());
        this.arrive(slot);
      }
    }
  }

  private arrive(slot: Slot): void {
    this.ready[slot.index] = 1;
    this.buckets[slot.bucket].pending--;
    // Start every complete bucket in order: all ranks issue the same allreduces in the same order.
    while (this.launched < this.buckets.length && this.buckets[this.launched].pending === 0) {
      const b = this.buckets[this.launched++];
      b.work = allReduce(b.flat, { op: 'avg', asyncOp: true });
    }
  }

  /** End of backward: wait for every bucket and write the averages into the gradients. */
  private finishBackward(): void {
    this.active = false;
    const missing = this.slots.filter((s) => !this.ready[s.index]);
    if (missing.length) {
      // Wait for what was started, so the group stays in step, then say what is wrong.
      for (const b of this.buckets) b.work?.wait();
      throw new Error(
        `DistributedDataParallel: ${missing.map((s) => s.name).join(', ')} received no gradient in this backward ` +
          '(not used to compute the loss): pass findUnusedParameters: true, or use every parameter in forward',
      );
    }
    // Which parameters were used on some rank: the others' gradients are left alone.
    let usedAnywhere: Int32Array | null = null;
    if (this.unused) {
      const used = new Int32Array(this.slots.length);
      for (const s of this.slots) used[s.index] = this.unused.has(s.param) ? 0 : 1;
      allReduce(Tensor.fromData(used, [used.length]), { op: 'max' });
      usedAnywhere = used;
    }
    for (const b of this.buckets) b.work!.wait();
    noGrad(() => {
      for (const s of this.slots) {
        if (usedAnywhere && !usedAnywhere[s.index]) continue;
        const b = this.buckets[s.bucket];
        const flat = b.flat.storage.data as Float32Array;
        const p = s.param;
        if (this.config.gradientAsBucketView) {
          const view = new Tensor(b.flat.storage as Storage, p.shape, undefined, s.offset);
          view._base = b.flat;
          p.grad = view;
          view.storage.version++;
        } else if (p.grad) {
          unpack(flat, s.offset, p.grad);
        } else {
          p.grad = Tensor.fromData(flat.slice(s.offset, s.offset + p.numel()), p.shape);
        }
      }
    });
  }
}
