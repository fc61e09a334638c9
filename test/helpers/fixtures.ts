// Loads PyTorch golden values from test/fixtures/*.json (written by scripts/gen_fixtures_*.py)
// and turns their encoded tensors into myelin tensors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Tensor, tensor } from '../../lib/index.js';
import { Storage, Tensor as TensorClass } from '../../lib/tensor.js';
import type { Golden } from './opinfo.js';

/** A tensor as the fixture scripts encode it. */
export interface EncodedTensor {
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  data: (number | boolean)[];
}

/** One case: inputs, output (and indices), the output gradient and the input gradients. */
export interface FixtureCase {
  name: string;
  args: Record<string, unknown>;
  inputs: EncodedTensor[];
  output: EncodedTensor;
  indices?: EncodedTensor;
  gradOutput?: EncodedTensor;
  grads?: (EncodedTensor | null)[];
}

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The parsed JSON of test/fixtures/<name>.json. */
export function loadFixture<T = Record<string, FixtureCase[]>>(name: string): T {
  return JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as T;
}

/** A fresh tensor from an encoded one (float32 inputs may ask for gradients). */
export function decode(e: EncodedTensor, requiresGrad = false): Tensor {
  const flat = tensor(e.data.map(Number), { dtype: e.dtype });
  const t = Tensor.fromData(flat.storage.data, e.shape);
  return t.requiresGrad_(requiresGrad && e.dtype === 'float32');
}

/**
 * Asserts t has e's shape and values within atol + rtol * |expected| (exact for ints/bools; an
 * expected NaN or infinity must be matched exactly).
 */
export function expectClose(t: Tensor | null, e: EncodedTensor, what: string, atol = 1e-4, rtol = 1e-4): void {
  expect(t, `${what}: missing`).not.toBeNull();
  expect(t!.shape, `${what}: shape`).toEqual(e.shape);
  const got = Array.from(t!.toTypedArray() as ArrayLike<number>);
  const want = e.data.map(Number);
  if (e.dtype !== 'float32') {
    expect(got, `${what}: values`).toEqual(want);
    return;
  }
  got.forEach((v, i) => {
    if (Number.isNaN(want[i]) || !Number.isFinite(want[i])) {
      if (!Object.is(v, want[i]) && !(Number.isNaN(v) && Number.isNaN(want[i])))
        expect.fail(`${what}: element ${i} is ${v}, expected ${want[i]}`);
      return;
    }
    const tol = atol + rtol * Math.abs(want[i]);
    if (!(Math.abs(v - want[i]) <= tol)) {
      expect.fail(`${what}: element ${i} is ${v}, expected ${want[i]} (tolerance ${tol})`);
    }
  });
}

// ---- float64 fixtures (scripts/float64_fixtures.py: float64_products, _conv, _layers) --------

/** A float64 tensor as scripts/float64_fixtures.py encodes it: torch's doubles, row-major. */
export interface EncodedFloat64 {
  shape: number[];
  data: number[];
}

/** A fresh float64 tensor holding exactly the encoded doubles. */
export function decodeFloat64(e: EncodedFloat64): Tensor {
  return new TensorClass(new Storage(Float64Array.from(e.data)), e.shape);
}

/**
 * Asserts `got` is float64 with want's shape and each element within tol (1 + |want|): a few
 * roundings of each term, as torch sums in another order (and blocks).
 */
export function expectCloseFloat64(got: Tensor | null, want: EncodedFloat64, what: string, tol = 1e-12): void {
  expect(got, what).not.toBeNull();
  expect(got!.dtype, what).toBe('float64');
  expect(got!.shape, what).toEqual(want.shape);
  const g = got!.contiguous().toTypedArray() as Float64Array;
  want.data.forEach((w, i) => {
    if (!(Math.abs(g[i] - w) <= tol * (1 + Math.abs(w)))) throw new Error(`${what}[${i}] = ${g[i]}, torch ${w}`);
  });
}

// ---- goldens for the op harness (test/helpers/opinfo.ts) ----------------------------------

/**
 * The cases of `group` in a fixture file of FixtureCase records (conv.json, linalg.json), those
 * `filter` keeps, as harness goldens with tolerance atol/rtol.
 */
export function caseGoldens<A = Record<string, unknown>>(
  file: string,
  group: string,
  tol: Golden<A>['tol'] = { atol: 1e-4, rtol: 1e-4 },
  filter: (c: FixtureCase) => boolean = () => true,
): Golden<A>[] {
  const cases = loadFixture<Record<string, FixtureCase[]>>(file)[group];
  if (!cases?.length) throw new Error(`fixture ${file}.json has no cases in ${group}`);
  return cases.flatMap((c, i) =>
    filter(c)
      ? [
          {
            name: c.name,
            source: `${file}.json ${group} #${i}`,
            inputs: c.inputs,
            args: c.args as A,
            output: c.output,
            indices: c.indices,
            gradOutput: c.gradOutput,
            grads: c.grads,
            tol,
          },
        ]
      : [],
  );
}

/** A value as tensor_ops.json writes it: a number, or 'inf', '-inf', 'nan'. */
const fromJson = (v: number | string): number =>
  typeof v === 'number' ? v : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : NaN;

interface TensorOpsArray {
  shape: number[];
  dtype?: string;
  data: (number | string)[];
}
interface TensorOpsCase {
  name: string;
  op: string;
  params: Record<string, unknown>;
  inputs: TensorOpsArray[];
  out: TensorOpsArray;
  grad?: (number | string)[];
  grads?: ((number | string)[] | null)[];
}

function encodeTensorOps(a: TensorOpsArray): EncodedTensor {
  const dtype = a.dtype === 'bool' ? 'bool' : a.dtype?.startsWith('int') ? 'int32' : 'float32';
  return { shape: a.shape, dtype, data: a.data.map(fromJson) };
}

/** Every case of tensor_ops.json (scripts/gen_fixtures_tensor.py). */
export function tensorOpsCases(): TensorOpsCase[] {
  return loadFixture<{ cases: TensorOpsCase[] }>('tensor_ops').cases;
}

/**
 * The tensor_ops.json cases of one fixture op, as harness goldens: the op's params become its
 * arguments; outputs within rtol 1e-4, atol 1e-5, and of PyTorch's dtype.
 */
export function tensorOpsGoldens<A>(op: string): Golden<A>[] {
  const cases = tensorOpsCases()
    .map((c, i) => ({ ...c, source: `tensor_ops.json cases #${i}` }))
    .filter((c) => c.op === op);
  if (!cases.length) throw new Error(`tensor_ops.json has no cases of ${op}`);
  return cases.map((c) => ({
    name: c.name,
    source: c.source,
    inputs: c.inputs.map(encodeTensorOps),
    args: c.params as A,
    output: encodeTensorOps(c.out),
    gradOutput: c.grad ? { shape: c.out.shape, dtype: 'float32', data: c.grad.map(fromJson) } : undefined,
    grads: c.grads?.map((g, i) => (g ? { shape: c.inputs[i].shape, dtype: 'float32', data: g.map(fromJson) } : null)),
    tol: { atol: 1e-5, rtol: 1e-4 },
    checkDtype: true,
  }));
}

const float = (shape: number[], data: number[]): EncodedTensor => ({ shape, dtype: 'float32', data });

/**
 * softmax.json's cases of softmax, logSoftmax or logsumexp (scripts/gen_fixtures_softmax.py):
 * argument { dim }; outputs within 2e-6 (1 + |want|), gradients within 1e-5 (1 + |want|); and
 * the large logits [[1000, 2000, 3000]] exactly.
 */
export function softmaxGoldens(name: 'softmax' | 'logSoftmax' | 'logsumexp'): Golden<{ dim: number }>[] {
  const fx = loadFixture<Record<string, unknown>>('softmax');
  const cases = fx[name] as {
    shape: number[];
    dim: number;
    x: number[];
    y: number[];
    g: number[];
    dx: number[];
    yshape: number[];
  }[];
  const large = fx.large as Record<string, number[]>;
  return [
    ...cases.map((c, i) => ({
      name: `${JSON.stringify(c.shape)} dim ${c.dim}`,
      source: `softmax.json ${name} #${i}`,
      inputs: [float(c.shape, c.x)],
      args: { dim: c.dim },
      output: float(c.yshape, c.y),
      gradOutput: float(c.yshape, c.g),
      grads: [float(c.shape, c.dx)],
      tol: { atol: 2e-6, rtol: 2e-6, gradAtol: 1e-5, gradRtol: 1e-5 },
    })),
    {
      name: 'large logits [1000, 2000, 3000], exactly',
      source: `softmax.json large ${name}`,
      inputs: [float([1, 3], large.x)],
      args: { dim: -1 },
      output: float(name === 'logsumexp' ? [1] : [1, 3], large[name]),
      tol: { atol: 0, rtol: 0 },
    },
  ];
}

interface NnEnc {
  shape: number[];
  data: number[];
}
const nnFixture = () => loadFixture<Record<string, any>>('nn');
const ints = (e: NnEnc): EncodedTensor => ({ shape: e.shape, dtype: 'int32', data: e.data });
const floats = (e: NnEnc): EncodedTensor => float(e.shape, e.data);

/**
 * nn.json's activation cases of `name` (scripts/gen_fixtures_nn.py): the options are the
 * arguments; outputs within 2e-6 (1 + |want|), gradients within 2e-5 (1 + |want|).
 */
export function nnActivationGoldens<A>(name: string): Golden<A>[] {
  const cases = (nnFixture().activations as any[])
    .map((c, i) => ({ ...c, source: `nn.json activations #${i}` }))
    .filter((c) => c.name === name);
  if (!cases.length) throw new Error(`nn.json has no activation ${name}`);
  return cases.map((c) => ({
    name: `nn.json ${name} ${JSON.stringify(c.options)}`,
    source: c.source,
    inputs: [floats(c.x)],
    args: c.options as A,
    output: float(c.x.shape, c.y),
    gradOutput: float(c.x.shape, c.g),
    grads: [float(c.x.shape, c.dx)],
    tol: { atol: 2e-6, rtol: 2e-6, gradAtol: 2e-5, gradRtol: 2e-5 },
  }));
}

/**
 * nn.json's loss cases of `name`: inputs (input, target), the options as arguments (weight and
 * posWeight as tensors), PyTorch's target gradient where it has one; within 2e-5 (1 + |want|).
 */
export function nnLossGoldens(name: string): Golden<Record<string, unknown>>[] {
  const cases = (nnFixture().losses as any[])
    .map((c, i) => ({ ...c, source: `nn.json losses #${i}` }))
    .filter((c) => c.name === name);
  if (!cases.length) throw new Error(`nn.json has no loss ${name}`);
  return cases.map((c) => {
    const args: Record<string, unknown> = { ...c.options };
    for (const k of ['weight', 'posWeight']) {
      if (c.options[k]) args[k] = Tensor.fromData(new Float32Array(c.options[k].data), c.options[k].shape);
    }
    return {
      name: `nn.json ${JSON.stringify({ ...c.options, weight: !!c.options.weight, posWeight: !!c.options.posWeight })}`,
      source: c.source as string,
      inputs: [floats(c.x), floats(c.target)],
      args,
      output: floats(c.y),
      gradOutput: float(c.y.shape, c.g),
      grads: [float(c.x.shape, c.dx), c.dtarget ? float(c.target.shape, c.dtarget) : null],
      tol: { atol: 2e-5, rtol: 2e-5 },
    };
  });
}

/** nn.json's nllLoss cases: (log-probabilities, int32 targets), within 2e-6 (1 + |want|). */
export function nllGoldens(): Golden<Record<string, unknown>>[] {
  return (nnFixture().nll as any[]).map((c, i) => ({
    name: `nn.json ${JSON.stringify({ ...c.options, weight: !!c.options.weight })}`,
    source: `nn.json nll #${i}`,
    inputs: [floats(c.x), ints(c.target)],
    args: {
      ...c.options,
      weight: c.options.weight
        ? Tensor.fromData(new Float32Array(c.options.weight.data), c.options.weight.shape)
        : undefined,
    },
    output: floats(c.y),
    gradOutput: float(c.y.shape, c.g),
    grads: [float(c.x.shape, c.dx), null],
    tol: { atol: 2e-6, rtol: 2e-6 },
  }));
}

/**
 * softmax.json's crossEntropy cases: (logits, class indices or probabilities) and the options
 * (weight as a tensor); loss within 2e-6 (1 + |want|), gradients within 1e-5 (1 + |want|), the
 * probability target's included.
 */
export function crossEntropyGoldens(): Golden<Record<string, unknown>>[] {
  const cases = loadFixture<Record<string, any>>('softmax').crossEntropy as any[];
  return cases.map((c, i) => ({
    name: c.name,
    source: `softmax.json crossEntropy #${i}`,
    inputs: [
      float(c.shape, c.x),
      c.probs ? float(c.shape, c.target) : { shape: c.targetShape, dtype: 'int32' as const, data: c.target },
    ],
    args: {
      reduction: c.options.reduction,
      ignoreIndex: c.options.ignore_index,
      labelSmoothing: c.options.label_smoothing,
      weight: c.weight ? Tensor.fromData(new Float32Array(c.weight), [c.weight.length]) : undefined,
    },
    output: float(c.lossShape, c.loss),
    gradOutput: float(c.lossShape, c.g),
    grads: [float(c.shape, c.dx), c.probs ? float(c.shape, c.dtarget) : null],
    noGrad: c.probs ? [] : [1],
    tol: { atol: 2e-6, rtol: 2e-6, gradAtol: 1e-5, gradRtol: 1e-5 },
  }));
}

/**
 * cnn_layers.json's interpolate or pad cases (scripts/gen_fixtures_cnn_layers.py): arguments
 * (interpolate's options; pad's { pad, mode, value }), output and input gradient, within
 * tol (1 + |want|): interpolate 2e-6 and 1e-5, pad 1e-7 and 1e-6. interpolate cases where
 * torch 1.13's nearest backward is not its forward's adjoint (same sizes) keep their forward
 * only; their gradient is checked by finite differences (cnnLayerGradOnlySamples).
 */
export function cnnLayerGoldens(group: 'interpolate' | 'pad'): Golden<Record<string, any>>[] {
  const cases = loadFixture<Record<string, any>>('cnn_layers')[group] as any[];
  const [fwd, grad] = group === 'interpolate' ? [2e-6, 1e-5] : [1e-7, 1e-6];
  return cases.map((c, i) => ({
    name: c.name,
    source: `cnn_layers.json ${group} #${i}`,
    inputs: [floats(c.input)],
    args: c.args,
    output: floats(c.output),
    ...(c.torchGradInconsistent ? {} : { gradOutput: floats(c.gradOutput), grads: [floats(c.grad)] }),
    tol: { atol: fwd, rtol: fwd, gradAtol: grad, gradRtol: grad },
  }));
}

/** The interpolate fixture cases whose gradient PyTorch 1.13 gets wrong, as harness samples. */
export function cnnLayerGradOnlySamples(): {
  name: string;
  inputs: { shape: number[]; values: number[] }[];
  args: any;
}[] {
  const cases = loadFixture<Record<string, any>>('cnn_layers').interpolate as any[];
  return cases
    .filter((c) => c.torchGradInconsistent)
    .map((c) => ({
      name: `${c.name} (fixture input)`,
      inputs: [{ shape: c.input.shape, values: c.input.data }],
      args: c.args,
    }));
}

/**
 * The quantize cases of lowp.json (scripts/gen_fixtures_lowp.py): float32 inputs as their bits,
 * per-tensor (axis null) or per-channel scales and zero points, and PyTorch's int_repr and
 * dequantized float32 bits.
 */
export interface QuantizeCase {
  x: number[];
  shape: number[];
  dtype: 'qint8' | 'quint8';
  scales: number[];
  zeroPoints: number[];
  axis: number | null;
  intRepr: number[];
  dequantized: number[];
}
export function quantizeCases(): QuantizeCase[] {
  return loadFixture<{ quantize: QuantizeCase[] }>('lowp').quantize;
}
/** A Float32Array from float32 bit patterns (as the lowp fixtures store them). */
export function floatsFromBits(bits: number[]): Float32Array {
  return new Float32Array(Int32Array.from(bits).buffer);
}
