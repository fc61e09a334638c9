// The op declarations as a whole (test/ops/declarations/): every lib/ops file with ops has its
// declarations and a test file that runs them, names are unique, and every PyTorch golden case
// of the fixture files the harness reads is replayed by some declaration.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../helpers/fixtures.js';
import { declarationsByFile } from './declarations/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const all = Object.values(declarationsByFile).flat();

// lib/ops files without declarations, and why: they hold no op of their own.
const noOps: Record<string, string> = {
  methods: 'Tensor methods that call ops declared elsewhere (and data accessors)',
  inplace: 'in-place variants (x.add_, copy_...): the version counter and view rules, tested in inplace.test.ts',
  rnn_layer: 'the recurrent layer op behind nn.RNN/LSTM/GRU, checked through the modules (test/nn/rnn.test.ts)',
};

describe('op declarations', () => {
  it('cover every lib/ops file with ops, each run by test/ops/<file>.test.ts', () => {
    const files = readdirSync(path.join(root, 'lib', 'ops')).map((f) => f.replace(/\.ts$/, ''));
    for (const f of files) {
      if (noOps[f]) continue;
      expect(declarationsByFile[f], `lib/ops/${f}.ts has no declarations`).toBeDefined();
    }
    for (const f of Object.keys(declarationsByFile)) {
      const test = path.join(root, 'test', 'ops', `${f}.test.ts`);
      expect(existsSync(test), `test/ops/${f}.test.ts`).toBe(true);
      const camel = f.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
      expect(readFileSync(test, 'utf8'), `test/ops/${f}.test.ts runs ${camel}Ops`).toContain(
        `describeOps(${camel}Ops)`,
      );
    }
  });

  it('have unique names', () => {
    const names = all.map((d) => d.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('replay every golden case of the fixtures they read', () => {
    const sources = new Set(all.flatMap((d) => d.fixtures ?? []).map((g) => g.source));
    const want: string[] = [];
    const groups = (file: string, names: string[]) => {
      const fx = loadFixture<Record<string, unknown[]>>(file);
      for (const g of names) fx[g].forEach((_, i) => want.push(`${file}.json ${g} #${i}`));
    };
    groups('tensor_ops', ['cases']);
    groups('linalg', ['matmul', 'einsum', 'indexing']);
    groups(
      'conv',
      Object.keys(loadFixture('conv')).filter((k) => k !== 'torch'),
    );
    groups('softmax', ['softmax', 'logSoftmax', 'logsumexp', 'crossEntropy']);
    for (const name of ['softmax', 'logSoftmax', 'logsumexp']) want.push(`softmax.json large ${name}`);
    groups('nn', ['activations', 'losses', 'nll']);
    groups('cnn_layers', ['interpolate', 'pad']);
    expect(want.filter((s) => !sources.has(s))).toEqual([]);
    expect(want.length).toBeGreaterThan(250);
  });
});
