// The bad-input sweep: every callable of the public API called with each argument in turn
// replaced by a hostile value (wrong types, NaN/Inf, huge and negative sizes, empty, 5-D and
// non-contiguous tensors, out-of-range indices...), at 1 and 2 threads. Each call must return or
// throw an Error naming the function; a crash or a hang of the child process running the calls
// fails the test with the call that caused it. npm test sweeps every STRIDE-th call (a fixed
// sample, ~1/40 of them); MYELIN_SWEEP_STRIDE=1 sweeps them all (CI's full run).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const STRIDE = Number(process.env.MYELIN_SWEEP_STRIDE ?? 41);
const CHILD = path.resolve('test/api/bad_input_child.ts');
const LOADER = path.resolve('test/helpers/ts_loader.mjs');
const HANG_S = Number(process.env.MYELIN_SWEEP_TIMEOUT_S ?? 240);

function child(args: string[], threads: number, cwd: string, timeoutS: number) {
  return spawnSync(process.execPath, ['--import', LOADER, CHILD, ...args], {
    cwd,
    env: { ...process.env, MYELIN_NUM_THREADS: String(threads) },
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

interface Result {
  calls: number;
  returned: number;
  named: number;
  failures: { callable: string; position: string; value: string; error: string }[];
}

/** Runs calls [from, count) every stride-th, resuming after a crash; returns the outcomes and the calls that crashed. */
function sweep(count: number, threads: number): { results: Result[]; crashes: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-sweep-parent-'));
  const results: Result[] = [];
  const crashes: string[] = [];
  let from = 0;
  try {
    while (from < count) {
      const progress = path.join(dir, 'progress');
      const result = path.join(dir, 'result.json');
      fs.rmSync(result, { force: true });
      const r = child(['run', progress, result, String(from), String(count), String(STRIDE)], threads, dir, HANG_S);
      if (r.status === 0 && fs.existsSync(result)) {
        results.push(JSON.parse(fs.readFileSync(result, 'utf8')) as Result);
        break;
      }
      // A crash or a hang: the last index written is the call that did it; go on after it.
      const lines = fs.existsSync(progress) ? fs.readFileSync(progress, 'utf8').trim().split('\n') : [];
      const last = Number(lines.at(-1));
      if (!Number.isInteger(last)) throw new Error(`the sweep's child failed before its first call: ${r.stderr}`);
      const what = child(['describe', String(last)], threads, dir, 120).stdout.trim();
      crashes.push(`${what}: ${r.signal ? `killed by ${r.signal}` : `exit ${r.status}`} ${r.stderr.slice(-400)}`);
      from = last + STRIDE;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { results, crashes };
}

describe('bad input to every export', () => {
  const counted = child(['count'], 1, os.tmpdir(), 240);
  const { count } = JSON.parse(counted.stdout.trim().split('\n').at(-1) ?? '{}') as { count: number };

  it('the sweep covers the API', () => {
    expect(counted.status, counted.stderr).toBe(0);
    expect(count).toBeGreaterThan(40_000);
  });

  for (const threads of [1, 2]) {
    it(
      `${threads} thread(s): every call returns or throws an Error naming the function; no crash, no hang`,
      () => {
        const { results, crashes } = sweep(count, threads);
        expect(crashes).toEqual([]);
        const failures = results.flatMap((r) =>
          r.failures.map((f) => `${f.callable} (${f.position} = ${f.value}): ${f.error}`),
        );
        expect(failures).toEqual([]);
        const calls = results.reduce((n, r) => n + r.calls, 0);
        expect(calls).toBeGreaterThanOrEqual(Math.floor(count / STRIDE));
      },
      (2 * HANG_S + 120) * 1000,
    );
  }
});
