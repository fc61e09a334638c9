// myelin-run (the command is lib/distributed/run.ts): starts the processes of a distributed job on this machine (torchrun's flags, in
// kebab-case). Each process gets torchrun's environment (RANK, LOCAL_RANK, WORLD_SIZE,
// LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT) and cores / processes threads
// (MYELIN_NUM_THREADS, OMP_NUM_THREADS) unless the environment already sets them. Signals are
// forwarded to every process; when one fails the others are stopped, and the launcher exits
// with the failed process's exit code after showing the end of its error output. When the
// processes' threads fill the cores, node starts each with --single-threaded-gc.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';

export interface LaunchConfig {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  /** null with --standalone: a free port is picked. */
  masterPort: number | null;
  /** Milliseconds the others get between SIGTERM and SIGKILL once one has failed. */
  killTimeout: number;
  /** False with --no-single-threaded-gc: never add node's --single-threaded-gc. */
  singleThreadedGc: boolean;
  /** Threads of each local process (threadsOf): MYELIN_NUM_THREADS in every process's environment. */
  threads: number;
  script: string;
  args: string[];
}

export const USAGE = `usage: myelin-run [options] script.mjs [script args...]
  --nproc-per-node N   processes on this machine (a number, or 'cpu'/'auto': one per core); default 1
  --nnodes M           machines in the job; default 1
  --node-rank R        this machine's index in [0, M); default 0
  --master-addr A      address of the machine of rank 0 (node rank 0); default 127.0.0.1
  --master-port P      port rank 0's rendezvous store listens on; default 29500
  --standalone         a single-machine job on a free port of 127.0.0.1
  --kill-timeout S     seconds between SIGTERM and SIGKILL when stopping the others; default 10
  --no-single-threaded-gc
                       do not add node's --single-threaded-gc when the processes fill the cores
Each process runs \`node script args\` with RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE,
GROUP_RANK, MASTER_ADDR, MASTER_PORT set, and MYELIN_NUM_THREADS = cores / processes per node
(unless set). When processes x threads fill the cores, node runs with --single-threaded-gc
(V8's garbage collector on each process's own thread, off the other processes' cores).`;

const FLAGS = new Set([
  'nproc-per-node',
  'nnodes',
  'node-rank',
  'master-addr',
  'master-port',
  'standalone',
  'kill-timeout',
  'no-single-threaded-gc',
  'help',
]);
const SWITCHES = new Set(['standalone', 'no-single-threaded-gc', 'help']);

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  const v = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(
      `myelin-run: --${flag} must be an integer in [${min}, ${max}], got ${text === undefined ? 'nothing' : `'${text}'`}`,
    );
  }
  return v;
}

/**
 * Parses the command line (after `node launcher`) and the launcher's MYELIN_NUM_THREADS (in `env`).
 * Throws with a message naming what is wrong.
 */
export function parseArgs(
  argv: string[],
  cores = os.availableParallelism(),
  env: NodeJS.ProcessEnv = process.env,
): LaunchConfig | 'help' {
  const given = new Map<string, string | true>();
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('--')) break;
    // torchrun accepts both --nproc-per-node and --nproc_per_node.
    const [rawName, inline] = a.slice(2).split(/=(.*)/s, 2);
    const name = rawName.replace(/_/g, '-');
    if (!FLAGS.has(name)) throw new Error(`myelin-run: unknown option '${a}'\n${USAGE}`);
    if (SWITCHES.has(name)) {
      given.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`myelin-run: --${name} needs a value`);
    given.set(name, value);
  }
  if (given.has('help')) return 'help';
  const script = argv[i];
  if (!script) throw new Error(`myelin-run: no script to run\n${USAGE}`);
  const nprocText = (given.get('nproc-per-node') as string | undefined) ?? '1';
  const nprocPerNode =
    nprocText === 'cpu' || nprocText === 'auto' ? cores : integer('nproc-per-node', nprocText, 1, 4096);
  const nnodes = integer('nnodes', (given.get('nnodes') as string | undefined) ?? '1', 1, 1 << 16);
  const nodeRank = integer('node-rank', (given.get('node-rank') as string | undefined) ?? '0', 0, nnodes - 1);
  const standalone = given.has('standalone');
  if (standalone && (nnodes !== 1 || given.has('master-addr') || given.has('master-port'))) {
    throw new Error(
      'myelin-run: --standalone is a one-machine job on a free port: leave out --nnodes, --master-addr and --master-port',
    );
  }
  return {
    nprocPerNode,
    nnodes,
    nodeRank,
    masterAddr: (given.get('master-addr') as string | undefined) ?? '127.0.0.1',
    masterPort: standalone
      ? null
      : integer('master-port', (given.get('master-port') as string | undefined) ?? '29500', 1, 65535),
    killTimeout: 1000 * integer('kill-timeout', (given.get('kill-timeout') as string | undefined) ?? '10', 0, 3600),
    singleThreadedGc: !given.has('no-single-threaded-gc'),
    threads: threadsOf(env, cores, nprocPerNode),
    script,
    args: argv.slice(i + 1),
  };
}

/** Threads each local process gets: the cores divided among them (at least 1). */
export function threadsPerProcess(cores: number, nprocPerNode: number): number {
  return Math.max(1, Math.floor(cores / nprocPerNode));
}

/** The thread pool's largest size (the addon's kMaxThreads). */
const MAX_THREADS = 256;

/**
 * Threads each local process will run: MYELIN_NUM_THREADS when `env` sets it (not empty), else
 * threadsPerProcess. The value is read as the addon reads it (a decimal integer in [1, 256],
 * leading whitespace and a sign allowed, as strtol): what would stop every process loading
 * myelin stops the launcher instead, with the addon's message.
 */
export function threadsOf(env: NodeJS.ProcessEnv, cores: number, nprocPerNode: number): number {
  const text = env.MYELIN_NUM_THREADS;
  if (text === undefined || text === '') return threadsPerProcess(cores, nprocPerNode);
  const n = /^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_THREADS))
    throw new Error(`myelin-run: MYELIN_NUM_THREADS='${text}' is not an integer in [1, ${MAX_THREADS}]`);
  return n;
}

const SINGLE_THREADED_GC = '--single-threaded-gc';

/**
 * The node flag to add for `processes` local processes of `threadsEach` threads on `cores` CPUs:
 * `['--single-threaded-gc']` when they fill the cores (processes x threads >= cores), else `[]`;
 * also `[]` when `execArgv` (node's own flags) already has it or its `--no-` form, in either
 * spelling. V8's parallel and concurrent GC threads otherwise run on the cores the other
 * processes compute on: two 1-thread processes on 2 cores each ran at 0.58-0.66 of its speed
 * alone, and at 0.90-1.04 with the flag. Node refuses the flag in NODE_OPTIONS, so it goes on
 * the command line that starts each process.
 */
export function gcFlags(processes: number, threadsEach: number, cores: number, execArgv: readonly string[]): string[] {
  const decided = execArgv.some((a) => /^--(no-)?single[-_]threaded[-_]gc(=|$)/.test(a));
  return !decided && processes * threadsEach >= cores ? [SINGLE_THREADED_GC] : [];
}

/** The environment of local process `localRank`. */
export function processEnv(
  config: LaunchConfig,
  localRank: number,
  port: number,
  base: NodeJS.ProcessEnv,
  cores: number,
): NodeJS.ProcessEnv {
  return {
    ...base,
    RANK: String(config.nodeRank * config.nprocPerNode + localRank),
    LOCAL_RANK: String(localRank),
    WORLD_SIZE: String(config.nnodes * config.nprocPerNode),
    LOCAL_WORLD_SIZE: String(config.nprocPerNode),
    GROUP_RANK: String(config.nodeRank),
    MASTER_ADDR: config.masterAddr,
    MASTER_PORT: String(port),
    MYELIN_NUM_THREADS: String(config.threads),
    OMP_NUM_THREADS: base.OMP_NUM_THREADS || String(threadsPerProcess(cores, config.nprocPerNode)),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

interface Local {
  rank: number;
  localRank: number;
  child: ChildProcess;
  tail: string; // the end of its stderr
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
}

function exitCodeOf(exit: { code: number | null; signal: NodeJS.Signals | null }): number {
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? os.constants.signals[exit.signal] : 1;
  return 128 + (n ?? 1);
}

function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.code !== null ? `exit code ${exit.code}` : `signal ${exit.signal} (exit code ${exitCodeOf(exit)})`;
}

/** Runs the job; resolves with the launcher's exit code. */
export async function launch(config: LaunchConfig): Promise<number> {
  const port = config.masterPort ?? (await freePort());
  const cores = os.availableParallelism();
  const log = (msg: string) => process.stderr.write(`myelin-run: ${msg}\n`);
  const locals: Local[] = [];
  let failed: Local | null = null;
  let signalled: NodeJS.Signals | null = null;
  let killTimer: NodeJS.Timeout | null = null;

  const stopOthers = () => {
    for (const l of locals) if (!l.exit) l.child.kill('SIGTERM');
    killTimer ??= setTimeout(() => {
      for (const l of locals) if (!l.exit) l.child.kill('SIGKILL');
    }, config.killTimeout);
    killTimer.unref();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    signalled ??= sig;
    for (const l of locals) if (!l.exit) l.child.kill(sig);
    killTimer ??= setTimeout(() => {
      for (const l of locals) if (!l.exit) l.child.kill('SIGKILL');
    }, config.killTimeout);
    killTimer.unref();
  };
  for (const sig of FORWARDED) process.on(sig, onSignal);

  const { threads } = config;
  const extra = config.singleThreadedGc ? gcFlags(config.nprocPerNode, threads, cores, process.execArgv) : [];
  if (extra.length) {
    log(
      `${count(config.nprocPerNode, 'process', 'processes')} x ${count(threads, 'thread', 'threads')} fill the ${cores} CPUs: ` +
        `starting them with node ${extra.join(' ')} ` +
        `(V8's garbage collector on each process's own thread; --no-single-threaded-gc to not)`,
    );
  }
  const done = new Promise<void>((resolve) => {
    let left = config.nprocPerNode;
    for (let localRank = 0; localRank < config.nprocPerNode; localRank++) {
      const env = processEnv(config, localRank, port, process.env, cores);
      const child = spawn(process.execPath, [...process.execArgv, ...extra, config.script, ...config.args], {
        env,
        stdio: ['inherit', 'inherit', 'pipe'],
      });
      const l: Local = { rank: Number(env.RANK), localRank, child, tail: '', exit: null };
      locals.push(l);
      child.stderr!.on('data', (d: Buffer) => {
        process.stderr.write(d);
        l.tail = (l.tail + d.toString()).slice(-16384);
      });
      child.on('error', (e) => {
        l.tail += `\n${e.message}`;
      });
      child.on('close', (code, signal) => {
        l.exit = { code, signal };
        const bad = code !== 0;
        if (bad && !failed && !signalled) {
          failed = l;
          log(
            `rank ${l.rank} (local rank ${l.localRank}, pid ${child.pid}) failed with ${describeExit(l.exit)}; stopping the others`,
          );
          stopOthers();
        }
        if (--left === 0) resolve();
      });
    }
  });
  await done;
  if (killTimer) clearTimeout(killTimer);
  for (const sig of FORWARDED) process.off(sig, onSignal);

  if (signalled) {
    log(`stopped by ${signalled}`);
    return 128 + (os.constants.signals[signalled as NodeJS.Signals] ?? 1);
  }
  const first = failed as Local | null;
  if (!first?.exit) return 0;
  const lines = first.tail.trimEnd().split('\n').slice(-20).join('\n');
  log(
    `rank ${first.rank} failed first, with ${describeExit(first.exit)}. Its last error output:\n${lines || '(none)'}\n` +
      `myelin-run: the others: ${locals
        .filter((l) => l !== first)
        .map((l) => `rank ${l.rank} ${l.exit ? describeExit(l.exit) : 'still running'}`)
        .join(', ')}`,
  );
  return exitCodeOf(first.exit);
}

/** The command line: parses process.argv, runs the job, sets the exit code. */
export async function main(): Promise<void> {
  let config: LaunchConfig | 'help';
  try {
    config = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  process.exitCode = await launch(config);
}
