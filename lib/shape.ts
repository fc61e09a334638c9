// Shape arithmetic: sizes, strides, broadcasting, dim normalisation.
import { constants as bufferConstants } from 'node:buffer';
import { totalmem } from 'node:os';
import { describe } from './errors.js';

export type Shape = readonly number[];

export function formatShape(shape: Shape): string {
  // Also used on what a user passed as a shape (messages must not fail on a symbol or a non-array).
  if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) return describe(shape);
  return `[${Array.from(shape as ArrayLike<unknown>, (s) => (typeof s === 'symbol' ? s.toString() : String(s))).join(',')}]`;
}

export function numel(shape: Shape): number {
  // An indexed loop: for-of allocates an iterator wherever V8 has not optimized the caller,
  // and this runs several times per op (JavaScript garbage is what a training step is made of).
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** The broadcast shape of a and b, or a RangeError naming both shapes and the axis. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const da = i < nd - a.length ? 1 : a[i - (nd - a.length)];
    const db = i < nd - b.length ? 1 : b[i - (nd - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast ` +
          `(axis ${i - nd}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that view (shape, strides) as `target` by broadcasting (stride 0 on new/size-1 dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const off = target.length - shape.length;
  const out = new Array<number>(target.length).fill(0);
  for (let d = 0; d < shape.length; d++) out[d + off] = shape[d] === 1 && target[d + off] !== 1 ? 0 : strides[d];
  return out;
}

/** Normalises a possibly negative dim for a tensor of rank `ndim`. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (typeof dim !== 'number') throw new TypeError(`${op}: dim must be an integer, got ${describe(dim)}`);
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new RangeError(`${op}: dim ${dim} is out of range for a tensor of ${ndim} dims (expected [${lo}, ${hi}])`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Normalises and de-duplicates a dim list; undefined means every dim. */
export function normalizeDims(op: string, dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  if (typeof dims !== 'number' && !Array.isArray(dims))
    throw new TypeError(`${op}: dim must be an integer or an array of integers, got ${describe(dims)}`);
  const list: readonly number[] = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normalizeDim(op, d, ndim));
  if (new Set(out).size !== out.length) throw new RangeError(`${op}: dim ${formatShape(list)} repeats a dim`);
  return out.sort((x, y) => x - y);
}

/** A shape of non-negative integer sizes that a tensor of `bytesPerElement`-byte elements fits in memory. */
export function checkShape(op: string, shape: readonly number[], bytesPerElement = 4): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: shape must be an array of sizes, got ${describe(shape)}`);
  for (const s of shape) {
    if (typeof s !== 'number')
      throw new TypeError(`${op}: shape must be an array of sizes, got an element ${describe(s)}`);
    if (!Number.isInteger(s) || s < 0)
      throw new RangeError(`${op}: invalid shape ${formatShape(shape)}: sizes must be non-negative integers`);
  }
  checkAllocation(op, shape, bytesPerElement, 'tensor');
  return [...shape];
}

function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return bytes < 1024 ? `${bytes} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/**
 * Throws a RangeError naming `op` when a tensor of `shape` (elements of `bytesPerElement` bytes)
 * cannot be allocated: more bytes than one ArrayBuffer may hold, or than this machine's memory.
 * Ops call it before allocating an output whose size comes from their arguments (an output size,
 * a scale factor, padding, repeats), so that a huge request is an error that says what was asked
 * instead of an allocation failure that does not name the op, or gigabytes taken first.
 */
export function checkAllocation(op: string, shape: Shape, bytesPerElement = 4, what = 'output'): void {
  const bytes = numel(shape) * bytesPerElement;
  const limit = Math.min(bufferConstants.MAX_LENGTH, totalmem());
  if (bytes <= limit) return;
  const bound =
    limit === bufferConstants.MAX_LENGTH
      ? `more than one buffer can hold (${formatBytes(limit)})`
      : `more than this machine's memory (${formatBytes(limit)})`;
  throw new RangeError(`${op}: the ${what} ${formatShape(shape)} would take ${formatBytes(bytes)}, ${bound}`);
}
