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
