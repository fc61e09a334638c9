// Atomic file replacement: the bytes go to a temporary file in the target's directory, which is
// fsynced and then renamed over the target (rename within one filesystem is atomic on POSIX),
// and the directory is fsynced so the rename itself is durable. A crash or kill at any moment
// leaves either the old file or the new one at `path`, never a mix; at worst a stray temporary
// file remains, and the next write (or checkpoint load) of the same path removes it.
//
// A temporary file is named .<name>.tmp-<host>-<boot>-<pid>-<start>-<random>: the host and boot
// tags (hashes of the host name and the kernel's boot id), the writer's pid and its start time
// (in clock ticks since boot, from /proc). Together they tell whether the writer still runs: a
// pid alone may have been reused by another process since. Only temporaries of the same target
// whose writer is gone are removed: never another file's, never one a live process is writing,
// never one written from another host (on a shared filesystem this one cannot tell).
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { checkPath, describe } from '../errors.js';

function tag(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

const HOST = tag(hostname());
const BOOT = tag(readOr('/proc/sys/kernel/random/boot_id', 'unknown-boot'));

/** A process's start time (clock ticks since boot), or null where /proc does not say. */
function startTime(pid: number): string | null {
  const stat = readOr(`/proc/${pid}/stat`, '');
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.length > 19 ? fields[19] : null;
}

const SELF_START = startTime(process.pid) ?? '0';

/** Whether process `pid`, started at `start` (null: unknown), is still running. */
function writerAlive(pid: number, start: string | null): boolean {
  if (pid === process.pid && (start === null || start === SELF_START)) return true;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
  // The pid exists; it is the writer only if it started when the writer did.
  if (start === null) return true;
  const now = startTime(pid);
  return now === null || now === start;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes the temporary files that interrupted writes of `path` left behind (see the file
 * comment for which ones). Best effort: a file that cannot be listed or removed is left.
 * Returns the names removed.
 */
export function removeStaleTemporaries(path: string): string[] {
  const dir = dirname(path);
  const name = escapeRegExp(basename(path));
  // Today's names, and the older .<name>.tmp-<pid>-<random> that carried no start time.
  const current = new RegExp(`^\\.${name}\\.tmp-([0-9a-f]{8})-([0-9a-f]{8})-(\\d+)-(\\d+)-[0-9a-f]{8}$`);
  const older = new RegExp(`^\\.${name}\\.tmp-(\\d+)-[0-9a-f]{8}$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const f of names) {
    let stale = false;
    const m = current.exec(f);
    if (m) {
      if (m[1] !== HOST) continue;
      stale = m[2] !== BOOT || !writerAlive(Number(m[3]), m[4]);
    } else {
      const o = older.exec(f);
      if (!o) continue;
      stale = !writerAlive(Number(o[1]), null);
    }
    if (!stale) continue;
    try {
      unlinkSync(join(dir, f));
      removed.push(f);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/** The name of a new temporary file for `path`, tagged with this process (see the file comment). */
export function temporaryName(path: string): string {
  const random = randomBytes(4).toString('hex');
  return join(dirname(path), `.${basename(path)}.tmp-${HOST}-${BOOT}-${process.pid}-${SELF_START}-${random}`);
}

/** Writes all of `chunks` to `fd` (writeSync may write less than asked). */
function writeAll(fd: number, chunks: readonly Uint8Array[]): void {
  for (const chunk of chunks) {
    let done = 0;
    while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
  }
}

function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // some platforms cannot open directories; the rename already happened
  }
  try {
    fsyncSync(fd);
  } catch {
    // EINVAL/EISDIR on filesystems without directory fsync: nothing more to do.
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with the concatenation of `chunks`, atomically and durably. */
export function writeFileAtomic(path: string, chunks: Uint8Array | readonly Uint8Array[]): void {
  checkPath('io.writeFileAtomic', path);
  const list = chunks instanceof Uint8Array ? [chunks] : chunks;
  if (!Array.isArray(list) || !list.every((c) => c instanceof Uint8Array))
    throw new TypeError(`io.writeFileAtomic: chunks must be a Uint8Array or an array of them, got ${describe(chunks)}`);
  const dir = dirname(path);
  removeStaleTemporaries(path);
  const tmp = temporaryName(path);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    throw new Error(
      `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} creating a temporary file in ${dir}`,
    );
  }
  let renamed = false;
  try {
    try {
      writeAll(fd, list);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }
  fsyncDirectory(dir);
}
