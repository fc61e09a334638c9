// Long rows sum their exps accurately. A float32 accumulator lane stops growing once it holds
// 2^24 times the terms it adds: a row of 2^31 equal values (8 GiB, more than a test may take)
// had its logsumexp at 20.41 instead of log(2^31) = 21.49. The kernels now sum blocks of 256
// terms in float32 registers and the blocks in double. The same loss shows at a size a test can
// hold with one term of 1 among terms of exp(-17) = 4.1e-8, below half an ulp of 1: the lane
// holding the 1 dropped every term it was given afterwards (1/32 of them with AVX-512's 32 lanes,
// half with the scalar kernel's 2). With blocks, that lane drops at most 128 of them.
import { describe, expect, it } from 'vitest';
import { crossEntropy, logSoftmax, logsumexp, softmax, Tensor, tensor } from '../../lib/index.js';
import { supportedIsas, withIsa, withThreads } from '../helpers/native.js';

const n = 2 ** 20;
const small = Math.exp(-17); // exact for the float32 input -17
const expectedSum = 1 + (n - 1) * small;
const row = (): Tensor => {
  const data = new Float32Array(n).fill(-17);
  data[0] = 0;
  return Tensor.fromData(data, [1, n]);
};

describe('a long row of one large and many small terms', () => {
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): logsumexp, softmax, logSoftmax and crossEntropy`, () => {
        withIsa(isa, () =>
          withThreads(threads, () => {
            const x = row();
            // The kernels' bound: 128 terms lost (scalar) is 5.3e-6 of the sum. Before blocks the
            // error was 1.3e-3 (AVX-512) to 2.2e-2 (scalar).
            const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThan(1e-5);
            near(logsumexp(x, 1).item() as number, Math.log(expectedSum));
            near((softmax(x, 1).toTypedArray()[0] as number) * expectedSum, 1);
            near(logSoftmax(x, 1).toTypedArray()[0] as number, -Math.log(expectedSum));
            near(crossEntropy(x, tensor([0], { dtype: 'int32' })).item() as number, Math.log(expectedSum));
          }),
        );
      });
    }
  }
});
