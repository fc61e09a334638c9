// lib/ops/softmax.ts: its ops through the op harness (declarations in test/ops/declarations/softmax.ts).
import { describe, expect, it } from 'vitest';
import type { FloatDType } from '../../lib/dtype.js';
import { autocast, nn, tensor } from '../../lib/index.js';
import { describeOps } from '../helpers/opinfo.js';
import { softmaxOps } from './declarations/softmax.js';

describeOps(softmaxOps);

// crossEntropy's dtype with a class weight of another dtype, and under autocast (PyTorch's
// float32 list: bfloat16 operands widened first), against PyTorch 1.13: the loss's dtype and
// value and the input gradient's dtype, for
//   x = [[0.5, -1, 2, 0], [1, 1, -0.5, 3]], probabilities [[0.1, 0.2, 0.3, 0.4], [0.25 x 4]]
//   or class indices [3, 0], weight [0.5, 1, 2, 1.5].
describe('crossEntropy: weight dtype promotion and autocast, as PyTorch 1.13', () => {
  const X = [
    [0.5, -1, 2, 0],
    [1, 1, -0.5, 3],
  ];
  const P = [
    [0.1, 0.2, 0.3, 0.4],
    [0.25, 0.25, 0.25, 0.25],
  ];
  type Row = [FloatDType, FloatDType, 'prob' | 'idx', boolean, FloatDType, number];
  // x's dtype, the weight's, the target, autocast, torch's loss dtype and value. (torch rounds its
  // bfloat16 log-probabilities before the product; the loss here is float32's from the same
  // bfloat16 inputs: within 2^-8 relative.)
  const rows: Row[] = [
    ['float32', 'float64', 'prob', false, 'float64', 2.60009828209877],
    ['bfloat16', 'float32', 'prob', false, 'float32', 2.602294921875],
    ['float64', 'bfloat16', 'prob', false, 'float64', 2.600098256889917],
    ['float32', 'bfloat16', 'prob', true, 'float32', 2.6000983715057373],
    ['bfloat16', 'bfloat16', 'prob', true, 'float32', 2.601423501968384],
    ['bfloat16', 'float64', 'prob', true, 'float64', 2.601423315703869],
    ['float32', 'bfloat16', 'idx', true, 'float32', 2.3225200176239014],
    ['bfloat16', 'bfloat16', 'idx', true, 'float32', 2.3225200176239014],
    ['bfloat16', 'float32', 'idx', true, 'float32', 2.3225200176239014],
  ];
  for (const [xd, wd, kind, ac, yd, want] of rows) {
    it(`${xd} logits, ${wd} weight, ${kind === 'prob' ? 'probabilities' : 'class indices'}${ac ? ', autocast' : ''}`, () => {
      const x = tensor(X).to(xd).requiresGrad_();
      const t = kind === 'prob' ? tensor(P).to(xd) : tensor([3, 0], { dtype: 'int32' });
      const run = () => nn.functional.crossEntropy(x, t, { weight: tensor([0.5, 1, 2, 1.5]).to(wd) });
      const y = ac ? autocast({}, run) : run();
      expect(y.dtype).toBe(yd);
      expect(Math.abs(y.item() - want)).toBeLessThanOrEqual((xd === 'bfloat16' ? 2 ** -8 : 1e-6) * want);
      y.backward();
      expect(x.grad?.dtype).toBe(xd);
    });
  }
});
