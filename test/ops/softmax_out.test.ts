// softmax / logSoftmax / logsumexp with { out } (PyTorch's out=), and the backward reading a
// gradient that is a view with an offset.
import { describe, expect, it } from 'vitest';
import { logSoftmax, softmax } from '../../lib/ops/softmax.js';
import { logsumexp } from '../../lib/ops/reduce_stats.js';
import { noGrad, randn, stack, type Tensor, zeros } from '../../lib/index.js';

function same(got: Tensor, want: Tensor, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  const g = got.contiguous().toTypedArray();
  const w = want.contiguous().toTypedArray();
  for (let i = 0; i < w.length; i++) {
    if (!Object.is(g[i], w[i])) throw new Error(`${what}[${i}]: got ${g[i]}, want ${w[i]}`);
  }
}

describe('softmax family with out', () => {
  const ops = { softmax, logSoftmax };
  for (const [name, fn] of Object.entries(ops)) {
    for (const dtype of ['float32', 'float64'] as const)
      it(`${name}: writes the same bits into out over every dim and returns out (${dtype})`, () => {
        const x = randn([3, 5, 7], { dtype });
        for (const dim of [0, 1, 2, -1]) {
          const out = zeros([3, 5, 7], { dtype });
          const v0 = out.storage.version;
          const r = fn(x, dim, { out });
          expect(r).toBe(out);
          expect(out.storage.version).toBeGreaterThan(v0);
          same(out, fn(x, dim), `${name} dim ${dim}`);
        }
        // a contiguous view with an offset as out, a non-contiguous input, and out = x in place
        const big = zeros([2, 3, 5, 7], { dtype });
        const view = big.select(0, 1);
        fn(x, -1, { out: view });
        same(view, fn(x, -1), `${name} into a view`);
        same(big.select(0, 0), zeros([3, 5, 7], { dtype }), `${name} leaves the rest of out alone`);
        const xt = x.transpose(0, 2);
        same(fn(xt, -1, { out: zeros([7, 5, 3], { dtype }) }), fn(xt, -1), `${name} of a transposed input`);
        const y = x.clone();
        fn(y, -1, { out: y });
        same(y, fn(x, -1), `${name} in place`);
        const z = x.clone();
        fn(z, 1, { out: z });
        same(z, fn(x, 1), `${name} in place over a middle dim`);
      });

    it(`${name}: bad out gets a clear error`, () => {
      const x = randn([4, 6]);
      expect(() => fn(x, -1, { out: zeros([4, 5]) })).toThrow(
        `${name}: out has shape [4,5], the result has shape [4,6]`,
      );
      expect(() => fn(x, -1, { out: zeros([6, 4]).t() })).toThrow(`${name}: out must be contiguous`);
      expect(() => fn(x, -1, { out: zeros([4, 6], { dtype: 'int32' }) })).toThrow(
        `${name}: out must be float32, got int32`,
      );
      expect(() => fn(x.double(), -1, { out: zeros([4, 6]) })).toThrow(`${name}: out must be float64, got float32`);
      expect(() => fn(x, -1, { out: [1, 2] as never })).toThrow(
        `${name}: out must be a Tensor, got an array of length 2`,
      );
      const w = randn([4, 6]).requiresGrad_();
      expect(() => fn(w, -1, { out: zeros([4, 6]) })).toThrow(
        `${name}: out= does not support autograd, and the input requires grad`,
      );
      same(
        noGrad(() => fn(w, -1, { out: zeros([4, 6]) })),
        noGrad(() => fn(w, -1)),
        `${name} under noGrad`,
      );
    });
  }

  it('logsumexp: out for one dim, keepdim, several dims; errors', () => {
    const x = randn([3, 4, 5]);
    for (const keepdim of [false, true]) {
      for (const dim of [0, 2]) {
        const want = logsumexp(x, dim, keepdim);
        const out = zeros(want.shape);
        expect(logsumexp(x, dim, keepdim, { out })).toBe(out);
        same(out, want, `logsumexp dim ${dim} keepdim ${keepdim}`);
      }
      const want = logsumexp(x, [0, 2], keepdim);
      same(logsumexp(x, [0, 2], keepdim, { out: zeros(want.shape) }), want, `logsumexp dims [0, 2] keepdim ${keepdim}`);
    }
    // out aliasing the input's own memory
    const y = x.clone();
    const alias = y.reshape([60]).narrow(0, 0, 12).reshape([3, 4]);
    logsumexp(y, 2, false, { out: alias });
    same(alias, logsumexp(x, 2), 'logsumexp into the input');
    expect(() => logsumexp(x, 2, false, { out: zeros([3, 5]) })).toThrow(
      'logsumexp: out has shape [3,5], the result has shape [3,4]',
    );
    // the Tensor methods take the option too
    const out = zeros([3, 4]);
    expect(x.logsumexp(2, false, { out })).toBe(out);
    same(out, logsumexp(x, 2), 'x.logsumexp with out');
    const sm = zeros([3, 4, 5]);
    expect(x.softmax(-1, { out: sm })).toBe(sm);
    same(sm, softmax(x, -1), 'x.softmax with out');
  });
});

describe('softmax family backward with a gradient view', () => {
  it('reads a gradient that starts at an offset (stack backward hands out views)', () => {
    for (const fn of [softmax, logSoftmax]) {
      const x = randn([2, 3]).requiresGrad_();
      const w = randn([2, 2, 3]);
      stack([randn([2, 3]), fn(x, -1)])
        .mul(w)
        .sum()
        .backward();
      const x2 = x.detach().clone().requiresGrad_();
      fn(x2, -1).mul(w.select(0, 1).clone()).sum().backward();
      same(x.grad as Tensor, x2.grad as Tensor, `${fn.name} gradient`);
    }
  });
});
