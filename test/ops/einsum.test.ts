import { describe, expect, it } from 'vitest';
import { autograd, einsum, enableGrad, gradcheck, matmul, outer, Tensor, tensor, zeros } from '../../lib/index.js';
import { randomFloats } from '../helpers/native.js';
import { describeOps } from '../helpers/opinfo.js';
import { einsumOps } from './declarations/einsum.js';

function rand(shape: number[], seed: number, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromData(randomFloats(n, seed), shape).requiresGrad_(requiresGrad);
}

function expectAllClose(a: Tensor, b: Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  expect(
    a.allclose(b, { rtol: tol, atol: tol }),
    `${JSON.stringify(a.tolist())} vs ${JSON.stringify(b.tolist())}`,
  ).toBe(true);
}

describeOps(einsumOps);

describe('einsum second-order gradients', () => {
  it('second order: gradients of a gradient (createGraph)', () => {
    // y = xᵀAz; dy/dx = Az; sum(dy/dx) = 1ᵀAz, whose gradients are z.grad = Aᵀ1, A.grad = 1zᵀ.
    const A = tensor(
      [
        [1, 2, 0],
        [0, 3, 1],
        [4, 0, 5],
      ],
      { requiresGrad: true },
    );
    const x = tensor([1, -1, 2], { requiresGrad: true });
    const z = tensor([2, 0, 1], { requiresGrad: true });
    const [gx] = autograd.grad(einsum('i,ij,j->', x, A, z), x, { createGraph: true });
    expect(gx!.tolist()).toEqual([2, 1, 13]);
    gx!.sum().backward();
    expect(z.grad!.tolist()).toEqual([5, 5, 6]);
    expect(A.grad!.tolist()).toEqual([
      [2, 0, 1],
      [2, 0, 1],
      [2, 0, 1],
    ]);
  });

  it('second order through a diagonal placement', () => {
    // y = sum_i D_ii w_i; dy/dD = diag(w); sum(dy/dD * C) has gradient diag(C) in w.
    const D = rand([3, 3], 30, true);
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const [gD] = autograd.grad(einsum('ii,i->', D, w), D, { createGraph: true });
    expect(gD!.tolist()).toEqual([
      [1, 0, 0],
      [0, 2, 0],
      [0, 0, 3],
    ]);
    const C = tensor([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    gD!.mul(C).sum().backward();
    expect(w.grad!.tolist()).toEqual([1, 5, 9]);
    // gradcheck's numeric passes run under noGrad; the inner gradient needs recording.
    const inner = (f: (v: Tensor) => Tensor, wrt: (v: Tensor) => Tensor) => (v: Tensor) =>
      enableGrad(() => autograd.grad(f(v), wrt(v), { createGraph: true })[0]!);
    expect(
      gradcheck(
        inner(
          (v) => einsum('ii,i->', D, v.pow(2)),
          () => D,
        ),
        [rand([3], 31, true)],
      ),
    ).toBe(true);
    const B = rand([2, 3, 3], 32);
    expect(
      gradcheck(
        inner(
          (v) => einsum('bii,bi->', B, v.pow(3)),
          (v) => v,
        ),
        [rand([2, 3], 33, true)],
      ),
    ).toBe(true);
  });
});

describe('einsum semantics', () => {
  it('equals matmul, trace, outer, bmm and transposes', () => {
    const A = rand([3, 4], 1);
    const B = rand([4, 5], 2);
    const x = rand([4], 3);
    expectAllClose(einsum('ij,jk->ik', A, B), matmul(A, B));
    expectAllClose(einsum('ij,j->i', A, x), matmul(A, x));
    const S = rand([4, 4], 4);
    const diag = (S.toTypedArray() as Float32Array).filter((_, i) => i % 5 === 0);
    expect(einsum('ii->', S).item()).toBeCloseTo(
      diag.reduce((a, b) => a + b, 0),
      5,
    );
    expectAllClose(einsum('i,j->ij', x, rand([2], 5)), outer(x, rand([2], 5)));
    const P = rand([3, 2, 4], 6);
    const Q = rand([3, 4, 2], 7);
    expectAllClose(einsum('bij,bjk->bik', P, Q), P.bmm(Q));
    expectAllClose(einsum('ij->ji', A), A.mT);
    expectAllClose(einsum('ji', A), A.mT); // implicit output: alphabetical
    expectAllClose(einsum('ij', A), A);
    expect(einsum('ba,ab', A, A.mT).shape).toEqual([]);
    expect(einsum('aB', A).shape).toEqual([4, 3]); // uppercase sorts first, as in torch
    expect(einsum('...ij,...jk', rand([2, 3, 4], 1), rand([4, 2], 2)).shape).toEqual([2, 3, 2]);
    expect(einsum('i...,i...->...', rand([2, 3], 1), rand([2, 1], 2)).shape).toEqual([3]);
  });

  it('non-contiguous operands and the array form', () => {
    const A = rand([4, 3], 10).mT;
    const B = rand([8, 6], 11).slice(0, 0, 8, 2).slice(1, 0, 6, 2); // strides [12, 2]
    expectAllClose(einsum('ij,jk->ik', A, B), matmul(A.contiguous(), B.contiguous()));
    expectAllClose(einsum('ij,jk->ik', [A, B]), einsum('ij,jk->ik', A.contiguous(), B.contiguous()));
    const E = rand([1, 3], 12).expand(4, 3);
    expectAllClose(einsum('ij,ij->i', E, E), einsum('ij,ij->i', E.contiguous(), E.contiguous()));
    expectAllClose(
      einsum('bii->b', rand([3, 4, 4], 13).permute(1, 2, 0).permute(2, 0, 1)),
      einsum('bii->b', rand([3, 4, 4], 13)),
    );
  });

  it('sums over labels of one operand, identity copies and empty sizes', () => {
    const A = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(einsum('ij->i', A).tolist()).toEqual([3, 7]);
    expect(einsum('ij,k->k', A, tensor([1, 2, 3])).tolist()).toEqual([10, 20, 30]);
    const id = einsum('ij->ij', A);
    expect(id.tolist()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(id.storage).not.toBe(A.storage);
    expect(einsum('i->', zeros([0])).item()).toBe(0);
    expect(einsum('ij,jk->ik', zeros([2, 0]), zeros([0, 3])).tolist()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(
      einsum(
        'ii->i',
        tensor([
          [0, 1, 2],
          [3, 4, 5],
          [6, 7, 8],
        ]),
      ).tolist(),
    ).toEqual([0, 4, 8]);
    expect(einsum('i,i,i->i', tensor([1, 2]), tensor([3, 4]), tensor([5, 6])).tolist()).toEqual([15, 48]);
    expect(einsum('i,j,k->ijk', tensor([1, 2]), tensor([1, 10]), tensor([1, 100])).shape).toEqual([2, 2, 2]);
  });

  it('one tensor as several operands gets the sum of their gradients', () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    const y = einsum('i,i->', x, x);
    expect(y.item()).toBe(14);
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, -4, 6]);
    expect(y.gradFn!.name).toBe('EinsumBackward');
  });
});

describe('einsum errors', () => {
  const A = zeros([2, 3]);
  const B = zeros([4, 5]);
  it('malformed equations', () => {
    expect(() => einsum('ij,jk->ik', A)).toThrow("einsum: equation 'ij,jk->ik' names 2 operands but 1 was given");
    expect(() => einsum('i%j', A)).toThrow("einsum: invalid subscript '%' in operand 0 of 'i%j'");
    expect(() => einsum('i.j', A)).toThrow(/'\.' in operand 0 of 'i\.j' is not part of an ellipsis/);
    expect(() => einsum('...i...', A)).toThrow(/more than one ellipsis/);
    expect(() => einsum('ij->i->j', A)).toThrow(/more than one '->'/);
    expect(() => einsum('ijk', A)).toThrow(
      "einsum: operand 0 has 2 dims (shape [2,3]) but its subscripts 'ijk' name 3 and no ellipsis was given",
    );
    expect(() => einsum('ij->k', A)).toThrow("einsum: output subscript 'k' of 'ij->k' does not appear in any operand");
    expect(() => einsum('ij->ii', A)).toThrow("einsum: output subscript 'i' of 'ij->ii' appears more than once");
    expect(() => einsum(3 as unknown as string, A)).toThrow(TypeError);
  });
  it('sizes, naming the subscript letter', () => {
    expect(() => einsum('ij,jk->ik', A, B)).toThrow(
      "einsum: subscript 'j' has size 3 in operand 0 (shape [2,3]) but 4 in operand 1 (shape [4,5]) of 'ij,jk->ik'",
    );
    expect(() => einsum('ii->', A)).toThrow(
      "einsum: subscript 'i' is repeated in operand 0 of 'ii->' with different sizes (2 != 3)",
    );
    expect(() => einsum('...i,...i->...', zeros([2, 3]), zeros([4, 3]))).toThrow(/subscript '\.\.\. dim 0' has size 2/);
  });
  it('operand types', () => {
    expect(() => einsum('i', [1, 2] as unknown as Tensor)).toThrow(/einsum: operand 0 must be a Tensor/);
    expect(() => einsum('i', zeros([2], { dtype: 'bool' }))).toThrow(/einsum: expected a float32 tensor, got bool/);
    expect(() => einsum('i,i', zeros([2], { dtype: 'int32' }), zeros([2]))).toThrow(
      /einsum: operands must all be float32 or all int32, got int32 and float32/,
    );
    expect(() => einsum('')).toThrow(/at least one operand/);
  });
});
