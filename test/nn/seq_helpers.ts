// Helpers of the sequence-module tests: the seq.json fixture and state-dict loading.
import { readFileSync } from 'node:fs';
import { Tensor, tensor } from '../../lib/index.js';
import { type Enc, fromEnc } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const seq: any = JSON.parse(readFileSync(new URL('../fixtures/seq.json', import.meta.url), 'utf8'));

export function stateOf(s: Record<string, Enc>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(s).map(([k, e]) => [k, fromEnc(e)]));
}

/** A bool (or float) mask tensor from its fixture encoding. */
export function maskOf(e: { shape: number[]; data: number[]; bool?: boolean }): Tensor {
  if (e.bool === false) return fromEnc(e);
  return new Tensor(tensor(Uint8Array.from(e.data), { dtype: 'bool' }).storage, e.shape);
}
