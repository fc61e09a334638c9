// The whole binding surface, typed. Everything native goes through `native`.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BackendInfo {
  /** The package version the addon was built from. */
  version: string;
  /** The ISA whose kernels run: the best this CPU supports, capped by MYELIN_ISA. */
  isa: Isa;
  /** Every ISA this CPU and this build can run. */
  supportedIsas: Isa[];
  bestIsa: Isa;
  /** Threads of the process-wide pool (setNumThreads, MYELIN_NUM_THREADS). */
  threads: number;
  napiVersion: number;
  arch: 'x64' | 'arm64' | 'other';
}

export type Isa = 'scalar' | 'avx2' | 'avx512' | 'neon';

/** Binary elementwise ops, in the native BinaryOp order. */
export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 } as const;
export type BinaryOpCode = (typeof BinaryOp)[keyof typeof BinaryOp];

/** Unary elementwise ops, in the native UnaryOp order. New ops are appended. */
export const UnaryOp = {
  neg: 0, abs: 1, exp: 2, log: 3, sqrt: 4, rsqrt: 5, sin: 6, cos: 7, tanh: 8, sigmoid: 9, relu: 10,
} as const;
export type UnaryOpCode = (typeof UnaryOp)[keyof typeof UnaryOp];

/** Reductions over a set of axes, in the native ReduceOp order. */
export const ReduceOp = { sum: 0, mean: 1, max: 2, min: 3, prod: 4 } as const;
export type ReduceOpCode = (typeof ReduceOp)[keyof typeof ReduceOp];

/** Index reductions over one axis, in the native ArgReduceOp order. */
export const ArgReduceOp = { argmax: 0, argmin: 1 } as const;
export type ArgReduceOpCode = (typeof ArgReduceOp)[keyof typeof ArgReduceOp];

/** Shapes and strides are element counts; strides may be 0 (broadcast) for inputs. */
export type Dims = readonly number[];

export interface NativeBinding {
  backendInfo(): BackendInfo;
  getNumThreads(): number;
  setNumThreads(n: number): void;
  /** Test hook: the calling thread runs `isa`'s kernels until called with null. */
  setIsaForTesting(isa: Isa | null): void;

  /** out = a op b elementwise over `shape`; each operand is (array, offset, strides). */
  binary(
    op: BinaryOpCode, shape: Dims,
    out: Float32Array, outOffset: number, outStrides: Dims,
    a: Float32Array, aOffset: number, aStrides: Dims,
    b: Float32Array, bOffset: number, bStrides: Dims,
  ): void;

  /** out = op(x) elementwise over `shape`. */
  unary(
    op: UnaryOpCode, shape: Dims,
    out: Float32Array, outOffset: number, outStrides: Dims,
    x: Float32Array, xOffset: number, xStrides: Dims,
  ): void;

  /**
   * Reduces x over `axes` (distinct, in [0, ndim); empty = copy). `out` receives the kept
   * dims in row-major order (its length is the product of the kept sizes; reducing every
   * axis gives one element). max/min propagate NaN; sum/mean of nothing are 0/NaN.
   */
  reduce(
    op: ReduceOpCode, shape: Dims, x: Float32Array, xOffset: number, xStrides: Dims,
    axes: Dims, out: Float32Array,
  ): void;

  /**
   * argmax/argmin over one axis: `indices` (and `values`, when not null) receive the kept
   * dims in row-major order. The first extreme wins ties; NaN counts as the extreme.
   */
  argReduce(
    op: ArgReduceOpCode, shape: Dims, x: Float32Array, xOffset: number, xStrides: Dims,
    axis: number, values: Float32Array | null, indices: Int32Array,
  ): void;

  /**
   * C := alpha * op(A) * op(B) + beta * C, row-major, op = transpose when transA/transB.
   * op(A) is m x k, op(B) is k x n; lda/ldb/ldc are the row strides of A, B, C as stored.
   * beta = 0 overwrites C (NaN in C does not propagate).
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, aOffset: number, lda: number,
    b: Float32Array, bOffset: number, ldb: number,
    beta: number, c: Float32Array, cOffset: number, ldc: number,
  ): void;

  /** `batch` GEMMs; operand i starts at offset + i * stride (stride 0 = broadcast operand). */
  gemmBatched(
    transA: boolean, transB: boolean, batch: number, m: number, n: number, k: number, alpha: number,
    a: Float32Array, aOffset: number, lda: number, strideA: number,
    b: Float32Array, bOffset: number, ldb: number, strideB: number,
    beta: number, c: Float32Array, cOffset: number, ldc: number, strideC: number,
  ): void;
}

const require = createRequire(import.meta.url);
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function loadBinding(): NativeBinding {
  // MYELIN_ADDON names a .node file to load instead (a cmake-js or sanitizer build).
  const override = process.env.MYELIN_ADDON;
  if (override) return require(path.resolve(override)) as NativeBinding;
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  return nodeGypBuild(packageRoot) as NativeBinding;
}

export const native: NativeBinding = loadBinding();
