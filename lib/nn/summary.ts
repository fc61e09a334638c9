// A model summary like torchinfo: runs one forward (eval mode, no grad) with a hook on every
// module and tabulates each layer's output shape, parameter count and multiply-accumulates,
// with totals and the memory the model needs.
import { checkOptions, describe } from '../errors.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Generator } from '../random.js';
import { randn } from '../random_tensors.js';
import { DTYPES } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { Module, type RemovableHandle } from './module.js';
import { MultiheadAttention } from './modules/attention.js';
import { ConvNd } from './modules/conv.js';
import { Bilinear, Linear } from './modules/linear.js';

/** One module's row of nn.summary. */
export interface LayerSummary {
  /** Dotted path in the model ('' for the model itself). */
  name: string;
  /** The module's class name. */
  type: string;
  /** Nesting depth: 0 for the model, 1 for its children... */
  depth: number;
  /** The first tensor output's shape; null when the module did not run or returned no tensor. */
  outputShape: number[] | null;
  /** Elements of this module's own parameters (not its children's). */
  params: number;
  /** Multiply-accumulates of this module's own computation in the forward. */
  macs: number;
}

/** A module may report its own multiply-accumulates for the summary (e.g. convolutions). */
export interface CountsMacs {
  /** Multiply-adds of one call with these input shapes and this output (torchinfo's rule). */
  countMacs(inputs: unknown[], output: unknown): number;
}

/**
 * A module may hold copies of its weights packed for a kernel (a quantized Linear's or LSTM's
 * int8 weights in the GEMM's micro-panels): memory beside the parameters, not in the state dict.
 */
export interface HoldsPackedWeights {
  /** Bytes of those copies as they are now (after nn.summary's forward made them). */
  packedWeightBytes(): number;
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function firstTensor(v: unknown): Tensor | null {
  if (v instanceof Tensor) return v;
  if (Array.isArray(v))
    for (const x of v) {
      const t = firstTensor(x);
      if (t) return t;
    }
  return null;
}

/**
 * Multiply-accumulates of a module's forward, from its parameters and output shape, by torchinfo's
 * (1.8.0) rule: a parameter named weight or bias counts its elements times the batch size
 * (output dim 0), or, in a convolution (Conv*, ConvTranspose*), times the batch size and the
 * output's spatial size; other parameters whose names contain weight or bias (an RNN's
 * weight_ih_l0, attention's in_proj_weight) count their elements times output dims 0 and 1 (batch
 * and time). One change: a Linear or Bilinear counts its elements times every leading output dim
 * (the rows it multiplies), where torchinfo 1.8.0 takes the batch size only, so a Linear over
 * [B, T, F] counts each of the T steps. Like torchinfo, only leaf modules count (a container's
 * children count for it), except MultiheadAttention, which calls its out_proj without running it
 * as a module and so counts all its parameters itself (torchinfo computes that figure for its row
 * but leaves the row, a non-leaf one, out of its total).
 */
function macsOf(m: Module, inputs: unknown[], output: unknown): number {
  if (typeof (m as unknown as Partial<CountsMacs>).countMacs === 'function')
    return (m as unknown as CountsMacs).countMacs(inputs, output);
  const out = firstTensor(output);
  const isLeaf = [...m.children()].length === 0;
  if (!out || out.ndim === 0 || !(isLeaf || m instanceof MultiheadAttention)) return 0;
  const shape = out.shape;
  const rows = m instanceof Linear || m instanceof Bilinear ? numel(shape.slice(0, -1)) : shape[0];
  const isConv = m instanceof ConvNd;
  let macs = 0;
  for (const [name, p] of m.namedParameters()) {
    if (name === 'weight' || name === 'bias') macs += p.numel() * (isConv ? shape[0] * numel(shape.slice(2)) : rows);
    else if (name.includes('weight') || name.includes('bias')) macs += p.numel() * numel(shape.slice(0, 2));
  }
  return macs;
}

const group = (n: number) =>
  Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const mb = (bytes: number) => (bytes / 1e6).toFixed(2);

/** What nn.summary returns: a row per module and the totals; toString() prints torchinfo's table. */
export class ModelSummary {
  constructor(
    /** One row per module, in call order. */
    readonly layers: LayerSummary[],
    /** Parameter elements, each shared parameter once. */
    readonly totalParams: number,
    /** Parameter elements that require grad. */
    readonly trainableParams: number,
    /** Multiply-accumulates of one forward. */
    readonly totalMacs: number,
    /** Bytes of the inputs. */
    readonly inputBytes: number,
    /** Outputs of every leaf layer, twice (the activations and their gradients), float32. */
    readonly forwardBackwardBytes: number,
    /** Bytes of the parameters. */
    readonly paramBytes: number,
    private readonly maxDepth: number,
    /** Bytes of the weights' copies packed for the kernels (quantized layers'), beside paramBytes; 0 for most models. */
    readonly packedBytes = 0,
  ) {}

  /** Inputs, activations with their gradients, parameters and packed weights: the estimated total. */
  get totalBytes(): number {
    return this.inputBytes + this.forwardBackwardBytes + this.paramBytes + this.packedBytes;
  }

  /** torchinfo's table: one row per module, then the totals. */
  toString(): string {
    const widths = [40, 26, 15, 15];
    const rule = '='.repeat(widths.reduce((a, b) => a + b, 0));
    const row = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
        .join('')
        .trimEnd();
    const lines = [rule, row(['Layer (type:depth-idx)', 'Output Shape', 'Param #', 'Mult-Adds']), rule];
    const counters: number[] = [];
    for (const l of this.layers) {
      if (l.depth > this.maxDepth) continue;
      let label = l.type;
      if (l.depth > 0) {
        counters[l.depth] = (counters[l.depth] ?? 0) + 1;
        label = `${'│    '.repeat(l.depth - 1)}├─${l.type}: ${l.depth}-${counters[l.depth]}`;
      }
      lines.push(
        row([
          label,
          l.outputShape ? `[${l.outputShape.join(', ')}]` : '--',
          l.params ? group(l.params) : '--',
          l.macs ? group(l.macs) : '--',
        ]),
      );
    }
    lines.push(
      rule,
      `Total params: ${group(this.totalParams)}`,
      `Trainable params: ${group(this.trainableParams)}`,
      `Non-trainable params: ${group(this.totalParams - this.trainableParams)}`,
      `Total mult-adds (M): ${(this.totalMacs / 1e6).toFixed(2)}`,
      rule,
      `Input size (MB): ${mb(this.inputBytes)}`,
      `Forward/backward pass size (MB): ${mb(this.forwardBackwardBytes)}`,
      `Params size (MB): ${mb(this.paramBytes)}`,
      ...(this.packedBytes > 0 ? [`Packed weights size (MB): ${mb(this.packedBytes)}`] : []),
      `Estimated Total Size (MB): ${mb(this.totalBytes)}`,
      rule,
    );
    return lines.join('\n');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The options of nn.summary. */
export interface SummaryOptions {
  /** Rows deeper than this are left out of the table (their numbers still count). Default 3. */
  depth?: number;
}

type InputSpec = readonly number[] | readonly (readonly number[])[] | Tensor | readonly Tensor[];

function makeInputs(spec: InputSpec): Tensor[] {
  if (spec instanceof Tensor) return [spec];
  if (!Array.isArray(spec))
    throw new TypeError('summary: input must be a shape, a list of shapes, a Tensor or a list of Tensors');
  if (spec.length > 0 && spec.every((s) => s instanceof Tensor)) return [...spec] as Tensor[];
  const gen = new Generator().manualSeed(0); // leaves the default generator untouched
  const shapes = spec.length > 0 && spec.every((s) => Array.isArray(s)) ? (spec as number[][]) : [spec as number[]];
  return shapes.map((s) => {
    if (!s.every((d) => Number.isInteger(d) && d >= 0))
      throw new TypeError(`summary: bad input shape [${s.join(', ')}]`);
    return randn(s, { generator: gen });
  });
}

/**
 * A module's own weights: its parameters, and the buffers of a module whose weights are
 * quantized (a DynamicQuantizedLinear's qint8 weight and fp32 bias), which are no parameters.
 */
function ownWeights(m: Module): Tensor[] {
  const out: Tensor[] = [...m.parameters(false)];
  const buffers = [...m.buffers(false)];
  if (buffers.some((t) => t.isQuantized)) out.push(...buffers);
  return out;
}

/** Bytes a weight takes: its elements at their width, and a quantized one's scales (float64) and zero points (int32). */
function weightBytes(t: Tensor): number {
  const q = t.storage.quantizer;
  return (t.numel() * DTYPES[t.dtype].bits) / 8 + (q === null ? 0 : q.scales.length * (8 + 4));
}

/**
 * Summarises `model` on one forward of `input`: a shape including the batch dim ([32, 784]),
 * a list of shapes (one per forward argument), or the tensors themselves.
 */
export function summary(model: Module, input: InputSpec, options: SummaryOptions = {}): ModelSummary {
  if (!(model instanceof Module)) throw new TypeError(`summary: model must be a Module, got ${describe(model)}`);
  checkOptions('summary', options, { depth: 'integer' });
  const inputs = makeInputs(input);
  const entries = [...model.namedModules()];
  const rows = new Map<Module, LayerSummary>();
  for (const [name, m] of entries) {
    let params = 0;
    for (const p of ownWeights(m)) params += p.numel();
    rows.set(m, {
      name,
      type: m.constructor.name,
      depth: name === '' ? 0 : name.split('.').length,
      outputShape: null,
      params,
      macs: 0,
    });
  }
  const handles: RemovableHandle[] = [];
  let activationElements = 0;
  for (const [, m] of entries) {
    const isLeaf = [...m.children()].length === 0;
    handles.push(
      m.registerForwardHook((mod, args, output) => {
        const r = rows.get(mod)!;
        const out = firstTensor(output);
        if (out) r.outputShape = [...out.shape];
        r.macs += macsOf(mod, args, output);
        if (isLeaf && out) activationElements += out.numel();
      }),
    );
  }
  const modes = entries.map(([, m]) => m.training);
  try {
    model.eval();
    noGrad(() => model.call(...inputs));
  } finally {
    handles.forEach((h) => h.remove());
    entries.forEach(([, m], i) => {
      m.training = modes[i];
    });
  }
  let total = 0;
  let trainable = 0;
  let paramBytes = 0;
  const seen = new Set<Tensor>();
  for (const [, m] of entries)
    for (const p of ownWeights(m)) {
      if (seen.has(p)) continue;
      seen.add(p);
      total += p.numel();
      paramBytes += weightBytes(p);
      if (p.requiresGrad) trainable += p.numel();
    }
  let packedBytes = 0;
  for (const [, m] of entries)
    if (typeof (m as unknown as Partial<HoldsPackedWeights>).packedWeightBytes === 'function')
      packedBytes += (m as unknown as HoldsPackedWeights).packedWeightBytes();
  const layers = entries.map(([, m]) => rows.get(m)!);
  const macs = layers.reduce((a, l) => a + l.macs, 0);
  const inputBytes = inputs.reduce((a, t) => a + t.numel() * 4, 0);
  return new ModelSummary(
    layers,
    total,
    trainable,
    macs,
    inputBytes,
    2 * 4 * activationElements,
    paramBytes,
    options.depth ?? 3,
    packedBytes,
  );
}
