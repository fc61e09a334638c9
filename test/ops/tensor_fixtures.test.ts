// Replays the PyTorch golden values of scripts/gen_fixtures_tensor.py: forward and gradients.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import type { DType, Tensor } from '../../lib/index.js';

interface Arr {
  shape: number[];
  dtype?: string;
  data: (number | string)[];
}
interface Case {
  name: string;
  op: string;
  params: Record<string, unknown>;
  inputs: Arr[];
  out: Arr;
  grad?: (number | string)[];
  grads?: ((number | string)[] | null)[];
}

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/tensor_ops.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

const num = (v: number | string) =>
  typeof v === 'number' ? v : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : NaN;
const dtypeOf = (d?: string): DType => (d === 'bool' ? 'bool' : d?.startsWith('int') ? 'int32' : 'float32');

type P = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ops: Record<string, (xs: Tensor[], p: P) => Tensor> = {
  powScalar: ([x], p) => x.pow(p.e),
  pow: ([a, b]) => m.pow(a, b),
  clamp: ([x], p) => x.clamp(p.min, p.max),
  maximum: ([a, b]) => m.maximum(a, b),
  minimum: ([a, b]) => m.minimum(a, b),
  where: ([c, a, b]) => m.where(c, a, b),
  sum: ([x], p) => x.sum(p.dim, p.keepdim),
  mean: ([x], p) => x.mean(p.dim, p.keepdim),
  prod: ([x], p) => x.prod(p.dim, p.keepdim),
  amax: ([x], p) => x.amax(p.dim, p.keepdim),
  amin: ([x], p) => x.amin(p.dim, p.keepdim),
  maxDim: ([x], p) => x.max(p.dim, p.keepdim).values,
  minDim: ([x], p) => x.min(p.dim, p.keepdim).values,
  max: ([x]) => x.max(),
  argmax: ([x], p) => x.argmax(p.dim, p.keepdim),
  argmin: ([x], p) => x.argmin(p.dim, p.keepdim),
  var: ([x], p) => x.var(p.dim, { correction: p.correction, keepdim: p.keepdim }),
  std: ([x], p) => x.std(p.dim, { correction: p.correction, keepdim: p.keepdim }),
  norm: ([x], p) => x.norm(p.p === 'inf' ? Infinity : p.p, p.dim, p.keepdim),
  logsumexp: ([x], p) => x.logsumexp(p.dim, p.keepdim),
  cumsum: ([x], p) => x.cumsum(p.dim),
  transposeReshape: ([x]) => x.transpose(0, 2).reshape(4, 6),
  cat: (xs, p) => m.cat(xs, p.dim),
  stack: (xs, p) => m.stack(xs, p.dim),
  flip: ([x], p) => x.flip(p.dims),
  repeat: ([x], p) => x.repeat(p.sizes),
  narrow: ([x], p) => x.narrow(p.dim, p.start, p.length),
  slice: ([x], p) => x.slice(p.dim, p.start, p.end, p.step),
  expand: ([x], p) => x.expand(p.sizes),
  select: ([x], p) => x.select(p.dim, p.index),
  permute: ([x], p) => x.permute(p.dims),
};
for (const name of [
  'neg',
  'abs',
  'sign',
  'exp',
  'log',
  'log1p',
  'expm1',
  'sqrt',
  'rsqrt',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
] as const) {
  ops[name] = ([x]) => (x[name] as () => Tensor).call(x);
}
for (const name of ['add', 'sub', 'mul', 'div', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
  // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the fixture names the op to call
  ops[name] = ([a, b]) => (m[name] as (a: Tensor, b: Tensor) => Tensor)(a, b);
}

function expectClose(
  actual: ArrayLike<number>,
  expected: (number | string)[],
  what: string,
  rtol = 1e-4,
  atol = 1e-5,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = num(expected[i]);
    const a = Number(actual[i]);
    if (Number.isNaN(e)) expect(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`).toBe(true);
    else if (!Number.isFinite(e)) expect(a, `${what}[${i}]`).toBe(e);
    else if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

describe('tensor ops against PyTorch fixtures', () => {
  it('has a replay for every fixture op', () => {
    for (const c of fixtures.cases) expect(ops[c.op], c.op).toBeTypeOf('function');
    expect(fixtures.cases.length).toBeGreaterThan(50);
  });

  for (const c of fixtures.cases) {
    it(`${c.name} (${c.op})`, () => {
      const xs = c.inputs.map((a) => {
        const dtype = dtypeOf(a.dtype);
        const t = m.tensor(a.data.map(num), { dtype }).reshape(a.shape);
        return dtype === 'float32' ? t.detach().requiresGrad_() : t;
      });
      const out = ops[c.op](xs, c.params);
      expect(out.shape).toEqual(c.out.shape);
      expect(out.dtype).toBe(dtypeOf(c.out.dtype));
      expectClose(out.data, c.out.data, 'forward');
      if (c.grad) {
        out.backward(m.tensor(c.grad.map(num)).reshape(c.out.shape));
        c.grads!.forEach((g, i) => {
          if (g === null) return;
          expect(xs[i].grad, `grad of input ${i}`).not.toBeNull();
          expectClose(xs[i].grad!.data, g, `grad ${i}`);
        });
      }
    });
  }
});
