// Ops on bfloat16 tensors against PyTorch 1.13 (test/fixtures/bf16_ops.json, written by
// scripts/gen_fixtures_bf16_ops.py): myelin widens bfloat16 inputs to float32, runs the op there
// and rounds its result once, its gradients the same way. Each case is compared with that
// reference computed by PyTorch in float32 (`outOnce`, `gradsOnce`) and with PyTorch's own
// bfloat16 result, which rounds intermediate results in some ops (`once`, `gradsUlps`: how far
// PyTorch itself is from the reference).
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { loadFixture } from '../helpers/fixtures.js';

const F = m.nn.functional;

interface Enc {
  dtype: 'bfloat16' | 'float32' | 'int32' | 'bool';
  shape: number[];
  bits?: number[];
  values?: number[];
}
interface Case {
  name: string;
  inputs: Enc[];
  out: Enc;
  outOnce?: number[];
  once?: number;
  sums: boolean;
  grad?: Enc;
  grads?: (number[] | null)[];
  gradsOnce?: (number[] | null)[];
  gradsUlps?: (number | null)[];
}
const fx = loadFixture<{ cases: Case[]; refused: Record<string, string> }>('bf16_ops');

function decode(e: Enc): m.Tensor {
  if (e.dtype === 'bfloat16') return m.Tensor.fromData(Uint16Array.from(e.bits!), e.shape, { dtype: 'bfloat16' });
  if (e.dtype === 'float32') return m.Tensor.fromData(new Float32Array(Uint32Array.from(e.bits!).buffer), e.shape);
  return m.tensor(e.values!, { dtype: 'int32' }).reshape(e.shape).to(e.dtype);
}

const bits = (t: m.Tensor): number[] => {
  expect(t.dtype).toBe('bfloat16');
  return Array.from(t.contiguous().data as Uint16Array);
};

// bfloat16 patterns as integers in value order: a difference counts ulps.
const ordered = (b: number) => (b & 0x8000 ? -(b & 0x7fff) : b);
function ulps(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(0, ...a.map((x, i) => Math.abs(ordered(x) - ordered(b[i]))));
}

type Op = (...xs: m.Tensor[]) => m.Tensor;
const OPS: Record<string, Op> = {
  exp: (x) => m.exp(x),
  log: (x) => m.log(x),
  tanh: (x) => m.tanh(x),
  sigmoid: (x) => m.sigmoid(x),
  relu: (x) => m.relu(x),
  gelu: (x) => F.gelu(x),
  sqrt: (x) => m.sqrt(x),
  neg: (x) => m.neg(x),
  abs: (x) => m.abs(x),
  sin: (x) => m.sin(x),
  add: (x, y) => m.add(x, y),
  sub: (x, y) => m.sub(x, y),
  mul: (x, y) => m.mul(x, y),
  div: (x, y) => m.div(x, y),
  mulScalar: (x) => x.mul(0.1),
  addScalar: (x) => x.add(1 / 3),
  divScalar: (x) => x.div(3),
  rsubScalar: (x) => m.sub(1.5, x),
  addFloat32: (x, y) => m.add(x, y),
  mulFloat32First: (x, y) => m.mul(x, y),
  sumAll: (x) => x.sum(),
  sumDim1: (x) => x.sum(1),
  meanDim0: (x) => x.mean(0),
  amaxDim1: (x) => x.amax(1),
  maxAll: (x) => x.max() as m.Tensor,
  prodDim1: (x) => x.prod(1),
  norm: (x) => x.norm(),
  softmax: (x) => m.softmax(x, 1),
  logSoftmax: (x) => m.logSoftmax(x, 1),
  matmul: (x, y) => m.matmul(x, y),
  linear: (x, w, b) => F.linear(x, w, b),
  bmm: (x, y) => m.bmm(x, y),
  crossEntropy: (x, t) => F.crossEntropy(x, t),
  mseLoss: (x, y) => F.mseLoss(x, y),
  layerNorm: (x, w, b) => F.layerNorm(x, [8], { weight: w, bias: b }),
  gather: (x, i) => m.gather(x, 1, i),
  indexSelect: (x, i) => m.indexSelect(x, 0, i),
  where: (c, x, y) => m.where(c, x, y),
};

// Ops whose float32 result is one correctly rounded operation (or a move) on values bfloat16 holds:
// rounding it to bfloat16 gives the same bits however the kernel computes it. The others (libm
// functions, sums) may differ from PyTorch's float32 by an ulp of float32, which can move the
// bfloat16 rounding by one ulp.
const EXACT = new Set([
  'relu',
  'neg',
  'abs',
  'sqrt',
  'add',
  'sub',
  'mul',
  'div',
  'mulScalar',
  'addScalar',
  'divScalar',
  'rsubScalar',
  'amaxDim1',
  'maxAll',
  'gather',
  'indexSelect',
  'where',
]);

describe('ops on bfloat16 tensors against PyTorch 1.13', () => {
  it('every case of the fixture has an op here', () => {
    for (const c of fx.cases) expect(OPS[c.name], c.name).toBeDefined();
    for (const name of Object.keys(fx.refused)) expect(OPS[name], name).toBeDefined();
  });

  for (const c of fx.cases) {
    it(`${c.name}: ${c.out.dtype} out${c.grads ? ', bfloat16 gradients' : ''}`, () => {
      const inputs = c.inputs.map(decode);
      if (c.grads) inputs.forEach((t, i) => c.grads![i] && t.requiresGrad_());
      const y = OPS[c.name](...inputs);
      expect(y.dtype).toBe(c.out.dtype);
      expect(y.shape).toEqual(c.out.shape);
      if (c.out.dtype === 'float32') {
        // bfloat16 with float32 promotes to float32 (the bfloat16 operand widened exactly): one
        // float32 operation, PyTorch's bits.
        expect(Array.from(new Uint32Array(y.contiguous().toTypedArray().buffer))).toEqual(c.out.bits);
        return;
      }
      const tol = EXACT.has(c.name) ? 0 : 1;
      expect(ulps(bits(y), c.outOnce!), 'against float32 rounded once').toBeLessThanOrEqual(tol);
      expect(ulps(bits(y), c.out.bits!), "against PyTorch's bfloat16").toBeLessThanOrEqual(c.once! + tol);
      if (!c.grads) return;
      y.backward(decode(c.grad!));
      c.grads.forEach((torchGrad, i) => {
        if (!torchGrad) return;
        const g = inputs[i].grad!;
        // The backward's float32 formulas may round in another order than PyTorch's: one ulp.
        expect(ulps(bits(g), c.gradsOnce![i]!), `grad ${i} against float32 rounded once`).toBeLessThanOrEqual(1);
        expect(ulps(bits(g), torchGrad), `grad ${i} against PyTorch's`).toBeLessThanOrEqual(c.gradsUlps![i]! + 1);
      });
    });
  }

  it('refuses what PyTorch 1.13 has no bfloat16 CPU kernel for, naming the dtype', () => {
    expect(Object.keys(fx.refused).sort()).toEqual(['mseLoss', 'prodDim1']);
    const x = m.ones([2, 3], { dtype: 'bfloat16' });
    for (const name of Object.keys(fx.refused)) expect(() => OPS[name](x, x)).toThrow(/bfloat16/);
    for (const f of [
      () => m.trace(x),
      () => F.binaryCrossEntropy(x, x),
      () => F.convTranspose1d(x.unsqueeze(0), m.ones([3, 1, 2], { dtype: 'bfloat16' })),
    ])
      expect(f).toThrow(/bfloat16 tensors are not supported \(PyTorch 1.13 has no bfloat16 CPU kernel/);
  });

  it("nllLoss and crossEntropy take a class weight of the input's dtype only, as PyTorch 1.13's", () => {
    const x = m.tensor([
      [0.5, -1, 2, 0.25],
      [1.5, 0, -0.5, 1],
      [-2, 1, 0.75, 0.5],
    ]);
    const t = m.tensor([0, 1, 3], { dtype: 'int32' });
    const w = m.tensor([1, 2, 0.5, 3]);
    const [xb, wb] = [x.bfloat16(), w.bfloat16()];
    // torch 1.13: bfloat16 logits with a bfloat16 weight, -0.73828125 and 0.95703125 (the float32
    // loss rounded once here: within a bfloat16 ulp of torch's, which rounds its log_softmax too).
    expect(F.nllLoss(xb, t, { weight: wb }).float().item()).toBe(
      F.nllLoss(x, t, { weight: w }).bfloat16().float().item(),
    );
    const ce = F.crossEntropy(xb, t, { weight: wb });
    expect(ce.dtype).toBe('bfloat16');
    expect(ce.float().item()).toBe(F.crossEntropy(x, t, { weight: w }).bfloat16().float().item());
    // Any other pair is torch's "expected scalar type Float but found BFloat16", for both.
    for (const [xi, wi] of [
      [x, wb],
      [xb, w],
      [x.double(), wb],
      [x.double(), w],
    ]) {
      const want = `weight must have the input's dtype (${xi.dtype}), got ${wi.dtype}`;
      expect(() => F.nllLoss(xi, t, { weight: wi })).toThrow(`nllLoss: ${want}`);
      expect(() => F.crossEntropy(xi, t, { weight: wi })).toThrow(`crossEntropy: ${want}`);
    }
  });
});
