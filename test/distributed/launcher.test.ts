// myelin-run: the command line, each process's environment and threads, signal forwarding.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gcFlags, parseArgs, processEnv, threadsOf, threadsPerProcess } from '../../lib/distributed/launcher.js';
import { freePort, repoRoot, tsLoader, workersDir } from './helpers.js';

const launched = path.join(workersDir, 'launched.ts');
const reports = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('@@ '))
    .map((l) => JSON.parse(l.slice(3)));

describe('myelin-run command line', () => {
  it("takes torchrun's flags in kebab-case (and torchrun's snake_case spellings)", () => {
    const c = parseArgs(
      [
        '--nproc-per-node',
        '4',
        '--nnodes=2',
        '--node_rank',
        '1',
        '--master-addr',
        '10.0.0.1',
        '--master-port',
        '1234',
        'train.mjs',
        '--lr',
        '0.1',
      ],
      8,
    );
    expect(c).toMatchObject({
      nprocPerNode: 4,
      nnodes: 2,
      nodeRank: 1,
      masterAddr: '10.0.0.1',
      masterPort: 1234,
      script: 'train.mjs',
      args: ['--lr', '0.1'],
    });
    expect(parseArgs(['--nproc-per-node', 'cpu', 'x.mjs'], 6)).toMatchObject({ nprocPerNode: 6 });
    expect(parseArgs(['--standalone', 'x.mjs'], 2)).toMatchObject({ masterPort: null, masterAddr: '127.0.0.1' });
    expect(parseArgs(['--help'])).toBe('help');
  });

  it('rejects what it does not know, naming it', () => {
    expect(() => parseArgs(['--nproc-per-node', '0', 'x.mjs'])).toThrow(
      "--nproc-per-node must be an integer in [1, 4096], got '0'",
    );
    expect(() => parseArgs(['--nnodes', '2', '--node-rank', '2', 'x.mjs'])).toThrow(
      '--node-rank must be an integer in [0, 1]',
    );
    expect(() => parseArgs(['--max-restarts', '3', 'x.mjs'])).toThrow("unknown option '--max-restarts'");
    expect(() => parseArgs(['--nproc-per-node', '2'])).toThrow('no script to run');
    expect(() => parseArgs(['--standalone', '--master-port', '5', 'x.mjs'])).toThrow('--standalone');
  });

  it("gives each process torchrun's variables and cores / processes threads", () => {
    const c = parseArgs(['--nproc-per-node', '3', '--nnodes', '2', '--node-rank', '1', 'x.mjs'], 12, {});
    if (c === 'help') throw new Error('help');
    const env = processEnv(c, 2, 4321, {}, 12);
    expect(env).toMatchObject({
      RANK: '5',
      LOCAL_RANK: '2',
      WORLD_SIZE: '6',
      LOCAL_WORLD_SIZE: '3',
      GROUP_RANK: '1',
      MASTER_PORT: '4321',
      MYELIN_NUM_THREADS: '4',
      OMP_NUM_THREADS: '4',
    });
    expect(threadsPerProcess(2, 3)).toBe(1);
    expect(threadsPerProcess(16, 4)).toBe(4);
    expect(threadsOf({}, 12, 3)).toBe(4);
    expect(threadsOf({ MYELIN_NUM_THREADS: '7' }, 12, 3)).toBe(7);
  });

  it('reads MYELIN_NUM_THREADS as the addon does, once: the processes get the value the GC rule used', () => {
    const env = { MYELIN_NUM_THREADS: '' };
    const parse = () => parseArgs(['--nproc-per-node', '3', 'x.mjs'], 12, env);
    const read: Record<string, number> = { '7': 7, ' 2': 2, '+3': 3, '002': 2, '256': 256, '': 4 };
    for (const [text, n] of Object.entries(read)) {
      env.MYELIN_NUM_THREADS = text;
      const c = parse();
      if (c === 'help') throw new Error('help');
      expect(c.threads, text).toBe(n);
      expect(processEnv(c, 0, 1, env, 12).MYELIN_NUM_THREADS, text).toBe(String(n));
    }
    // What would stop each process loading myelin stops the launcher, with the addon's message.
    for (const bad of ['0', '-2', 'abc', '2x', '2.5', '1e1', '2 ', '0x10', '257', '99999999999999999999']) {
      env.MYELIN_NUM_THREADS = bad;
      expect(parse).toThrow(`myelin-run: MYELIN_NUM_THREADS='${bad}' is not an integer in [1, 256]`);
    }
  });

  it("adds node's --single-threaded-gc when the processes' threads fill the cores, once", () => {
    expect(gcFlags(2, 1, 2, [])).toEqual(['--single-threaded-gc']);
    expect(gcFlags(4, 1, 2, [])).toEqual(['--single-threaded-gc']); // oversubscribed
    expect(gcFlags(1, 16, 16, ['--import', 'x.mjs'])).toEqual(['--single-threaded-gc']);
    expect(gcFlags(2, 1, 3, [])).toEqual([]); // a core left for V8's threads
    expect(gcFlags(1, 1, 2, [])).toEqual([]);
    // node's own flags already decide: either spelling, either way
    expect(gcFlags(2, 1, 2, ['--single-threaded-gc'])).toEqual([]);
    expect(gcFlags(2, 1, 2, ['--single_threaded_gc'])).toEqual([]);
    expect(gcFlags(2, 1, 2, ['--no-single-threaded-gc'])).toEqual([]);
    expect(parseArgs(['x.mjs'], 2)).toMatchObject({ singleThreadedGc: true });
    expect(parseArgs(['--no-single-threaded-gc', 'x.mjs'], 2)).toMatchObject({ singleThreadedGc: false });
  });
});

describe('myelin-run runs a job', () => {
  it('starts the processes with their ranks and threads; they form one group', async () => {
    const r = spawnSync(
      process.execPath,
      [
        ...tsLoader,
        'lib/distributed/run.ts',
        '--nproc-per-node',
        '2',
        '--master-port',
        String(await freePort()),
        launched,
        'a',
        'b',
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, MYELIN_NUM_THREADS: '' } },
    );
    expect(r.status, r.stderr).toBe(0);
    const got = reports(r.stdout).sort((a, b) => a.rank - b.rank);
    expect(got.map((g) => g.env.RANK)).toEqual(['0', '1']);
    for (const g of got) {
      expect(g.env).toMatchObject({
        WORLD_SIZE: '2',
        LOCAL_WORLD_SIZE: '2',
        GROUP_RANK: '0',
        MASTER_ADDR: '127.0.0.1',
      });
      expect(g.env.LOCAL_RANK).toBe(g.env.RANK);
      expect(g.threads).toBe(threadsPerProcess(os.availableParallelism(), 2));
      expect(g.sum).toEqual([2, 2, 2]);
      expect(g.args).toEqual(['a', 'b']);
    }
  });

  // One process (a group of one) per case: its node flags as the launcher chose them.
  const flagsOf = async (launcherNodeFlags: string[], options: string[], env: Record<string, string>) => {
    const r = spawnSync(
      process.execPath,
      [...launcherNodeFlags, ...tsLoader, 'lib/distributed/run.ts', '--standalone', ...options, launched],
      { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, MYELIN_NUM_THREADS: '', ...env } },
    );
    expect(r.status, r.stderr).toBe(0);
    const [g] = reports(r.stdout);
    return { gc: g.execArgv.filter((a: string) => a.includes('single-threaded-gc')), stderr: r.stderr };
  };

  it("starts the processes with node's --single-threaded-gc when they fill the cores, and says so", async () => {
    const cores = os.availableParallelism();
    // 1 process with the default threads (all the cores) fills them
    const filled = await flagsOf([], ['--nproc-per-node', '1'], {});
    expect(filled.gc).toEqual(['--single-threaded-gc']);
    expect(filled.stderr).toContain(
      `myelin-run: 1 process x ${cores} thread${cores === 1 ? '' : 's'} fill the ${cores} CPUs: starting them with node --single-threaded-gc`,
    );
    // 1 thread of 2 or more cores does not (on a 1-core machine it does)
    const spare = await flagsOf([], ['--nproc-per-node', '1'], { MYELIN_NUM_THREADS: '1' });
    expect(spare.gc).toEqual(cores > 1 ? [] : ['--single-threaded-gc']);
    expect(spare.stderr.includes('single-threaded-gc')).toBe(cores === 1);
    // not twice when node already has it, and never with the opt-out
    expect((await flagsOf(['--single-threaded-gc'], [], {})).gc).toEqual(['--single-threaded-gc']);
    const off = await flagsOf([], ['--no-single-threaded-gc'], {});
    expect(off.gc).toEqual([]);
    expect(off.stderr).not.toContain('single-threaded-gc');
  });

  it('refuses a bad MYELIN_NUM_THREADS before starting anything (exit code 2)', () => {
    const r = spawnSync(process.execPath, [...tsLoader, 'lib/distributed/run.ts', '--standalone', launched], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, MYELIN_NUM_THREADS: '2.5' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("myelin-run: MYELIN_NUM_THREADS='2.5' is not an integer in [1, 256]");
    expect(r.stdout).toBe('');
  });

  it('forwards SIGTERM to every process and exits 128 + 15', async () => {
    const child = spawn(
      process.execPath,
      [...tsLoader, 'lib/distributed/run.ts', '--standalone', '--nproc-per-node', '2', launched, 'wait-signal'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const waiting = new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (reports(stdout).filter((x) => x.waiting).length === 2) resolve();
      });
    });
    await waiting;
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(143);
    expect(reports(stdout).filter((x) => x.signal === 'SIGTERM').length).toBe(2);
    expect(stderr).toContain('myelin-run: stopped by SIGTERM');
  });
});
