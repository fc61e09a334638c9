// The zip container of PyTorch's checkpoint files (torch.save since 1.6): just enough of the
// format (APPNOTE.TXT) to read and write them, over node:zlib.
//
// Reading assumes a hostile file: every offset and size is checked against the buffer before
// use, entries may not overlap (the overlapping-entry zip bomb), a deflated entry inflates to
// at most its declared size (the declared sizes of all deflated entries together are capped),
// CRC-32s are checked, encrypted entries and duplicate names are refused. torch.save writes
// stored (uncompressed) entries whose data starts 64-byte aligned, padded by an extra field;
// writing does the same, with zip64 records where offsets pass 4 GiB.
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  /** Offset of the local header in the file. */
  headerOffset: number;
  /** Offset of the entry's data (after the local header). */
  dataOffset: number;
}

export interface ZipLimits {
  /** The most bytes all deflated entries together may inflate to (stored ones are bounded by the file). */
  maxInflatedBytes?: number;
  /** The most entries the central directory may list. */
  maxEntries?: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA = 0x0001;
const U32_MAX = 0xffffffff;

/** A reader of one zip file held in memory; `op` and `source` label its errors. */
export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  private inflatedBudget: number;

  constructor(
    readonly bytes: Uint8Array,
    private readonly op: string,
    private readonly source: string,
    limits: ZipLimits = {},
  ) {
    this.inflatedBudget = limits.maxInflatedBytes ?? 1024 ** 3;
    this.parse(limits.maxEntries ?? 1_000_000);
  }

  private fail(message: string): never {
    throw new Error(`${this.op}: ${this.source} is not a valid zip file: ${message}`);
  }

  private view(offset: number, length: number, what: string): DataView {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length)
      this.fail(
        `${what} at offset ${offset} (${length} bytes) runs past the end of the file (${this.bytes.length} bytes; truncated?)`,
      );
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + offset, length);
  }

  private u64(v: DataView, at: number, what: string): number {
    const x = v.getBigUint64(at, true);
    if (x > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${x} is out of range`);
    return Number(x);
  }

  /** The end-of-central-directory record: the last signature from which the comment reaches the end. */
  private findEocd(): number {
    const n = this.bytes.length;
    if (n < 22) this.fail(`${n} bytes is too short for an end-of-central-directory record (truncated?)`);
    const lowest = Math.max(0, n - 22 - 0xffff);
    for (let at = n - 22; at >= lowest; at--) {
      if (this.view(at, 4, 'signature').getUint32(0, true) !== SIG_EOCD) continue;
      if (at + 22 + this.view(at, 22, 'end record').getUint16(20, true) === n) return at;
    }
    return this.fail('no end-of-central-directory record (truncated?)');
  }

  private parse(maxEntries: number): void {
    const eocdAt = this.findEocd();
    const eocd = this.view(eocdAt, 22, 'end record');
    if (eocd.getUint16(4, true) !== 0 || eocd.getUint16(6, true) !== 0)
      this.fail('multi-disk archives are not supported');
    let count = eocd.getUint16(10, true);
    let cdSize = eocd.getUint32(12, true);
    let cdOffset = eocd.getUint32(16, true);
    let cdLimit = eocdAt; // the central directory ends before the records that follow it
    if (eocdAt >= 20 && this.view(eocdAt - 20, 4, 'zip64 locator').getUint32(0, true) === SIG_ZIP64_LOCATOR) {
      const locator = this.view(eocdAt - 20, 20, 'zip64 locator');
      const at = this.u64(locator, 8, 'zip64 end record offset');
      const z = this.view(at, 56, 'zip64 end record');
      if (z.getUint32(0, true) !== SIG_ZIP64_EOCD) this.fail(`no zip64 end record at offset ${at}`);
      count = this.u64(z, 32, 'entry count');
      cdSize = this.u64(z, 40, 'central directory size');
      cdOffset = this.u64(z, 48, 'central directory offset');
      cdLimit = at;
    }
    if (cdOffset + cdSize > cdLimit)
      this.fail(`the central directory (offset ${cdOffset}, ${cdSize} bytes) overlaps the records after it`);
    if (count > maxEntries) this.fail(`${count} entries is more than the limit of ${maxEntries}`);
    if (count * 46 > cdSize) this.fail(`${count} entries cannot fit in a ${cdSize}-byte central directory`);
    let at = cdOffset;
    const list: ZipEntry[] = [];
    for (let i = 0; i < count; i++) {
      const h = this.view(at, 46, `central header ${i}`);
      if (h.getUint32(0, true) !== SIG_CENTRAL) this.fail(`bad central header signature at offset ${at}`);
      const flags = h.getUint16(8, true);
      const method = h.getUint16(10, true);
      const nameLen = h.getUint16(28, true);
      const extraLen = h.getUint16(30, true);
      const commentLen = h.getUint16(32, true);
      const name = new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(at + 46, at + 46 + nameLen));
      this.view(at, 46 + nameLen + extraLen + commentLen, `central header of '${name}'`);
      if (at + 46 + nameLen + extraLen + commentLen > cdOffset + cdSize)
        this.fail(`the central header of '${name}' runs past the central directory`);
      if (flags & 1) this.fail(`entry '${name}' is encrypted`);
      if (method !== 0 && method !== 8)
        this.fail(`entry '${name}' uses compression method ${method} (only stored and deflate are read)`);
      let compressedSize = h.getUint32(20, true);
      let size = h.getUint32(24, true);
      let headerOffset = h.getUint32(42, true);
      if (compressedSize === U32_MAX || size === U32_MAX || headerOffset === U32_MAX) {
        // zip64: the fields that overflowed follow in the extra field, in this order.
        const extra = this.findExtra(at + 46 + nameLen, extraLen, ZIP64_EXTRA);
        if (!extra) this.fail(`entry '${name}' lacks its zip64 extra field`);
        let p = 0;
        const next = (what: string) => {
          if (p + 8 > extra.byteLength) this.fail(`entry '${name}': zip64 extra field too short for the ${what}`);
          const v = this.u64(extra, p, what);
          p += 8;
          return v;
        };
        if (size === U32_MAX) size = next('size');
        if (compressedSize === U32_MAX) compressedSize = next('compressed size');
        if (headerOffset === U32_MAX) headerOffset = next('local header offset');
      }
      const local = this.view(headerOffset, 30, `local header of '${name}'`);
      if (local.getUint32(0, true) !== SIG_LOCAL)
        this.fail(`bad local header signature for '${name}' at offset ${headerOffset}`);
      const localNameLen = local.getUint16(26, true);
      const dataOffset = headerOffset + 30 + localNameLen + local.getUint16(28, true);
      const localName = this.bytes.subarray(headerOffset + 30, headerOffset + 30 + localNameLen);
      if (Buffer.compare(localName, this.bytes.subarray(at + 46, at + 46 + nameLen)) !== 0)
        this.fail(`the local header of '${name}' names another entry`);
      if (dataOffset + compressedSize > cdOffset)
        this.fail(
          `the data of '${name}' (offset ${dataOffset}, ${compressedSize} bytes) runs into the central directory`,
        );
      if (method === 0 && compressedSize !== size)
        this.fail(`stored entry '${name}' has a compressed size ${compressedSize} unlike its size ${size}`);
      if (this.entries.has(name)) this.fail(`entry '${name}' appears twice`);
      const entry = { name, method, compressedSize, size, crc: h.getUint32(16, true), headerOffset, dataOffset };
      this.entries.set(name, entry);
      list.push(entry);
      at += 46 + nameLen + extraLen + commentLen;
    }
    list.sort((a, b) => a.headerOffset - b.headerOffset);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1];
      if (prev.dataOffset + prev.compressedSize > list[i].headerOffset)
        this.fail(`entries '${prev.name}' and '${list[i].name}' overlap`);
    }
  }

  private findExtra(start: number, length: number, id: number): DataView | null {
    let p = start;
    while (p + 4 <= start + length) {
      const h = this.view(p, 4, 'extra field');
      const len = h.getUint16(2, true);
      if (p + 4 + len > start + length) this.fail(`an extra field at offset ${p} runs past its header`);
      if (h.getUint16(0, true) === id) return this.view(p + 4, len, 'extra field');
      p += 4 + len;
    }
    return null;
  }

  /** The entry's bytes: a view of the file for stored entries, a fresh buffer for deflated ones. */
  read(entry: ZipEntry): Uint8Array {
    const raw = this.bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    let data = raw;
    if (entry.method === 8) {
      if (entry.size > this.inflatedBudget)
        throw new Error(
          `${this.op}: ${this.source}: entry '${entry.name}' would inflate to ${entry.size} bytes, over the ` +
            `${this.inflatedBudget} bytes left of the limit for compressed entries (a zip bomb?)`,
        );
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (e) {
        this.fail(
          `entry '${entry.name}' does not inflate to its declared ${entry.size} bytes (${(e as Error).message})`,
        );
      }
      if (data.length !== entry.size)
        this.fail(`entry '${entry.name}' inflates to ${data.length} bytes, not its declared ${entry.size}`);
      this.inflatedBudget -= entry.size;
    }
    if (crc32(data) >>> 0 !== entry.crc >>> 0) this.fail(`entry '${entry.name}' fails its CRC-32 check (corrupt?)`);
    return data;
  }
}

export interface ZipFileSpec {
  name: string;
  data: Uint8Array;
}

/**
 * A zip archive of stored entries, each entry's data aligned to `align` bytes through padding in
 * its local header's extra field (as PyTorch writes them, so storages can be memory-mapped).
 */
export function writeZip(files: readonly ZipFileSpec[], align = 64): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    if (f.data.length >= U32_MAX) throw new RangeError(`zip: entry '${f.name}' of ${f.data.length} bytes is too large`);
    const name = Buffer.from(f.name, 'utf8');
    const crc = crc32(f.data) >>> 0;
    // The padding extra field ('FB' as PyTorch names it) needs 4 header bytes at least.
    const pad = (align - ((offset + 30 + name.length + 4) % align)) % align;
    const local = new Uint8Array(30 + name.length + 4 + pad);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, SIG_LOCAL, true);
    lv.setUint16(4, 20, true); // version needed: 2.0
    lv.setUint16(8, 0, true); // method: stored
    lv.setUint32(14, crc, true);
    lv.setUint32(18, f.data.length, true);
    lv.setUint32(22, f.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 4 + pad, true);
    local.set(name, 30);
    lv.setUint16(30 + name.length, 0x4246, true);
    lv.setUint16(32 + name.length, pad, true);
    const big = offset >= U32_MAX;
    const extra = big ? 12 : 0;
    const c = new Uint8Array(46 + name.length + extra);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, SIG_CENTRAL, true);
    cv.setUint16(4, big ? 45 : 20, true); // made by
    cv.setUint16(6, big ? 45 : 20, true); // needed
    cv.setUint32(16, crc, true);
    cv.setUint32(20, f.data.length, true);
    cv.setUint32(24, f.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, extra, true);
    cv.setUint32(42, big ? U32_MAX : offset, true);
    c.set(name, 46);
    if (big) {
      cv.setUint16(46 + name.length, ZIP64_EXTRA, true);
      cv.setUint16(48 + name.length, 8, true);
      cv.setBigUint64(50 + name.length, BigInt(offset), true);
    }
    chunks.push(local, f.data);
    central.push(c);
    offset += local.length + f.data.length;
  }
  const cdOffset = offset;
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  chunks.push(...central);
  const zip64 = cdOffset + cdSize >= U32_MAX || files.length >= 0xffff;
  if (zip64) {
    const z = new DataView(new ArrayBuffer(56 + 20));
    z.setUint32(0, SIG_ZIP64_EOCD, true);
    z.setBigUint64(4, 44n, true);
    z.setUint16(12, 45, true);
    z.setUint16(14, 45, true);
    z.setBigUint64(24, BigInt(files.length), true);
    z.setBigUint64(32, BigInt(files.length), true);
    z.setBigUint64(40, BigInt(cdSize), true);
    z.setBigUint64(48, BigInt(cdOffset), true);
    z.setUint32(56, SIG_ZIP64_LOCATOR, true);
    z.setBigUint64(64, BigInt(cdOffset + cdSize), true);
    z.setUint32(72, 1, true);
    chunks.push(new Uint8Array(z.buffer));
  }
  const e = new DataView(new ArrayBuffer(22));
  e.setUint32(0, SIG_EOCD, true);
  e.setUint16(8, zip64 ? 0xffff : files.length, true);
  e.setUint16(10, zip64 ? 0xffff : files.length, true);
  e.setUint32(12, zip64 ? U32_MAX : cdSize, true);
  e.setUint32(16, zip64 ? U32_MAX : cdOffset, true);
  chunks.push(new Uint8Array(e.buffer));
  return chunks;
}
