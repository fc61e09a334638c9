// Every function of the raw binding called with hostile arguments (hostile_sweep_child.mjs) in a
// child process at 1 and 2 threads: each call returns or throws an Error naming the function;
// no call crashes the process, hangs, or takes more than a second.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addonPath, repoRoot } from '../helpers/addon_path.js';

interface Report {
  done: boolean;
  calls: number;
  returned: number;
  threw: number;
  bad: string[];
  slow: string[];
}

// Runs the sweep; rejects with the last call started when the child crashes or goes quiet.
function sweep(threads: number): Promise<Report> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'test/native/hostile_sweep_child.mjs'), addonPath(), String(threads)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let last = '(none)';
  let pending = '';
  let report: Report | null = null;
  let stderr = '';
  return new Promise((resolve, reject) => {
    let watchdog: NodeJS.Timeout;
    const quiet = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no progress for 20 s (a hang) in ${last}`));
      }, 20_000);
    };
    quiet();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() as string;
      for (const line of lines) {
        if (line.startsWith('{')) report = JSON.parse(line) as Report;
        else last = line;
      }
      quiet();
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      if (report && code === 0) resolve(report);
      else
        reject(new Error(`the child exited (code ${code}, signal ${signal}) during ${last}: ${stderr.slice(-2000)}`));
    });
  });
}

describe('the raw binding under a hostile sweep', () => {
  it('every call returns or throws an Error naming its function, at 1 and 2 threads', async () => {
    const reports = await Promise.all([sweep(1), sweep(2)]);
    for (const r of reports) {
      expect(r.done).toBe(true);
      expect(r.bad).toEqual([]);
      expect(r.slow).toEqual([]);
      // The sweep is not vacuous: thousands of calls, most refused, some computed.
      expect(r.calls).toBeGreaterThan(10_000);
      expect(r.returned).toBeGreaterThan(500);
    }
  }, 120_000);
});
