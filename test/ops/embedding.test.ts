// lib/ops/embedding.ts: its ops through the op harness (declarations in test/ops/declarations/embedding.ts).
import { describe, expect, it } from 'vitest';
import { autograd, enableGrad, nn, tensor } from '../../lib/index.js';
import { describeOps } from '../helpers/opinfo.js';
import { embeddingOps } from './declarations/embedding.js';

describeOps(embeddingOps);

describe('embedding with paddingIdx', () => {
  // The padding row is looked up but gets no gradient (torch's semantics, which finite
  // differences disagree with, so the harness's gradcheck cannot cover it).
  it("the weight's gradient, differentiated with respect to the output gradient, skips the padding positions", () => {
    const w = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]).requiresGrad_();
    const idx = tensor([[1, 0, 2, 1]], { dtype: 'int32' });
    const y = nn.functional.embedding(idx, w, { paddingIdx: 1 });
    const u = tensor([
      [
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ],
    ]).requiresGrad_();
    const [gw] = enableGrad(() => autograd.grad(y, w, { gradOutputs: [u], createGraph: true }));
    expect(gw!.tolist()).toEqual([
      [2, 2],
      [0, 0],
      [3, 3],
    ]);
    const r = tensor([
      [1, -1],
      [10, 20],
      [100, 200],
    ]);
    const [gu] = autograd.grad(gw!.mul(r).sum(), u);
    expect(gu!.tolist()).toEqual([
      [
        [0, 0],
        [1, -1],
        [100, 200],
        [0, 0],
      ],
    ]);
  });
});
