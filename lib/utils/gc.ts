// V8's collector at the user's request: a training loop's tensors are ArrayBuffers, and V8 runs
// a full collection about once a step for them (a CNN step of ~45 MiB: ~0.7 to 1 a step on Node
// 20), each with its pause and its concurrent marker thread's share of a core, which at 2 pool
// threads competes with the pool. A larger heap growing factor lets the heap grow further
// between full collections: fewer of them, for some more memory. V8's settings are the
// process's, so the library changes them only when asked (setGcMode or MYELIN_GC at load).
import v8 from 'node:v8';
import { checkOneOf, describe } from '../errors.js';

/**
 * How V8's collector runs: `'default'` as V8 sizes its heap by itself; `'throughput'` lets the
 * heap grow 5x (V8's `--heap-growing-percent=400`) between full collections.
 */
export type GcMode = 'default' | 'throughput';

const MODES: readonly GcMode[] = ['default', 'throughput'];

// 400 (a growing factor of 5) beat 100 and 200 (factors 2 and 3 are below V8's own, up to 4:
// more full collections than the default on the M1 MLP) and --no-concurrent-marking, which
// cut full collections further but raised peak RSS ~60% on Node 20 and ~100% on Node 24. 0 is
// V8's own default: the factor computed from the collector's speed.
const FLAGS: Record<GcMode, string> = {
  default: '--heap-growing-percent=0',
  throughput: '--heap-growing-percent=400',
};

let current: GcMode = 'default';

/**
 * Trades memory for training throughput by changing how V8's garbage collector sizes its heap,
 * and returns the mode that was in effect. `'throughput'` lets V8's heap grow 5x between full
 * collections (V8's `--heap-growing-percent=400`): on Node 20 and 22 a small CNN's training step
 * runs about a third of the full collections it ran, for +13 to +43 MB of peak RSS over 100 steps
 * (7 to 25%), and more over long runs (a CNN ran no full collection in 16,000 steps, its RSS
 * still climbing); on Node 24 it cuts them by only ~15%. `'default'` gives V8 back its own sizing
 * (`--heap-growing-percent=0`; a value given on node's command line is not restored).
 * Process-wide (V8's flags are the process's, shared by its worker_threads), off by default;
 * `MYELIN_GC=throughput` in the environment sets it when myelin loads. `getGcMode()` reads it.
 */
export function setGcMode(mode: GcMode): GcMode {
  checkOneOf('utils.setGcMode', 'mode', mode, MODES);
  const prior = current;
  v8.setFlagsFromString(FLAGS[mode]);
  current = mode;
  return prior;
}

/** The mode setGcMode (or MYELIN_GC) last set in this thread: `'default'` unless one was set. */
export function getGcMode(): GcMode {
  return current;
}

// MYELIN_GC, read once at load: a script's own process opts in without editing the script.
const fromEnv = process.env.MYELIN_GC;
if (fromEnv !== undefined && fromEnv !== '') {
  if (!(MODES as readonly string[]).includes(fromEnv)) {
    throw new RangeError(`MYELIN_GC must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${describe(fromEnv)}`);
  }
  if (fromEnv !== 'default') setGcMode(fromEnv as GcMode);
}
