// Bounded reading for the file parsers. A parser pulls bytes from a ByteSource as its header
// tells it how many it needs, and asks the source how many it can still hold before it
// allocates, so a file never makes it read (or inflate) more than the header declares, nor
// allocate more than the file can fill: /dev/zero, a FIFO, a gzip bomb or a header that
// declares terabytes each end in an error after a bounded amount of work and memory.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Gunzip } from 'fflate';

export interface ByteSource {
  /** Fills dst from the current position; returns the bytes read (fewer than asked only at the end). */
  readInto(dst: Uint8Array): number;
  /** An upper bound of the bytes left (Infinity where nothing bounds it, as for a pipe). */
  maxRemaining(): number;
  /** True when maxRemaining() is the exact count (a regular file, a byte array). */
  readonly exact: boolean;
  /** Releases the file descriptor, if any. */
  close(): void;
}

/** Up to n bytes from the source (fewer only at its end). */
export function readUpTo(src: ByteSource, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const got = src.readInto(out);
  return got === n ? out : out.subarray(0, got);
}

/** True when the source has no byte left (reads one byte to find out). */
export function atEnd(src: ByteSource): boolean {
  return src.readInto(new Uint8Array(1)) === 0;
}

/** An in-memory byte array. */
export class MemorySource implements ByteSource {
  readonly exact = true;
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}
  readInto(dst: Uint8Array): number {
    const n = Math.min(dst.length, this.bytes.length - this.pos);
    dst.set(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return n;
  }
  maxRemaining(): number {
    return this.bytes.length - this.pos;
  }
  /** The first bytes, without consuming them (for format detection). */
  peek(n: number): Uint8Array {
    return this.bytes.subarray(this.pos, this.pos + n);
  }
  close(): void {}
}

/**
 * A file read sequentially. A regular file is bounded by its size (taken when opened); anything
 * else (a character device such as /dev/zero, a FIFO) is read until it ends, with no bound, so
 * the parsers must bound it by what their header declares.
 */
export class FileSource implements ByteSource {
  private readonly fd: number;
  private pos = 0;
  private readonly size: number;
  readonly exact: boolean;
  private readonly peeked: Uint8Array;
  private peekPos = 0;

  constructor(path: string, op: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw new Error(`${op}: cannot read ${path}: ${(e as Error).message}`);
    }
    try {
      const st = fstatSync(this.fd);
      if (st.isDirectory()) throw new Error(`${op}: cannot read ${path}: it is a directory`);
      this.size = st.isFile() ? st.size : Infinity;
      this.exact = st.isFile();
      // The first bytes tell the format (gzip or not); keep them to replay.
      const head = new Uint8Array(2);
      this.peeked = head.subarray(0, this.rawRead(head));
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  private rawRead(dst: Uint8Array): number {
    let done = 0;
    while (done < dst.length) {
      const n = readSync(this.fd, dst, done, dst.length - done, null);
      if (n === 0) break;
      done += n;
    }
    this.pos += done;
    return done;
  }

  /** The first two bytes of the file (fewer if it is shorter). */
  magic(): Uint8Array {
    return this.peeked;
  }

  readInto(dst: Uint8Array): number {
    let done = 0;
    if (this.peekPos < this.peeked.length) {
      const n = Math.min(dst.length, this.peeked.length - this.peekPos);
      dst.set(this.peeked.subarray(this.peekPos, this.peekPos + n));
      this.peekPos += n;
      done = n;
    }
    if (done === dst.length) return done;
    // A regular file never gives more than its size at open, even if it grows meanwhile.
    const room = Math.min(dst.length - done, this.size - this.pos);
    return done + (room > 0 ? this.rawRead(dst.subarray(done, done + room)) : 0);
  }

  maxRemaining(): number {
    return this.size - this.pos + (this.peeked.length - this.peekPos);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Deflate cannot expand its input more than 1032-fold (a 258-byte match per 2 bits, at best). */
export const MAX_INFLATE_RATIO = 1032;
/** Compressed bytes fed to the inflater at a time: at most ~1 MiB of output per feed. */
const FEED = 1024;

/**
 * The decompressed bytes of a gzip stream (one or more members), inflated only as far as they
 * are read: a parser that stops at its declared size never inflates the rest.
 */
export class GunzipSource implements ByteSource {
  readonly exact = false;
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  private readonly inflater: Gunzip;
  private readonly input = new Uint8Array(1 << 16);
  private inputLen = 0;
  private inputPos = 0;
  private inputDone = false;

  constructor(
    private readonly compressed: ByteSource,
    private readonly label: string,
  ) {
    this.inflater = new Gunzip((chunk, final) => {
      if (chunk.length) {
        this.queue.push(chunk);
        this.queued += chunk.length;
      }
      if (final) this.ended = true;
    });
  }

  private feed(): void {
    if (this.inputPos === this.inputLen && !this.inputDone) {
      this.inputLen = this.compressed.readInto(this.input);
      this.inputPos = 0;
      if (this.inputLen < this.input.length) this.inputDone = true;
    }
    const end = Math.min(this.inputLen, this.inputPos + FEED);
    const last = this.inputDone && end === this.inputLen;
    try {
      this.inflater.push(this.input.subarray(this.inputPos, end), last);
    } catch (e) {
      throw new Error(`${this.label}: corrupt gzip data (${(e as Error).message})`);
    }
    this.inputPos = end;
    if (last && !this.ended) throw new Error(`${this.label}: corrupt gzip data (unexpected end of file)`);
  }

  readInto(dst: Uint8Array): number {
    let done = 0;
    while (done < dst.length) {
      if (this.queue.length === 0) {
        if (this.ended) break;
        this.feed();
        continue;
      }
      const head = this.queue[0];
      const n = Math.min(head.length, dst.length - done);
      dst.set(head.subarray(0, n), done);
      done += n;
      this.queued -= n;
      if (n === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(n);
    }
    return done;
  }

  maxRemaining(): number {
    if (this.ended) return this.queued;
    const input = this.compressed.maxRemaining() + (this.inputLen - this.inputPos);
    return this.queued + input * MAX_INFLATE_RATIO + 1024;
  }

  close(): void {
    this.compressed.close();
  }
}

/** True for the gzip magic bytes. */
export function isGzipMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Bytes as a short human figure for error messages ("1.5 GiB"). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/**
 * A zero-filled byte array of n bytes for a payload the file has claimed. Allocation is lazy
 * (untouched pages cost no memory), so RSS grows only with what the file really delivers; an
 * impossible size is a clear error instead of V8's.
 */
export function allocatePayload(op: string, n: number): Uint8Array {
  try {
    return new Uint8Array(n);
  } catch {
    throw new RangeError(`${op}: cannot allocate ${formatBytes(n)} for the data the header declares`);
  }
}
