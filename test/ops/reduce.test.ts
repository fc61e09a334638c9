import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { arange, Generator, randn, tensor } from '../../lib/index.js';
import { describeOps } from '../helpers/opinfo.js';
import { reduceOps } from './declarations/reduce.js';

const g = new Generator().manualSeed(9);
const leaf = (shape: number[]) => randn(shape, { generator: g }).requiresGrad_();

describe('reductions: forward values', () => {
  const x = arange(24).float().view(2, 3, 4);
  it('sum/mean/prod over any dims with keepdim', () => {
    expect(x.sum().item()).toBe(276);
    expect((x.mean(0).tolist() as number[][])[0]).toEqual([6, 7, 8, 9]);
    expect(x.sum(1).shape).toEqual([2, 4]);
    expect(x.sum([0, 2], true).shape).toEqual([1, 3, 1]);
    expect(x.sum([0, 2]).tolist()).toEqual([60, 92, 124]);
    expect(x.sum(-1).tolist()).toEqual([
      [6, 22, 38],
      [54, 70, 86],
    ]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .prod(1)
        .tolist(),
    ).toEqual([2, 12]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .prod()
        .item(),
    ).toBe(24);
    expect(x.T.sum(0).tolist()).toEqual(x.sum(2).T.tolist());
    expect(m.zeros([0, 3]).sum(0).tolist()).toEqual([0, 0, 0]);
  });

  it('int32 and bool sums are int32', () => {
    const i = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'int32' },
    );
    expect(i.sum().dtype).toBe('int32');
    expect(i.sum(0).tolist()).toEqual([4, 6]);
    expect(i.prod().item()).toBe(24);
    expect(tensor([true, true, false]).sum().item()).toBe(2);
    expect(i.amax(1).tolist()).toEqual([2, 4]);
    expect(i.max(0).indices.tolist()).toEqual([1, 1]);
    expect(i.argmin().item()).toBe(0);
    expect(() => i.mean()).toThrow(/mean: input dtype must be floating point, got int32/);
  });

  it('max/min with dim return values and first indices; argmax/argmin; amax/amin', () => {
    const t = tensor([
      [1, 5, 5],
      [7, 0, 7],
    ]);
    const [v, i] = t.max(1);
    expect(v.tolist()).toEqual([5, 7]);
    expect(i.tolist()).toEqual([1, 0]);
    expect(i.dtype).toBe('int32');
    expect(t.min(0, true).values.shape).toEqual([1, 3]);
    expect(t.min(0).indices.tolist()).toEqual([0, 1, 0]);
    expect(t.max().item()).toBe(7);
    expect(t.argmax().item()).toBe(3);
    expect(t.argmax(1, true).tolist()).toEqual([[1], [0]]);
    expect(t.argmin(0).tolist()).toEqual([0, 1, 0]);
    expect(t.amax([0, 1]).item()).toBe(7);
    expect(t.amin(1).tolist()).toEqual([1, 0]);
    expect(t.max(tensor([6])).tolist()).toEqual([
      [6, 6, 6],
      [7, 6, 7],
    ]);
    expect(tensor([1, NaN, 3]).max().isnan().item()).toBe(true);
  });

  it('var/std with correction, norm, logsumexp, cumsum, all/any', () => {
    const t = tensor([
      [1, 2, 3, 4],
      [2, 4, 6, 8],
    ]);
    expect(t.var(1).tolist()).toEqual([5 / 3, 20 / 3].map(Math.fround));
    expect(t.var(1, { correction: 0 }).tolist()).toEqual([1.25, 5]);
    expect(t.var(1, { unbiased: false, keepdim: true }).shape).toEqual([2, 1]);
    expect(t.std().item()).toBeCloseTo(Math.sqrt(37.5 / 7), 5);
    expect(tensor([3, -4]).norm().item()).toBe(5);
    expect(tensor([3, -4]).norm(1).item()).toBe(7);
    expect(tensor([3, -4]).norm(Infinity).item()).toBe(4);
    expect(tensor([3, -4, 0]).norm(0).item()).toBe(2);
    expect((t.norm(2, 1).tolist() as number[])[0]).toBeCloseTo(Math.sqrt(30), 5);
    expect(tensor([1000, 1000]).logsumexp(0).item()).toBeCloseTo(1000 + Math.LN2, 3);
    expect(
      tensor([[-Infinity, -Infinity]])
        .logsumexp([0, 1])
        .item(),
    ).toBe(-Infinity);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .logsumexp([0, 1])
        .item(),
    ).toBeCloseTo(Math.log(Math.E + Math.E ** 2 + Math.E ** 3 + Math.E ** 4), 5);
    expect(t.cumsum(1).tolist()).toEqual([
      [1, 3, 6, 10],
      [2, 6, 12, 20],
    ]);
    expect(t.cumsum(0).tolist()).toEqual([
      [1, 2, 3, 4],
      [3, 6, 9, 12],
    ]);
    expect(tensor([1, 2, 3], { dtype: 'int32' }).cumsum(0).dtype).toBe('int32');
    const b = tensor([
      [true, false],
      [true, true],
    ]);
    expect(b.all().item()).toBe(false);
    expect(b.all(0).tolist()).toEqual([true, false]);
    expect(b.any(1, true).tolist()).toEqual([[true], [true]]);
    expect(tensor([0, NaN]).any().item()).toBe(true);
  });
});

describeOps(reduceOps);

describe('reduction gradients', () => {
  it('prod with zeros: exact products of the others', () => {
    const x = tensor(
      [
        [2, 0, 3],
        [0, 0, 5],
      ],
      { requiresGrad: true },
    );
    x.prod(1).sum().backward();
    expect(x.grad!.tolist()).toEqual([
      [0, 6, 0],
      [0, 0, 0],
    ]);
  });

  it('amax shares the gradient between ties; max(dim) sends it to the returned index', () => {
    const x = tensor([[1, 3, 3]], { requiresGrad: true });
    x.amax(1).sum().backward();
    expect(x.grad!.tolist()).toEqual([[0, 0.5, 0.5]]);
    const y = tensor([[1, 3, 3]], { requiresGrad: true });
    y.max(1).values.sum().backward();
    expect(y.grad!.tolist()).toEqual([[0, 1, 0]]);
  });

  it('norm at zero has a zero gradient (as torch), not NaN', () => {
    const x = m.zeros([3], { requiresGrad: true });
    x.norm().backward();
    expect(x.grad!.tolist()).toEqual([0, 0, 0]);
  });

  it('second-order: d/dx of d(sum x^3)/dx = 6x', () => {
    const x = leaf([3]);
    const [gx] = m.autograd.grad(x.mul(x).mul(x).sum(), x, { createGraph: true });
    const [ggx] = m.autograd.grad(gx!.sum(), x);
    const xs = x.tolist() as number[];
    (ggx!.tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo(6 * xs[i], 5));
  });
});

describe('higher-order gradients through broadcasting', () => {
  it('d/dy of d(sum((x - y) * x * y))/dx with y broadcast', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const y = tensor([0.5, -1], { requiresGrad: true });
    // f = sum((x - y) x y); df/dx = (2x - y) y; d/dy sum(df/dx) = sum over rows of (2x - 2y)
    const [gx] = m.autograd.grad(x.sub(y).mul(x).mul(y).sum(), x, { createGraph: true });
    const [gy] = m.autograd.grad(gx!.sum(), y);
    expect(gy!.tolist()).toEqual([2 * (1 + 3) - 4 * 0.5, 2 * (2 + 4) - 4 * -1]);
  });
});
