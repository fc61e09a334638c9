// One rank of the two-host test: an allreduce of 4 MiB and a broadcast between ranks that
// reach each other only through a veth pair; reports the sums and the address the store saw.
import { distributed as dist, tensor } from '../../../lib/index.js';
import { report } from '../helpers.js';

dist.initProcessGroup({ timeout: 30_000 });
const rank = dist.getRank();
const n = 1 << 20;
const t = tensor(new Float32Array(n).fill(rank + 1));
dist.allReduce(t);
const b = tensor(new Float32Array(16).fill(rank === 1 ? 7 : 0));
dist.broadcast(b, 1);
report({ rank, first: t.data[0], last: t.data[n - 1], broadcast: b.data[15] });
dist.destroyProcessGroup();
