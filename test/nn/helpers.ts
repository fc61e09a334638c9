// Shared helpers of the nn tests: the nn.json fixture, shaped leaves, closeness checks.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Tensor, tensor } from '../../lib/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fx: any = JSON.parse(readFileSync(new URL('../fixtures/nn.json', import.meta.url), 'utf8'));

export interface Enc {
  shape: number[];
  data: number[];
}

/** A float32 tensor of `shape` over `values` (a leaf that requires grad when asked). */
export function shaped(values: number[], shape: readonly number[], requiresGrad = false): Tensor {
  const t = new Tensor(tensor(new Float32Array(values)).storage, shape);
  return requiresGrad ? t.requiresGrad_() : t;
}

export function fromEnc(e: Enc, requiresGrad = false): Tensor {
  return shaped(e.data, e.shape, requiresGrad);
}

export function ints(e: Enc): Tensor {
  return new Tensor(tensor(new Int32Array(e.data)).storage, e.shape);
}

/** |got - want| <= tol * (1 + |want|) elementwise, naming the first bad element. */
export function close(
  got: Tensor | ArrayLike<number> | null | undefined,
  want: number[],
  tol: number,
  what: string,
): void {
  expect(got, `${what}: missing`).toBeTruthy();
  const g = got instanceof Tensor ? got.toTypedArray() : got!;
  expect(g.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(g[i] - want[i]);
    if (!(err <= tol * (1 + Math.abs(want[i])))) throw new Error(`${what}[${i}]: got ${g[i]}, want ${want[i]}`);
  }
}
