import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crossEntropy, logSoftmax, logsumexp, softmax } from '../../lib/ops/softmax.js';
import { tensor, Tensor } from '../../lib/index.js';
import { supportedIsas, withIsa } from '../helpers/native.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/softmax.json', import.meta.url), 'utf8'));

function close(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * (1 + Math.abs(want[i])))) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

function leaf(values: number[], shape: number[]): Tensor {
  return tensor(new Float32Array(values)).reshapeRaw(shape).requiresGrad_();
}

declare module '../../lib/tensor.js' {
  interface Tensor {
    reshapeRaw(shape: number[]): Tensor;
  }
}
Tensor.prototype.reshapeRaw = function (this: Tensor, shape: number[]) {
  return new Tensor(this.storage, shape);
};

const fns = { softmax, logSoftmax, logsumexp: (x: Tensor, d: number) => logsumexp(x, d) };

describe('softmax family against PyTorch', () => {
  for (const isa of supportedIsas) {
    it(`${isa}: softmax, logSoftmax, logsumexp forward and backward over every dim`, () => {
      withIsa(isa, () => {
        for (const name of ['softmax', 'logSoftmax', 'logsumexp'] as const) {
          for (const c of fx[name]) {
            const x = leaf(c.x, c.shape);
            const y = fns[name](x, c.dim);
            expect(y.shape).toEqual(c.yshape);
            close(y.toTypedArray(), c.y, 2e-6, `${name} ${c.shape} dim ${c.dim} forward`);
            y.backward(leaf(c.g, c.yshape).detach());
            close(x.grad!.toTypedArray(), c.dx, 1e-5, `${name} ${c.shape} dim ${c.dim} grad`);
          }
        }
      });
    });

    it(`${isa}: stable for logits like [1000, 2000, 3000]`, () => {
      withIsa(isa, () => {
        const x = tensor([[1000, 2000, 3000]]);
        close(softmax(x).toTypedArray(), fx.large.softmax, 0, 'softmax');
        close(logSoftmax(x).toTypedArray(), fx.large.logSoftmax, 0, 'logSoftmax');
        close(logsumexp(x, -1).toTypedArray(), fx.large.logsumexp, 0, 'logsumexp');
      });
    });

    it(`${isa}: crossEntropy matches torch for every option`, () => {
      withIsa(isa, () => {
        for (const c of fx.crossEntropy) {
          const x = leaf(c.x, c.shape);
          const target = c.probs
            ? tensor(new Float32Array(c.target)).reshapeRaw(c.shape)
            : tensor(new Int32Array(c.target)).reshapeRaw(c.targetShape);
          const opts = {
            reduction: c.options.reduction,
            ignoreIndex: c.options.ignore_index,
            labelSmoothing: c.options.label_smoothing,
            weight: c.weight ? tensor(new Float32Array(c.weight)) : undefined,
          };
          const loss = crossEntropy(x, target, opts);
          expect(loss.shape, c.name).toEqual(c.lossShape);
          close(loss.toTypedArray(), c.loss, 2e-6, `${c.name} loss`);
          loss.backward(leaf(c.g, c.lossShape).detach());
          close(x.grad!.toTypedArray(), c.dx, 1e-5, `${c.name} grad`);
        }
      });
    });
  }

  it('crossEntropy rejects bad targets with clear errors', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => crossEntropy(x, tensor(new Int32Array([0, 3])))).toThrow(
      /crossEntropy: target 3 is out of bounds for 3 classes \(row 1\)/,
    );
    expect(() => crossEntropy(x, tensor(new Int32Array([0, -1])))).toThrow(/target -1 is out of bounds/);
    expect(() => crossEntropy(x, tensor([true, false]))).toThrow(
      /crossEntropy: target must be int32 class indices of shape \[2\] or float32 class probabilities of the input's shape \[2,3\]; got a bool Tensor of shape \[2\]/,
    );
    expect(() => crossEntropy(x, tensor(new Int32Array([0, 1, 2])))).toThrow(
      /target must be int32 class indices of shape \[2\] .*; got an int32 Tensor of shape \[3\]/,
    );
    // Labels left as float32 (the usual slip): the message says to cast them.
    expect(() => crossEntropy(x, tensor([0, 1]))).toThrow(
      /got a float32 Tensor of shape \[2\] \(class labels must be int32: cast them with \.int\(\)\)/,
    );
    expect(() => crossEntropy(x, tensor(new Int32Array([0, 1])), { reduction: 'avg' as never })).toThrow(
      /reduction must be/,
    );
    expect(() => crossEntropy(x, tensor(new Int32Array([0, 1])), { labelSmoothing: 2 })).toThrow(
      /labelSmoothing must be in \[0, 1\]/,
    );
    expect(() => softmax(x, 2)).toThrow(/softmax: dim 2 is out of range for a tensor of 2 dims/);
  });
});
