// A process started by myelin-run: reports its environment and thread count, joins the group,
// and with argv[2] === 'wait-signal' waits for SIGTERM and reports it.
import { distributed as dist, getNumThreads, ones } from '../../../lib/index.js';
import { report } from '../helpers.js';

dist.initProcessGroup({ timeout: 60_000 });
const t = ones([3]);
dist.allReduce(t);
const pick = (k: string) => process.env[k];
report({
  rank: dist.getRank(),
  env: Object.fromEntries(
    ['RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'LOCAL_WORLD_SIZE', 'GROUP_RANK', 'MASTER_ADDR', 'MYELIN_NUM_THREADS'].map(
      (k) => [k, pick(k)],
    ),
  ),
  threads: getNumThreads(),
  execArgv: process.execArgv,
  sum: [...t.data],
  args: process.argv.slice(2),
});
if (process.argv[2] === 'wait-signal') {
  process.on('SIGTERM', () => {
    report({ rank: dist.getRank(), signal: 'SIGTERM' });
    process.exit(0);
  });
  report({ rank: dist.getRank(), waiting: true });
  setInterval(() => {}, 1000);
} else {
  dist.destroyProcessGroup();
}
