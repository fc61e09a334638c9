import { describe, expect, it } from 'vitest';
import { autograd, bmm, dot, gradcheck, matmul, mm, mv, outer, Tensor, tensor, zeros } from '../../lib/index.js';
import { matrixLayout } from '../../lib/raw/gemm.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';
import { describeOps } from '../helpers/opinfo.js';
import { matmulOps } from './declarations/matmul.js';

function rand(shape: number[], seed: number, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromData(randomFloats(n, seed), shape).requiresGrad_(requiresGrad);
}

/** Reference product of >= 2-D operands with broadcast batch dims, in float64. */
function reference(a: Tensor, b: Tensor): { shape: number[]; data: number[] } {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.ndim - 1];
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const nd = Math.max(ba.length, bb.length);
  const pad = (s: readonly number[]) => [...new Array(nd - s.length).fill(1), ...s];
  const pa = pad(ba);
  const pb = pad(bb);
  const batch = pa.map((s, i) => Math.max(s, pb[i]));
  const av = Array.from(a.toTypedArray() as Float32Array);
  const bv = Array.from(b.toTypedArray() as Float32Array);
  const count = batch.reduce((x, y) => x * y, 1);
  const data: number[] = [];
  for (let i = 0; i < count; i++) {
    let rest = i;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = nd - 1; d >= 0; d--) {
      const idx = rest % batch[d];
      rest = Math.floor(rest / batch[d]);
      ia += (pa[d] === 1 ? 0 : idx) * sa;
      ib += (pb[d] === 1 ? 0 : idx) * sb;
      sa *= pa[d];
      sb *= pb[d];
    }
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += av[ia * m * k + r * k + j] * bv[ib * k * n + j * n + c];
        data.push(s);
      }
    }
  }
  return { shape: [...batch, m, n], data };
}

function expectMatches(got: Tensor, want: { shape: number[]; data: number[] }, tol = 1e-4): void {
  expect(got.shape).toEqual(want.shape);
  const g = got.toTypedArray() as Float32Array;
  const bad = want.data.findIndex((v, i) => !(Math.abs(g[i] - v) <= tol * (1 + Math.abs(v))));
  expect(bad, bad >= 0 ? `element ${bad}: ${g[bad]} vs ${want.data[bad]}` : '').toBe(-1);
}

describeOps(matmulOps);

describe('matmul gradients', () => {
  it('second order: grad of a gradient (createGraph)', () => {
    // y = sum(a·b); dy/da = 1·bᵀ; sum(dy/da) = m·sum(b), so its gradient in b is m everywhere.
    const a = rand([3, 4], 13, true);
    const b = rand([4, 2], 14, true);
    const [ga] = autograd.grad(matmul(a, b).sum(), a, { createGraph: true });
    ga!.sum().backward();
    expect(Array.from(b.grad!.data)).toEqual(new Array(8).fill(3));
  });
});

describe('matmul layouts', () => {
  it('transposed, sliced and expanded operands match the contiguous product', () => {
    const a = rand([5, 7], 20);
    const b = rand([7, 6], 21);
    const at = rand([7, 5], 22).mT; // strides [1, 5]: read through transA
    const bt = rand([6, 7], 23).mT;
    const sliced = rand([5, 14], 24).slice(1, 0, 14, 2); // column stride 2: copied
    for (const [x, y] of [
      [a, b],
      [at, b],
      [a, bt],
      [at, bt],
      [sliced, b],
      [sliced, bt],
    ]) {
      expectMatches(matmul(x, y), reference(x.contiguous(), y.contiguous()));
    }
  });

  it('batched: broadcast (stride 0) and permuted batch dims, and folding of [..., m, k] x [k, n]', () => {
    const a = rand([3, 2, 4, 5], 30);
    const b = rand([2, 5, 3], 31);
    expectMatches(matmul(a, b), reference(a, b));
    const perm = rand([2, 3, 4, 5], 32).permute(1, 0, 2, 3); // batch dims do not merge
    expectMatches(matmul(perm, b), reference(perm.contiguous(), b));
    const expanded = rand([1, 5, 3], 33).expand(4, 5, 3);
    const x = rand([4, 2, 5], 34);
    expectMatches(matmul(x, expanded), reference(x, expanded.contiguous()));
    const big = rand([2, 3, 37, 19], 35);
    const w = rand([19, 29], 36);
    expectMatches(matmul(big, w), reference(big, w));
    expectMatches(matmul(big.transpose(0, 1), w), reference(big.transpose(0, 1).contiguous(), w));
  });

  it('transposed views go to the GEMM as transpose flags; only unusable layouts are copied', () => {
    expect(matrixLayout(5, 7, 7, 1)).toEqual({ trans: false, ld: 7 });
    expect(matrixLayout(5, 7, 1, 5)).toEqual({ trans: true, ld: 5 });
    expect(matrixLayout(5, 7, 16, 1)).toEqual({ trans: false, ld: 16 }); // a row slice
    expect(matrixLayout(1, 7, 0, 1)).toEqual({ trans: false, ld: 7 });
    expect(matrixLayout(5, 1, 3, 0)).toEqual({ trans: false, ld: 3 });
    expect(matrixLayout(5, 7, 14, 2)).toBeNull();
    expect(matrixLayout(5, 7, 0, 1)).toBeNull(); // expanded rows
  });

  it('gradients of transposed and broadcast operands', () => {
    const at = rand([4, 3], 40, true);
    const b = rand([2, 4, 2], 41, true);
    expect(gradcheck((x, y) => matmul(x.mT, y), [at, b])).toBe(true);
  });

  it('same results on every ISA and at 1 and 2 threads', () => {
    const a = rand([3, 33, 17], 50);
    const b = rand([17, 40], 51).mT.contiguous().mT;
    const want = reference(a, b.contiguous());
    for (const isa of supportedIsas) {
      for (const threads of [1, 2]) withIsa(isa, () => withThreads(threads, () => expectMatches(matmul(a, b), want)));
    }
  });

  it('empty dims: k = 0 gives zeros, m = 0 or batch 0 give empty results', () => {
    expect(matmul(zeros([2, 0]), zeros([0, 3])).tolist()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(matmul(zeros([0, 2]), zeros([2, 3])).shape).toEqual([0, 3]);
    expect(matmul(zeros([0, 2, 2]), zeros([2, 3])).shape).toEqual([0, 2, 3]);
    expect(dot(zeros([0]), zeros([0])).item()).toBe(0);
  });

  it('methods and shapes of the 1-D rules', () => {
    const v = tensor([1, 2, 3]);
    const m = tensor([
      [1, 0, 0],
      [0, 2, 0],
    ]);
    expect(v.dot(v).item()).toBe(14);
    expect(m.mv(v).tolist()).toEqual([1, 4]);
    expect(m.matmul(v).tolist()).toEqual([1, 4]);
    expect(tensor([1, 1]).matmul(m).tolist()).toEqual([1, 2, 0]);
    expect(m.mm(m.mT).tolist()).toEqual([
      [1, 0],
      [0, 4],
    ]);
    expect(
      tensor([1, 2])
        .outer(tensor([3, 4, 5]))
        .tolist(),
    ).toEqual([
      [3, 4, 5],
      [6, 8, 10],
    ]);
    expect(m.unsqueeze(0).bmm(m.mT.unsqueeze(0)).shape).toEqual([1, 2, 2]);
    expect(matmul(v, v).shape).toEqual([]);
    expect(matmul(rand([3], 1), rand([2, 3, 4], 2)).shape).toEqual([2, 4]);
    expect(matmul(rand([2, 2, 3], 1), rand([3], 2)).shape).toEqual([2, 2]);
    expect(matmul(tensor([[1, 2]]), tensor([[3], [4]])).gradFn).toBeNull();
  });
});

describe('matmul errors', () => {
  it('names the op, both shapes and the sizes that clash', () => {
    expect(() => matmul(zeros([2, 3]), zeros([2, 3]))).toThrow(
      'matmul: shapes [2,3] and [2,3] cannot be multiplied (3 != 2)',
    );
    expect(() => matmul(zeros([3]), zeros([4]))).toThrow('matmul: shapes [3] and [4] cannot be multiplied (3 != 4)');
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 1]))).toThrow(
      /matmul: shapes \[2\] and \[3\] cannot be broadcast/,
    );
    expect(() => matmul(zeros([]), zeros([3]))).toThrow(/matmul: both arguments need at least 1 dim/);
    expect(() => matmul(zeros([2], { dtype: 'int32' }), zeros([2]))).toThrow(TypeError);
    expect(() => matmul(zeros([2]), [1, 2] as unknown as Tensor)).toThrow('matmul: other must be a Tensor, got object');
    expect(() => mm(zeros([2, 3, 1]), zeros([1, 2]))).toThrow('mm: input must be 2-D, got shape [2,3,1]');
    expect(() => mm(zeros([2, 3]), zeros([4, 2]))).toThrow('mm: shapes [2,3] and [4,2] cannot be multiplied (3 != 4)');
    expect(() => bmm(zeros([2, 2, 3]), zeros([3, 3, 2]))).toThrow(
      'bmm: batch sizes of [2,2,3] and [3,3,2] differ (2 != 3)',
    );
    expect(() => mv(zeros([2, 3]), zeros([2]))).toThrow('mv: shapes [2,3] and [2] cannot be multiplied (3 != 2)');
    expect(() => dot(zeros([3]), zeros([2, 3]))).toThrow('dot: other must be 1-D, got shape [2,3]');
    expect(() => outer(zeros([3, 1]), zeros([2]))).toThrow('outer: input must be 1-D, got shape [3,1]');
  });
});
