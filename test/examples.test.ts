// Runs every example as a child process (small settings) against the sources and checks what it prints.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(example: string, ...args: string[]): string {
  return execFileSync(process.execPath, ['--import', './test/helpers/examples_loader.mjs', `examples/${example}`, ...args], {
    cwd: root, encoding: 'utf8', env: process.env, timeout: 30_000,
  });
}

describe('examples', () => {
  it('xor.mjs learns XOR (seed 002)', () => {
    const out = run('xor.mjs', '300');
    expect(out).toMatch(/predictions: \[0,1,1,0\]/);
    expect(out).toMatch(/accuracy: 100%/);
  });

  it('seed000_init_variance.mjs: He keeps the variance, Xavier decays, N(0,0.01) vanishes', () => {
    const rows = run('seed000_init_variance.mjs').trim().split('\n');
    expect(rows[0]).toMatch(/layer +Xavier +He +N\(0,0\.01\)/);
    const last = rows[rows.length - 1].trim().split(/ +/).map(Number);
    expect(last[0]).toBe(10);
    expect(last[1]).toBeLessThan(0.01); // Xavier + ReLU: about halved per layer
    expect(last[2]).toBeGreaterThan(0.2); // He: about constant
    expect(last[2]).toBeLessThan(5);
    expect(last[3]).toBeLessThan(1e-15); // N(0, 0.01): vanished
  });

  it('seed000_batchnorm.mjs: train normalises, running stats converge, eval leaves them alone', () => {
    const out = run('seed000_batchnorm.mjs', '50');
    expect(out).toMatch(/train-mode output: mean -?0\.0000, std 1\.0000/);
    const [, rm, rv] = out.match(/running_mean ~ ([\d.-]+), running_var ~ ([\d.]+)/)!.map(Number);
    expect(Math.abs(rm - 5)).toBeLessThan(1);
    expect(Math.abs(rv - 100)).toBeLessThan(20);
    expect(out).toMatch(/num_batches_tracked 50/);
    expect(out).toMatch(/eval leaves the running statistics alone: true/);
  });

  it('seed000_residual.mjs: the residual network keeps its gradient, the plain one loses it', () => {
    const out = run('seed000_residual.mjs', '50');
    const grad = (name: string) => Number(out.match(new RegExp(`${name} +network: .*gradient norm at layer 1 ([\\d.e+-]+)`))![1]);
    expect(grad('plain')).toBeLessThan(1e-20);
    expect(grad('residual')).toBeGreaterThan(1);
  });

  it('mlp_synthetic.mjs: the loss falls and the test accuracy is high', () => {
    const out = run('mlp_synthetic.mjs', '3');
    expect(out).toMatch(/Total params: /);
    const losses = [...out.matchAll(/train loss ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(3);
    expect(losses[2]).toBeLessThan(losses[0] / 2);
    const acc = Number(out.match(/epoch 3: .*test accuracy ([\d.]+)%/)![1]);
    expect(acc).toBeGreaterThan(90);
  });
});
