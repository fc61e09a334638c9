// Strided views for the reduction tests: a walk over every index with the offsets a kernel
// sees, and layouts (permuted) built from contiguous tensors.
import { contiguousStrides } from './native.js';

// A strided view of x: what the kernels receive.
export interface View {
  shape: number[];
  strides: number[];
  offset: number;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function extent(v: View): number {
  if (v.shape.some((s) => s === 0)) return v.offset;
  return v.offset + v.shape.reduce((acc, s, d) => acc + (s - 1) * v.strides[d], 0) + 1;
}

// Visits every index of v.shape: fn(x offset, output index over the kept dims, row-major).
export function walk(v: View, reduced: boolean[], fn: (xo: number, o: number) => void): void {
  const nd = v.shape.length;
  if (v.shape.some((s) => s === 0)) return;
  const outStrides = new Array<number>(nd).fill(0);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    if (!reduced[d]) {
      outStrides[d] = s;
      s *= v.shape[d];
    }
  }
  const idx = new Array<number>(nd).fill(0);
  let xo = v.offset;
  let o = 0;
  const total = numel(v.shape);
  for (let i = 0; i < total; i++) {
    fn(xo, o);
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < v.shape[d]) {
        xo += v.strides[d];
        o += outStrides[d];
        break;
      }
      xo -= (v.shape[d] - 1) * v.strides[d];
      o -= (v.shape[d] - 1) * outStrides[d];
      idx[d] = 0;
    }
  }
}

// A view of a permuted contiguous tensor: shape[d] is stored at position perm[d].
export function permuted(shape: number[], perm: number[], offset = 0): View {
  const storedShape = perm.map((_, p) => shape[perm.indexOf(p)]);
  const stored = contiguousStrides(storedShape);
  return { shape, strides: shape.map((_, d) => stored[perm[d]]), offset };
}

export function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
