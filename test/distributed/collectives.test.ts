// Every collective and op on 2 and 3 ranks over 127.0.0.1, against a single-process reference
// (test/distributed/workers/collectives.ts checks each result), through each init method.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain, freePort, runRanks } from './helpers.js';

async function expectAllPass(world: number, initMethod: string): Promise<void> {
  const results = await runRanks('collectives.ts', world, { args: [initMethod] });
  expect(
    results.every((r) => r.code === 0),
    explain(results),
  ).toBe(true);
  for (const r of results) {
    const [rep] = r.reports as { failures: string[]; checks: number; size: number; initialized: boolean }[];
    expect(rep.failures, `rank ${r.rank}`).toEqual([]);
    expect(rep.checks).toBeGreaterThan(150);
    expect(rep.size).toBe(world);
    expect(rep.initialized).toBe(true);
  }
}

describe('collectives against a single-process reference', () => {
  it('2 ranks, env://', () => expectAllPass(2, 'env://'));
  it('3 ranks, env://', () => expectAllPass(3, 'env://'));
  it('2 ranks, tcp://127.0.0.1:port', async () => expectAllPass(2, `tcp://127.0.0.1:${await freePort()}`));
  it('3 ranks, file:///path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-rdv-'));
    try {
      await expectAllPass(3, `file://${path.join(dir, 'rendezvous')}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
