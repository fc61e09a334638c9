// BatchNorm1d/2d, GroupNorm and LayerNorm against PyTorch 1.13 (test/fixtures/norm.json, written
// by scripts/gen_fixtures_norm.py): outputs, input/weight/bias gradients, running statistics.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nn, randn, type Tensor } from '../../lib/index.js';
import { close, shaped } from './helpers.js';

const F = nn.functional;

interface Step {
  x: number[];
  g: number[];
  y: number[];
  dx: number[];
  dweight: number[] | null;
  dbias: number[] | null;
}
interface BnCase {
  name: string;
  module: 'BatchNorm1d' | 'BatchNorm2d';
  shape: number[];
  options: { momentum?: number | null; eps?: number; affine?: boolean };
  init: { weight?: number[]; bias?: number[] };
  repr: string;
  steps: (Step & { runningMean: number[]; runningVar: number[] })[];
  eval: Step;
}
interface OneCase extends Step {
  name: string;
  shape: number[];
  affine: boolean;
  repr: string;
  weight: number[] | null;
  bias: number[] | null;
}
interface Fixture {
  batchnorm: BnCase[];
  groupnorm: (OneCase & { groups: number; eps: number })[];
  layernorm: (OneCase & { normalizedShape: number[] })[];
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/norm.json', import.meta.url), 'utf8')) as Fixture;
const TOL = 1e-5;

function setParams(
  m: { weight: Tensor | null; bias: Tensor | null },
  w: number[] | null | undefined,
  b: number[] | null | undefined,
): void {
  if (!w || !b) return;
  (m.weight!.data as Float32Array).set(w);
  (m.bias!.data as Float32Array).set(b);
}

function checkStep(
  what: string,
  m: nn.Module & { weight: Tensor | null; bias: Tensor | null },
  shape: number[],
  s: Step,
): void {
  m.zeroGrad();
  const x = shaped(s.x, shape, true);
  const y = m.call(x) as Tensor;
  close(y, s.y, TOL, `${what} forward`);
  y.backward(shaped(s.g, shape));
  close(x.grad, s.dx, TOL, `${what} dx`);
  if (s.dweight) close(m.weight!.grad, s.dweight, TOL, `${what} dweight`);
  if (s.dbias) close(m.bias!.grad, s.dbias, TOL, `${what} dbias`);
}

describe('BatchNorm1d/2d against PyTorch (native kernels)', () => {
  for (const c of fx.batchnorm) {
    it(`${c.module} ${c.name}: 2 training steps with running stats, then eval`, () => {
      const Cls = c.module === 'BatchNorm1d' ? nn.BatchNorm1d : nn.BatchNorm2d;
      const bn = new Cls(c.shape[1], c.options);
      expect(bn.toString()).toBe(c.repr);
      setParams(bn, c.init.weight, c.init.bias);
      for (const [i, s] of c.steps.entries()) {
        checkStep(`step ${i}`, bn, c.shape, s);
        close(bn.runningMean, s.runningMean, TOL, `step ${i} running mean`);
        close(bn.runningVar, s.runningVar, TOL, `step ${i} running var`);
      }
      bn.eval();
      checkStep('eval', bn, c.shape, c.eval);
    });
  }
});

describe('GroupNorm against PyTorch', () => {
  for (const c of fx.groupnorm) {
    it(`${c.name}: [${c.shape}], ${c.groups} groups`, () => {
      const gn = new nn.GroupNorm(c.groups, c.shape[1], { eps: c.eps, affine: c.affine });
      expect(gn.toString()).toBe(c.repr);
      setParams(gn, c.weight, c.bias);
      checkStep('module', gn, c.shape, c);
      // The functional form gives the same values.
      const y = F.groupNorm(shaped(c.x, c.shape), c.groups, { weight: gn.weight, bias: gn.bias, eps: c.eps });
      close(y, c.y, TOL, 'functional forward');
    });
  }

  it('defaults: weight ones, bias zeros, eps 1e-5, affine; no affine: no parameters', () => {
    const gn = new nn.GroupNorm(2, 4);
    expect(Array.from(gn.weight!.toTypedArray())).toEqual([1, 1, 1, 1]);
    expect(Array.from(gn.bias!.toTypedArray())).toEqual([0, 0, 0, 0]);
    expect(gn.toString()).toBe('GroupNorm(2, 4, eps=1e-05, affine=True)');
    expect(Object.keys(gn.stateDict())).toEqual(['weight', 'bias']);
    const plain = new nn.GroupNorm(1, 3, { affine: false });
    expect([...plain.parameters()].length).toBe(0);
  });

  it('bad inputs name the function and the values', () => {
    expect(() => new nn.GroupNorm(4, 6)).toThrow(/GroupNorm: numChannels 6 must be divisible by numGroups 4/);
    expect(() => new nn.GroupNorm(0, 6)).toThrow(/GroupNorm: numGroups must be a positive integer, got 0/);
    expect(() => new nn.GroupNorm(2, 4).call(randn([2, 6, 3]))).toThrow(
      /GroupNorm: expected 4 channels \(dim 1\), got input of shape \[2,6,3\]/,
    );
    expect(() => new nn.GroupNorm(2, 4).call(randn([4]))).toThrow(
      /GroupNorm: expected input of shape \[N, C, \*\] \(got 1D input/,
    );
  });
});

describe('LayerNorm against PyTorch (native kernels)', () => {
  for (const c of fx.layernorm) {
    it(`${c.name}: normalizedShape [${c.normalizedShape}] over [${c.shape}]`, () => {
      const ln = new nn.LayerNorm(c.normalizedShape, { elementwiseAffine: c.affine });
      expect(ln.toString()).toBe(c.repr);
      setParams(ln, c.weight, c.bias);
      checkStep('module', ln, c.shape, c);
    });
  }
});
