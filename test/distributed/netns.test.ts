// Two "hosts": network namespaces joined by a veth pair (10.231.7.1 <-> 10.231.7.2), one rank
// in each, so the rendezvous and Gloo's traffic cross an interface that is not loopback. Needs
// root and `ip` (iproute2); where either is missing, or namespaces cannot be made (a container
// without the capability), the test is skipped and says why. Only the namespaces made here
// are touched, and they are deleted afterwards.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, runRanks } from './helpers.js';

const tag = `myl${process.pid % 100000}`;
const ns = [`${tag}a`, `${tag}b`];
const addr = ['10.231.7.1', '10.231.7.2'];

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function txBytes(n: string, dev: string): number {
  const stats = ip('-n', n, '-s', 'link', 'show', dev);
  const lines = stats.split('\n');
  const i = lines.findIndex((l) => l.trim().startsWith('TX:'));
  return Number(lines[i + 1].trim().split(/\s+/)[0]);
}

function setUp(): string | null {
  if (process.getuid?.() !== 0) return 'not root (network namespaces need root)';
  try {
    ip('-V');
  } catch {
    return "the 'ip' command (iproute2) is not installed";
  }
  try {
    for (const n of ns) ip('netns', 'add', n);
    ip('link', 'add', `${tag}x`, 'type', 'veth', 'peer', 'name', `${tag}y`);
    ip('link', 'set', `${tag}x`, 'netns', ns[0]);
    ip('link', 'set', `${tag}y`, 'netns', ns[1]);
    [`${tag}x`, `${tag}y`].forEach((dev, i) => {
      ip('-n', ns[i], 'addr', 'add', `${addr[i]}/24`, 'dev', dev);
      ip('-n', ns[i], 'link', 'set', dev, 'up');
      ip('-n', ns[i], 'link', 'set', 'lo', 'up');
    });
    return null;
  } catch (e) {
    return `network namespaces cannot be made here: ${(e as Error).message.split('\n')[0]}`;
  }
}

function tearDown(): void {
  for (const n of ns) {
    try {
      ip('netns', 'del', n); // deletes the veth end inside it, and so the pair
    } catch {
      // was never made
    }
  }
}

const skipReason = setUp();
if (skipReason) {
  tearDown();
  console.log(`SKIPPED: two-host test over a veth pair: ${skipReason}`);
}

describe('two hosts in network namespaces joined by a veth pair', () => {
  afterAll(tearDown);

  it.skipIf(skipReason !== null)('one rank in each: rendezvous and collectives cross the veth pair', async () => {
    const before = txBytes(ns[1], `${tag}y`);
    const results = await runRanks('across.ts', 2, {
      env: { MASTER_ADDR: addr[0] },
      prefix: (rank) => ['ip', 'netns', 'exec', ns[rank]],
      deadlineMs: 120_000,
    });
    expect(
      results.every((r) => r.code === 0),
      explain(results),
    ).toBe(true);
    for (const r of results) expect(r.reports[0]).toMatchObject({ first: 3, last: 3, broadcast: 7 });
    // Rank 1 sent its half of the 4 MiB allreduce (and more) through its end of the pair.
    expect(txBytes(ns[1], `${tag}y`) - before).toBeGreaterThan(2 << 20);
  });
});
