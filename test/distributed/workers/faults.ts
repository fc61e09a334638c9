// One rank of the fault tests: allreduces in a loop until rank `victim` (argv[3]) fails at its
// 20th, in the way argv[2] says: kill (SIGKILL itself), crash (an uncaught error), hang (stops
// calling collectives, busy forever). The survivors report the error they get and when.
//   argv[4]: the process group's timeout in ms
import { distributed as dist, getNumThreads, zeros } from '../../../lib/index.js';
import { report } from '../helpers.js';

const [mode, victimText, timeoutText] = process.argv.slice(2);
const victim = Number(victimText);
dist.initProcessGroup({ timeout: Number(timeoutText ?? 5000) });
const rank = dist.getRank();
report({
  rank,
  env: {
    RANK: process.env.RANK,
    LOCAL_RANK: process.env.LOCAL_RANK,
    WORLD_SIZE: process.env.WORLD_SIZE,
    LOCAL_WORLD_SIZE: process.env.LOCAL_WORLD_SIZE,
    MYELIN_NUM_THREADS: process.env.MYELIN_NUM_THREADS,
  },
  threads: getNumThreads(),
});
const t = zeros([1024]);
let failedAt = 0;
for (let i = 0; ; i++) {
  if (rank === victim && i === 20) {
    if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
    if (mode === 'crash') throw new Error(`rank ${rank} crashed on purpose`);
    if (mode === 'hang') for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  }
  if (mode === 'none' && i === 20) break;
  try {
    if (i === 19) failedAt = Date.now(); // the victim fails right after this one
    dist.allReduce(t);
  } catch (e) {
    report({ rank, error: (e as Error).message, afterMs: Date.now() - failedAt });
    // Rank 0 hosts the rendezvous store, which goes with its process. Exiting at once races the
    // other survivors' diagnoses: one that asks the store after it is gone can only say that
    // rank 0 is lost. Linger so that each survivor's error names the rank that failed first.
    if (rank === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    process.exit(3);
  }
}
report({ rank, done: true });
dist.destroyProcessGroup();
