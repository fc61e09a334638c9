// Loads PyTorch golden values from test/fixtures/*.json (written by scripts/gen_fixtures_*.py)
// and turns their encoded tensors into myelin tensors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Tensor, tensor } from '../../lib/index.js';

/** A tensor as the fixture scripts encode it. */
export interface EncodedTensor {
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  data: (number | boolean)[];
}

/** One case: inputs, output (and indices), the output gradient and the input gradients. */
export interface FixtureCase {
  name: string;
  args: Record<string, unknown>;
  inputs: EncodedTensor[];
  output: EncodedTensor;
  indices?: EncodedTensor;
  gradOutput?: EncodedTensor;
  grads?: (EncodedTensor | null)[];
}

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The parsed JSON of test/fixtures/<name>.json. */
export function loadFixture<T = Record<string, FixtureCase[]>>(name: string): T {
  return JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as T;
}

/** A fresh tensor from an encoded one (float32 inputs may ask for gradients). */
export function decode(e: EncodedTensor, requiresGrad = false): Tensor {
  const flat = tensor(e.data.map(Number), { dtype: e.dtype });
  const t = Tensor.fromData(flat.storage.data, e.shape);
  return t.requiresGrad_(requiresGrad && e.dtype === 'float32');
}

/** Asserts t has e's shape and values within atol + rtol * |expected| (exact for ints/bools). */
export function expectClose(t: Tensor | null, e: EncodedTensor, what: string, atol = 1e-4, rtol = 1e-4): void {
  expect(t, `${what}: missing`).not.toBeNull();
  expect(t!.shape, `${what}: shape`).toEqual(e.shape);
  const got = Array.from(t!.toTypedArray() as ArrayLike<number>);
  const want = e.data.map(Number);
  if (e.dtype !== 'float32') {
    expect(got, `${what}: values`).toEqual(want);
    return;
  }
  got.forEach((v, i) => {
    const tol = atol + rtol * Math.abs(want[i]);
    if (!(Math.abs(v - want[i]) <= tol)) {
      expect.fail(`${what}: element ${i} is ${v}, expected ${want[i]} (tolerance ${tol})`);
    }
  });
}
