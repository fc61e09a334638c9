// The whole binding surface, typed. Everything native goes through `native`.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What `backendInfo()` reports about the native addon that runs the kernels: the build, the ISA
 * dispatched to, and the thread pool. PyTorch has no single equivalent (`torch.__config__.show()`
 * and `torch.backends.cpu.get_cpu_capability()` cover parts of it).
 */
export interface BackendInfo {
  /** The package version the addon was built from. */
  version: string;
  /** The ISA whose kernels run: the best this CPU supports, capped by MYELIN_ISA. */
  isa: Isa;
  /** Every ISA this CPU and this build can run. */
  supportedIsas: Isa[];
  /** The best ISA this CPU and this build can run, before MYELIN_ISA caps it. */
  bestIsa: Isa;
  /** Threads of the process-wide pool (setNumThreads, MYELIN_NUM_THREADS). */
  threads: number;
  /** The reduced-precision GEMM kernels of the active ISA, by name. */
  lowpGemm: LowpGemmKernels;
  /** The N-API version of the running Node.js (process.versions.napi). */
  napiVersion: number;
  /** The CPU architecture the addon was built for: 'x64', 'arm64', or 'other'. */
  arch: 'x64' | 'arm64' | 'other';
  /** The CPU as the addon read it at load, which the per-CPU kernel choices are picked from. */
  cpu: CpuInfo;
  /** The fp32 GEMM (matmul, linear, convolution's GEMMs) of the active ISA and its blocking. */
  gemm: GemmInfo;
}

/** `BackendInfo.cpu`: the CPU's identity (cpuid on x86-64) and its data caches. */
export interface CpuInfo {
  /** cpuid's vendor string, such as 'AuthenticAMD' or 'GenuineIntel'; '' off x86-64. */
  vendor: string;
  /** Display family, extended family folded in (25 = 0x19: Zen 3 and Zen 4; 26: Zen 5); 0 off x86-64. */
  family: number;
  /** Display model, extended model folded in; 0 off x86-64. */
  model: number;
  /** The row of myelin's CPU table naming this CPU ('Zen 3', 'Zen 4', 'Zen 5'), or 'unknown'. */
  name: string;
  /** Data cache sizes in bytes, and where they were read. */
  caches: CpuCaches;
}

/** `CpuInfo.caches`: sizes in bytes of one core's L1d and L2 and of one L3. */
export interface CpuCaches {
  /** L1 data cache of one core. */
  l1d: number;
  /** L2 of one core (or of the cluster of cores sharing it). */
  l2: number;
  /** One L3, shared by the cores of a complex or a socket. */
  l3: number;
  /** 'cpuid' (leaf 4 on Intel, 0x8000001D on AMD), 'sysfs' (Linux's cache directory), or 'default' (nothing read: 32 KiB, 512 KiB, 8 MiB). */
  source: 'cpuid' | 'sysfs' | 'default';
}

/**
 * `BackendInfo.gemm`: the fp32 GEMM kernel of the active ISA and the cache blocking it runs with.
 * kc is the depth of one packed block, mc its rows of A, nc its columns of B (BLIS's names).
 */
export interface GemmInfo {
  /** The microkernel: element type, register tile and ISA ('sgemm_ukernel_6x16__avx2'). */
  kernel: string;
  /** Register tile: the rows of C one microkernel call computes. */
  mr: number;
  /** Register tile: the columns of C one microkernel call computes. */
  nr: number;
  /** The k depth of a packed block. */
  kc: number;
  /** The rows of op(A) packed together. */
  mc: number;
  /** The columns of op(B) packed together. */
  nc: number;
  /**
   * Where kc, mc and nc came from: 'table' (a CPU the table names: the figures tuned for the
   * ISA), 'caches' (any other CPU: derived from `cpu.caches`), or 'env' (MYELIN_GEMM_BLOCKING).
   */
  blocking: 'table' | 'caches' | 'env';
  /** Which way two or more threads split a square C: by rows or by columns (each thread a block). */
  tieSplit: 'rows' | 'columns';
}

/**
 * Names of the reduced-precision GEMM kernels an ISA runs (`BackendInfo.lowpGemm`), such as
 * 'u8s8gemm_ukernel_4x16__avx2', or '... via fp32 sgemm' where the ISA has no kernel of its own
 * (the operands widened to fp32 on each call).
 */
export interface LowpGemmKernels {
  /** bf16 x bf16 products with fp32 sums. */
  bf16: string;
  /** u8 x s8 products with int32 sums (quantized inference). */
  int8: string;
}

/**
 * An instruction-set level of the kernels: 'scalar' (portable C++), 'avx2' (AVX2 + FMA),
 * 'avx512' (AVX-512F/BW/DQ/VL), 'neon' (arm64), and the reduced-precision levels 'avx2vnni'
 * (AVX-VNNI int8 dot products on top of avx2) and 'avx512bf16' (AVX512_BF16 and AVX512_VNNI on
 * top of avx512). MYELIN_ISA caps the level dispatched to.
 */
export type Isa = 'scalar' | 'avx2' | 'avx512' | 'neon' | 'avx2vnni' | 'avx512bf16';

/** Binary elementwise ops, in the native BinaryOp order. */
// reluGrad(g, out): out <= 0 ? 0 : g (ReLU's backward; a NaN output passes the gradient, as torch's).
export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, reluGrad: 6 } as const;
export type BinaryOpCode = (typeof BinaryOp)[keyof typeof BinaryOp];

/** Unary elementwise ops, in the native UnaryOp order. New ops are appended. */
export const UnaryOp = {
  neg: 0,
  abs: 1,
  exp: 2,
  log: 3,
  sqrt: 4,
  rsqrt: 5,
  sin: 6,
  cos: 7,
  tanh: 8,
  sigmoid: 9,
  relu: 10,
  log1p: 11,
  expm1: 12,
  sign: 13,
  erf: 14,
} as const;
export type UnaryOpCode = (typeof UnaryOp)[keyof typeof UnaryOp];

/** The LSTM / GRU step kernels of rnnCell. */
export const RnnCellOp = { lstmForward: 0, lstmBackward: 1, gruForward: 2, gruBackward: 3 } as const;
export type RnnCellOpCode = (typeof RnnCellOp)[keyof typeof RnnCellOp];

/** Reductions over a set of axes, in the native ReduceOp order. */
export const ReduceOp = { sum: 0, mean: 1, max: 2, min: 3, prod: 4 } as const;
export type ReduceOpCode = (typeof ReduceOp)[keyof typeof ReduceOp];

/** Index reductions over one axis, in the native ArgReduceOp order. */
export const ArgReduceOp = { argmax: 0, argmin: 1 } as const;
export type ArgReduceOpCode = (typeof ArgReduceOp)[keyof typeof ArgReduceOp];

/** The softmax family's row ops (softmax), in the native SoftmaxOp order. */
export const SoftmaxOp = { softmax: 0, logSoftmax: 1, softmaxBackward: 2, logSoftmaxBackward: 3 } as const;
export type SoftmaxOpCode = (typeof SoftmaxOp)[keyof typeof SoftmaxOp];

/** 2-D pooling ops (pool2d), in the native PoolOp order. */
export const PoolOp = { max: 0, avg: 1, adaptiveAvg: 2, adaptiveMax: 3 } as const;
export type PoolOpCode = (typeof PoolOp)[keyof typeof PoolOp];

/** Shapes and strides are element counts; strides may be 0 (broadcast) for inputs. */
export type Dims = readonly number[];

/**
 * Hyper-parameters of the fused optimizer steps (sgdStep, adamStep, rmspropStep, adagradStep).
 * Every field is required. Numbers must be finite; the ranges are PyTorch's own checks.
 * The kernels follow PyTorch 1.13's single-tensor (non-foreach) update, op for op in float32:
 * scalars PyTorch derives in double (1 - beta1, lr / biasCorrection1, ...) are derived in double
 * and rounded to float32 once; where PyTorch's CPU kernels fuse a multiply-add (add with alpha,
 * addcmul) the kernels use an FMA. Every ISA and thread count computes the same bits. Float64
 * buffers run the same formulas in double (the derived scalars kept in double).
 */
export interface SgdStepOptions {
  /** >= 0 */
  lr: number;
  /** >= 0; 0 = no momentum buffer (momentumBuf may be null and is not touched). */
  momentum: number;
  /** any finite number; buf = momentum * buf + (1 - dampening) * grad. */
  dampening: number;
  /** >= 0; L2: grad += weightDecay * param (skipped when 0). */
  weightDecay: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0. */
  nesterov: boolean;
  /** Ascend: the gradient's sign is flipped first. */
  maximize: boolean;
  /**
   * true on the parameter's first step with momentum: the buffer is set to the gradient (after
   * maximize and weight decay), as PyTorch clones it; its previous contents are not read.
   */
  firstStep: boolean;
}

export interface AdamStepOptions {
  /** >= 0 */
  lr: number;
  /** in [0, 1) */
  beta1: number;
  /** in [0, 1) */
  beta2: number;
  /** >= 0; added after the square root: denom = sqrt(v) / sqrt(1 - beta2^step) + eps. */
  eps: number;
  /** >= 0; Adam: grad += weightDecay * param (skipped when 0); AdamW: see `decoupled`. */
  weightDecay: number;
  /** AdamW: param *= 1 - lr * weightDecay before the update, instead of the L2 term. */
  decoupled: boolean;
  /** Keep the running maximum of expAvgSq in maxExpAvgSq and normalise by it. */
  amsgrad: boolean;
  maximize: boolean;
  /**
   * The step count including this update: 1 on the first step (an integer >= 1). The bias
   * corrections 1 - beta1^step and 1 - beta2^step are computed from it by the kernel.
   */
  step: number;
}

export interface RmspropStepOptions {
  /** >= 0 */
  lr: number;
  /** >= 0; squareAvg = alpha * squareAvg + (1 - alpha) * grad^2. */
  alpha: number;
  /** >= 0; added after the square root. */
  eps: number;
  /** >= 0; L2 (skipped when 0). */
  weightDecay: number;
  /** >= 0; > 0 uses momentumBuf (zeros initially): buf = momentum * buf + grad / avg. */
  momentum: number;
  /** Normalise by the estimated variance: uses gradAvg (zeros initially). */
  centered: boolean;
  maximize: boolean;
}

export interface AdagradStepOptions {
  /** >= 0 */
  lr: number;
  /** >= 0; the step's lr is lr / (1 + (step - 1) * lrDecay). */
  lrDecay: number;
  /** >= 0; L2 (skipped when 0). */
  weightDecay: number;
  /** >= 0; added after the square root. */
  eps: number;
  maximize: boolean;
  /** The step count including this update: 1 on the first step (an integer >= 1). */
  step: number;
}

/**
 * The shape and layout of `batch` products C = op(A) op(B) over row-major matrices, op =
 * transpose when transA/transB. op(A) is m x k, op(B) is k x n; lda/ldb/ldc are the row strides
 * of A, B, C as stored (A is k x m when transposed), aOffset/bOffset/cOffset where the first
 * matrix of each starts in its array, and matrix i of the batch starts stride * i elements
 * later (stride 0: a broadcast operand). Each GEMM's arguments add the arrays (and alpha, beta).
 */
export interface GemmLayout {
  transA: boolean;
  transB: boolean;
  batch: number;
  m: number;
  n: number;
  k: number;
  aOffset: number;
  lda: number;
  strideA: number;
  bOffset: number;
  ldb: number;
  strideB: number;
  cOffset: number;
  ldc: number;
  strideC: number;
}

/**
 * C := alpha * op(A) * op(B) + beta * C over row-major float32 matrices: one product, laid out
 * as GemmLayout's first matrices. beta = 0 overwrites C (NaN in C does not propagate).
 */
export interface GemmArgs extends Omit<GemmLayout, 'batch' | 'strideA' | 'strideB' | 'strideC'> {
  alpha: number;
  a: Float32Array;
  b: Float32Array;
  beta: number;
  c: Float32Array;
}

/** `batch` float32 GEMMs (GemmArgs' product on each matrix of the batch). */
export interface GemmBatchedArgs extends GemmLayout, GemmArgs {}

/**
 * `batch` products C := alpha * op(A) op(B) + beta * C over row-major float64 matrices, every
 * product and sum in double (the dgemm). beta = 0 overwrites C (NaN in C does not propagate).
 */
export interface GemmFloat64Args extends GemmLayout {
  alpha: number;
  a: Float64Array;
  b: Float64Array;
  beta: number;
  c: Float64Array;
}

/**
 * `batch` products C = op(A) op(B) over row-major int32 matrices, exact modulo 2^32 (every
 * product and sum wraps, as torch's CPU integer kernels); C is overwritten.
 */
export interface GemmInt32Args extends GemmLayout {
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
}

/**
 * `batch` products C = alpha * op(A) op(B) (+ beta * C) (+ rowBias[i]) (+ colBias[j]) with bf16
 * multiplications and fp32 sums. A and B: Float32Array (each element rounded to bf16, nearest
 * even, as it is read) or Uint16Array (bf16 bit patterns). C: Float32Array, or Uint16Array (the
 * result rounded to bf16; beta must be 0). Operand i of the batch starts at offset + i * stride.
 */
export interface GemmBf16Args extends GemmLayout {
  alpha: number;
  a: Float32Array | Uint16Array;
  b: Float32Array | Uint16Array;
  beta: number;
  c: Float32Array | Uint16Array;
  /** m floats or null */
  rowBias: Float32Array | null;
  /** n floats or null */
  colBias: Float32Array | null;
}

/**
 * C = (A - aZero) (op(B) - bZero[j]) summed exactly in int32 (wrapping past 2^31): A u8 (m x k),
 * B s8 (k x n, or n x k when transB), bZero per column of op(B) or null (zeros). C: Int32Array
 * (the sums; colScale, rowBias, colBias null), Float32Array (sum * colScale[j] + rowBias[i] +
 * colBias[j], each a separate fp32 rounding) or Uint8Array (that requantized:
 * clamp(round-half-even(v * fp32(1 / outScale)) + outZero, 0, 255)).
 */
export interface GemmU8S8Args {
  m: number;
  n: number;
  k: number;
  a: Uint8Array;
  aOffset: number;
  lda: number;
  aZero: number;
  b: Int8Array;
  bOffset: number;
  ldb: number;
  transB: boolean;
  /** gemmU8S8PackB's packing of this op(B) under the running kernels (used instead of packing B), or null. */
  bPacked: Uint8Array | null;
  bZero: Int32Array | null;
  c: Int32Array | Float32Array | Uint8Array;
  cOffset: number;
  ldc: number;
  colScale: Float32Array | null;
  rowBias: Float32Array | null;
  colBias: Float32Array | null;
  outScale: number;
  outZero: number;
}

/** op(B) of a u8 x s8 GEMM to pack once (B an Int8Array, k x n, or n x k when transB). */
export interface GemmU8S8PackBArgs {
  n: number;
  k: number;
  b: Int8Array;
  bOffset: number;
  ldb: number;
  transB: boolean;
}

/**
 * Quantization parameters of data viewed as [outer, channels, inner]: channel c has scales[c]
 * (finite, > 0) and zeroPoints[c] (in the quantized type's range); per tensor, channels = 1.
 */
export interface QuantLayout {
  outer: number;
  channels: number;
  inner: number;
  scales: Float64Array;
  zeroPoints: Int32Array;
}

/** y (Int8Array: qint8, Uint8Array: quint8) = x quantized as torch.quantize_per_tensor/channel. */
export interface QuantizeArgs extends QuantLayout {
  x: Float32Array;
  y: Int8Array | Uint8Array;
}

/** y = (q - zeroPoint) * scale: per tensor in float32, per channel in float64 (as torch). */
export interface DequantizeArgs extends QuantLayout {
  q: Int8Array | Uint8Array;
  y: Float32Array;
  perChannel: boolean;
}

/** A 2-D window over an input plane (convolution's and pooling's): kernel, stride, padding, dilation. */
export interface Window2d {
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
}

/**
 * A 2-D convolution's geometry: x [n, c, h, w], w [oc, c / groups, kh, kw], y [n, oc, oh, ow].
 * Input row oy * strideH - padH + i * dilationH; positions outside the input read zero, so oh/ow
 * are the caller's choice (a larger one pads the far side).
 */
export interface ConvShape extends Window2d {
  n: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  oh: number;
  ow: number;
  groups: number;
  /**
   * Float32 only (autocast): the products through the bf16 GEMM, x, w and dy rounded to bf16
   * as they are read and their products summed in fp32 (im2col; no direct kernel). Where the
   * ISA has a bf16 GEMM kernel, 3x3 stride-1 layers of planes of 64 2x2 tiles or more take
   * Winograd F(2x2, 3x3), its transformed operands rounded to bf16 instead (less exact: up to
   * ~2^-7 of the largest result off the exact bf16 products), and dy rounded before its
   * transforms. The bias's gradient sums dy rounded to bf16. The results are fp32 sums, not
   * rounded. Default false.
   */
  bf16?: boolean;
}

/**
 * 2-D pooling of `planes` contiguous h x w planes to oh x ow. The window entries (kh ...
 * dilationW) are unused by the adaptive ops; countIncludePad only matters for avg.
 */
export interface PoolShape extends Window2d {
  planes: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  countIncludePad: boolean;
}

/** The addon's export and op-code tables (bindingInfo), for the test that checks this file. */
/**
 * resample2d and its adjoint resample2dBackward: src (x, or dy) read, dst (y, or dx) overwritten,
 * through the per-axis tables (NativeBinding.resample2d says what they hold).
 */
export type Resample2d = (
  dims: Dims,
  rowIndex: Int32Array,
  rowWeight: Float32Array | Float64Array | null,
  colIndex: Int32Array,
  colWeight: Float32Array | Float64Array | null,
  src: Float32Array | Float64Array,
  dst: Float32Array | Float64Array,
) => void;

/**
 * A normalisation by per-row statistics (layerNorm's rows, groupNorm's groups): dims as the
 * function says, x, weight/bias or null, eps; mean, invstd and y are written. All Float32Arrays,
 * or all Float64Arrays (the double kernels).
 */
export type RowNorm = <A extends Float32Array | Float64Array>(
  dims: Dims,
  x: A,
  weight: A | null,
  bias: A | null,
  eps: number,
  mean: A,
  invstd: A,
  y: A,
) => void;

/**
 * The backward of a RowNorm, from the saved mean and invstd: dx, dweight and dbias are written
 * (null ones are skipped). All Float32Arrays, or all Float64Arrays.
 */
export type RowNormBackward = <A extends Float32Array | Float64Array>(
  dims: Dims,
  x: A,
  dy: A,
  weight: A | null,
  mean: A,
  invstd: A,
  dx: A | null,
  dweight: A | null,
  dbias: A | null,
) => void;

export interface BindingInfo {
  /** [name, arity] of every export, in export order. */
  functions: [string, number][];
  /** Each op-code table's names in code order, by table name (BinaryOp, UnaryOp, ...). */
  opCodes: Record<string, string[]>;
}

export interface NativeBinding {
  backendInfo(): BackendInfo;
  /** The export and op-code tables as the addon has them. */
  bindingInfo(): BindingInfo;
  getNumThreads(): number;
  setNumThreads(n: number): void;
  getDeterministicAlgorithms(): boolean;
  setDeterministicAlgorithms(mode: boolean): void;
  /** Test hook: the calling thread runs `isa`'s kernels until called with null. */
  setIsaForTesting(isa: Isa | null): void;
  /**
   * Process-wide: 'im2col' keeps convolutions off the Winograd path; 'winograd' takes it for
   * every 3x3 stride-1 ungrouped shape, however small (tests compare the paths).
   */
  setConvAlgorithmForTesting(algorithm: 'auto' | 'im2col' | 'winograd'): void;
  /**
   * Test hook: the nth fault point from now on (1-based; 0 turns the hook off) that is reached
   * while running share `minShare` or a later one of a parallel region (any, when 0) fails as if
   * memory were exhausted. Fault points: every scratch allocation, every reuse of a warm GEMM
   * packing buffer, and the start of every share the pool hands out. The call then throws an
   * Error naming the function, with code 'ERR_MYELIN_OUT_OF_MEMORY'.
   */
  failScratchForTesting(nth: number, minShare: number): void;
  /** Test hook: the kc, mc, nc the cache-size rule gives a register tile and loop order on the given caches (bytes). */
  gemmBlockingForTesting(
    mr: number,
    nr: number,
    aInL1: boolean,
    l1d: number,
    l2: number,
    l3: number,
  ): { kc: number; mc: number; nc: number };

  /**
   * out = a op b elementwise over `shape`; each operand is (array, offset, strides). Three
   * Float32Arrays, or three Float64Arrays (the float64 kernels, chosen by out's type).
   */
  binary(
    op: BinaryOpCode,
    shape: Dims,
    out: Float32Array | Float64Array,
    outOffset: number,
    outStrides: Dims,
    a: Float32Array | Float64Array,
    aOffset: number,
    aStrides: Dims,
    b: Float32Array | Float64Array,
    bOffset: number,
    bStrides: Dims,
  ): void;

  /**
   * out = op(x) elementwise over `shape`: two Float32Arrays, or two Float64Arrays (the float64
   * kernels, chosen by out's type).
   */
  unary(
    op: UnaryOpCode,
    shape: Dims,
    out: Float32Array | Float64Array,
    outOffset: number,
    outStrides: Dims,
    x: Float32Array | Float64Array,
    xOffset: number,
    xStrides: Dims,
  ): void;

  /**
   * Reduces x over `axes` (distinct, in [0, ndim); empty = copy). `out` receives the kept
   * dims in row-major order (its length is the product of the kept sizes; reducing every
   * axis gives one element). max/min propagate NaN; sum/mean of nothing are 0/NaN. Two
   * Float32Arrays, or two Float64Arrays (the float64 kernels, chosen by out's type).
   */
  reduce(
    op: ReduceOpCode,
    shape: Dims,
    x: Float32Array | Float64Array,
    xOffset: number,
    xStrides: Dims,
    axes: Dims,
    out: Float32Array | Float64Array,
  ): void;

  /**
   * argmax/argmin over one axis: `indices` (and `values`, when not null) receive the kept
   * dims in row-major order. The first extreme wins ties; NaN counts as the extreme.
   */
  argReduce(
    op: ArgReduceOpCode,
    shape: Dims,
    x: Float32Array,
    xOffset: number,
    xStrides: Dims,
    axis: number,
    values: Float32Array | null,
    indices: Int32Array,
  ): void;

  /** One GEMM (see GemmArgs). */
  gemm(args: GemmArgs): void;
  /** `batch` GEMMs (see GemmBatchedArgs). */
  gemmBatched(args: GemmBatchedArgs): void;
  /** `batch` int32 GEMMs, wrapping (see GemmInt32Args). */
  gemmInt32(args: GemmInt32Args): void;
  /** `batch` float64 GEMMs (see GemmFloat64Args). */
  gemmFloat64(args: GemmFloat64Args): void;

  /** y = x rounded to bfloat16 (nearest even; NaN -> 0xffff, as PyTorch): same lengths. */
  convertF32ToBf16(x: Float32Array, y: Uint16Array): void;
  /** y = x (bfloat16 bit patterns), exactly. */
  convertBf16ToF32(x: Uint16Array, y: Float32Array): void;
  /**
   * y = x rounded to bfloat16 values, as float32 (convertF32ToBf16 then convertBf16ToF32, the
   * same bits) in one pass: same lengths; y is x itself (in place) or shares no memory with it.
   */
  roundF32ToBf16(x: Float32Array, y: Float32Array): void;
  /** bf16 GEMM with fp32 sums (see GemmBf16Args). */
  gemmBf16(args: GemmBf16Args): void;
  /** u8 x s8 GEMM with int32 sums and a fused output pass (see GemmU8S8Args). */
  gemmU8S8(args: GemmU8S8Args): void;
  /**
   * op(B) packed for gemmU8S8's bPacked under the running kernel table (its layout is the
   * table's: another MYELIN_ISA cap or setIsaForTesting refuses it): column sums and micro-panels.
   */
  gemmU8S8PackB(args: GemmU8S8PackBArgs): Uint8Array;
  /** Whether `packed` is gemmU8S8PackB's packing of an n-column, k-deep B for the running kernel table. */
  gemmU8S8PackedBFits(packed: Uint8Array, n: number, k: number): boolean;
  /** Quantize float32 data (see QuantizeArgs). */
  quantize(args: QuantizeArgs): void;
  /** Dequantize int8 / uint8 data (see DequantizeArgs). */
  dequantize(args: DequantizeArgs): void;
  /** [min, max] of x: both NaN when any element is, [0, 0] when x is empty. */
  minMax(x: Float32Array): [number, number];

  /**
   * Softmax family over `rows` contiguous rows of n from x[xOffset]: op 0 softmax, 1 logSoftmax
   * (dy null); 2 softmax backward, 3 logSoftmax backward (x = the saved output, dy = its grad).
   * Float32Arrays, or Float64Arrays throughout (the double kernels, exp from libm).
   */
  softmax<A extends Float32Array | Float64Array>(
    op: SoftmaxOpCode,
    rows: number,
    n: number,
    x: A,
    xOffset: number,
    dy: A | null,
    out: A,
  ): void;
  /** out[r] = log(sum(exp(row r))) over `rows` contiguous rows of n (Float32Arrays or Float64Arrays). */
  logsumexp<A extends Float32Array | Float64Array>(rows: number, n: number, x: A, xOffset: number, out: A): void;
  /**
   * Cross-entropy of logits [rows, classes] against class indices (Int32Array) or class
   * probabilities (Float32Array [rows, classes]); weight: per-class or null. Writes per-row
   * losses, log-sum-exps and the target's weight (0 where ignored; the 'mean' denominator).
   */
  crossEntropy(
    rows: number,
    classes: number,
    logits: Float32Array,
    logitsOffset: number,
    targets: Int32Array | Float32Array,
    weight: Float32Array | null,
    ignoreIndex: number,
    labelSmoothing: number,
    losses: Float32Array,
    lse: Float32Array,
    targetWeight: Float32Array,
  ): void;
  /** dx = d(sum_i gradRows[i] * loss_i)/d logits, [rows, classes]. */
  crossEntropyBackward(
    rows: number,
    classes: number,
    logits: Float32Array,
    logitsOffset: number,
    targets: Int32Array | Float32Array,
    weight: Float32Array | null,
    ignoreIndex: number,
    labelSmoothing: number,
    gradRows: Float32Array,
    dx: Float32Array,
  ): void;
  /**
   * One LSTM/GRU time step's pointwise part over `rows` batch rows of `hidden` units (the GEMMs
   * are the caller's). op 0 LSTM forward (pre, cPrev -> act, cNew, tanhC, h), 1 LSTM backward
   * (act, tanhC, cPrev, dh, dc in/out -> dpre), 2 GRU forward (x, hg, hPrev -> act, h), 3 GRU
   * backward (act, hgN, hPrev, dh -> dx, dhg, dhPrev). Each array is passed as (array, offset)
   * of a contiguous [rows, k * hidden] block, k = 4 (LSTM gates), 3 (GRU gates) or 1.
   */
  rnnCell(op: RnnCellOpCode, rows: number, hidden: number, ...arrays: (Float32Array | number)[]): void;

  // Fused optimizer steps: one call updates one parameter and its state in place, in one pass.
  // Every buffer is a whole contiguous typed array of the parameter's length and type (all
  // Float32Arrays, or all Float64Arrays: a float64 parameter steps in double); no two may share
  // memory (RangeError). A state buffer the options do not use may be null; when given it is
  // still checked, but not touched. State starts as PyTorch's does: zeros (expAvg, expAvgSq,
  // maxExpAvgSq, squareAvg, RMSprop's momentumBuf and gradAvg), Adagrad's stateSum filled
  // with initial_accumulator_value; SGD's momentumBuf is set on the step with firstStep: true.

  /** SGD: param -= lr * d, d = grad (+ weight decay), through the momentum buffer if any. */
  sgdStep<A extends Float32Array | Float64Array>(
    param: A,
    grad: A,
    momentumBuf: A | null,
    options: SgdStepOptions,
  ): void;
  /** Adam / AdamW (decoupled), optionally AMSGrad (maxExpAvgSq required then). */
  adamStep<A extends Float32Array | Float64Array>(
    param: A,
    grad: A,
    expAvg: A,
    expAvgSq: A,
    maxExpAvgSq: A | null,
    options: AdamStepOptions,
  ): void;
  /** RMSprop; momentumBuf is required when momentum > 0, gradAvg when centered. */
  rmspropStep<A extends Float32Array | Float64Array>(
    param: A,
    grad: A,
    squareAvg: A,
    momentumBuf: A | null,
    gradAvg: A | null,
    options: RmspropStepOptions,
  ): void;
  /** Adagrad: stateSum += grad^2; param -= clr * grad / (sqrt(stateSum) + eps). */
  adagradStep<A extends Float32Array | Float64Array>(param: A, grad: A, stateSum: A, options: AdagradStepOptions): void;

  /**
   * 2-D convolution over whole contiguous NCHW Float32Arrays, or Float64Arrays (every array, the
   * double kernels: im2col and the dgemm); y [n, oc, oh, ow] is overwritten.
   */
  conv2d(
    shape: ConvShape,
    x: Float32Array | Float64Array,
    w: Float32Array | Float64Array,
    bias: Float32Array | Float64Array | null,
    y: Float32Array | Float64Array,
  ): void;
  /** dx [n, c, h, w] (overwritten) of conv2d from dy [n, oc, oh, ow] (Float32Arrays or Float64Arrays). */
  conv2dBackwardInput(
    shape: ConvShape,
    dy: Float32Array | Float64Array,
    w: Float32Array | Float64Array,
    dx: Float32Array | Float64Array,
  ): void;
  /** dw [oc, c / groups, kh, kw] and, when given, dbias [oc] (overwritten) of conv2d (Float32Arrays or Float64Arrays). */
  conv2dBackwardWeight(
    shape: ConvShape,
    x: Float32Array | Float64Array,
    dy: Float32Array | Float64Array,
    dw: Float32Array | Float64Array,
    dbias: Float32Array | Float64Array | null,
  ): void;
  /**
   * 2-D pooling: y [planes, oh, ow] from x [planes, h, w] (Float32Arrays, or Float64Arrays: the
   * double kernels, chosen by y's type). indices: Int32Array [planes, oh, ow] of flat positions
   * ih * w + iw, written by the max ops (else null).
   */
  pool2d(
    op: PoolOpCode,
    shape: PoolShape,
    x: Float32Array | Float64Array,
    y: Float32Array | Float64Array,
    indices: Int32Array | null,
  ): void;
  /**
   * dx [planes, h, w] (overwritten) from dy [planes, oh, ow]; the max ops scatter through indices.
   * Float32Arrays, or Float64Arrays (the double kernels, chosen by dx's type).
   */
  pool2dBackward(
    op: PoolOpCode,
    shape: PoolShape,
    dy: Float32Array | Float64Array,
    indices: Int32Array | null,
    dx: Float32Array | Float64Array,
  ): void;
  /**
   * Resampling (interpolate's nearest / linear modes) of `planes` contiguous h x w planes to
   * oh x ow. dims = [planes, h, w, oh, ow]. Per-axis source tables: nearest (weights null):
   * rowIndex [oh], colIndex [ow]; linear (both weights given): output o blends
   * weight[2o] * in[index[2o]] + weight[2o + 1] * in[index[2o + 1]] (index, weight [2 * oh] or
   * [2 * ow]). Indices must lie inside the input axis. y [planes, oh, ow] is overwritten.
   * Float32Arrays, or Float64Arrays (the data and the weights; the double kernels, chosen by y's
   * type).
   */
  resample2d: Resample2d;
  /** dx [planes, h, w] (overwritten): the adjoint of resample2d applied to dy [planes, oh, ow]. */
  resample2dBackward: Resample2d;
  // Normalisation over whole contiguous Float32Arrays (subarrays are fine); every array must
  // hold exactly its shape's element count; outputs may not share memory with anything else.
  // Statistics are two-pass (mean, then squared deviations), summed in float lanes per chunk
  // and in double across chunks.
  /**
   * Batch norm of x [n, c, s] (s: product of the spatial dims, 1 for [N, C]); weight/bias [c]
   * or null. training: batch statistics (biased variance; n * s must exceed 1) and, when given,
   * runningMean/runningVar updated in place like torch (momentum; unbiased variance); else
   * runningMean/runningVar are required and used. saveMean/saveInvstd [c] receive the
   * statistics used (for the backward).
   */
  batchNorm(
    dims: Dims,
    x: Float32Array,
    weight: Float32Array | null,
    bias: Float32Array | null,
    training: boolean,
    momentum: number,
    eps: number,
    runningMean: Float32Array | null,
    runningVar: Float32Array | null,
    saveMean: Float32Array,
    saveInvstd: Float32Array,
    y: Float32Array,
  ): void;
  /** Gradients of batchNorm (training: through the batch statistics); null outputs are skipped. */
  batchNormBackward(
    dims: Dims,
    x: Float32Array,
    dy: Float32Array,
    weight: Float32Array | null,
    saveMean: Float32Array,
    saveInvstd: Float32Array,
    training: boolean,
    dx: Float32Array | null,
    dweight: Float32Array | null,
    dbias: Float32Array | null,
  ): void;
  /** Layer norm over rows of d: dims = [rows, d]; weight/bias [d] or null; mean/invstd [rows] out. Float32Arrays, or Float64Arrays throughout (double kernels). */
  layerNorm: RowNorm;
  layerNormBackward: RowNormBackward;
  /** Group norm of x [n, c, s]: dims = [n, c, s, groups] (groups divides c); per-channel weight/bias [c]; mean/invstd [n, groups] out. Float32Arrays, or Float64Arrays throughout. */
  groupNorm: RowNorm;
  groupNormBackward: RowNormBackward;
  /**
   * `threads` shares of the pool each running `iters` (1..2^26) iterations of the dispatched
   * ISA's register-only multiply-add chains at its widest vector: the region's wall seconds and
   * the flops done (utils.benchmark.limits' FMA peak).
   */
  fmaPeakRun(threads: number, iters: number): { seconds: number; flops: number };
  /** Seconds of one STREAM triad pass a[i] = b[i] + 3 c[i] split in `threads` shares (b, c as long as a; a disjoint from both). */
  triadRun(threads: number, a: Float32Array, b: Float32Array, c: Float32Array): number;
}

const require = createRequire(import.meta.url);
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function loadBinding(): NativeBinding {
  // MYELIN_ADDON names a .node file to load instead (a cmake-js or sanitizer build).
  const override = process.env.MYELIN_ADDON;
  if (override) return require(path.resolve(override)) as NativeBinding;
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  try {
    return nodeGypBuild(packageRoot) as NativeBinding;
  } catch (e) {
    // No build/ and no prebuild for this platform (the install script was skipped, or failed).
    const { platformHelp } = require('../native/platform.cjs') as { platformHelp(what: string): string };
    const reason = (e as Error).message.split('\n')[0];
    throw new Error(platformHelp(`the native module could not be loaded (${reason}).`), { cause: e });
  }
}

export const native: NativeBinding = loadBinding();

let kernelTableChanges = 0;
const setIsa = native.setIsaForTesting as (...args: unknown[]) => void;
// The only way the running kernel table changes after load: count it, so that what was packed
// for one table (a quantized layer's weights) is known stale without asking the addon per call.
// The arguments pass through as given (the addon checks their count and values).
native.setIsaForTesting = (...args: unknown[]) => {
  kernelTableChanges++;
  setIsa(...args);
};

/** How many times setIsaForTesting has changed this thread's kernel table: a packing made at another count may not fit. Internal. */
export function kernelTableGeneration(): number {
  return kernelTableChanges;
}
