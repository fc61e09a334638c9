// Helpers for native-kernel tests: run a block under every ISA this CPU supports, and at
// 1 and 2 threads, always restoring the defaults.
import { withNumThreads } from '../../lib/backend.js';
import { native, type Isa } from '../../lib/native.js';

/** Every ISA this CPU runs, the reduced-precision levels (avx2vnni, avx512bf16) included. */
export const allSupportedIsas: Isa[] = native.backendInfo().supportedIsas;

/**
 * The ISAs whose fp32 kernels differ: the reduced-precision levels run their base level's table
 * (avx2's, avx512's) and differ only in the bf16 and int8 GEMMs, which lowp tests run on
 * allSupportedIsas.
 */
export const supportedIsas: Isa[] = allSupportedIsas.filter((isa) => isa !== 'avx2vnni' && isa !== 'avx512bf16');

export function withIsa<T>(isa: Isa, fn: () => T): T {
  native.setIsaForTesting(isa);
  try {
    return fn();
  } finally {
    native.setIsaForTesting(null);
  }
}

/** Runs fn with the pool at n threads, restoring the previous count after (also on a throw). */
export const withThreads = withNumThreads;

/** Deterministic pseudo-random floats in [lo, hi) (mulberry32), for test inputs. */
export function randomFloats(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

/** Row-major (contiguous) strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** Calls fn(index, offsets) for every multi-index of shape, with each operand's offset. */
export function forEachIndex(
  shape: readonly number[],
  operands: { offset: number; strides: readonly number[] }[],
  fn: (linear: number, offsets: number[]) => void,
): void {
  const numel = shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let linear = 0; linear < numel; linear++) {
    const offsets = operands.map((o) => {
      let off = o.offset;
      for (let d = 0; d < shape.length; d++) off += idx[d] * o.strides[d];
      return off;
    });
    fn(linear, offsets);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}
