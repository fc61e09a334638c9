// float64 sum, mean, prod, amax, amin (and max(), min()) against PyTorch 1.13's float64 values
// and gradients
// (test/fixtures/float64_reduce.json, scripts/gen_fixtures_float64.py) under every ISA and at 1
// and 2 threads, and gradcheck in float64 with tight tolerances.
import { describe, expect, it } from 'vitest';
import { gradcheck, randn, type Tensor } from '../../lib/index.js';
import { Storage, Tensor as TensorClass } from '../../lib/tensor.js';
import { loadFixture } from '../helpers/fixtures.js';
import { supportedIsas, withIsa, withThreads } from '../helpers/native.js';
import { laidOut } from '../helpers/opinfo.js';

type Op = 'sum' | 'mean' | 'prod' | 'amax' | 'amin';
interface Result {
  dim: number | null;
  output: number[];
  gradOutput: number[];
  grad: number[];
}
interface Case {
  op: Op;
  shape: number[];
  input: number[];
  results: Result[];
}
const cases = loadFixture<{ cases: Case[] }>('float64_reduce').cases;
const EPS = 2 ** -52;

function f64(values: number[], shape: number[]): Tensor {
  return new TensorClass(new Storage(Float64Array.from(values)), shape);
}

function run(op: Op, x: Tensor, dim: number | null): Tensor {
  return dim === null ? x[op]() : x[op](dim);
}

/**
 * The largest difference allowed from torch's value: sums (pairwise here, cascaded in torch) are
 * each within about (log2 n + 32) eps of sum |x|, so 16 eps sum |x| of the whole input bounds
 * their difference for n <= 1025 (mean: divided by n); a product of n factors is within n eps,
 * relative; max and min are exact.
 */
function tolerance(c: Case, want: number, n: number): number {
  const absSum = c.input.reduce((a, v) => a + Math.abs(v), 0);
  if (c.op === 'sum') return 16 * EPS * absSum;
  if (c.op === 'mean') return (16 * EPS * absSum) / n;
  if (c.op === 'prod') return n * EPS * Math.abs(want);
  return 0;
}

describe('float64 reductions against torch 1.13 float64', () => {
  for (const c of cases) {
    for (const r of c.results) {
      const n = r.dim === null ? c.input.length : c.shape[r.dim];
      const what = `${c.op} of [${c.shape}] over ${r.dim === null ? 'everything' : `dim ${r.dim}`}`;
      it(`${what}: values on every ISA, 1 and 2 threads, contiguous and strided`, () => {
        for (const isa of supportedIsas) {
          for (const threads of [1, 2]) {
            withIsa(isa, () =>
              withThreads(threads, () => {
                for (const layout of ['contiguous', 'strided'] as const) {
                  const out = run(c.op, laidOut(f64(c.input, c.shape), layout), r.dim);
                  expect(out.dtype).toBe('float64');
                  const got = out.toTypedArray() as Float64Array;
                  r.output.forEach((w, i) => {
                    if (!(Math.abs(got[i] - w) <= tolerance(c, w, n)))
                      expect.fail(`${what} at ${isa}, ${threads} thread(s), ${layout}: [${i}] ${got[i]} vs ${w}`);
                  });
                }
              }),
            );
          }
        }
      });
      it(`${what}: its gradient matches torch's`, () => {
        const x = f64(c.input, c.shape).requiresGrad_();
        const out = run(c.op, x, r.dim);
        out.backward(f64(r.gradOutput, [...out.shape]));
        expect(x.grad!.dtype).toBe('float64');
        const got = x.grad!.toTypedArray() as Float64Array;
        // sum, mean, amax, amin: g (or g / n, or g at the extreme), rounded at most once; prod:
        // the product of the others (prefix and suffix products here, prod / x in torch).
        r.grad.forEach((w, i) => {
          const tol = c.op === 'prod' ? 2 * n * EPS * Math.abs(w) : 2 * EPS * Math.abs(w);
          if (!(Math.abs(got[i] - w) <= tol)) expect.fail(`${what} grad[${i}]: ${got[i]} vs ${w}`);
        });
      });
    }
  }
  // max() and min() of every element are amax and amin over everything (one extreme here).
  for (const c of cases.filter((k) => k.op === 'amax' || k.op === 'amin')) {
    const r = c.results.find((k) => k.dim === null)!;
    const name = c.op === 'amax' ? 'max' : 'min';
    it(`${name}() of [${c.shape}]: torch's value and gradient`, () => {
      const x = f64(c.input, c.shape).requiresGrad_();
      const out = x[name]();
      expect(out.dtype).toBe('float64');
      expect(out.item()).toBe(r.output[0]);
      out.backward(f64(r.gradOutput, []));
      // amax's gradient is g * mask (-0 off the extreme where g < 0); max()'s fills zeros (+0),
      // as torch's evenly_distribute_backward on the CPU: equal as numbers.
      const got = x.grad!.toTypedArray() as Float64Array;
      r.grad.forEach((w, i) => {
        if (got[i] !== w) expect.fail(`${name}() grad[${i}]: ${got[i]} vs ${w}`);
      });
    });
  }
  for (const name of ['max', 'min'] as const) {
    it(`${name}(): gradcheck in float64 (eps 1e-6, atol 1e-7, rtol 1e-7)`, () => {
      const x = laidOut(randn([3, 5], { dtype: 'float64' }), 'strided').requiresGrad_();
      expect(gradcheck((t: Tensor) => t[name](), [x], { eps: 1e-6, atol: 1e-7, rtol: 1e-7 })).toBe(true);
    });
  }
  for (const op of ['sum', 'mean', 'prod', 'amax', 'amin'] as const) {
    it(`${op}: gradcheck in float64 (eps 1e-6, atol 1e-7, rtol 1e-7) over a dim and over everything`, () => {
      const x = laidOut(randn([3, 5], { dtype: 'float64' }), 'strided').requiresGrad_();
      for (const dim of [0, 1, null])
        expect(gradcheck((t: Tensor) => run(op, t, dim), [x], { eps: 1e-6, atol: 1e-7, rtol: 1e-7 })).toBe(true);
    });
  }
});

describe('float64 max/min along a dim and argmax/argmin: ties and NaN as the float32 kernel (and torch)', () => {
  // Rows with a tie for the extreme (the first wins), a NaN after the extreme, a NaN first, two
  // NaNs (the first wins), infinities; along both dims and over everything.
  const values = [3, 1, 3, -2, 0, NaN, 5, 5, NaN, 2, NaN, 7, -Infinity, Infinity, 4, Infinity];
  const x32 = new TensorClass(new Storage(Float32Array.from(values)), [4, 4]);
  const x64 = new TensorClass(new Storage(Float64Array.from(values)), [4, 4]);
  const same = (a: Tensor, b: Tensor, what: string) =>
    expect(Array.from(a.toTypedArray() as ArrayLike<number>), what).toEqual(
      Array.from(b.toTypedArray() as ArrayLike<number>),
    );
  for (const name of ['max', 'min'] as const) {
    it(`${name}(dim) values and indices`, () => {
      for (const dim of [0, 1]) {
        const [v32, i32] = x32[name](dim);
        const [v64, i64] = x64[name](dim);
        expect(v64.dtype).toBe('float64');
        same(v64, v32, `${name}(${dim}) values`);
        same(i64, i32, `${name}(${dim}) indices`);
      }
    });
    it(`${name}(dim): gradcheck in float64 (eps 1e-6, atol 1e-7, rtol 1e-7)`, () => {
      const x = laidOut(randn([3, 5], { dtype: 'float64' }), 'strided').requiresGrad_();
      for (const dim of [0, 1])
        expect(gradcheck((t: Tensor) => t[name](dim).values, [x], { eps: 1e-6, atol: 1e-7, rtol: 1e-7 })).toBe(true);
    });
  }
  for (const name of ['argmax', 'argmin'] as const) {
    it(name, () => {
      for (const dim of [0, 1, undefined]) same(x64[name](dim), x32[name](dim), `${name}(${dim})`);
    });
  }
});

describe('float64 (and float32) softmax and logSoftmax at infinities and NaN: as torch', () => {
  const values = [-Infinity, -Infinity, Infinity, 1, 1, NaN, 0, -Infinity, 1000, -1000];
  const x64 = new TensorClass(new Storage(Float64Array.from(values)), [5, 2]);
  const x32 = new TensorClass(new Storage(Float32Array.from(values)), [5, 2]);
  // torch 1.13: torch.softmax(x, 1) and torch.log_softmax(x, 1) of these rows, the same in
  // float64 and float32.
  const torchValues = {
    softmax: [NaN, NaN, NaN, NaN, NaN, NaN, 1, 0, 1, 0],
    logSoftmax: [NaN, NaN, NaN, NaN, NaN, NaN, 0, -Infinity, 0, -2000],
  };
  for (const name of ['softmax', 'logSoftmax'] as const) {
    it(name, () => {
      expect(Array.from(x64[name](1).toTypedArray())).toEqual(torchValues[name]);
      expect(Array.from(x32[name](1).toTypedArray())).toEqual(torchValues[name]);
    });
  }
});
