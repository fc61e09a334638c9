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
  else warnOnReferenceBlas(python);
  return python;
}

/**
 * Debian's torch calls whichever libblas.so.3 the alternatives system picks: without OpenBLAS
 * installed that is the reference BLAS, whose GEMMs run 20-40x slower (F1: 133 s against 7 s on
 * a Zen 3 core), which would flatter every ratio. Says so on stderr.
 */
function warnOnReferenceBlas(py) {
  const probe =
    'import torch;torch.ones(8,8)@torch.ones(8,8);print("/blas/libblas.so" in open("/proc/self/maps").read())';
  const r = spawnSync(py, ['-c', probe], { encoding: 'utf8', env: peerEnv(1) });
  if (r.status === 0 && r.stdout.trim() === 'True')
    console.error(
      "bench: PyTorch's BLAS is the reference BLAS (no OpenBLAS installed): its matrix products run 20-40x slower; apt-get install libopenblas0-pthread",
    );
}

/**
 * The peer's environment, as myelin runs: `threads` OpenMP and OpenBLAS threads (OpenBLAS's own
 * pool otherwise spins on the other cores), OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset (set on some
 * machines for old OpenBLAS builds, they force slower kernels), and glibc's malloc tuned as
 * myelin tunes its own (freed large buffers are not returned to the OS and faulted back).
 */
export function peerEnv(threads) {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  env.GLIBC_TUNABLES ??= 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456';
  return env;
}

/**
 * Runs python (the one findPython picked) with `args` at `threads` OpenMP threads and returns
 * the JSON its last line of output prints. Throws when there is no such python or it fails.
 */
export function runPython(args, threads) {
  const py = findPython();
  if (!py) throw new Error('bench: no python3 with torch (apt-get install python3-torch, or set TORCH_PYTHON)');
  // OpenBLAS/OMP settings of the parent must not leak into the peer's thread count.
  const r = spawnSync(py, args, { encoding: 'utf8', env: peerEnv(threads), maxBuffer: 1 << 24 });
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
