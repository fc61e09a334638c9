// nn.init: in-place initialisers (no history recorded), PyTorch's formulas and names.
import { checkNumber, checkOptions, checkTensor, describe, type OptionKeys, optionKeys } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { bfloat16BitsOf, isFloatingDType } from '../dtype.js';

/** The nonlinearities calculateGain knows (PyTorch's names). */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';
/** Which fan the Kaiming initialisers scale by. */
export type FanMode = 'fan_in' | 'fan_out';

/** The option of every random initialiser. */
export interface InitOptions {
  /** The generator drawing the values (default: the process-wide one). */
  generator?: Generator;
}

const INIT_OPTIONS = optionKeys<InitOptions>({ generator: 'object' });

/** The generator an initialiser draws from, after checking its options. */
function generatorOf(name: string, opts: InitOptions | undefined, keys: OptionKeys<InitOptions> = INIT_OPTIONS) {
  return checkOptions(name, opts, keys).generator ?? defaultGenerator;
}

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope))
        throw new RangeError(`calculateGain: negative slope ${slope} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new RangeError(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/** fan_in and fan_out of a weight: dims 1 and 0 times the receptive field (dims 2...). */
export function calculateFanInAndFanOut(t: Tensor): {
  /** Inputs per output unit: dim 1 times the receptive field. */
  fanIn: number;
  /** Outputs per input unit: dim 0 times the receptive field. */
  fanOut: number;
} {
  return fans('calculateFanInAndFanOut', t);
}

/** calculateFanInAndFanOut for the initialiser `op` (named in the error). */
function fans(op: string, t: Tensor): { fanIn: number; fanOut: number } {
  checkTensor(op, 'input', t);
  if (t.ndim < 2)
    throw new RangeError(
      `${op}: fan in and fan out cannot be computed for a tensor with fewer than 2 dims (shape ${formatShape(t.shape)})`,
    );
  let receptive = 1;
  for (let d = 2; d < t.ndim; d++) receptive *= t.shape[d];
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

function fill(name: string, t: Tensor, value: (i: number) => number): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${name}: expected a Tensor, got ${typeof t}`);
  if (!isFloatingDType(t.dtype))
    throw new TypeError(`${name}: expected a float32, float64 or bfloat16 tensor, got ${t.dtype}`);
  const data = t.storage.data;
  // A bfloat16 tensor stores bit patterns: each value is rounded to its bits (as torch's fills).
  const store = t.dtype === 'bfloat16' ? (v: number) => bfloat16BitsOf(v) : (v: number) => v;
  const n = t.numel();
  const nd = t.ndim;
  const idx = new Array<number>(nd).fill(0);
  let off = t.offset;
  for (let i = 0; i < n; i++) {
    data[off] = store(value(i));
    for (let d = nd - 1; d >= 0; d--) {
      off += t.strides[d];
      if (++idx[d] < t.shape[d]) break;
      off -= idx[d] * t.strides[d];
      idx[d] = 0;
    }
  }
  t.storage.version++;
  return t;
}

/**
 * Fills t in place with U(a, b) samples and returns it (`torch.nn.init.uniform_`), without recording.
 * @throws TypeError if t is not a Tensor or a or b not a number; RangeError if a > b.
 */
export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  checkTensor('uniform_', 'input', t);
  checkNumber('uniform_', 'a', a);
  checkNumber('uniform_', 'b', b);
  return uniformFill('uniform_', t, a, b, generatorOf('uniform_', opts));
}

function uniformFill(name: string, t: Tensor, a: number, b: number, g: Generator): Tensor {
  if (!(a <= b)) throw new RangeError(`${name}: expects a <= b, got a=${a}, b=${b}`);
  return fill(name, t, () => a + (b - a) * g.nextFloat());
}

/**
 * Fills t in place with N(mean, std^2) samples and returns it (`torch.nn.init.normal_`), without recording.
 * @throws TypeError if t is not a Tensor or mean or std not a number; RangeError on a negative std.
 */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  checkTensor('normal_', 'input', t);
  checkNumber('normal_', 'mean', mean);
  checkNumber('normal_', 'std', std);
  return normalFill('normal_', t, mean, std, generatorOf('normal_', opts));
}

function normalFill(name: string, t: Tensor, mean: number, std: number, g: Generator): Tensor {
  if (!(std >= 0)) throw new RangeError(`${name}: expects std >= 0, got ${describe(std)}`);
  return fill(name, t, () => mean + std * g.nextNormal());
}

/** Normal(mean, std) truncated to [a, b] by resampling. */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: InitOptions = {}): Tensor {
  checkTensor('truncNormal_', 'input', t);
  for (const [name, v] of [
    ['mean', mean],
    ['std', std],
    ['a', a],
    ['b', b],
  ] as const)
    checkNumber('truncNormal_', name, v);
  if (!(a < b)) throw new RangeError(`truncNormal_: expects a < b, got a=${a}, b=${b}`);
  if (!(std > 0)) throw new RangeError(`truncNormal_: expects std > 0, got ${describe(std)}`);
  const g = generatorOf('truncNormal_', opts);
  return fill('truncNormal_', t, () => {
    for (let tries = 0; tries < 1000; tries++) {
      const v = mean + std * g.nextNormal();
      if (v >= a && v <= b) return v;
    }
    throw new RangeError(`truncNormal_: [${a}, ${b}] is too far from N(${mean}, ${std}) to sample`);
  });
}

/**
 * Fills t in place with value and returns it (`torch.nn.init.constant_`), without recording.
 * @throws TypeError if t is not a Tensor or value not a number.
 */
export function constant_(t: Tensor, value: number): Tensor {
  checkTensor('constant_', 'input', t);
  checkNumber('constant_', 'value', value, { finite: false });
  return fill('constant_', t, () => value);
}

/** Fills t in place with zeros and returns it (`torch.nn.init.zeros_`), without recording. */
export function zeros_(t: Tensor): Tensor {
  checkTensor('zeros_', 'input', t);
  return constant_(t, 0);
}

/** Fills t in place with ones and returns it (`torch.nn.init.ones_`), without recording. */
export function ones_(t: Tensor): Tensor {
  checkTensor('ones_', 'input', t);
  return constant_(t, 1);
}

/**
 * Fills the 2-D t in place with the identity and returns it (`torch.nn.init.eye_`), without recording.
 * @throws RangeError unless t is 2-D.
 */
export function eye_(t: Tensor): Tensor {
  checkTensor('eye_', 'input', t);
  if (t.ndim !== 2) throw new RangeError(`eye_: only 2-D tensors are supported, got shape ${formatShape(t.shape)}`);
  const cols = t.shape[1];
  return fill('eye_', t, (i) => (Math.floor(i / cols) === i % cols ? 1 : 0));
}

/**
 * Fills t in place with U(-a, a), a = gain * sqrt(6 / (fanIn + fanOut)), and returns it
 * (`torch.nn.init.xavier_uniform_`).
 * @throws RangeError if t has fewer than 2 dims.
 */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  checkTensor('xavierUniform_', 'input', t);
  checkNumber('xavierUniform_', 'gain', gain);
  const g = generatorOf('xavierUniform_', opts);
  const { fanIn, fanOut } = fans('xavierUniform_', t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniformFill('xavierUniform_', t, -bound, bound, g);
}

/**
 * Fills t in place with N(0, std^2), std = gain * sqrt(2 / (fanIn + fanOut)), and returns it
 * (`torch.nn.init.xavier_normal_`).
 * @throws RangeError if t has fewer than 2 dims.
 */
export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  checkTensor('xavierNormal_', 'input', t);
  checkNumber('xavierNormal_', 'gain', gain);
  const g = generatorOf('xavierNormal_', opts);
  const { fanIn, fanOut } = fans('xavierNormal_', t);
  return normalFill('xavierNormal_', t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), g);
}

/** The options of kaimingUniform_ and kaimingNormal_ (PyTorch's keyword arguments). */
export interface KaimingOptions extends InitOptions {
  /** The negative slope of the rectifier after this layer (leaky_relu); 0 for relu. */
  a?: number;
  /** 'fan_in' (the default) keeps the forward's variance, 'fan_out' the backward's. */
  mode?: FanMode;
  /** The nonlinearity after this layer, for its gain (default 'leaky_relu'). */
  nonlinearity?: Nonlinearity;
}

const KAIMING_OPTIONS = optionKeys<KaimingOptions>({
  generator: 'object',
  a: 'number',
  mode: 'string',
  nonlinearity: 'string',
});

function kaimingStd(name: string, t: Tensor, opts: KaimingOptions): number {
  const mode = opts.mode ?? 'fan_in';
  if (mode !== 'fan_in' && mode !== 'fan_out')
    throw new RangeError(`${name}: mode must be 'fan_in' or 'fan_out', got '${String(mode)}'`);
  const { fanIn, fanOut } = fans(name, t);
  const fan = mode === 'fan_in' ? fanIn : fanOut;
  return calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

/** U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al.). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  checkTensor('kaimingUniform_', 'input', t);
  const g = generatorOf('kaimingUniform_', opts, KAIMING_OPTIONS);
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, opts);
  return uniformFill('kaimingUniform_', t, -bound, bound, g);
}

/** N(0, gain / sqrt(fan)) (He et al.). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  checkTensor('kaimingNormal_', 'input', t);
  const g = generatorOf('kaimingNormal_', opts, KAIMING_OPTIONS);
  return normalFill('kaimingNormal_', t, 0, kaimingStd('kaimingNormal_', t, opts), g);
}

/** A (semi-)orthogonal matrix from the QR decomposition of a normal sample, times gain. */
export function orthogonal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  checkTensor('orthogonal_', 'input', t);
  checkNumber('orthogonal_', 'gain', gain);
  if (t.ndim < 2)
    throw new RangeError(
      `orthogonal_: only tensors with 2 or more dims are supported, got shape ${formatShape(t.shape)}`,
    );
  const g = generatorOf('orthogonal_', opts);
  const rows = t.shape[0];
  const cols = t.numel() / rows;
  // Orthonormalise the columns of a tall matrix (modified Gram-Schmidt in float64), with the
  // sign fix torch applies (multiply by sign(diag(R))) so the result is uniformly distributed.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const q = Array.from({ length: n }, () => Float64Array.from({ length: m }, () => g.nextNormal()));
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[k][i] * q[j][i];
      for (let i = 0; i < m; i++) q[j][i] -= dot * q[k][i];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[j][i] * q[j][i];
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error('orthogonal_: degenerate sample');
    for (let i = 0; i < m; i++) q[j][i] /= norm;
  }
  return fill('orthogonal_', t, (idx) => {
    const r = Math.floor(idx / cols);
    const c = idx % cols;
    return gain * (tall ? q[c][r] : q[r][c]);
  });
}
