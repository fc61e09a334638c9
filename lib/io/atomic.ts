// Atomic file replacement: the bytes go to a temporary file in the target's directory, which is
// fsynced and then renamed over the target (rename within one filesystem is atomic on POSIX),
// and the directory is fsynced so the rename itself is durable. A crash or kill at any moment
// leaves either the old file or the new one at `path`, never a mix; at worst a stray temporary
// file (named .<name>.tmp-<pid>-<random>) remains.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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
  const list = chunks instanceof Uint8Array ? [chunks] : chunks;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
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
