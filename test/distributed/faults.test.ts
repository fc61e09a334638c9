// A rank that is killed, crashes or hangs: the others fail within the group's timeout with an
// error naming it (test/distributed/workers/faults.ts), and myelin-run exits non-zero naming it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain, freePort, repoRoot, type RankResult, runRanks, tsLoader, workersDir } from './helpers.js';

const TIMEOUT_MS = 4000;

function survivors(results: RankResult[], victim: number) {
  return results
    .filter((r) => r.rank !== victim)
    .map((r) => ({
      r,
      failure: r.reports.find((x) => 'error' in x) as { error: string; afterMs: number } | undefined,
    }));
}

describe('a lost rank', () => {
  for (const mode of ['kill', 'crash'] as const) {
    it(`${mode}: the others fail at once, naming rank 1`, async () => {
      const results = await runRanks('faults.ts', 3, { args: [mode, '1', String(TIMEOUT_MS)] });
      const victim = results[1];
      if (mode === 'kill') expect(victim.signal, explain(results)).toBe('SIGKILL');
      else expect(victim.code, explain(results)).toBe(1);
      for (const { r, failure } of survivors(results, 1)) {
        expect(failure, explain(results)).toBeDefined();
        expect(failure!.error).toMatch(/^allReduce: rank 1 is lost: its connection closed without leaving the group/);
        // Gloo sees the closed connection at once: no waiting for the timeout.
        expect(failure!.afterMs, `rank ${r.rank}`).toBeLessThan(TIMEOUT_MS);
        expect(r.code).toBe(3);
      }
    });
  }

  it('hang: the others fail after the timeout, naming rank 1 and the collective it did not reach', async () => {
    const results = await runRanks('faults.ts', 3, { args: ['hang', '1', String(TIMEOUT_MS)], killRestAfter: [0, 2] });
    for (const { failure } of survivors(results, 1)) {
      expect(failure, explain(results)).toBeDefined();
      expect(failure!.error).toMatch(
        /^allReduce: rank 1 did not reach allReduce #21 within the timeout of 4000 ms \(rank 1's last collective was #20\)/,
      );
      expect(failure!.afterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
      expect(failure!.afterMs).toBeLessThan(TIMEOUT_MS + 15_000);
    }
  });
});

describe('myelin-run when a rank fails', () => {
  it("stops the others and exits with the failed rank's code, showing its last error", async () => {
    const port = await freePort();
    const r = spawnSync(
      process.execPath,
      [
        ...tsLoader,
        'lib/distributed/run.ts',
        '--nproc-per-node',
        '3',
        '--master-port',
        String(port),
        '--kill-timeout',
        '5',
        path.join(workersDir, 'faults.ts'),
        'crash',
        '1',
        String(TIMEOUT_MS),
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('myelin-run: rank 1 failed first, with exit code 1. Its last error output:');
    expect(r.stderr).toMatch(/Its last error output:[\s\S]*Error: rank 1 crashed on purpose/);
  });

  it('a killed rank: exit code 137 (128 + SIGKILL)', async () => {
    const port = await freePort();
    const r = spawnSync(
      process.execPath,
      [
        ...tsLoader,
        'lib/distributed/run.ts',
        '--nproc-per-node',
        '2',
        '--master-port',
        String(port),
        path.join(workersDir, 'faults.ts'),
        'kill',
        '0',
        String(TIMEOUT_MS),
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(137);
    expect(r.stderr).toContain('rank 0 failed first, with signal SIGKILL (exit code 137)');
  });
});
