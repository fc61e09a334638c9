// A large model for the checkpoint atomicity test (about 16 MB of parameters), pure TypeScript.
import { zeros } from '../../lib/creation.js';
import { Module } from '../../lib/nn/module.js';
import { Parameter } from '../../lib/nn/parameter.js';
import type { Tensor } from '../../lib/tensor.js';

export const BIG = 1 << 21;

export class BigModel extends Module {
  a = new Parameter(zeros([BIG]));
  b = new Parameter(zeros([BIG / 1024, 1024]));
  forward(x: Tensor): Tensor {
    return x;
  }
  fill(v: number): void {
    (this.a.data as Float32Array).fill(v);
    (this.b.data as Float32Array).fill(v);
  }
}
