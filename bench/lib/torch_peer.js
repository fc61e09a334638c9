// Runs the PyTorch side of a workload (bench/peers/torch_bench.py) in a child process, at one
// thread count. The interpreter: $TORCH_PYTHON, else the first of python3 and Debian's system
// python3 that imports torch. Returns null (and says why on stderr) when none does.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'torch_bench.py');
let python;

export function findPython() {
  if (python !== undefined) return python;
  const candidates = process.env.TORCH_PYTHON ? [process.env.TORCH_PYTHON] : ['python3', '/usr/bin/python3'];
  python = null;
  for (const c of candidates) {
    const r = spawnSync(c, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) {
      python = c;
      break;
    }
  }
  if (!python)
    console.error(
      'bench: no python3 with torch found (apt-get install python3-torch, or set TORCH_PYTHON); PyTorch columns are left empty',
    );
  return python;
}

/**
 * Runs python (the one findPython picked) with `args` at `threads` OpenMP threads and returns
 * the JSON its last line of output prints. Throws when there is no such python or it fails.
 */
export function runPython(args, threads) {
  const py = findPython();
  if (!py) throw new Error('bench: no python3 with torch (apt-get install python3-torch, or set TORCH_PYTHON)');
  // OpenBLAS/OMP settings of the parent must not leak into the peer's thread count.
  const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(py, args, { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  const what = args[0].startsWith('-') ? 'an inline script' : args[0];
  if (r.status !== 0) throw new Error(`bench: ${py} ${what} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

export function torchRows(id, threads, extraArgs = []) {
  if (!findPython()) return null;
  try {
    return runPython([script, id, '--threads', String(threads), ...extraArgs], threads);
  } catch (e) {
    console.error(e.message);
    return null;
  }
}
