// Random tensors drawn from a Generator (lib/random.ts): the same values on every CPU.
import { type DeviceLike, requireCpu } from './device.js';
import { checkElementCount, checkOptions, checkTensor, describe, optionKeys, type OptionKeys } from './errors.js';
import { allocate, type DType, getDefaultDtype, isDType, isFloatingDType, truncToBfloat16 } from './dtype.js';
import { copyRaw, valuesAs } from './raw/strided.js';
import { defaultGenerator, Generator } from './random.js';
import { checkShape, numel, type Shape } from './shape.js';
import { Storage, Tensor } from './tensor.js';
import { toBf16Bits } from './raw/round_bf16.js';

/** The options of the random functions (PyTorch's `dtype=`, `requires_grad=`, `generator=`, `device=`). */
export interface RandomOptions {
  /** The result's dtype (default: the default dtype, float32 unless setDefaultDtype changed it; randint: int32). */
  dtype?: DType;
  /** Make the result a leaf that requires grad (default false). */
  requiresGrad?: boolean;
  /** The generator to draw from (default: the process-wide one). */
  generator?: Generator;
  /** 'cpu' (or device('cpu')), the only device. */
  device?: DeviceLike;
}

const RANDOM_OPTIONS = optionKeys<RandomOptions>({
  dtype: ['float32', 'float64', 'bfloat16', 'int32', 'int8', 'uint8', 'bool'],
  requiresGrad: 'boolean',
  generator: 'object',
  device: true,
});

/** The generator to draw from, after checking the options' keys (every random function calls it first). */
function gen(
  op: string,
  opts?: RandomOptions,
  keys: OptionKeys<RandomOptions & { shape?: Shape }> | OptionKeys<RandomOptions> = RANDOM_OPTIONS,
): Generator {
  checkOptions(op, opts, keys as OptionKeys<RandomOptions>);
  if (opts?.device !== undefined) requireCpu(op, opts.device);
  const g = opts?.generator ?? defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError(`${op}: generator must be a Generator`);
  return g;
}

function floatDType(op: string, opts?: RandomOptions): DType {
  const d = opts?.dtype ?? getDefaultDtype();
  if (!isFloatingDType(d))
    throw new TypeError(`${op}: dtype must be 'float32', 'float64' or 'bfloat16', got ${String(d)}`);
  return d;
}

function make(op: string, shape: Shape, dtype: DType, opts: RandomOptions | undefined, f: () => number): Tensor {
  const s = checkShape(op, shape);
  // bfloat16 values are drawn as float32 ones and rounded to nearest even.
  const data = allocate(dtype === 'bfloat16' ? 'float32' : dtype, checkElementCount(op, numel(s)));
  for (let i = 0; i < data.length; i++) data[i] = f();
  const t = new Tensor(new Storage(dtype === 'bfloat16' ? toBf16Bits(data as Float32Array) : data), s);
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Uniform on [0, 1) (torch.rand). */
export function rand(shape: Shape, opts?: RandomOptions): Tensor {
  const g = gen('rand', opts);
  const dtype = floatDType('rand', opts);
  // float64 draws all 53 bits of mantissa, as torch's double uniform does; bfloat16 keeps a
  // float32 draw's top 8 bits of mantissa (truncated: rounding could reach 1).
  const draw =
    dtype === 'float64'
      ? () => g.nextDouble()
      : dtype === 'bfloat16'
        ? () => truncToBfloat16(g.nextFloat())
        : () => g.nextFloat();
  return make('rand', shape, dtype, opts, draw);
}

/** Standard normal (torch.randn). */
export function randn(shape: Shape, opts?: RandomOptions): Tensor {
  const g = gen('randn', opts);
  return make('randn', shape, floatDType('randn', opts), opts, () => g.nextNormal());
}

/**
 * Integers uniform on [low, high) (torch.randint(low, high, size)); int32 unless dtype says
 * otherwise (int8 and uint8 when [low, high) fits in them).
 */
export function randint(low: number, high: number, shape: Shape, opts?: RandomOptions): Tensor {
  const g = gen('randint', opts);
  if (!Number.isInteger(low) || !Number.isInteger(high))
    throw new TypeError(`randint: low and high must be integers, got ${describe(low)} and ${describe(high)}`);
  if (high <= low) throw new RangeError(`randint: high (${high}) must be greater than low (${low})`);
  const dtype = opts?.dtype ?? 'int32';
  if (!isDType(dtype) || !['int32', 'int8', 'uint8', 'float32', 'float64'].includes(dtype))
    throw new TypeError(
      `randint: dtype must be 'int32', 'int8', 'uint8', 'float32' or 'float64', got ${String(dtype)}`,
    );
  const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
  if ((dtype === 'int8' || dtype === 'uint8') && (low < lo || high - 1 > hi))
    throw new RangeError(`randint: [${low}, ${high}) does not fit in ${dtype} [${lo}, ${hi}]`);
  return make('randint', shape, dtype, opts, () => g.nextInt(low, high));
}

/** A random permutation of 0..n-1 (torch.randperm), int32, by Fisher-Yates. */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  const g = gen('randperm', opts);
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`randperm: n must be a non-negative integer, got ${describe(n)}`);
  const dtype = opts?.dtype ?? 'int32';
  if (dtype !== 'int32' && dtype !== 'float32' && dtype !== 'float64')
    throw new TypeError(`randperm: dtype must be 'int32', 'float32' or 'float64', got ${describe(dtype)}`);
  const data = allocate(dtype, checkElementCount('randperm', n));
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.nextInt(0, i + 1);
    const tmp = data[i];
    data[i] = data[j];
    data[j] = tmp;
  }
  return new Tensor(new Storage(data), [n]);
}

/** 1 with probability p (elementwise from a tensor of probabilities, or a number), float32. */
export function bernoulli(p: Tensor | number, opts?: RandomOptions & { shape?: Shape }): Tensor {
  const g = gen('bernoulli', opts, { ...RANDOM_OPTIONS, shape: true });
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must be in [0, 1], got ${describe(p)}`);
    return make('bernoulli', opts?.shape ?? [], floatDType('bernoulli', opts), opts, () => (g.nextFloat() < p ? 1 : 0));
  }
  if (!(p instanceof Tensor)) throw new TypeError('bernoulli: p must be a Tensor or a number');
  const probs = valuesAs(p.dtype === 'float32' ? p : copyRaw(p, 'float32'), p.shape);
  for (let i = 0; i < probs.length; i++) {
    const q = probs[i];
    if (!(q >= 0 && q <= 1))
      throw new RangeError(`bernoulli: probabilities must be in [0, 1], got ${describe(q)} at element ${i}`);
  }
  // The samples in p's dtype, as torch.bernoulli (0 and 1 are exact in each); p of another dtype
  // gives the default float32.
  const dtype = isFloatingDType(p.dtype) ? p.dtype : 'float32';
  let i = 0;
  return make('bernoulli', p.shape, dtype, undefined, () => (g.nextFloat() < probs[i++] ? 1 : 0));
}

/**
 * Uniform [0, 1) values in t's shape (`torch.rand_like`), in t's dtype when it is floating (else
 * the default dtype) unless opts.dtype says otherwise.
 * @throws TypeError if t is not a Tensor, or on an unknown option.
 */
export function randLike(t: Tensor, opts?: RandomOptions): Tensor {
  gen('randLike', opts);
  return rand(checkTensor('randLike', 'input', t).shape, likeOptions(t, opts));
}

/** opts with t's dtype as the default when t is floating, as torch's *_like functions. */
function likeOptions(t: Tensor, opts: RandomOptions | undefined): RandomOptions | undefined {
  return isFloatingDType(t.dtype) && opts?.dtype === undefined ? { ...opts, dtype: t.dtype } : opts;
}

/**
 * Standard normal values in t's shape (`torch.randn_like`), in t's dtype when it is floating (else
 * the default dtype) unless opts.dtype says otherwise.
 * @throws TypeError if t is not a Tensor, or on an unknown option.
 */
export function randnLike(t: Tensor, opts?: RandomOptions): Tensor {
  gen('randnLike', opts);
  return randn(checkTensor('randnLike', 'input', t).shape, likeOptions(t, opts));
}
