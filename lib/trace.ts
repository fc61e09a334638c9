// The op layer's tracing hook: while a tracer is installed (only during onnx.export), every op
// declared with defineOp and every Module.call goes through it, so one forward can be recorded
// op by op. When no tracer is installed the cost is one null check per op call.
import type { Tensor } from './tensor.js';

export interface Tracer {
  /** An op declared with defineOp (or recorded()): `run` computes it (a tensor or an array of them). */
  op<T>(name: string, args: readonly unknown[], run: () => T): T;
  /** module.call(...args): `run` runs its hooks and forward. */
  module(module: object, args: readonly unknown[], run: () => unknown): unknown;
  /** A tensor made by code outside any recorded op (for naming it in errors). */
  created(t: Tensor): void;
  /** An in-place op wrote `result` into t: t now holds result's value. */
  rebind(t: Tensor, result: Tensor): void;
  /** JavaScript reads t's values (`how`: 'item()', 'data', 'toTypedArray()'). */
  read(t: Tensor, how: string): void;
}

/** The installed tracer, or null (the normal case). */
export let activeTracer: Tracer | null = null;

/** An op not declared with defineOp (no gradient: comparisons, logical ops), made visible to tracing. */
export function traced<A extends unknown[]>(name: string, fn: (...args: A) => Tensor): (...args: A) => Tensor {
  return (...args: A): Tensor => (activeTracer === null ? fn(...args) : activeTracer.op(name, args, () => fn(...args)));
}

/**
 * Runs `run` as one op called `name` for an installed tracer, with `args` as what it records:
 * for public functions that are not a single defineOp (several outputs, integer paths, checks
 * that read index values), so the exporter sees the whole call. One null check otherwise.
 */
export function recorded<T>(name: string, args: readonly unknown[], run: () => T): T {
  return activeTracer === null ? run() : activeTracer.op(name, args, run);
}

/** Runs fn with `tracer` installed; tracers do not nest. */
export function withTracer<T>(tracer: Tracer, fn: () => T): T {
  if (activeTracer !== null) throw new Error('trace: a trace is already running (exports do not nest)');
  activeTracer = tracer;
  try {
    return fn();
  } finally {
    activeTracer = null;
  }
}
