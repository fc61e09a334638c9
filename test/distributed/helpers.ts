// Multi-process test harness: starts one child process per rank (the TypeScript sources through
// test/helpers/ts_loader.mjs), each with torchrun's environment, and collects what they print.
// A worker reports with lines `@@ {json}`; everything else is kept as its log.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const workersDir = path.join(repoRoot, 'test/distributed/workers');
export const tsLoader = ['--import', './test/helpers/ts_loader.mjs'];

export interface RankResult {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Parsed `@@ {json}` lines. */
  reports: Record<string, unknown>[];
  stdout: string;
  stderr: string;
  /** Milliseconds from the start to this process's exit. */
  ms: number;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Extra environment per rank. */
  rankEnv?: (rank: number) => Record<string, string>;
  /** Kill every child still running after this many milliseconds (default 120 s). */
  deadlineMs?: number;
  /** The command to run a rank with, instead of node (e.g. ['ip', 'netns', 'exec', 'ns0']): prefix of argv. */
  prefix?: (rank: number) => string[];
  /** Called with each child once started. */
  onSpawn?: (rank: number, child: ChildProcess) => void;
  /** Once these ranks have exited, SIGKILL the others (a hung rank the survivors gave up on). */
  killRestAfter?: number[];
}

/** Runs `worker` (a file in test/distributed/workers) as ranks 0..world-1 on 127.0.0.1. */
export async function runRanks(worker: string, world: number, options: RunOptions = {}): Promise<RankResult[]> {
  const port = await freePort();
  const started = Date.now();
  const script = path.join(workersDir, worker);
  const children: ChildProcess[] = [];
  const exited = new Set<number>();
  return Promise.all(
    Array.from({ length: world }, (_, rank) => {
      const env = {
        ...process.env,
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: String(port),
        RANK: String(rank),
        WORLD_SIZE: String(world),
        LOCAL_RANK: String(rank),
        LOCAL_WORLD_SIZE: String(world),
        MYELIN_NUM_THREADS: '1',
        ...options.env,
        ...options.rankEnv?.(rank),
      };
      const argv = [process.execPath, ...tsLoader, script, ...(options.args ?? [])];
      const full = [...(options.prefix?.(rank) ?? []), ...argv];
      return new Promise<RankResult>((resolve) => {
        const child = spawn(full[0], full.slice(1), { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
        children[rank] = child;
        options.onSpawn?.(rank, child);
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d) => (stdout += d));
        child.stderr!.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), options.deadlineMs ?? 120_000);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          exited.add(rank);
          if (options.killRestAfter?.every((r) => exited.has(r))) {
            children.forEach((c, r) => !exited.has(r) && c.kill('SIGKILL'));
          }
          const reports = stdout
            .split('\n')
            .filter((l) => l.startsWith('@@ '))
            .map((l) => JSON.parse(l.slice(3)) as Record<string, unknown>);
          resolve({ rank, code, signal, reports, stdout, stderr, ms: Date.now() - started });
        });
      });
    }),
  );
}

/** What a failed rank printed, for assertion messages. */
export function explain(results: RankResult[]): string {
  return results
    .map(
      (r) =>
        `--- rank ${r.rank}: exit ${r.code ?? r.signal} after ${r.ms} ms\n${r.stdout.slice(-3000)}${r.stderr.slice(-3000)}`,
    )
    .join('\n');
}

/** In a worker: report a JSON value to the parent. */
export function report(value: Record<string, unknown>): void {
  process.stdout.write(`@@ ${JSON.stringify(value)}\n`);
}
