// examples/ddp_fashion_mnist.mjs through myelin-run: 2 processes, one epoch of the embedded
// Fashion-MNIST slice; the loss falls, the accuracy is that of a trained model, rank 0 saves.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

describe('examples/ddp_fashion_mnist.mjs', () => {
  it('trains on 2 processes started by myelin-run and saves a checkpoint', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-ddp-example-'));
    try {
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          './test/helpers/examples_loader.mjs',
          'lib/distributed/run.ts',
          '--standalone',
          '--nproc-per-node',
          '2',
          'examples/ddp_fashion_mnist.mjs',
          '--epochs',
          '2',
          '--out',
          out,
        ],
        { cwd: repoRoot, encoding: 'utf8', timeout: 180_000 },
      );
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('2 processes, 4000 training images (2000 a process per epoch), model mlp');
      const epochs = [...r.stdout.matchAll(/epoch (\d): train loss ([\d.]+), test accuracy ([\d.]+)/g)];
      expect(epochs.length).toBe(2);
      expect(Number(epochs[1][2])).toBeLessThan(Number(epochs[0][2]));
      expect(Number(epochs[1][3])).toBeGreaterThan(0.6);
      expect(fs.existsSync(path.join(out, 'checkpoint.safetensors'))).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
