// Shared seed 000 ("linear algebra for deep learning"), sections 1-3: tensors, einsum and
// autograd, ported line by line from its NumPy/PyTorch code. Each test asserts what the seed
// prints or states in its comments.
import { describe, expect, it } from 'vitest';
import { bmm, einsum, manualSeed, matmul, outer, randn, relu, sum, type Tensor, tensor } from '../../lib/index.js';

manualSeed(0);

function close(a: Tensor, b: Tensor, tol = 1e-4): boolean {
  return a.allclose(b, { rtol: tol, atol: tol });
}

describe('seed 000 §1 tensor operations', () => {
  it('1.1 the hierarchy: scalar, vector, matrix, n-tensor', () => {
    const v = tensor([1, 2, 3]);
    const M = tensor([
      [1, 2],
      [3, 4],
    ]);
    const T = randn([3, 4, 5]);
    expect(v.shape).toEqual([3]);
    expect(M.shape).toEqual([2, 2]);
    expect(T.shape).toEqual([3, 4, 5]);
    expect(tensor(3.14).ndim).toBe(0);
  });

  const batchImages = randn([32, 3, 224, 224]); // NCHW
  it('1.2 axes: shape and means along axes', () => {
    expect(batchImages.shape).toEqual([32, 3, 224, 224]);
    expect([batchImages.shape[0], batchImages.shape[1], batchImages.shape[2], batchImages.shape[3]]).toEqual([
      32, 3, 224, 224,
    ]);
    const batchMean = batchImages.mean(0);
    const spatialMean = batchImages.mean([2, 3]);
    const globalMean = batchImages.mean();
    expect(batchMean.shape).toEqual([3, 224, 224]);
    expect(spatialMean.shape).toEqual([32, 3]);
    expect(globalMean.shape).toEqual([]);
    expect(Math.abs(globalMean.item() as number)).toBeLessThan(0.005); // 4.8M standard normals
    // the spatial mean of image 0, channel 1 is the mean of that 224x224 plane
    const plane = batchImages.select(0, 0).select(0, 1);
    expect(spatialMean.select(0, 0).select(0, 1).item()).toBeCloseTo(plane.mean().item() as number, 5);
  });

  it('1.3 broadcasting: per-channel normalisation keeps (32, 3, 224, 224)', () => {
    const A = batchImages;
    const mean = tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1);
    const std = tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1);
    const normalized = A.sub(mean).div(std);
    expect(normalized.shape).toEqual([32, 3, 224, 224]);
    expect(mean.shape).toEqual([1, 3, 1, 1]);
    const a = A.select(0, 5).select(0, 1).select(0, 7).select(0, 9).item() as number;
    const n = normalized.select(0, 5).select(0, 1).select(0, 7).select(0, 9).item() as number;
    expect(n).toBeCloseTo((a - 0.456) / 0.224, 4);
  });

  it('1.4 shape changes: reshape, view, transpose, permute, squeeze, unsqueeze', () => {
    const x = randn([32, 3, 224, 224]);
    expect(x.reshape(32, -1).shape).toEqual([32, 3 * 224 * 224]);
    const xView = x.view(32, 3, -1);
    const xReshaped = x.reshape(32, 3, -1);
    expect(xView.shape).toEqual([32, 3, 224 * 224]);
    expect(xView.equal(xReshaped)).toBe(true); // "동일": the same
    expect(xView.storage).toBe(x.storage); // a view of contiguous memory
    expect(x.transpose(1, 2).shape).toEqual([32, 224, 3, 224]);
    expect(x.permute(0, 2, 3, 1).shape).toEqual([32, 224, 224, 3]); // NCHW -> NHWC
    const xSqueezed = randn([32, 1, 224, 224]).squeeze(1);
    const xUnsqueezed = xSqueezed.unsqueeze(1);
    expect(xSqueezed.shape).toEqual([32, 224, 224]);
    expect(xUnsqueezed.shape).toEqual([32, 1, 224, 224]);
  });

  it('exercise 1: NCHW -> NHWC, spatial means (32, 3), per-channel standardisation', () => {
    const images = randn([32, 3, 64, 64])
      .mul(tensor([1, 2, 3]).reshape(1, 3, 1, 1))
      .add(5);
    const nhwc = images.permute(0, 2, 3, 1);
    expect(nhwc.shape).toEqual([32, 64, 64, 3]);
    expect(nhwc.select(3, 2).equal(images.select(1, 2))).toBe(true);
    expect(images.mean([2, 3]).shape).toEqual([32, 3]);
    const channelMean = images.mean([0, 2, 3], true);
    const channelStd = images.std([0, 2, 3], { keepdim: true });
    expect(channelStd.shape).toEqual([1, 3, 1, 1]);
    [1, 2, 3].forEach((s, c) => expect(channelStd.select(1, c).item()).toBeCloseTo(s, 1));
    const normalized = images.sub(channelMean).div(channelStd);
    const m = normalized.mean([0, 2, 3]);
    const sd = normalized.std([0, 2, 3]);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(m.select(0, c).item() as number)).toBeLessThan(1e-4);
      expect(sd.select(0, c).item()).toBeCloseTo(1, 4);
    }
  });
});

describe('seed 000 §2 einsum', () => {
  it('2.2 matrix-vector, matrix product, trace and outer product agree with the direct forms', () => {
    let A = randn([3, 4]);
    const x = randn([4]);
    expect(close(matmul(A, x), einsum('ij,j->i', A, x))).toBe(true);

    A = randn([3, 4]);
    const B = randn([4, 5]);
    expect(close(A.matmul(B), einsum('ij,jk->ik', A, B))).toBe(true);

    A = randn([4, 4]);
    const diag = [0, 1, 2, 3].map((i) => A.select(0, i).select(0, i).item() as number);
    expect(einsum('ii->', A).item()).toBeCloseTo(
      diag.reduce((s, v) => s + v, 0),
      5,
    );

    const a = tensor([1, 2, 3]);
    const b = tensor([4, 5]);
    const C1 = outer(a, b);
    const C2 = einsum('i,j->ij', a, b);
    expect(C2.tolist()).toEqual([
      [4, 5],
      [8, 10],
      [12, 15],
    ]);
    expect(close(C1, C2)).toBe(true);
  });

  it('2.3 batched matrix product: einsum bij,bjk->bik equals bmm', () => {
    const [batchSize, n, m, p] = [32, 10, 20, 15];
    const A = randn([batchSize, n, m]);
    const B = randn([batchSize, m, p]);
    const C1 = einsum('bij,bjk->bik', A, B);
    const C2 = bmm(A, B);
    expect(close(C1, C2)).toBe(true);
    expect(A.shape).toEqual([32, 10, 20]);
    expect(B.shape).toEqual([32, 20, 15]);
    expect(C1.shape).toEqual([32, 10, 15]);
  });

  it('2.4 attention with einsum: output (32, 10, 64), weights (32, 10, 10) whose rows sum to 1', () => {
    function attentionEinsum(Q: Tensor, K: Tensor, V: Tensor): [Tensor, Tensor] {
      const dK = Q.shape[Q.ndim - 1];
      const scores = einsum('bqd,bkd->bqk', Q, K).div(Math.sqrt(dK));
      let weights = scores.sub(scores.amax(-1, true)).exp();
      weights = weights.div(weights.sum(-1, true));
      const output = einsum('bqk,bkv->bqv', weights, V);
      return [output, weights];
    }
    const [batch, seqLen, dModel] = [32, 10, 64];
    const Q = randn([batch, seqLen, dModel]);
    const K = randn([batch, seqLen, dModel]);
    const V = randn([batch, seqLen, dModel]);
    const [output, weights] = attentionEinsum(Q, K, V);
    expect(output.shape).toEqual([32, 10, 64]);
    expect(weights.shape).toEqual([32, 10, 10]);
    expect(close(weights.sum(-1), tensor(new Float32Array(320).fill(1)).reshape(32, 10), 1e-5)).toBe(true);
    // the same as the matmul form softmax(QKᵀ/√d)·V
    const direct = matmul(weights, V);
    expect(close(output, direct)).toBe(true);
    expect(close(einsum('bqd,bkd->bqk', Q, K), matmul(Q, K.mT))).toBe(true);
  });

  it('2.5 bilinear form, batched bilinear form and a tensor contraction', () => {
    const A = randn([5, 5]);
    const x = randn([5]);
    const y = randn([5]);
    const result1 = matmul(matmul(x, A), y);
    const result2 = einsum('i,ij,j->', x, A, y);
    expect(result2.shape).toEqual([]);
    expect(close(result1, result2)).toBe(true);

    const xBatch = randn([32, 5]);
    const yBatch = randn([32, 5]);
    const result = einsum('bi,ij,bj->b', xBatch, A, yBatch);
    expect(result.shape).toEqual([32]);
    expect(close(result, matmul(xBatch, A).mul(yBatch).sum(1))).toBe(true);

    const T1 = randn([3, 4, 5]);
    const T2 = randn([5, 6, 7]);
    const C = einsum('ijk,klm->ijlm', T1, T2);
    expect(C.shape).toEqual([3, 4, 6, 7]);
    expect(close(C, matmul(T1.reshape(12, 5), T2.reshape(5, 42)).reshape(3, 4, 6, 7))).toBe(true);
  });

  it('exercise 2: batched trace, multi-head QKᵀ and a 4-D contraction', () => {
    const M = randn([8, 4, 4]);
    const traces = einsum('bii->b', M);
    expect(traces.shape).toEqual([8]);
    for (let b = 0; b < 8; b++) {
      const mb = M.select(0, b);
      expect(traces.select(0, b).item()).toBeCloseTo(einsum('ii->', mb).item() as number, 5);
    }
    const Q = randn([2, 4, 6, 8]); // (batch, heads, query, d)
    const K = randn([2, 4, 5, 8]);
    const scores = einsum('bhqd,bhkd->bhqk', Q, K);
    expect(scores.shape).toEqual([2, 4, 6, 5]);
    expect(close(scores, matmul(Q, K.transpose(-2, -1)))).toBe(true);
    const X = randn([2, 3, 4, 5]);
    const Y = randn([4, 5, 6, 7]);
    const Z = einsum('abcd,cdef->abef', X, Y);
    expect(Z.shape).toEqual([2, 3, 6, 7]);
    expect(close(Z, matmul(X.reshape(6, 20), Y.reshape(20, 42)).reshape(2, 3, 6, 7))).toBe(true);
  });
});

describe('seed 000 §3 automatic differentiation', () => {
  it('3.1 computational graph: z = x² + xy + y², z = 19, ∂z/∂x = 7, ∂z/∂y = 8', () => {
    const x = tensor(2.0, { requiresGrad: true });
    const y = tensor(3.0, { requiresGrad: true });
    const z = x.pow(2).add(x.mul(y)).add(y.pow(2));
    z.backward();
    expect(z.item()).toBe(19);
    expect(x.grad!.item()).toBe(7); // 2x + y
    expect(y.grad!.item()).toBe(8); // x + 2y
  });

  it("3.2 forward mode example: f(x) = x² + 2x + 1, f(3) = 16, f'(3) = 8 (here by reverse mode)", () => {
    const x = tensor(3.0, { requiresGrad: true });
    const y = x.pow(2).add(x.mul(2)).add(1);
    y.backward();
    expect(y.item()).toBe(16);
    expect(x.grad!.item()).toBe(8);
  });

  it('3.3 reverse mode: y = x @ w + b, loss = ||y||²; gradient shapes (3,), (3, 2), (2,)', () => {
    const x = tensor([1.0, 2.0, 3.0], { requiresGrad: true });
    const w = tensor(
      [
        [1.0, 2.0],
        [3.0, 4.0],
        [5.0, 6.0],
      ],
      { requiresGrad: true },
    );
    const b = tensor([1.0, 1.0], { requiresGrad: true });
    const y = x.matmul(w).add(b);
    const loss = y.pow(2).sum();
    loss.backward();
    expect(y.tolist()).toEqual([23, 29]);
    expect(loss.item()).toBe(1370);
    expect(x.grad!.shape).toEqual([3]);
    expect(w.grad!.shape).toEqual([3, 2]);
    expect(b.grad!.shape).toEqual([2]);
    // dL/dy = 2y = [46, 58]: dL/dx = w·dL/dy, dL/dw = x ⊗ dL/dy, dL/db = dL/dy
    expect(x.grad!.tolist()).toEqual([162, 370, 578]);
    expect(w.grad!.tolist()).toEqual([
      [46, 58],
      [92, 116],
      [138, 174],
    ]);
    expect(b.grad!.tolist()).toEqual([46, 58]);
  });

  it('3.4 one backward pass gives the gradients of all 10,000,000 parameters', () => {
    function forwardPass(params: Tensor[]): Tensor {
      let x = randn([1000, 1000]);
      for (const p of params) x = relu(x.matmul(p));
      return sum(x);
    }
    const nParams = 10;
    const paramList = Array.from({ length: nParams }, () => randn([1000, 1000], { requiresGrad: true }));
    const loss = forwardPass(paramList);
    loss.backward();
    expect(paramList.reduce((n, p) => n + p.numel(), 0)).toBe(10_000_000);
    for (const p of paramList) expect(p.grad!.shape).toEqual([1000, 1000]);
    for (const p of [paramList[0], paramList[nParams - 1]]) {
      const total = p.grad!.abs().sum().item() as number;
      expect(total > 0 && Number.isFinite(total)).toBe(true);
    }
  });
});
